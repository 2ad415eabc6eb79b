//! `duplicate-id`: two definitions share an id.

use crate::analyze::Context;
use crate::diag::{Diagnostics, Label};
use crate::model::Sp;
use crate::source::{FileId, Span};
use crate::hash::Map;

declare_rule! {
    /// ## What it does
    /// Reports an id defined twice: a metric id across all catalogues (a data series is
    /// keyed by metric id), an identity event id across all registers, a catalogue id, and a KPI, category or banned-metric id within
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
        group: Files,
        severity: Error,
        summary: "an id defined twice",
        check: Model(check),
    };
}

/// Checks metric, catalogue, policy, framework and control ids, and per-policy-file ids.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    report_repeats("metric", ctx.metrics().map(|m| sp(m.file, &m.id)), out);
    report_repeats(
        "catalogue",
        ctx.catalogues
            .iter()
            .filter_map(|c| c.id.as_ref().map(|id| sp(c.file, id))),
        out,
    );
    report_repeats("event", ctx.events().map(|e| sp(e.file, &e.id)), out);
    report_repeats(
        "policy",
        ctx.policy.layers.iter().map(|p| sp(p.file, &p.id)),
        out,
    );
    for layer in &ctx.policy.layers {
        let f = layer.file;
        report_repeats("KPI", layer.kpis.iter().map(|k| sp(f, &k.id)), out);
        report_repeats(
            "category",
            layer.categories.iter().map(|c| sp(f, &c.id)),
            out,
        );
        report_repeats(
            "banned metric",
            layer.banned.iter().map(|b| sp(f, &b.id)),
            out,
        );
    }
    for fw in &ctx.frameworks.shadowed {
        let Some(file) = fw.file else { continue };
        let f = out
            .push(
                &DUPLICATE_ID,
                Label::at(file, fw.id_span).with_message("defined again here"),
                msg!("framework `{}` is already defined", fw.id),
            )
            .subject(fw.id.clone())
            .help("give the custom framework its own id");
        if let Some(first) = ctx.frameworks.get(&fw.id)
            && let Some(prev) = first.file
        {
            f.label(Label::at(prev, first.id_span).with_message("first defined here"));
        }
    }
    for fw in &ctx.frameworks.frameworks {
        let Some(file) = fw.file else { continue };
        report_repeats(
            "control",
            fw.controls.iter().map(|c| (file, c.id.as_str(), c.id_span)),
            out,
        );
    }
}

/// An id as [`report_repeats`] takes it.
fn sp(file: FileId, id: &Sp<String>) -> (FileId, &str, Span) {
    (file, id.value.as_str(), id.span)
}

/// Reports every repeat of an id among `items` (file, id, span), pointing back at the
/// first.
fn report_repeats<'a>(
    what: &str,
    items: impl IntoIterator<Item = (FileId, &'a str, Span)>,
    out: &mut Diagnostics,
) {
    let mut seen: Map<&str, (FileId, Span)> = Map::default();
    for (file, id, span) in items {
        match seen.get(id) {
            Some(&(first_file, first_span)) => {
                out.push(
                    &DUPLICATE_ID,
                    Label::at(file, span).with_message("defined again here"),
                    msg!("{} `{}` is defined more than once", what, id),
                )
                .label(Label::at(first_file, first_span).with_message("first defined here"))
                .subject(id.to_owned())
                .help("ids must be unique: rename or remove one of them");
            }
            None => {
                seen.insert(id, (file, span));
            }
        }
    }
}
