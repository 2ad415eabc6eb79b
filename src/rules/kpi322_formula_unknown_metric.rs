//! `formula-unknown-metric`: a derived KPI's formula names a metric nothing defines.

use crate::analyze::Context;
use crate::diag::Diagnostics;
use crate::hash::Set;

declare_rule! {
    /// ## What it does
    /// Checks that every id a `formula` names is a catalogue metric or a policy KPI: the
    /// ids data rows name, whose series the formula is computed from. Each unknown id is
    /// reported once per formula, at its first use, with the closest known id. Without
    /// catalogues only KPI ids can be judged, and when only some files are named (as
    /// pre-commit does) a metric may be defined in another: neither is judged then.
    ///
    /// ## Why is this bad?
    /// A formula that names nothing known can never be computed: the derived KPI has no
    /// value, and the board figure it was to summarise is missing without a word.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "orphaned-nhi-rate"
    /// formula = "100 * orphaned_nhis / total-nhis"   # the catalogue says `orphaned-nhis`
    /// ```
    /// Use instead: `formula = "100 * orphaned-nhis / total-nhis"`.
    pub static FORMULA_UNKNOWN_METRIC = {
        code: "KPI322",
        name: "formula-unknown-metric",
        group: Catalogue,
        severity: Error,
        summary: "a derived KPI's formula names a metric nothing defines",
        check: Model(check),
    };
}

/// Suggestions looked for: each reads every id, and a formula names up to 64.
const MAX_HINTS: usize = 100;

/// Reports each id a parsed formula names that no metric or KPI defines.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    if ctx.partial || !ctx.definitions().any(|d| d.formula.is_some()) {
        return;
    }
    let known: Set<&str> = ctx.definitions().map(|d| d.id.value.as_str()).collect();
    let mut hints_left = MAX_HINTS;
    for d in ctx.definitions() {
        let Some(f) = &d.formula else { continue };
        let Ok(expr) = &f.parsed else { continue };
        for name in expr.names() {
            // Without catalogues, a policy's formula may name metrics only they define.
            if known.contains(name.id.as_str()) || ctx.catalogues.is_empty() {
                continue;
            }
            let help = match split_by_minus(&name.id, &known) {
                Some((a, b)) => msg!(
                    "a `-` between two characters of a word belongs to the id: to subtract, write `{} - {}`",
                    a,
                    b
                ),
                None => {
                    let hint = (hints_left > 0).then(|| {
                        hints_left -= 1;
                        // In definition order, so that a tie goes to the first defined,
                        // not to the hash order of `known`.
                        let others = ctx
                            .definitions()
                            .map(|o| o.id.value.as_str())
                            .filter(|k| *k != d.id.value);
                        crate::suggest::closest(&name.id, others)
                    });
                    crate::diag::did_you_mean(
                        hint.flatten(),
                        "name a metric of a catalogue or a KPI of the policy: the ids data rows name",
                    )
                }
            };
            out.push(
                &FORMULA_UNKNOWN_METRIC,
                f.at(&name.at).with_message("no such metric or KPI"),
                msg!(
                    "the formula of `{}` names `{}`, which no policy or catalogue defines",
                    d.id.value,
                    name.id
                ),
            )
            .subject(d.id.value.clone())
            .help(help);
        }
    }
}

/// Where an unknown word is two known ids joined by `-` (`total-nhis-orphaned-nhis`
/// written for `total-nhis - orphaned-nhis`), the two ids.
fn split_by_minus<'w>(word: &'w str, known: &Set<&str>) -> Option<(&'w str, &'w str)> {
    word.match_indices('-')
        .map(|(i, _)| (&word[..i], &word[i + 1..]))
        .find(|(a, b)| known.contains(a) && known.contains(b))
}

#[cfg(test)]
mod tests {
    use crate::analyze::testing::Inputs;
    use std::fmt::Write as _;

    #[test]
    fn a_tie_suggests_the_first_defined() {
        // Twenty-five ids one letter from `rotation-rate`, all as close: the first defined
        // (`rotation-ratl`) is suggested, not the first in the hash order of `known`, which
        // is seeded per run.
        let mut catalogue = String::from("[catalogue]\nid = \"c\"\n");
        for c in std::iter::once('l').chain(('a'..='z').filter(|&c| c != 'e' && c != 'l')) {
            let _ = write!(catalogue, "[[metric]]\nid = \"rotation-rat{c}\"\n");
        }
        catalogue.push_str("[[metric]]\nid = \"r\"\nformula = \"rotation-rate * 2\"\n");
        let inputs = Inputs::new(None, &catalogue);
        let ctx = inputs.ctx();
        let mut diags = crate::diag::Diagnostics::default();
        super::check(&ctx, &mut diags);
        let help: Vec<String> = diags
            .findings
            .iter()
            .filter_map(|f| f.help.as_ref().map(|h| h.plain()))
            .collect();
        assert_eq!(help.len(), 1, "{help:?}");
        assert!(help[0].contains("`rotation-ratl`"), "{help:?}");
    }
}
