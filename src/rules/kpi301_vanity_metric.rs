//! `vanity-metric`: a metric the policy bans as a vanity metric.

use crate::analyze::Context;
use crate::diag::{Diagnostics, Label, Message};
use crate::model::{Metric, Tier, Visibility};
use crate::policy::BannedRule;
use crate::policy::banned::{Matches, Patterns};
use crate::source::Span;
use crate::vanity::Activity;

declare_rule! {
    /// ## What it does
    /// Matches every catalogue metric against the policy's `[[banned]]` entries, each of
    /// which recognises activity by meaning, where it poses as an outcome, by phrase, by
    /// regular expression or by field values; every key of an entry's `match` table must
    /// hold for the metric:
    ///
    /// - `activity = true`: the metric's name (its id, read as words, when it has none)
    ///   counts activity done to work items. A lexicon of action verbs ("handled",
    ///   "triaged", "closed", "rotated", "run", "blocked", "completed"...), work items
    ///   ("alerts", "tickets", "keys", "accounts", "emails"...) and activity nouns ("scans",
    ///   "rotations", "approvals", "trainings"...), each in all its inflections, finds the
    ///   activity; a ratio against a population ("percent of", "rate", "coverage"), a
    ///   deadline ("within SLA", "on time"), a time ("time to", "median", "hours"),
    ///   exposure ("exposed", "residual", "reduction") or a check of the work's effect
    ///   ("verified", "reopened", "false positive") makes the same words an outcome, and so
    ///   does a unit that is not a count (percent, ratio, minutes, hours, days, score). A
    ///   bare count of items in a state ("Open vulnerabilities", "Dormant NHI count",
    ///   "Number of incidents") is a state, not activity; a bare count of activity nouns
    ///   is not activity when it is meant to fall (`direction = "lower_is_better"`:
    ///   fewer alerts is tuning). The unit and direction are the metric's own: a count
    ///   named "Keys rotated this week" is not a percent because the KPI it implements is.
    ///   The finding names the words that made it activity and an outcome to measure
    ///   instead.
    /// - `posing_as_outcome = true`: the metric stands where outcomes do: the board or
    ///   OKR tier, an `okr` table, `visibility = "leadership"`, or the implementation of a
    ///   policy KPI. Tactical activity counts ("Number of secrets rotated this week") are
    ///   how teams run the work, and stay allowed.
    /// - `words = ["alerts handled", ...]`: one of the phrases occurs in the name or id at
    ///   word boundaries, in any inflection and case ("Alert handled", "number of alerts
    ///   handled"), and the name does not frame an outcome as above: `alerts handled` bans
    ///   "Number of alerts handled", not "Percent of alerts handled within SLA".
    /// - `name = '...'`: a regular expression, case-insensitive unless it says `(?-i)`,
    ///   tried on the metric's name, its id (as written, and read as words) and its
    ///   description. Anchor it (`^...$`) to ban a metric that *is* a phrase rather than
    ///   one that mentions it.
    /// - `tier`, `unit`, `direction`, `source`, `cadence`, `category`: equal to the
    ///   metric's value, which falls back to the KPI it implements.
    ///
    /// The built-in baseline bans `activity = true, posing_as_outcome = true`, and the
    /// seed's "100% vault adoption" where it poses as an outcome. The finding carries the
    /// policy's `reason`; its help names the entry's `suggest`, the outcome the lexicon
    /// proposes, or, for a metric that implements a policy KPI, that KPI as defined.
    ///
    /// ## Why is this bad?
    /// Vanity metrics present activity as an outcome: "secrets rotated this week" rises
    /// while critical secrets stay exposed, and a busy dashboard hides rising risk (seed
    /// 000: tactical metrics tell operators whether controls run, board KPIs whether risk
    /// falls; seed 002: the most common misapplication is treating ticket-closure counts
    /// as outcomes). The baseline policy locks this rule so no exception can waive it.
    ///
    /// ## Example
    /// ```toml
    /// [[metric]]
    /// id = "alerts-handled"
    /// name = "Number of alerts handled"
    /// tier = "board"
    /// ```
    /// Use instead: "Percent of alerts triaged within SLA", or keep the count as a
    /// `tactical` metric for the team that does the work.
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
fn field<'a>(ctx: &Context<'a>, m: &'a Metric, key: &str) -> Option<&'a str> {
    match key {
        "tier" => ctx.inherited(m, |k| k.tier.as_ref().map(|v| v.value.as_str())),
        "unit" => ctx.inherited(m, |k| k.unit.as_ref().map(|v| v.value.as_str())),
        "direction" => ctx.inherited(m, |k| k.direction.as_ref().map(|v| v.value.as_str())),
        "source" => ctx.inherited(m, |k| k.source.as_ref().map(|v| v.value.as_str())),
        "cadence" => ctx.inherited(m, |k| k.cadence.as_ref().map(|v| v.value.as_str())),
        "category" => ctx.inherited(m, |k| k.category.as_ref().map(|c| c.value.as_str())),
        _ => None,
    }
}

/// Where a definition stands as an outcome, if it does: "tier `board`", "an `okr`
/// table", "visibility `leadership`", "implements KPI `x`". `as_kpi` judges a policy KPI,
/// which implements nothing.
pub(super) fn posing<'a>(ctx: &Context<'a>, m: &'a Metric, as_kpi: bool) -> Option<Message> {
    let tier = ctx.inherited(m, |k| k.tier.as_ref().map(|t| t.value));
    if let Some(t @ (Tier::Board | Tier::Okr)) = tier {
        return Some(msg!("tier `{}`", t.as_str()));
    }
    if m.okr.is_some() {
        return Some(msg!("an `okr` table"));
    }
    if ctx.inherited(m, |k| k.visibility.as_ref().map(|v| v.value)) == Some(Visibility::Leadership) {
        return Some(msg!("visibility `leadership`"));
    }
    if !as_kpi && let Some(k) = ctx.kpi_for(m) {
        return Some(msg!("implements KPI `{}`", k.id.value));
    }
    None
}

