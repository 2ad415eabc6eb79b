//! Formulas of derived KPIs: `100 * orphaned-nhis / total-nhis`, parsed once into postfix
//! and evaluated per period and scope over the values of the metrics it names.
//!
//! Hand-written rather than a crate's: the language is four operators, parentheses,
//! unary minus, decimal numbers and metric ids (no functions, no variables, nothing to
//! run), about two hundred lines whose bounds are ours. A formula comes from a pull
//! request, so every bound is a located [`Error`], never a panic or a deep stack:
//! [`MAX_LEN`] bytes, [`MAX_DEPTH`] levels of nesting, [`MAX_OPERANDS`] numbers and names.
//! Parsing is linear in the text and evaluation linear in the operands, with no
//! recursion at all.
//!
//! Grammar (`-` binds tighter as a sign than `*` and `/`, which bind tighter than `+` and
//! binary `-`; binary operators associate to the left, so `a - b - c` is `(a - b) - c`):
//!
//! ```text
//! sum     = product (("+" | "-") product)*
//! product = sign (("*" | "/") sign)*
//! sign    = "-" sign | atom
//! atom    = number | id | "(" sum ")"
//! ```
//!
//! An id is written as catalogues write it: letters, digits, `_`, `.`, `:` and `-`. So a
//! `-` between two characters of an id is part of the id (`orphaned-nhis`), and binary
//! minus takes a space or a parenthesis on its left (`a - b`, `(a)-b`). A word made of
//! digits with at most one decimal point (`100`, `0.5`) is a number; any other word,
//! `2fa-coverage` included, is an id.

use crate::num::Num;
use rust_decimal::Decimal;
use std::ops::Range;

/// Longest formula, in bytes.
pub const MAX_LEN: usize = 1024;
/// Deepest nesting of parentheses and signs.
pub const MAX_DEPTH: usize = 32;
/// Most numbers and metric names in one formula.
pub const MAX_OPERANDS: usize = 64;

/// A parsed formula: its operations in postfix order and the metrics it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    ops: Vec<Op>,
    names: Vec<Name>,
}

/// A metric a formula names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The id as written.
    pub id: String,
    /// Where it is first written, as byte offsets into the formula.
    pub at: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Number(Num),
    /// The value of the metric `names[i]`.
    Load(u8),
    Neg,
    Add,
    Sub,
    Mul,
    Div,
}

/// Why a formula does not parse, and where (byte offsets into it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What is wrong.
    pub kind: ErrorKind,
    /// Where.
    pub at: Range<usize>,
}

/// What is wrong with a formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Nothing but blanks.
    Empty,
    /// Longer than [`MAX_LEN`] bytes.
    TooLong(usize),
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than [`MAX_OPERANDS`] numbers and names.
    TooManyOperands,
    /// A character no token starts with.
    Unexpected(char),
    /// An operator or `)` where a number, an id or `(` must come; `None`: the end.
    ExpectedOperand(Option<String>),
    /// A number, an id or `(` where an operator or the end must come.
    ExpectedOperator(String),
    /// A `(` never closed.
    Unclosed,
    /// A `)` that closes nothing.
    Unmatched,
    /// Numbers only: a formula is evaluated at the periods of the metrics it names.
    NoMetric,
}

/// Why a formula has no value at a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undefined {
    /// A divisor is zero.
    DivisionByZero,
    /// The value is too large for a number.
    Overflow,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'s> {
    Number(Num),
    Name(&'s str),
    Plus,
    Minus,
    Star,
    Slash,
    Open,
    Close,
}

impl Tok<'_> {
    fn text(&self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Name(s) => (*s).to_owned(),
            Self::Plus => "+".into(),
            Self::Minus => "-".into(),
            Self::Star => "*".into(),
            Self::Slash => "/".into(),
            Self::Open => "(".into(),
            Self::Close => ")".into(),
        }
    }
}

fn id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-')
}

/// A word of digits with at most one decimal point between digits.
fn is_number(word: &str) -> bool {
    let mut parts = word.split('.');
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let int = parts.next().is_some_and(digits);
    let frac = parts.next().is_none_or(digits);
    int && frac && parts.next().is_none()
}

