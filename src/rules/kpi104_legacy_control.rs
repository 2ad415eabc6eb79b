//! `legacy-control`: a withdrawn NIST CSF 1.1 ID, or one whose number CSF 2.0 reuses.

use crate::analyze::Context;
use crate::diag::{Diagnostics, Message};
use crate::framework::Resolution;

declare_rule! {
    /// ## What it does
    /// Reports a reference to a NIST CSF 1.1 subcategory or category that CSF 2.0 withdrew,
    /// such as `PR.AC-1` or `ID.GV-01`, and names its CSF 2.0 successors (from NIST's own
    /// withdrawal links, e.g. `PR.AC-01` moved to `PR.AA-01` and `PR.AA-05`; a category
    /// withdrawn with no single successor, such as `PR.IP`, lists where each of its
    /// subcategories went). Also reports a CSF 1.1 ID written as CSF 1.1 wrote it, unpadded,
    /// whose number CSF 2.0 reuses (`ID.AM-1`, `DE.CM-1`, `RS.AN-3`): its successor is the
    /// same-numbered CSF 2.0 control (`ID.AM-01`), which may word the outcome differently. An
    /// unpadded ID in a category new in CSF 2.0 (`GV.RM-1`, `PR.AA-1`) is not CSF 1.1 but
    /// `noncanonical-control`.
    ///
    /// ## Why is this bad?
    /// CSF 2.0 reorganised identity and governance outcomes (the new GOVERN function,
    /// `PR.AC` became `PR.AA`). A KPI mapped to a withdrawn ID evidences a control that no
    /// longer exists in the framework the policy claims to follow. An ID that survived may
    /// have changed meaning (`RS.AN-03`, `DE.CM-01` and `PR.DS-01` were reworded), so the
    /// mapping must be checked against the CSF 2.0 text before it is respelt.
    ///
    /// ## Example
    /// ```toml
    /// frameworks = ["PR.AC-1", "RS.AN-3"]
    /// ```
    /// Use instead: `frameworks = ["PR.AA-01", "RS.AN-03"]`, once the KPI is checked against
    /// the CSF 2.0 outcomes.
    pub static LEGACY_CONTROL = {
        code: "KPI104",
        name: "legacy-control",
        group: Policy,
        severity: Warning,
        summary: "a NIST CSF 1.1 control ID (withdrawn, or reused in 2.0), with its CSF 2.0 successor",
        check: Model(check),
    };
}

/// Reports every reference to a CSF 1.1 ID.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for reference in ctx.references() {
        let (m, r) = (reference.by, reference.written);
        let at = r.at();
        match &reference.resolution {
                Resolution::Legacy(f, c) => {
                    let help = if c.superseded_by.is_empty() {
                        match f.successors_of_children(c).as_slice() {
                            [] => msg!(
                                "`{}` was withdrawn with no single successor: map to the current control that fits",
                                c.id
                            ),
                            [only] => {
                                msg!(
                                    "use `{}`, where the subcategories of `{}` moved",
                                    only,
                                    c.id
                                )
                            }
                            moved => msg!(
                                "`{}` was withdrawn with no single successor; its subcategories moved to {}: map to the one that fits",
                                c.id,
                                Message::ticked(moved, ", ")
                            ),
                        }
                    } else {
                        msg!(
                            "use its successor in {}: {}",
                            f.name,
                            Message::ticked(&c.superseded_by, " or ")
                        )
                    };
                    out.push(
                        &LEGACY_CONTROL,
                        at.with_message("withdrawn control"),
                        msg!(
                            "`{}` is a withdrawn CSF 1.1 control, not part of {}",
                            r.value,
                            f.name
                        ),
                    )
                    .subject(m.id.value.clone())
                    .help(help);
                }
                Resolution::Reused(f, c) => {
                    out.push(
                        &LEGACY_CONTROL,
                        at.with_message("CSF 1.1 ID"),
                        msg!("`{}` is a CSF 1.1 ID: its CSF 2.0 successor `{}` may word the outcome differently", r.value, c.id),
                    )
                    .subject(m.id.value.clone())
                    .help(msg!("check that the KPI evidences the CSF 2.0 outcome of `{}`, then write `{}`", c.id, f.canonical_reference(&r.value, c)));
                }
            _ => {}
        }
    }
}