/// Why a banned entry matched a definition.
pub(super) struct Hit {
    /// Where: the name, id or description that matched.
    pub span: Span,
    /// The activity the lexicon found, for `activity = true`.
    pub activity: Option<Activity>,
    /// Where it stands as an outcome, for `posing_as_outcome = true`.
    pub posing: Option<Message>,
}

/// The texts of a definition that `name` patterns are tried on, matched at once.
pub(super) struct Texts {
    matches: Vec<(Matches, Span)>,
}

impl Texts {
    pub(super) fn new(m: &Metric, patterns: &Patterns) -> Self {
        // Ids are kebab-case: `secrets-rotated-this-week` is matched as the words
        // `secrets rotated this week`, like a name.
        let id_words = m.id.value.replace(['-', '_', '.'], " ");
        let matches = [
            m.name.as_ref().map(|n| (n.value.as_str(), n.span)),
            Some((m.id.value.as_str(), m.id.span)),
            Some((id_words.as_str(), m.id.span)),
            m.description.as_ref().map(|d| (d.value.as_str(), d.span)),
        ]
        .into_iter()
        .flatten()
        .map(|(text, span)| (patterns.matches(text), span))
        .collect();
        Self { matches }
    }
}

/// Whether banned entry `i` matches definition `m`: every key of its `match` holds.
pub(super) fn hit<'a>(
    ctx: &Context<'a>,
    m: &'a Metric,
    as_kpi: bool,
    i: usize,
    b: &BannedRule,
    texts: &Texts,
) -> Option<Hit> {
    let matcher = &b.banned.matcher;
    let patterns = &ctx.policy.patterns;
    if matcher.is_empty() || (matcher.name.is_some() && !patterns.compiled(i)) {
        return None; // `schema`, `invalid-pattern`
    }
    let posing = if matcher.posing_as_outcome.as_ref().is_some_and(|p| p.value) {
        Some(posing(ctx, m, as_kpi)?)
    } else {
        None
    };
    if !matcher
        .fields
        .iter()
        .all(|(k, v)| field(ctx, m, k) == Some(v.value.as_str()))
    {
        return None;
    }
    // The name, or the id read as words when there is none: what a reader sees.
    let (title, title_span) = m
        .name
        .as_ref()
        .map_or((m.id.value.as_str(), m.id.span), |n| (n.value.as_str(), n.span));
    let mut span = m.id.span;
    let activity = if matcher.activity.as_ref().is_some_and(|a| a.value) {
        // The metric's own unit and direction, not its KPI's: a count named "Keys rotated
        // this week" does not become a percent by implementing a percent KPI.
        let unit = m.unit.as_ref().map(|u| u.value);
        let direction = m.direction.as_ref().map(|d| d.value);
        span = title_span;
        Some(crate::vanity::activity(title, unit, direction)?)
    } else {
        None
    };
    if !matcher.words.is_empty() {
        let name_words = crate::vanity::words(title);
        // A name that frames an outcome is one, whatever its id says.
        if crate::vanity::frames_outcome(&name_words) {
            return None;
        }
        let id_words = crate::vanity::words(&m.id.value);
        let found = [(&name_words, title_span), (&id_words, m.id.span)]
            .into_iter()
            .find(|(text, _)| {
                !crate::vanity::frames_outcome(text)
                    && patterns
                        .phrases(i)
                        .iter()
                        .any(|p| crate::vanity::has_phrase(text, p))
            })?;
        span = found.1;
    }
    if matcher.name.is_some() {
        span = texts
            .matches
            .iter()
            .find(|(matches, _)| patterns.matched(matches, i))?
            .1;
    }
    Some(Hit {
        span,
        activity,
        posing,
    })
}

