//! `duplicate-control`: one control twice in a definition's framework references.

use crate::analyze::Context;
use crate::diag::Diagnostics;
use crate::framework::Resolution;
use crate::model::Sp;
use crate::hash::Map;

declare_rule! {
    /// ## What it does
    /// Reports a framework reference that names a control the same definition already
    /// references: the same ID twice, or two spellings of one control (`NHI2:2025` and
    /// `NHI-02`). References kpilint cannot resolve count as the same when they are written
    /// alike.
    ///
    /// ## Why is this bad?
    /// A repeated reference adds no evidence but reads as more: a reviewer counting
    /// mappings, or a tool reading the catalogue, sees two controls where there is one. It
    /// is usually a copy-paste slip or a half-done rename.
    ///
    /// ## Example
    /// ```toml
    /// frameworks = ["NHI2:2025", "GV.RM-01", "NHI-02"]
    /// ```
    /// Use instead: `frameworks = ["NHI2:2025", "GV.RM-01"]`.
    pub static DUPLICATE_CONTROL = {
        code: "KPI110",
        name: "duplicate-control",
        group: Policy,
        severity: Warning,
        summary: "one control twice in a definition's framework references",
        check: Model(check),
    };
}

/// What a reference names: a control (by address, so spellings of it are alike), or an
/// unresolved reference as written.
#[derive(PartialEq, Eq, Hash)]
enum Named<'a> {
    Control(*const crate::framework::Control),
    Written(&'a str),
}

/// Reports the second and later references of each control within one definition.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let mut seen: Map<Named<'_>, &Sp<String>> = Map::default();
    let mut by: *const crate::model::Metric = std::ptr::null();
    for reference in ctx.references() {
        if !std::ptr::eq(by, reference.by) {
            by = reference.by;
            seen.clear();
        }
        let named = match &reference.resolution {
            Resolution::Canonical(_, c)
            | Resolution::Noncanonical(_, c)
            | Resolution::Legacy(_, c)
            | Resolution::Reused(_, c) => Named::Control(std::ptr::from_ref(*c)),
            Resolution::Unknown { .. } | Resolution::UnknownFramework(..) => {
                Named::Written(reference.written.value.trim())
            }
        };
        let written = reference.written;
        let Some(first) = seen.get(&named) else {
            seen.insert(named, written);
            continue;
        };
        let (m, first) = (reference.by, *first);
        let same = first.value == written.value;
        out.push(
            &DUPLICATE_CONTROL,
            written.at().with_message(if same {
                "referenced again here".to_owned()
            } else {
                format!("the same control as `{}`", first.value)
            }),
            if same {
                msg!("`{}` references `{}` twice", m.id.value, written.value)
            } else {
                msg!(
                    "`{}` references one control twice, as `{}` and `{}`",
                    m.id.value,
                    first.value,
                    written.value
                )
            },
        )
        .subject(m.id.value.clone())
        .label(first.at().with_message("first referenced here"))
        .help("remove the repeated reference");
    }
}
