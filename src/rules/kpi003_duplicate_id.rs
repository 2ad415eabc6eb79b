//! `duplicate-id`: two definitions share an id.

use crate::diag::{Diagnostics, Label};
use crate::lint::LintContext;
use crate::model::Sp;
use crate::source::FileId;
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Reports an id defined twice: a metric id across all catalogues (a data series is
    /// keyed by metric id), a catalogue id, and a KPI, category or banned-metric id within
    /// one policy file. A KPI redefined in a policy that `extends` another is an override,
    /// not a duplicate.
    ///
    /// ## Why is this bad?
    /// With two definitions, which thresholds and owner apply depends on file order, and
    /// reported data cannot be attributed to one of them.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "orphaned-nhi-count"
    /// [[metric]]
    /// id = "orphaned-nhi-count"
    /// ```
    /// Use instead: give each metric its own id, or delete the copy.
    pub static DUPLICATE_ID = {
        code: "KPI003",
        name: "duplicate-id",
        group: "files",
        severity: Error,
        summary: "an id defined twice",
    };
}

/// Reports every repeat of an id among `items` (file, id), pointing back at the first.
pub fn report_repeats<'a>(
    what: &str,
    items: impl IntoIterator<Item = (FileId, &'a Sp<String>)>,
    out: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, (FileId, &Sp<String>)> = HashMap::new();
    for (file, id) in items {
        match seen.get(id.value.as_str()) {
            Some(&(first_file, first)) => {
                out.push(
                    &DUPLICATE_ID,
                    Label::at(file, id.span).with_message("defined again here"),
                    msg!("{} `{}` is defined more than once", what, id.value),
                )
                .label(Label::at(first_file, first.span).with_message("first defined here"))
                .subject(id.value.clone())
                .help("ids must be unique: rename or remove one of them");
            }
            None => {
                seen.insert(&id.value, (file, id));
            }
        }
    }
}

/// Checks metric, catalogue and per-policy-file ids.
pub fn check(ctx: &LintContext<'_>, out: &mut Diagnostics) {
    report_repeats("metric", ctx.metrics().map(|m| (m.file, &m.id)), out);
    report_repeats(
        "catalogue",
        ctx.catalogues
            .iter()
            .filter_map(|c| c.id.as_ref().map(|id| (c.file, id))),
        out,
    );
    for layer in &ctx.policy.layers {
        let f = layer.file;
        report_repeats("KPI", layer.kpis.iter().map(|k| (f, &k.id)), out);
        report_repeats("category", layer.categories.iter().map(|c| (f, &c.id)), out);
        report_repeats(
            "banned metric",
            layer.banned.iter().map(|b| (f, &b.id)),
            out,
        );
    }
}
