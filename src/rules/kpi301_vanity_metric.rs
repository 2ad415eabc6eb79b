//! `vanity-metric`: a metric the policy bans as a vanity metric.

use crate::diag::{Diagnostics, Label};
use crate::analyze::Context;
use crate::model::Metric;
use crate::policy::banned::Matches;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Matches every catalogue metric against the policy's `[[banned]]` entries. A `match`
    /// table's `name` is a regular expression tried on the metric's name, its id (as
    /// written, and with `-`, `_` and `.` read as spaces, so `secrets-rotated-this-week`
    /// reads like a name) and its description; its other keys (`tier`, `unit`, `direction`, `source`, `cadence`,
    /// `category`) must all equal the metric's values, which fall back to the KPI it
    /// implements. The finding carries the policy's `reason` and suggests its
    /// outcome-based replacement.
    ///
    /// The baseline's patterns are anchored (`^...$`): they match a metric that *is* an
    /// activity count ("Number of scans run"), not one that mentions one ("Percent of
    /// alerts triaged within SLA"), and not a description that explains why counts are
    /// not outcomes.
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
        group: Catalogue,
        severity: Error,
        summary: "a metric the policy bans as a vanity metric",
        check: Model(check),
    };
}

/// A metric's value for a structural `match` key, falling back to the KPI it implements.
fn field<'a>(ctx: &Context<'a>, m: &'a Metric, key: &str) -> Option<&'static str> {
    match key {
        "tier" => ctx.inherited(m, |k| k.tier.as_ref().map(|v| v.value.as_str())),
        "unit" => ctx.inherited(m, |k| k.unit.as_ref().map(|v| v.value.as_str())),
        "direction" => ctx.inherited(m, |k| k.direction.as_ref().map(|v| v.value.as_str())),
        "source" => ctx.inherited(m, |k| k.source.as_ref().map(|v| v.value.as_str())),
        "cadence" => ctx.inherited(m, |k| k.cadence.as_ref().map(|v| v.value.as_str())),
        _ => None,
    }
}