fn lex(text: &str) -> Result<Vec<(Tok<'_>, Range<usize>)>, Error> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'+' => Tok::Plus,
            b'-' => Tok::Minus,
            b'*' => Tok::Star,
            b'/' => Tok::Slash,
            b'(' => Tok::Open,
            b')' => Tok::Close,
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                while i < b.len() && id_char(b[i]) {
                    i += 1;
                }
                let word = &text[start..i];
                let tok = if is_number(word) {
                    match Num::parse(word) {
                        Some(n) if n.value().is_finite() => Tok::Number(n),
                        _ => Tok::Name(word),
                    }
                } else {
                    Tok::Name(word)
                };
                out.push((tok, start..i));
                continue;
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('\u{fffd}');
                return Err(Error {
                    kind: ErrorKind::Unexpected(ch),
                    at: start..start + ch.len_utf8(),
                });
            }
        };
        i += 1;
        out.push((tok, start..i));
    }
    Ok(out)
}

/// Parses a formula.
///
/// # Errors
/// An [`Error`] locating the first problem, or a bound exceeded.
pub fn parse(text: &str) -> Result<Expr, Error> {
    if text.len() > MAX_LEN {
        return Err(Error {
            kind: ErrorKind::TooLong(text.len()),
            at: 0..text.len(),
        });
    }
    let tokens = lex(text)?;
    if tokens.is_empty() {
        return Err(Error {
            kind: ErrorKind::Empty,
            at: 0..text.len(),
        });
    }
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
        operands: 0,
        ops: Vec::new(),
        names: Vec::new(),
        end: text.len(),
    };
    p.sum()?;
    if let Some((tok, at)) = tokens.get(p.pos) {
        let kind = match tok {
            Tok::Close => ErrorKind::Unmatched,
            t => ErrorKind::ExpectedOperator(t.text()),
        };
        return Err(Error {
            kind,
            at: at.clone(),
        });
    }
    if p.names.is_empty() {
        return Err(Error {
            kind: ErrorKind::NoMetric,
            at: 0..text.len(),
        });
    }
    Ok(Expr {
        ops: p.ops,
        names: p.names,
    })
}

