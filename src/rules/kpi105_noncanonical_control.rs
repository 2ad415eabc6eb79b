//! `noncanonical-control`: an informal spelling of a control ID.

use crate::analyze::Context;
use crate::diag::Diagnostics;
use crate::framework::Resolution;

declare_rule! {
    /// ## What it does
    /// Reports a framework reference written in an informal form that kpilint resolves to
    /// a canonical control: `NHI-02`, `NHI2` or `NHI-02:2025` for `NHI2:2025`, `GV.RM-1` for
    /// `GV.RM-01` (in a category new in CSF 2.0; an unpadded CSF 1.1 ID is `legacy-control`),
    /// `GOVERN-1.1` or `GV 1.1` for `GOVERN 1.1`, another letter case (also of a framework
    /// qualifier, `NIST-CSF-2.0:GV.RM-01`), the framework named before the ID (`OWASP NHI2`,
    /// `OWASP-NHI-2`, `NIST CSF GV.OC-01`, `CSF GV.OC-01`, `NIST AI RMF GOVERN 1.5`), or
    /// surrounding whitespace. The message names the canonical form, qualified if the
    /// reference was.
    ///
    /// ## Why is this bad?
    /// Several spellings of one control defeat search, coverage reports read by other tools
    /// and diff reviews. Some informal forms also collide with unrelated taxonomies (vendor
    /// lists use `NHI-001` for identity types).
    ///
    /// ## Example
    /// ```toml
    /// frameworks = ["NHI-02", "GV.RM-1"]
    /// ```
    /// Use instead: `frameworks = ["NHI2:2025", "GV.RM-01"]`.
    pub static NONCANONICAL_CONTROL = {
        code: "KPI105",
        name: "noncanonical-control",
        group: Policy,
        severity: Warning,
        summary: "an informal spelling of a control ID",
        check: Model(check),
    };
}

/// Reports every reference written in an informal form of a known control.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for reference in ctx.references() {
        let Resolution::Noncanonical(f, c) = &reference.resolution else {
            continue;
        };
        let (m, r) = (reference.by, reference.written);
        let canonical = f.canonical_reference(&r.value, c);
        let help = if r.value.trim().len() == r.value.len() {
            msg!("write the canonical ID `{}`", canonical)
        } else {
            msg!(
                "write the canonical ID `{}`, without surrounding whitespace",
                canonical
            )
        };
        out.push(
            &NONCANONICAL_CONTROL,
            r.at().with_message(format!("means `{}`", c.id)),
            msg!(
                "`{}` is an informal spelling of {} {}",
                r.value,
                f.name,
                c.describe()
            ),
        )
        .subject(m.id.value.clone())
        .help(help);
    }
}
