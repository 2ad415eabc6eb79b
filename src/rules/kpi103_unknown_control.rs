//! `unknown-control`: a framework reference that names no known control.

use crate::diag::{Diagnostics, Label};
use crate::framework::Resolution;
use crate::analyze::Context;

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
        group: Policy,
        severity: Error,
        summary: "a framework reference that names no known control",
        check: Model(check),
    };
}

/// Reports every reference that names no known control or framework, and every
/// `[coverage] require` entry that names no framework.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for reference in ctx.references() {
        let (m, r) = (reference.by, reference.written);
        let at = r.at();
        match &reference.resolution {
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
                    unknown_framework(out, at, name, hint.as_deref(), &m.id.value);
                }
            _ => {}
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
    f.help(crate::diag::did_you_mean(hint, "built-in frameworks are `owasp-nhi-2025`, `nist-csf-2.0` and `nist-ai-rmf-1.0`; add others in `policies/frameworks/`"));
}
