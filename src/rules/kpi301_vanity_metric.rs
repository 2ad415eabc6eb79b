//! `vanity-metric`: a metric the policy bans as a vanity metric.

use crate::diag::{Diagnostics, Label};
use crate::lint::LintContext;
use crate::model::Metric;

declare_rule! {
    /// ## What it does
    /// Matches every catalogue metric against the policy's `[[banned]]` entries. A `match`
    /// table's `name` is a regular expression tried on the metric's id, name and
    /// description; its other keys (`tier`, `unit`, `direction`, `source`, `cadence`,
    /// `category`) must all equal the metric's values. The finding carries the policy's
    /// `reason` and suggests its outcome-based replacement.
    ///
    /// ## Why is this bad?
    /// Vanity metrics count activity, not exposure: "secrets rotated this week" rises while
    /// critical secrets stay exposed, and a busy dashboard hides rising risk. The baseline
    /// policy locks this rule so no exception can waive it.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "secrets-rotated-this-week"
    /// name = "Number of secrets rotated this week"
    /// ```
    /// Use instead: "Percent of critical secrets rotated within policy SLA".
    pub static VANITY_METRIC = {
        code: "KPI301",
        name: "vanity-metric",
        group: "catalogue",
        severity: Error,
        summary: "a metric the policy bans as a vanity metric",
    };
}

fn field<'a>(m: &'a Metric, key: &str) -> Option<&'a str> {
    match key {
        "tier" => m.tier.as_ref().map(|v| v.value.as_str()),
        "unit" => m.unit.as_ref().map(|v| v.value.as_str()),
        "direction" => m.direction.as_ref().map(|v| v.value.as_str()),
        "source" => m.source.as_ref().map(|v| v.value.as_str()),
        "cadence" => m.cadence.as_ref().map(|v| v.value.as_str()),
        "category" => m.category.as_ref().map(|v| v.value.as_str()),
        _ => None,
    }
}

/// Checks every catalogue metric against every banned entry.
pub fn check(ctx: &LintContext<'_>, out: &mut Diagnostics) {
    let banned = &ctx.policy.banned;
    if banned.is_empty() {
        return;
    }
    for m in ctx.metrics() {
        for b in banned {
            let matcher = &b.banned.matcher;
            if matcher.name.is_some() && b.pattern.is_none() {
                continue; // `invalid-pattern`
            }
            let texts = [Some(&m.id), m.name.as_ref(), m.description.as_ref()];
            let hit = match &b.pattern {
                Some(re) => texts
                    .iter()
                    .flatten()
                    .find(|t| re.is_match(&t.value))
                    .map(|t| t.span),
                None => Some(m.id.span),
            };
            let Some(span) = hit else { continue };
            if !matcher
                .fields
                .iter()
                .all(|(k, v)| field(m, k) == Some(v.value.as_str()))
            {
                continue;
            }
            let reason = b.banned.reason.as_deref().unwrap_or("the policy bans it");
            let f = out
                .push(
                    &VANITY_METRIC,
                    Label::at(m.file, span).with_message("banned metric"),
                    format!(
                        "`{}` is a vanity metric (`{}`): {reason}",
                        m.id.value, b.banned.id.value
                    ),
                )
                .subject(m.id.value.clone())
                .label(Label::at(b.banned.file, b.banned.id.span).with_message("banned here"));
            match &b.banned.suggest {
                Some(s) => f.help(format!("measure the outcome instead: {s}")),
                None => f.help("replace it with an outcome-based KPI that shows exposure changing"),
            };
            break;
        }
    }
}
