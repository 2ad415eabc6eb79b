//! `unknown-control`: a framework reference that names no known control. This file also
//! resolves every reference for `legacy-control` and `noncanonical-control`.

use super::{LEGACY_CONTROL, NONCANONICAL_CONTROL};
use crate::diag::{Diagnostics, Label, Message};
use crate::framework::Resolution;
use crate::lint::LintContext;

declare_rule! {
    /// ## What it does
    /// Resolves every framework reference of every KPI and metric (`frameworks = [...]`)
    /// and every `[coverage] require` entry against the built-in frameworks
    /// (`owasp-nhi-2025`, `nist-csf-2.0`, `nist-ai-rmf-1.0`) and the repository's own
    /// (`policies/frameworks/*.toml`). A reference that names no control is reported with a
    /// hint worked out from its normalised form: the IDs its category does have when a
    /// well-formed ID is out of range (`GV.RM-8`: `GV.RM` has `GV.RM-01`..`GV.RM-07`), else the
    /// closest existing ID. References may be plain (`GV.RM-01`) or qualified
    /// (`nist-csf-2.0:GV.RM-01`); a qualified reference is only looked up in its framework,
    /// and if another framework has the control the help says which and how to qualify it.
    ///
    /// ## Why is this bad?
    /// A mistyped control ID maps the KPI to nothing: the coverage matrix shows a gap that
    /// is not there, or hides one that is, and an auditor following the mapping finds no
    /// such control.
    ///
    /// ## Example
    /// ```toml
    /// frameworks = ["GV.RM-08"]   # GV.RM has subcategories 01..07
    /// ```
    /// Use instead: `frameworks = ["GV.RM-01"]`, or `kpilint frameworks nist-csf-2.0` to
    /// list the IDs.
    pub static UNKNOWN_CONTROL = {
        code: "KPI103",
        name: "unknown-control",
        group: "policy",
        severity: Error,
        summary: "a framework reference that names no known control",
    };
}

/// Resolves every reference and reports unknown, legacy and non-canonical ones.
pub fn check(ctx: &LintContext<'_>, out: &mut Diagnostics) {
    for m in ctx.definitions() {
        for r in &m.frameworks {
            let at = Label::at(m.file, r.span);
            match ctx.frameworks.resolve(&r.value) {
                Resolution::Canonical(..) => {}
                Resolution::Noncanonical(f, c) => {
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
                        at.with_message(format!("means `{}`", c.id)),
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
                Resolution::Unknown { within, hint } => {
                    let message = match within {
                        Some(f) => msg!("`{}` is not a control of {}", r.value, f.name),
                        None => msg!("`{}` is not a control of any known framework", r.value),
                    };
                    out.push(
                        &UNKNOWN_CONTROL,
                        at.with_message("no such control"),
                        message,
                    )
                    .subject(m.id.value.clone())
                    .help(hint.help().unwrap_or_else(|| {
                        "`kpilint frameworks` lists the known frameworks and their IDs".into()
                    }));
                }
                Resolution::UnknownFramework(name, hint) => {
                    unknown_framework(out, at, &name, hint.as_deref(), &m.id.value);
                }
            }
        }
    }
    for (file, req) in &ctx.policy.coverage {
        let fw = req
            .value
            .split_once(':')
            .map_or(req.value.as_str(), |(f, _)| f);
        if ctx.frameworks.get(fw).is_none() {
            let hint = crate::suggest::closest(
                fw,
                ctx.frameworks.frameworks.iter().map(|f| f.id.as_str()),
            );
            unknown_framework(out, Label::at(*file, req.span), fw, hint, &req.value);
        }
    }
}

fn unknown_framework(
    out: &mut Diagnostics,
    at: Label,
    name: &str,
    hint: Option<&str>,
    subject: &str,
) {
    let f = out
        .push(
            &UNKNOWN_CONTROL,
            at.with_message("unknown framework"),
            msg!("no framework `{}` is loaded", name),
        )
        .subject(subject.to_owned());
    f.help(crate::suggest::did_you_mean(hint, "built-in frameworks are `owasp-nhi-2025`, `nist-csf-2.0` and `nist-ai-rmf-1.0`; add others in `policies/frameworks/`"));
}