/// Checks every catalogue metric against every banned entry.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let banned = &ctx.policy.banned;
    if banned.is_empty() {
        return;
    }
    let patterns = &ctx.policy.patterns;
    for m in ctx.metrics() {
        // Ids are kebab-case: `secrets-rotated-this-week` is matched as the words
        // `secrets rotated this week`, like a name.
        let id_words = m.id.value.replace(['-', '_', '.'], " ");
        // Every pattern against each text, in one pass of the compiled set.
        let texts: Vec<(Matches, Span)> = [
            m.name.as_ref().map(|n| (n.value.as_str(), n.span)),
            Some((m.id.value.as_str(), m.id.span)),
            Some((id_words.as_str(), m.id.span)),
            m.description.as_ref().map(|d| (d.value.as_str(), d.span)),
        ]
        .into_iter()
        .flatten()
        .map(|(text, span)| (patterns.matches(text), span))
        .collect();
        for (i, b) in banned.iter().enumerate() {
            let matcher = &b.banned.matcher;
            if matcher.name.is_some() && !patterns.compiled(i) {
                continue; // `invalid-pattern`
            }
            if matcher.name.is_none() && matcher.fields.is_empty() {
                continue; // an empty `match` bans nothing (`schema` reports it)
            }
            let hit = if matcher.name.is_some() {
                texts
                    .iter()
                    .find(|(matches, _)| patterns.matched(matches, i))
                    .map(|(_, span)| *span)
            } else {
                Some(m.id.span)
            };
            let Some(span) = hit else { continue };
            if !matcher.fields.iter().all(|(k, v)| match k.as_str() {
                "category" => {
                    ctx.inherited(m, |x| x.category.as_ref().map(|c| c.value.as_str()))
                        == Some(v.value.as_str())
                }
                _ => field(ctx, m, k) == Some(v.value.as_str()),
            }) {
                continue;
            }
            let reason = b.banned.reason.as_deref().unwrap_or("the policy bans it");
            let f = out
                .push(
                    &VANITY_METRIC,
                    Label::at(m.file, span).with_message("banned metric"),
                    msg!(
                        "`{}` is a vanity metric (`{}`): {}",
                        m.id.value,
                        b.banned.id.value,
                        reason
                    ),
                )
                .subject(m.id.value.clone())
                .label(b.banned.id.at().with_message("banned here"));
            match &b.banned.suggest {
                Some(s) => f.help(msg!("measure the outcome instead: {}", s)),
                None => f.help("replace it with an outcome-based KPI that shows exposure changing"),
            };
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::Inputs;

    /// The findings of this rule on `catalogue` under the built-in baseline.
    fn under_baseline(catalogue: &str) -> Vec<crate::diag::Finding> {
        let inputs = Inputs::new(Some(crate::policy::BASELINE), catalogue);
        let mut out = Diagnostics::default();
        check(&inputs.ctx(), &mut out);
        out.findings
    }

    /// The names among `names` that the built-in baseline bans, with the banned entry.
    fn banned_by_baseline(names: &[&str]) -> Vec<(String, String)> {
        let mut text = String::from("[catalogue]\nid = \"c\"\n");
        for (i, n) in names.iter().enumerate() {
            text.push_str(&format!("[[metric]]\nid = \"m{i}\"\nname = \"{n}\"\n"));
        }
        under_baseline(&text)
            .iter()
            .map(|f| {
                let i: usize = f.subject.as_deref().unwrap()[1..].parse().unwrap();
                let entry = f.message.plain().split('`').nth(3).unwrap().to_owned();
                (names[i].to_owned(), entry)
            })
            .collect()
    }

    #[test]
    fn the_baseline_bans_activity_counts() {
        let vanity = [
            (
                "Number of secrets rotated this week",
                "secrets-rotated-per-period",
            ),
            ("Number of secrets rotated", "secrets-rotated-per-period"),
            ("Secrets rotated weekly", "secrets-rotated-per-period"),
            ("Keys rotated this quarter", "secrets-rotated-per-period"),
            ("Weekly rotations", "secrets-rotated-per-period"),
            ("Scans run", "scan-counts"),
            ("Scan count", "scan-counts"),
            ("Number of SAST scans", "scan-counts"),
            ("# of scans", "scan-counts"),
            ("Alerts created", "alert-counts"),
            ("Number of security alerts", "alert-counts"),
            ("Alert count", "alert-counts"),
            ("Tickets closed this month", "ticket-closure-counts"),
            ("Findings closed", "ticket-closure-counts"),
            ("Total tickets closed", "ticket-closure-counts"),
            ("Number of tickets", "ticket-closure-counts"),
            ("100% vault adoption", "vault-adoption"),
            ("Vault adoption rate", "vault-adoption"),
            (
                "Percent of applications onboarded to the vault",
                "vault-adoption",
            ),
            (
                "Number of JIT approvals processed",
                "jit-approvals-processed",
            ),
            ("JIT requests approved", "jit-approvals-processed"),
            (
                "Number of dormant NHIs identified",
                "dormant-nhis-identified",
            ),
        ];
        let names: Vec<&str> = vanity.iter().map(|(n, _)| *n).collect();
        let found = banned_by_baseline(&names);
        let expected: Vec<(String, String)> = vanity
            .iter()
            .map(|(n, e)| ((*n).to_owned(), (*e).to_owned()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn the_baseline_never_bans_its_own_kpis() {
        // A catalogue that copies every baseline KPI's id, title and description.
        let policy = Inputs::new(Some(crate::policy::BASELINE), "[catalogue]\nid = \"c\"\n").model.policy;
        let mut text = String::from("[catalogue]\nid = \"c\"\n");
        for k in &policy.kpis {
            let quote = |s: &Option<crate::model::Sp<String>>| {
                s.as_ref()
                    .map_or_else(String::new, |s| s.value.replace('"', "\\\""))
            };
            text.push_str(&format!(
                "[[metric]]\nid = \"{}\"\nname = \"{}\"\ndescription = \"{}\"\n",
                k.id.value,
                quote(&k.name),
                quote(&k.description)
            ));
        }
        let banned: Vec<String> = under_baseline(&text)
            .into_iter()
            .map(|f| f.message.plain())
            .collect();
        assert!(!policy.kpis.is_empty());
        assert!(banned.is_empty(), "{banned:#?}");
    }

    #[test]
    fn the_baseline_leaves_outcomes_alone() {
        let outcomes = [
            "Percent of critical secrets rotated within policy SLA",
            "Percent of critical secrets rotated each month within SLA",
            "Secrets rotated on time",
            "Percent of alerts triaged within SLA",
            "Percent of alerts raised on NHI credentials triaged within SLA",
            "Share of alerts raised that were confirmed incidents",
            "Ratio of incidents to the number of alerts",
            "Alert-to-incident ratio",
            "Median time to revoke an exposed key",
            "Percent of tickets closed within SLA",
            "Percent of NHI findings closed with confirmed exposure reduction",
            "Audit findings",
            "Open high and critical vulnerabilities",
            "Percent of JIT requests approved within 5 minutes",
            "JIT approval latency (median)",
            "Percent of dormant NHIs identified and removed within 30 days",
            "Dormant NHI count",
            "Vault onboarding lead time",
            "Percent of repositories with no secret scanning",
            "Scan coverage of critical repositories",
        ];
        assert_eq!(banned_by_baseline(&outcomes), vec![]);
    }
}