struct Parser<'t, 's> {
    tokens: &'t [(Tok<'s>, Range<usize>)],
    pos: usize,
    depth: usize,
    operands: usize,
    ops: Vec<Op>,
    names: Vec<Name>,
    end: usize,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok<'_>> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn here(&self) -> Range<usize> {
        self.tokens
            .get(self.pos)
            .map_or(self.end..self.end, |(_, at)| at.clone())
    }

    fn sum(&mut self) -> Result<(), Error> {
        self.product()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Plus) => Op::Add,
                Some(Tok::Minus) => Op::Sub,
                _ => return Ok(()),
            };
            self.pos += 1;
            self.product()?;
            self.ops.push(op);
        }
    }

    fn product(&mut self) -> Result<(), Error> {
        self.sign()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Star) => Op::Mul,
                Some(Tok::Slash) => Op::Div,
                _ => return Ok(()),
            };
            self.pos += 1;
            self.sign()?;
            self.ops.push(op);
        }
    }

    /// Enters one level of nesting (a sign or a parenthesis), within [`MAX_DEPTH`].
    fn nest(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error {
                kind: ErrorKind::TooDeep,
                at: self.here(),
            });
        }
        Ok(())
    }

    fn sign(&mut self) -> Result<(), Error> {
        if self.peek() == Some(&Tok::Minus) {
            self.nest()?;
            self.pos += 1;
            self.sign()?;
            self.ops.push(Op::Neg);
            self.depth -= 1;
            return Ok(());
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<(), Error> {
        let Some((tok, at)) = self.tokens.get(self.pos) else {
            return Err(Error {
                kind: ErrorKind::ExpectedOperand(None),
                at: self.end..self.end,
            });
        };
        let at = at.clone();
        let op = match tok {
            Tok::Number(n) => Op::Number(*n),
            Tok::Name(id) => {
                let i = match self.names.iter().position(|n| n.id == *id) {
                    Some(i) => i,
                    None => {
                        self.names.push(Name {
                            id: (*id).to_owned(),
                            at: at.clone(),
                        });
                        self.names.len() - 1
                    }
                };
                // At most MAX_OPERANDS names, which fit a byte.
                Op::Load(u8::try_from(i).unwrap_or(u8::MAX))
            }
            Tok::Open => return self.group(at),
            t => {
                return Err(Error {
                    kind: ErrorKind::ExpectedOperand(Some(t.text())),
                    at,
                });
            }
        };
        self.operands += 1;
        if self.operands > MAX_OPERANDS {
            return Err(Error {
                kind: ErrorKind::TooManyOperands,
                at,
            });
        }
        self.pos += 1;
        self.ops.push(op);
        Ok(())
    }

    /// A parenthesised sum, whose `(` is at `open`.
    fn group(&mut self, open: Range<usize>) -> Result<(), Error> {
        self.nest()?;
        self.pos += 1;
        self.sum()?;
        match self.peek() {
            Some(Tok::Close) => self.pos += 1,
            Some(t) => {
                return Err(Error {
                    kind: ErrorKind::ExpectedOperator(t.text()),
                    at: self.here(),
                });
            }
            None => {
                return Err(Error {
                    kind: ErrorKind::Unclosed,
                    at: open,
                });
            }
        }
        self.depth -= 1;
        Ok(())
    }
}

impl Expr {
    /// The metrics it names, each once, in the order first written: [`Expr::eval`] takes
    /// their values in this order.
    #[must_use]
    pub fn names(&self) -> &[Name] {
        &self.names
    }

    /// Whether `other` computes the same thing the same way: the same operations on the
    /// same numbers and ids, however each is spaced or parenthesised.
    #[must_use]
    pub fn same(&self, other: &Expr) -> bool {
        self.ops == other.ops
            && self.names.len() == other.names.len()
            && self
                .names
                .iter()
                .zip(&other.names)
                .all(|(a, b)| a.id == b.id)
    }

    /// The value for the metrics' values `values` (in the order of [`Expr::names`]),
    /// computed on exact decimals where every value has one (28 significant digits), so
    /// that `287 / 4100 * 100` is 7, else in binary.
    ///
    /// Each step is rounded: a quotient that does not end (`1 / 3`) is cut at 28 digits
    /// before what follows, so `1 / 3 * 300` is 99.99...; multiply first (`300 * 1 / 3`
    /// is 100). In binary, a step beyond `f64`'s range (about 1.8e308) is infinite and the
    /// period has no value ([`Undefined::Overflow`]) even when a later step would bring it
    /// back: `(a * a) / a` with `a` = 1e200; divide first there (`a / a * a`).
    ///
    /// # Errors
    /// When a divisor is zero, or the value too large to hold.
    ///
    /// # Panics
    /// When `values` holds fewer values than the formula names metrics: a bug.
    pub fn eval(&self, values: &[Num]) -> Result<Num, Undefined> {
        assert!(values.len() >= self.names.len(), "a value for each name");
        if let Some(exact) = self.eval_exact(values) {
            return exact.map(Num::from_decimal);
        }
        self.eval_binary(values)
    }

    /// `None` when a value has no exact decimal or a step overflows `Decimal`.
    fn eval_exact(&self, values: &[Num]) -> Option<Result<Decimal, Undefined>> {
        let mut stack: Vec<Decimal> = Vec::with_capacity(self.ops.len());
        for op in &self.ops {
            let v = match *op {
                Op::Number(n) => n.exact()?,
                Op::Load(i) => values[usize::from(i)].exact()?,
                Op::Neg => -stack.pop()?,
                _ => {
                    let b = stack.pop()?;
                    let a = stack.pop()?;
                    match op {
                        Op::Add => a.checked_add(b)?,
                        Op::Sub => a.checked_sub(b)?,
                        Op::Mul => a.checked_mul(b)?,
                        _ if b.is_zero() => return Some(Err(Undefined::DivisionByZero)),
                        _ => a.checked_div(b)?,
                    }
                }
            };
            stack.push(v);
        }
        stack.pop().map(Ok)
    }

    fn eval_binary(&self, values: &[Num]) -> Result<Num, Undefined> {
        let mut stack: Vec<f64> = Vec::with_capacity(self.ops.len());
        for op in &self.ops {
            let v = match *op {
                Op::Number(n) => n.value(),
                Op::Load(i) => values[usize::from(i)].value(),
                Op::Neg => -stack.pop().unwrap_or(f64::NAN),
                _ => {
                    let b = stack.pop().unwrap_or(f64::NAN);
                    let a = stack.pop().unwrap_or(f64::NAN);
                    match op {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        _ if b == 0.0 => return Err(Undefined::DivisionByZero),
                        _ => a / b,
                    }
                }
            };
            stack.push(v);
        }
        match stack.pop() {
            Some(v) if v.is_finite() => Ok(Num::float(v)),
            _ => Err(Undefined::Overflow),
        }
    }
}

/// The order in which derived metrics are evaluated, and which cannot be.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Order {
    /// The derived metrics to evaluate, each after every derived metric it names.
    pub steps: Vec<u32>,
    /// Derived metrics that name each other in a circle, each circle once: the metrics
    /// in the order each names the next, the last naming the first.
    pub cycles: Vec<Vec<u32>>,
    /// Every derived metric on a circle (of a strongly connected component with one),
    /// sorted: those a `formula-cycle` finding walks or counts.
    pub on_cycle: Vec<u32>,
}