/// Checks every catalogue metric against every banned entry.
fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    let banned = &ctx.policy.banned;
    if banned.is_empty() {
        return;
    }
    for m in ctx.metrics() {
        let texts = Texts::new(m, &ctx.policy.patterns);
        let Some((i, b, hit)) = banned
            .iter()
            .enumerate()
            .find_map(|(i, b)| Some((i, b, hit(ctx, m, false, i, b, &texts)?)))
        else {
            continue;
        };
        let reason = b.banned.reason.as_deref().unwrap_or("the policy bans it");
        let f = out
            .push(
                &VANITY_METRIC,
                Label::at(m.file, hit.span).with_message("banned metric"),
                msg!(
                    "`{}` is a vanity metric (`{}`): {}",
                    m.id.value,
                    b.banned.id.value,
                    reason
                ),
            )
            .subject(m.id.value.clone())
            .label(b.banned.id.at().with_message("banned here"));
        if let Some(a) = &hit.activity {
            let words = a
                .words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(" ");
            f.notes.push(match &hit.posing {
                Some(p) => msg!("it counts activity ({}) and is presented as an outcome ({})", words, p),
                None => msg!("it counts activity ({})", words),
            });
        } else if let Some(p) = &hit.posing {
            f.notes.push(msg!("it is presented as an outcome ({})", p));
        }
        // A metric that implements an outcome KPI of the policy is told to measure that
        // KPI as defined, not pointed at the KPI it already claims to be. (A KPI the same
        // entry bans is no way out: `banned-kpi` reports it.)
        let outcome_kpi = ctx.kpi_for(m).filter(|k| {
            let texts = Texts::new(k, &ctx.policy.patterns);
            self::hit(ctx, k, true, i, b, &texts).is_none()
        });
        if let Some(k) = outcome_kpi {
            let what = k.name.as_ref().map_or_else(String::new, |n| format!(" ({})", n.value));
            f.help(msg!(
                "`{}` implements KPI `{}`{}: report what the KPI measures, not a count of the work behind it",
                m.id.value,
                k.id.value,
                what
            ));
        } else if let Some(s) = &b.banned.suggest {
            f.help(msg!("measure the outcome instead: {}", s));
        } else if let Some(a) = &hit.activity {
            f.help(msg!("measure the outcome instead: {}", a.instead));
        } else {
            f.help("replace it with an outcome-based KPI that shows exposure changing");
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

    /// The names among `names`, as metrics of `tier`, that the built-in baseline bans,
    /// with the banned entry.
    fn banned_by_baseline(names: &[&str], tier: &str) -> Vec<(String, String)> {
        let mut text = String::from("[catalogue]\nid = \"c\"\n");
        for (i, n) in names.iter().enumerate() {
            text.push_str(&format!(
                "[[metric]]\nid = \"m{i}\"\nname = \"{n}\"\ntier = \"{tier}\"\n"
            ));
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

    const ACTIVITY: [&str; 12] = [
        "Number of alerts handled",
        "Alerts triaged per week",
        "Incidents handled",
        "Phishing emails blocked",
        "Vulnerabilities patched this month",
        "Security trainings completed",
        "Secrets rotated in October",
        "Number of secrets rotated this week",
        "Scans run",
        "Tickets closed this month",
        "Number of JIT approvals processed",
        "Number of dormant NHIs identified",
    ];

    #[test]
    fn the_baseline_bans_activity_posing_as_an_outcome() {
        for tier in ["board", "okr"] {
            let found = banned_by_baseline(&ACTIVITY, tier);
            let expected: Vec<(String, String)> = ACTIVITY
                .iter()
                .map(|n| ((*n).to_owned(), "activity-as-outcome".to_owned()))
                .collect();
            assert_eq!(found, expected, "{tier}");
        }
        let vault = ["100% vault adoption", "Vault adoption rate"];
        assert_eq!(banned_by_baseline(&vault, "board").len(), 2);
    }

    #[test]
    fn tactical_activity_counts_stay_allowed() {
        assert_eq!(banned_by_baseline(&ACTIVITY, "tactical"), vec![]);
        assert_eq!(banned_by_baseline(&["Vault adoption rate"], "tactical"), vec![]);
    }

    #[test]
    fn leadership_visibility_and_implementing_a_kpi_pose_as_outcomes() {
        let findings = under_baseline(
            "[catalogue]\nid = \"c\"\n\
             [[metric]]\nid = \"a\"\nname = \"Alerts handled\"\ntier = \"tactical\"\nvisibility = \"leadership\"\n\
             [[metric]]\nid = \"b\"\nname = \"Keys rotated this week\"\nimplements = \"critical-secrets-rotated-within-sla\"\n",
        );
        let got: Vec<(String, Vec<String>, String)> = findings
            .iter()
            .map(|f| {
                (
                    f.subject.as_deref().unwrap().to_owned(),
                    f.notes.iter().map(Message::plain).collect(),
                    f.help.as_deref().map(Message::plain).unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(
            got[0].1,
            ["it counts activity (`alerts` `handled`) and is presented as an outcome (visibility `leadership`)"]
        );
        assert_eq!(
            got[0].2,
            "measure the outcome instead: median time to contain an incident, or percent of alerts triaged within SLA"
        );
        // Pointed at the KPI it implements as defined, not at itself.
        assert!(
            got[1].2.starts_with("`b` implements KPI `critical-secrets-rotated-within-sla`"),
            "{}",
            got[1].2
        );
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
    fn the_baseline_leaves_outcomes_on_the_board_alone() {
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
        assert_eq!(banned_by_baseline(&outcomes, "board"), vec![]);
    }
}
