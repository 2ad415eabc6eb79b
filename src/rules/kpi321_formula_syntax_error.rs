//! `formula-syntax-error`: a derived KPI's formula that does not parse.

use crate::analyze::Context;
use crate::diag::{Diagnostics, Message};
use crate::formula::{ErrorKind, MAX_DEPTH, MAX_LEN, MAX_OPERANDS};

declare_rule! {
    /// ## What it does
    /// Checks that every `formula` of a policy KPI or catalogue metric parses: numbers
    /// (`100`, `0.5`), metric ids as catalogues write them, `+ - * /`, parentheses and a
    /// leading minus. A `-` between two characters of a word belongs to the id
    /// (`orphaned-nhis`): binary minus takes a space or a parenthesis before it (`a - b`).
    /// A formula is at most 1024 bytes, nests at most 32 parentheses and signs, and names
    /// at most 64 numbers and metrics; it must name at least one metric, since it is
    /// evaluated at the periods its metrics are reported for. The finding points at the
    /// part of the formula at fault.
    ///
    /// ## Why is this bad?
    /// A derived KPI whose formula cannot be read has no value at all: the board figure it
    /// summarises silently disappears from the scorecard and the board pack.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "orphaned-nhi-rate"
    /// formula = "100 * orphaned-nhis / / total-nhis"
    /// ```
    /// Use instead: `formula = "100 * orphaned-nhis / total-nhis"`.
    pub static FORMULA_SYNTAX_ERROR = {
        code: "KPI321",
        name: "formula-syntax-error",
        group: Catalogue,
        severity: Error,
        summary: "a derived KPI's formula that does not parse",
        check: Model(check),
    };
}

/// Reports each formula that does not parse, at the part at fault.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for d in ctx.definitions() {
        let Some(f) = &d.formula else { continue };
        let Err(e) = &f.parsed else { continue };
        let (what, label, help): (Message, &'static str, &'static str) = match &e.kind {
            ErrorKind::Empty => (
                "is empty".into(),
                "empty",
                "write the formula, or remove `formula` and report the KPI's values",
            ),
            ErrorKind::TooLong(len) => (
                msg!("is {} bytes long, more than the {} a formula may be", len, MAX_LEN),
                "too long",
                "split it: a formula may name other derived KPIs",
            ),
            ErrorKind::TooDeep => (
                msg!("nests parentheses and signs more than {} deep", MAX_DEPTH),
                "too deep",
                "split it: a formula may name other derived KPIs",
            ),
            ErrorKind::TooManyOperands => (
                msg!("has more than {} numbers and metric ids", MAX_OPERANDS),
                "one too many",
                "split it: a formula may name other derived KPIs",
            ),
            ErrorKind::Unexpected('=') => (
                "has `=`, which no formula may hold".into(),
                "not allowed",
                "drop the `=`: a formula is written without a spreadsheet's leading `=`",
            ),
            ErrorKind::Unexpected(c) => (
                msg!("has `{}`, which no formula may hold", c),
                "not allowed",
                "a formula holds numbers, metric ids, `+ - * /` and parentheses",
            ),
            ErrorKind::ExpectedOperand(Some(found)) => (
                msg!("has `{}` where a number, a metric id or `(` must come", found),
                "expected a number, an id or `(`",
                "each operator goes between two numbers, ids or parenthesised formulas",
            ),
            ErrorKind::ExpectedOperand(None) => (
                "ends where a number, a metric id or `(` must come".into(),
                "expected a number, an id or `(`",
                "complete the formula",
            ),
            ErrorKind::ExpectedOperator(found) => (
                msg!("has `{}` where an operator or the end must come", found),
                "expected an operator",
                "put an operator between two operands; a `-` between two characters of a word belongs to the id, so subtract with spaces: `a - b`",
            ),
            ErrorKind::Unclosed => (
                "opens a `(` it never closes".into(),
                "never closed",
                "close it with `)`",
            ),
            ErrorKind::Unmatched => (
                "closes a `)` it never opened".into(),
                "closes nothing",
                "remove it, or open it with `(`",
            ),
            ErrorKind::NoMetric => (
                "names no metric".into(),
                "numbers only",
                "name the metrics it derives from: a formula is evaluated at the periods they are reported for",
            ),
        };
        out.push(
            &FORMULA_SYNTAX_ERROR,
            f.at(&e.at).with_message(label),
            msg!("the formula of `{}` {}", d.id.value, what),
        )
        .subject(d.id.value.clone())
        .help(help);
    }
}