/// A metric, as [`order`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Not derived: its values are reported.
    Plain,
    /// Derived, by a formula that cannot be evaluated (it does not parse, or names a
    /// metric nothing defines).
    Broken,
    /// Derived from these metrics (indices among the nodes).
    Derived(Vec<u32>),
}

/// Orders the derived metrics among `nodes`. A derived metric is evaluated when its
/// formula can be and every derived metric it names is; one in a cycle never is, nor is
/// any metric that names it, directly or not. Iterative (Tarjan's strongly connected
/// components, which completes a metric's operands before the metric), linear in metrics
/// and names.
#[must_use]
pub fn order(nodes: &[Node]) -> Order {
    const UNSEEN: u32 = u32::MAX;
    let n = nodes.len();
    let edges = |m: usize| -> &[u32] {
        match &nodes[m] {
            Node::Derived(ops) => ops,
            _ => &[],
        }
    };
    let derived = |m: u32| nodes.get(m as usize).is_some_and(|x| *x != Node::Plain);
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut evaluable = vec![false; n];
    let mut out = Order::default();
    let mut next = 0u32;
    // The depth-first path: (metric, how many of its edges are followed).
    let mut work: Vec<(u32, usize)> = Vec::new();
    for root in 0..u32::try_from(n).unwrap_or(u32::MAX) {
        if !derived(root) || index[root as usize] != UNSEEN {
            continue;
        }
        work.push((root, 0));
        while let Some(&(v, e)) = work.last() {
            let vu = v as usize;
            if index[vu] == UNSEEN {
                index[vu] = next;
                low[vu] = next;
                next += 1;
                stack.push(v);
                on_stack[vu] = true;
            }
            if let Some(&w) = edges(vu).get(e) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if !derived(w) {
                    continue; // a reported metric: nothing to order
                }
                let wu = w as usize;
                if index[wu] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[wu] {
                    low[vu] = low[vu].min(index[wu]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                let pu = parent as usize;
                low[pu] = low[pu].min(low[vu]);
            }
            if low[vu] != index[vu] {
                continue;
            }
            let mut component = Vec::new();
            while let Some(w) = stack.pop() {
                on_stack[w as usize] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 || edges(vu).contains(&v) {
                out.cycles.push(circle(&component, &edges));
                out.on_cycle.extend(&component);
                continue;
            }
            let ok = matches!(nodes[vu], Node::Derived(_))
                && edges(vu)
                    .iter()
                    .all(|&w| !derived(w) || evaluable[w as usize]);
            if ok {
                evaluable[vu] = true;
                out.steps.push(v);
            }
        }
    }
    out.on_cycle.sort_unstable();
    out
}

/// A circle through a strongly connected component, from its first-defined metric: the
/// shortest way back to it, found breadth first within the component.
fn circle<'e>(component: &[u32], edges: &impl Fn(usize) -> &'e [u32]) -> Vec<u32> {
    let start = component.iter().copied().min().unwrap_or(0);
    if edges(start as usize).contains(&start) {
        return vec![start];
    }
    let inside: rustc_hash::FxHashSet<u32> = component.iter().copied().collect();
    let mut came_from: rustc_hash::FxHashMap<u32, u32> = rustc_hash::FxHashMap::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in edges(v as usize) {
            if w == start {
                let mut path = vec![v];
                let mut at = v;
                while at != start {
                    at = came_from[&at];
                    path.push(at);
                }
                path.reverse();
                return path;
            }
            if inside.contains(&w) && w != start && !came_from.contains_key(&w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    // Unreachable for a strongly connected component; the component as found otherwise.
    component.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Num {
        Num::parse(s).unwrap()
    }

    /// Evaluates with metric values given by name.
    fn eval(text: &str, values: &[(&str, &str)]) -> Result<String, Undefined> {
        let e = parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        let vals: Vec<Num> = e
            .names()
            .iter()
            .map(|name| n(values.iter().find(|(k, _)| *k == name.id).unwrap().1))
            .collect();
        e.eval(&vals).map(|v| v.to_string())
    }

    fn err(text: &str) -> (ErrorKind, Range<usize>) {
        let e = parse(text).unwrap_err();
        (e.kind, e.at)
    }

    #[test]
    fn precedence_and_associativity() {
        let v = [("a", "8"), ("b", "4"), ("c", "2")];
        assert_eq!(eval("a - b - c", &v).unwrap(), "2");
        assert_eq!(eval("a / b / c", &v).unwrap(), "1");
        assert_eq!(eval("a - (b - c)", &v).unwrap(), "6");
        assert_eq!(eval("a / (b / c)", &v).unwrap(), "4");
        assert_eq!(eval("a + b * c", &v).unwrap(), "16");
        assert_eq!(eval("(a + b) * c", &v).unwrap(), "24");
        assert_eq!(eval("a - b * c + 1", &v).unwrap(), "1");
        assert_eq!(eval("100 * c / a", &v).unwrap(), "25");
    }

    /// Decimals are exact to 28 significant digits: a quotient is rounded before what
    /// follows, so a formula multiplies first. In binary (a value with no exact decimal),
    /// a step past `f64`'s range leaves no value even when later steps would come back.
    #[test]
    fn multiply_first_and_overflow_at_any_step() {
        let exact = |text: &str| {
            let e = parse(text).unwrap();
            e.eval(&[n("1"), n("3")])
                .unwrap()
                .exact()
                .unwrap()
                .to_string()
        };
        assert_eq!(exact("300 * a / b"), "100");
        assert_eq!(exact("a / b * 300"), "99.99999999999999999999999999");
        let huge = [("a", "1e200")];
        assert_eq!(eval("(a * a) / a", &huge), Err(Undefined::Overflow));
        assert_eq!(eval("a / a * a", &huge).unwrap(), eval("a", &huge).unwrap());
    }

    #[test]
    fn unary_minus() {
        let v = [("a", "3"), ("b", "2")];
        assert_eq!(eval("-a", &v).unwrap(), "-3");
        assert_eq!(eval("- -a", &v).unwrap(), "3");
        assert_eq!(eval("--a", &v).unwrap(), "3");
        assert_eq!(eval("a * -b", &v).unwrap(), "-6");
        assert_eq!(eval("-a * b", &v).unwrap(), "-6");
        assert_eq!(eval("a - -b", &v).unwrap(), "5");
        assert_eq!(eval("-(a - b)", &v).unwrap(), "-1");
        // A sign binds tighter than a product: (-a) / b.
        assert_eq!(eval("-a / b", &v).unwrap(), "-1.5");
    }

    #[test]
    fn ids_are_written_as_catalogues_write_them() {
        let e = parse("100 * orphaned-nhis / platform.total_nhis:v2").unwrap();
        let names: Vec<&str> = e.names().iter().map(|n| n.id.as_str()).collect();
        assert_eq!(names, ["orphaned-nhis", "platform.total_nhis:v2"]);
        // A `-` inside a word is the id's; with a space (or a parenthesis) before it, an
        // operator.
        let names = |t: &str| -> Vec<String> {
            parse(t)
                .unwrap()
                .names()
                .iter()
                .map(|n| n.id.clone())
                .collect()
        };
        assert_eq!(names("a-b"), ["a-b"]);
        assert_eq!(names("a -b"), ["a", "b"]);
        assert_eq!(names("a - b"), ["a", "b"]);
        assert_eq!(names("(a)-b"), ["a", "b"]);
        // Digits alone are a number; a word that starts with digits and goes on is an id.
        assert_eq!(names("2fa-coverage * 1.5"), ["2fa-coverage"]);
        assert_eq!(names("a * 100"), ["a"]);
        assert_eq!(names("1.2.3 + a"), ["1.2.3", "a"]);
        // A name used twice is one value.
        assert_eq!(names("a / (a + b)"), ["a", "b"]);
        assert_eq!(parse("a / (a + b)").unwrap().names()[1].at, 9..10);
    }

    #[test]
    fn exact_where_every_value_is() {
        // 287 / 4100 as a percent is 7, not 7.000000000000001.
        let v = eval("100 * a / b", &[("a", "287"), ("b", "4100")]).unwrap();
        assert_eq!(v, "7");
        let e = parse("100 * a / b").unwrap();
        let r = e.eval(&[n("287"), n("4100")]).unwrap();
        assert_eq!(r.compare(n("7")), std::cmp::Ordering::Equal);
        assert_eq!(r.value(), 7.0);
        // A value with no exact decimal: binary arithmetic.
        let r = e.eval(&[Num::float(1.0), n("4")]).unwrap();
        assert_eq!(r.value(), 25.0);
    }

    #[test]
    fn division_by_zero_and_overflow_have_no_value() {
        assert_eq!(
            eval("a / b", &[("a", "1"), ("b", "0")]),
            Err(Undefined::DivisionByZero)
        );
        assert_eq!(
            eval("a / (b - b)", &[("a", "1"), ("b", "5")]),
            Err(Undefined::DivisionByZero)
        );
        assert_eq!(
            eval("a / b", &[("a", "0"), ("b", "0.0")]),
            Err(Undefined::DivisionByZero)
        );
        let e = parse("a / b").unwrap();
        assert_eq!(
            e.eval(&[Num::float(1.0), Num::float(0.0)]),
            Err(Undefined::DivisionByZero)
        );
        // Past Decimal's range: binary; past f64's: no value.
        let big = parse("a * a * a").unwrap();
        assert_eq!(big.eval(&[n("1e200")]), Err(Undefined::Overflow));
        let r = big.eval(&[n("1e20")]).unwrap();
        assert_eq!(r.value(), 1e60);
    }

    #[test]
    fn syntax_errors_are_located() {
        assert_eq!(err(""), (ErrorKind::Empty, 0..0));
        assert_eq!(err("  "), (ErrorKind::Empty, 0..2));
        assert_eq!(err("a +"), (ErrorKind::ExpectedOperand(None), 3..3));
        assert_eq!(
            err("a * / b"),
            (ErrorKind::ExpectedOperand(Some("/".into())), 4..5)
        );
        assert_eq!(err("a b"), (ErrorKind::ExpectedOperator("b".into()), 2..3));
        assert_eq!(err("(a + b"), (ErrorKind::Unclosed, 0..1));
        assert_eq!(err("a + b)"), (ErrorKind::Unmatched, 5..6));
        assert_eq!(err("a % b"), (ErrorKind::Unexpected('%'), 2..3));
        assert_eq!(err("a + é"), (ErrorKind::Unexpected('é'), 4..6));
        assert_eq!(
            err("+a"),
            (ErrorKind::ExpectedOperand(Some("+".into())), 0..1)
        );
        assert_eq!(err("100 * 2"), (ErrorKind::NoMetric, 0..7));
        assert_eq!(err(".5 * a"), (ErrorKind::Unexpected('.'), 0..1));
        assert_eq!(
            err("(a b)"),
            (ErrorKind::ExpectedOperator("b".into()), 3..4)
        );
        assert_eq!(err("a()"), (ErrorKind::ExpectedOperator("(".into()), 1..2));
    }

    #[test]
    fn bounds_are_located_errors() {
        let long = format!("a + {}", "1 + ".repeat(300));
        assert!(matches!(err(&long).0, ErrorKind::TooLong(_)));
        let deep = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&deep).is_ok());
        let deeper = format!(
            "{}a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(err(&deeper), (ErrorKind::TooDeep, MAX_DEPTH..MAX_DEPTH + 1));
        let signs = format!("{}a", "-".repeat(MAX_DEPTH + 1));
        assert_eq!(err(&signs).0, ErrorKind::TooDeep);
        let many = vec!["a"; MAX_OPERANDS].join("+");
        assert!(parse(&many).is_ok());
        let more = vec!["a"; MAX_OPERANDS + 1].join("+");
        assert_eq!(err(&more).0, ErrorKind::TooManyOperands);
        // A thousand opening parentheses: a located error, not a deep stack.
        assert_eq!(err(&"(".repeat(1000)).0, ErrorKind::TooDeep);
    }

    #[test]
    fn derived_metrics_are_ordered_and_cycles_found() {
        use Node::{Broken, Derived, Plain};
        // 0, 1 reported; 2 = 0/1; 3 = 2*100; 4 <-> 5; 6 uses 4; 7 broken; 8 uses 7; 9 = 9.
        let nodes = vec![
            Plain,
            Plain,
            Derived(vec![0, 1]),
            Derived(vec![2]),
            Derived(vec![5]),
            Derived(vec![4, 0]),
            Derived(vec![4]),
            Broken,
            Derived(vec![7]),
            Derived(vec![9]),
        ];
        let o = order(&nodes);
        assert_eq!(o.steps, [2, 3]);
        assert_eq!(o.cycles, [vec![4, 5], vec![9]]);
        // Operands come first whatever the order of definition.
        let nodes = vec![Derived(vec![1]), Derived(vec![2]), Plain];
        assert_eq!(order(&nodes).steps, [1, 0]);
        // A longer circle is named in the order each names the next.
        let nodes = vec![Derived(vec![2]), Derived(vec![0]), Derived(vec![1])];
        assert_eq!(order(&nodes).cycles, [vec![0, 2, 1]]);
        // A chain of 100,000 derived metrics needs no deep stack.
        let chain: Vec<Node> = (0..100_000u32)
            .map(|i| {
                if i == 99_999 {
                    Plain
                } else {
                    Derived(vec![i + 1])
                }
            })
            .collect();
        let o = order(&chain);
        assert_eq!(o.steps.len(), 99_999);
        assert_eq!(o.steps[0], 99_998);
    }

    proptest::proptest! {
        /// Any text parses or gives an error inside it; a parsed formula evaluates.
        #[test]
        fn any_text_parses_or_is_located(text in "[a-c0-9 ()+*/.-]{0,80}") {
            match parse(&text) {
                Ok(e) => {
                    let values = vec![Num::int(3); e.names().len()];
                    let _ = e.eval(&values);
                }
                Err(e) => proptest::prop_assert!(e.at.end <= text.len() && e.at.start <= e.at.end),
            }
        }

        /// Any graph is ordered operands first; no member of a circle is evaluated, nor
        /// anything that names one.
        #[test]
        fn any_graph_is_ordered_operands_first(
            kinds in proptest::collection::vec((0u8..4, 0u32..24, 0u32..24), 1..24)
        ) {
            let nodes: Vec<Node> = kinds
                .iter()
                .map(|&(k, a, b)| match k {
                    0 => Node::Plain,
                    1 => Node::Broken,
                    _ => Node::Derived(vec![a, b]),
                })
                .collect();
            let o = order(&nodes);
            let mut done = vec![false; nodes.len()];
            for &s in &o.steps {
                let Node::Derived(ops) = &nodes[s as usize] else {
                    panic!("a step is derived");
                };
                for &op in ops {
                    let op = op as usize;
                    proptest::prop_assert!(op >= nodes.len() || nodes[op] == Node::Plain || done[op]);
                }
                done[s as usize] = true;
            }
            for circle in &o.cycles {
                for (i, &m) in circle.iter().enumerate() {
                    proptest::prop_assert!(!done[m as usize]);
                    // Each member names the next.
                    let next = circle[(i + 1) % circle.len()];
                    let Node::Derived(ops) = &nodes[m as usize] else {
                        panic!("a member of a circle is derived");
                    };
                    proptest::prop_assert!(ops.contains(&next));
                }
            }
        }

        /// Binary operators associate to the left and respect precedence, as `f64`
        /// arithmetic written out does.
        #[test]
        fn agrees_with_arithmetic(a in 1i64..1000, b in 1i64..1000, c in 1i64..1000) {
            #[allow(clippy::cast_precision_loss)]
            let (x, y, z) = (a as f64, b as f64, c as f64);
            let cases = [
                ("a - b - c", x - y - z),
                ("a / b / c", x / y / z),
                ("a - b * c", x - y * z),
                ("a / b * c", x / y * z),
                ("-a + b / -c", -x + y / -z),
                ("(a + b) / c", (x + y) / z),
            ];
            for (text, want) in cases {
                let e = parse(text).unwrap();
                let got = e.eval(&[Num::int(a), Num::int(b), Num::int(c)]).unwrap().value();
                proptest::prop_assert!((got - want).abs() <= want.abs() * 1e-12, "{} = {} not {}", text, got, want);
            }
        }
    }
}
