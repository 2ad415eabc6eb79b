//! `policy-weakened`: a pull request weakens the policy itself rather than a KPI.

use crate::analyze::delta::Delta;
use crate::diag::{Diagnostics, Label, Message};
use crate::model::{Banned, PolicyFile, RequiredIn, RuleSetting, Settings, Sp, Tier};
use crate::policy::{Policy, defaults, rule_level_in};
use crate::source::FileId;

/// Rule entries by rule name.
type Entries = crate::hash::Map<String, RuleSetting>;

declare_rule! {
    /// ## What it does
    /// `kpilint diff --base REV` compares what the policy layers ask for with what they
    /// asked at REV (each later layer's word replacing its parents', before `check` refuses
    /// what loosens a parent) and reports each way it got weaker: a rule switched `off` or
    /// lowered in severity, a rule's `locked` removed or its `effective` date pushed later,
    /// a required KPI removed, a `[[banned]]` vanity metric removed or its `match` made to
    /// match less (a condition added, a phrase dropped, a pattern changed), a `[coverage]`
    /// requirement dropped, `max_board_kpis`, `stale_grace_days`, `trend_window`,
    /// `event_grace_days` or `event_effect_periods` raised, a tier dropped from
    /// `require_mapping`, or `required_kpis` widened from `each-catalogue` to
    /// `organisation`. The finding is located at the line that asks for the weaker value
    /// and names the base value.
    ///
    /// The levels of the `diff` rules, and the exceptions that can waive them, come from
    /// the policy at REV: a pull request cannot switch off the checks that review it.
    ///
    /// ## Why is this bad?
    /// Loosening the rules is loosening every KPI at once. `manual-source = "off"` in a
    /// long policy diff waives every manually reported metric, and a deleted banned
    /// metric lets the vanity count back onto the board.
    ///
    /// ## Example
    /// ```toml
    /// # base: [rules] manual-source = "error"
    /// [rules]
    /// manual-source = "warning"
    /// ```
    /// Use instead: keep the rule, and add an approved, expiring `[[exception]]` for the
    /// one metric that needs it.
    pub static POLICY_WEAKENED = {
        code: "KPI506",
        name: "policy-weakened",
        group: Diff,
        severity: Error,
        summary: "a pull request weakens the policy's rules, banned metrics, coverage or settings",
        check: Diff(check),
    };
}

/// Reports how the working tree's policy is weaker than the base's, apart from its KPIs:
/// rules switched off, lowered, postponed or unlocked; banned metrics and coverage
/// requirements removed; settings loosened.
fn check(delta: &Delta<'_>, out: &mut Diagnostics) {
    let mut weakened = Weakened {
        out,
        anchor: None,
        seen: crate::hash::Set::default(),
        delta,
    };
    // Each policy file against its own base version first: a group file that loosens a
    // setting a team restates more strictly changes nothing in effect, but the group's own
    // policy, and every other layer inheriting it, got weaker.
    for (b_layer, h_layer) in &delta.layers {
        let Some(h_layer) = h_layer else { continue };
        weakened.anchor = Some(h_layer.id.at());
        let entries = |l: &PolicyFile| -> Entries {
            l.rules.iter().map(|r| (r.name.clone(), r.clone())).collect()
        };
        rules(&entries(b_layer), &entries(h_layer), delta.as_of, &mut weakened);
        settings(&b_layer.settings, &h_layer.settings, &mut weakened);
        layer_removals(b_layer, h_layer, &delta.head_ancestors(h_layer), &mut weakened);
    }
    // Then what the layers ask for together, for what no file pair shows.
    weakened.anchor = delta.policy_anchor();
    let (b, h) = (&delta.base.policy, &delta.head.policy);
    rules(&b.asked.rules, &h.asked.rules, delta.as_of, &mut weakened);
    removals(b, h, &mut weakened);
    settings(&b.asked.settings, &h.asked.settings, &mut weakened);
}

/// Banned metrics and coverage requirements one policy file had at the base, and neither
/// it nor a policy it extends has now.
fn layer_removals(b: &PolicyFile, h: &PolicyFile, above: &[&PolicyFile], w: &mut Weakened<'_>) {
    let held = || std::iter::once(h).chain(above.iter().copied());
    let banned_now: crate::hash::Set<&str> = held()
        .flat_map(|l| l.banned.iter().map(|x| x.id.value.as_str()))
        .collect();
    let required_now: crate::hash::Set<&str> = held()
        .flat_map(|l| l.coverage.iter().map(|x| x.value.as_str()))
        .collect();
    for banned in &b.banned {
        if !banned_now.contains(banned.id.value.as_str()) {
            w.report(
                None,
                &banned.id.value,
                msg!("banned metric `{}` was removed from the policy", banned.id.value),
            );
        } else if let Some(now) = h.banned.iter().find(|x| x.id.value == banned.id.value) {
            narrowed(banned, now, w);
        }
    }
    for req in &b.coverage {
        if !required_now.contains(req.value.as_str()) {
            w.report(
                None,
                &req.value,
                msg!("coverage requirement `{}` was dropped", req.value),
            );
        }
    }
}

/// Where findings go: at the line that weakens, else at the policy's id; each weakening
/// once.
struct Weakened<'o> {
    out: &'o mut Diagnostics,
    anchor: Option<Label>,
    seen: crate::hash::Set<(String, String)>,
    delta: &'o Delta<'o>,
}

impl Weakened<'_> {
    fn report(&mut self, at: Option<Label>, subject: &str, message: Message) {
        self.report_with_base(at, None, subject, message);
    }

    /// As `report`, with a second label at the base value (`was`: where the base writes
    /// it), when the base file is shown.
    fn report_with_base(
        &mut self,
        at: Option<Label>,
        was: Option<(FileId, crate::source::Span)>,
        subject: &str,
        message: Message,
    ) {
        if !self.seen.insert((subject.to_owned(), message.plain())) {
            return;
        }
        let Some(at) = at.or_else(|| self.anchor.clone()) else {
            return;
        };
        let f = self
            .out
            .push(&POLICY_WEAKENED, at.with_message("weakened"), message)
            .subject(subject.to_owned())
            .help("weakening the policy needs its owner's approval: revert it, or say why in the pull request");
        if let Some(base) = was.and_then(|w| self.delta.base_label_at(w)) {
            f.label(base);
        }
    }
}

/// Rules: off or a lower severity, judged as they stand once every `effective` date has
/// come; a date pushed later, and a lock removed, on their own.
fn rules(b: &Entries, h: &Entries, as_of: jiff::civil::Date, w: &mut Weakened<'_>) {
    let settled = jiff::civil::Date::MAX;
    for rule in crate::rules::ALL.iter().filter(|r| r.is_configurable()) {
        let (was, now) = (rule_level_in(b, rule, settled), rule_level_in(h, rule, settled));
        let setting = h.get(rule.name);
        let at = setting.map(|s| Label::at(s.file, s.key_span));
        if now < was {
            w.report_with_base(
                at.clone(),
                b.get(rule.name).map(|s| (s.file, s.key_span)),
                rule.name,
                msg!(
                    "rule `{}` goes from {} to {}",
                    rule.name,
                    was.as_str(),
                    now.as_str()
                ),
            );
        }
        let effective = |p: &Entries| {
            p.get(rule.name)
                .and_then(|s| s.effective.as_ref())
                .map(|e| e.value)
        };
        // A date added, or pushed later, that has not come yet keeps the rule at most a
        // warning until then.
        if let Some(now_date) = effective(h)
            && now_date > as_of
            && effective(b).is_none_or(|was_date| now_date > was_date)
        {
            let was = effective(b).map_or_else(|| Message::text("now"), |d| msg!("on {}", d));
            let at = setting
                .and_then(|s| s.effective.as_ref().map(Sp::at))
                .or(at.clone());
            w.report(
                at,
                rule.name,
                msg!(
                    "rule `{}` takes full effect on {} instead of {} (a warning until then)",
                    rule.name,
                    now_date,
                    was
                ),
            );
        }
        let locked = |p: &Entries| p.get(rule.name).is_some_and(|s| s.locked);
        if locked(b) && !locked(h) {
            w.report(
                at,
                rule.name,
                msg!(
                    "rule `{}` is no longer `locked`: exceptions can now waive it",
                    rule.name
                ),
            );
        }
    }
}

/// Required KPIs, banned vanity metrics and coverage requirements the base had.
fn removals(b: &Policy, h: &Policy, w: &mut Weakened<'_>) {
    // A required KPI removed is at least as severe as `required = false`.
    for k in b.kpis.iter().filter(|k| k.is_required()) {
        if h.kpi(&k.id.value).is_none() {
            w.report(
                None,
                &k.id.value,
                msg!(
                    "required KPI `{}` was removed from the policy",
                    k.id.value
                ),
            );
        }
    }
    let banned_now: crate::hash::Set<&str> =
        h.banned.iter().map(|x| x.banned.id.value.as_str()).collect();
    let required_now: crate::hash::Set<&str> =
        h.coverage.iter().map(|(_, x)| x.value.as_str()).collect();
    for bb in &b.banned {
        if !banned_now.contains(bb.banned.id.value.as_str()) {
            w.report(
                None,
                &bb.banned.id.value,
                msg!(
                    "banned metric `{}` was removed from the policy",
                    bb.banned.id.value
                ),
            );
        } else if let Some(now) = h
            .banned
            .iter()
            .find(|x| x.banned.id.value == bb.banned.id.value)
        {
            narrowed(&bb.banned, &now.banned, w);
        }
    }
    for (_, req) in &b.coverage {
        if !required_now.contains(req.value.as_str()) {
            w.report(
                None,
                &req.value,
                msg!("coverage requirement `{}` was dropped", req.value),
            );
        }
    }
}

/// A banned metric kept under its id whose `match` may now match less: every condition
/// must hold, so a condition added or changed narrows it (whether a changed pattern
/// matches less cannot be decided, so any change is named for review), as does a phrase
/// dropped from `words` that still has others; a condition removed only widens it.
fn narrowed(was: &Banned, now: &Banned, w: &mut Weakened<'_>) {
    let (b, h) = (&was.matcher, &now.matcher);
    let id = &now.id.value;
    let at = Some(Label::at(now.file, now.id.span));
    let report = |w: &mut Weakened<'_>, what: Message| {
        w.report_with_base(
            at.clone(),
            Some((was.file, was.id.span)),
            id,
            msg!("banned metric `{}` may match less: {}", id, what),
        );
    };
    match (&b.name, &h.name) {
        (Some(p), Some(q)) if p.value != q.value => report(
            w,
            msg!("its `name` pattern went from `{}` to `{}`", p.value, q.value),
        ),
        (None, Some(q)) => report(w, msg!("it now also needs `name` to match `{}`", q.value)),
        _ => {}
    }
    if !h.words.is_empty() {
        if b.words.is_empty() {
            report(w, Message::text("it now also needs one of its `words`"));
        } else {
            for gone in b.words.iter().filter(|p| !h.words.iter().any(|q| q.value == p.value)) {
                report(w, msg!("its `words` no longer hold `{}`", gone.value));
            }
        }
    }
    let set = |flag: &Option<Sp<bool>>| flag.as_ref().is_some_and(|f| f.value);
    for (key, was_set, now_set) in [
        ("activity", set(&b.activity), set(&h.activity)),
        ("posing_as_outcome", set(&b.posing_as_outcome), set(&h.posing_as_outcome)),
    ] {
        if now_set && !was_set {
            report(w, msg!("it now also needs `{} = true`", key));
        }
    }
    for (field, value) in &h.fields {
        match b.fields.iter().find(|(f, _)| f == field) {
            Some((_, old)) if old.value != value.value => report(
                w,
                msg!("its `{}` went from `{}` to `{}`", field, old.value, value.value),
            ),
            None => report(w, msg!("it now also needs `{} = \"{}\"`", field, value.value)),
            Some(_) => {}
        }
    }
}

/// Settings loosened: more board KPIs, more grace, fewer tiers that must map (as the
/// policy files ask; `check` refuses what loosens a parent layer).
fn settings(b: &Settings, h: &Settings, w: &mut Weakened<'_>) {
    let value = |s: &Option<(FileId, Sp<i64>)>, default: i64| {
        s.as_ref().map_or(default, |(_, v)| v.value)
    };
    for (name, was, now) in [
        ("max_board_kpis", &b.max_board_kpis, &h.max_board_kpis),
        ("stale_grace_days", &b.stale_grace_days, &h.stale_grace_days),
        ("trend_window", &b.trend_window, &h.trend_window),
        ("event_grace_days", &b.event_grace_days, &h.event_grace_days),
        (
            "event_effect_periods",
            &b.event_effect_periods,
            &h.event_effect_periods,
        ),
    ] {
        let default = match name {
            "max_board_kpis" => defaults::MAX_BOARD_KPIS,
            "stale_grace_days" => defaults::STALE_GRACE_DAYS,
            "event_grace_days" => defaults::EVENT_GRACE_DAYS,
            "event_effect_periods" => defaults::EVENT_EFFECT_PERIODS,
            _ => defaults::TREND_WINDOW,
        };
        let (was_v, now_v) = (value(was, default), value(now, default));
        if now_v > was_v {
            w.report_with_base(
                now.as_ref().map(|(_, v)| v.at()),
                was.as_ref().map(|(_, v)| (v.file, v.span)),
                name,
                msg!("`{}` goes from {} to {}", name, was_v, now_v),
            );
        }
    }
    let required_in = |s: &Settings| {
        s.required_kpis
            .as_ref()
            .map_or(RequiredIn::EachCatalogue, |(_, v)| v.value)
    };
    if required_in(b) == RequiredIn::EachCatalogue && required_in(h) == RequiredIn::Organisation {
        w.report_with_base(
            h.required_kpis.as_ref().map(|(_, v)| v.at()),
            b.required_kpis.as_ref().map(|(_, v)| (v.file, v.span)),
            "required_kpis",
            msg!("`required_kpis` goes from `each-catalogue` to `organisation`: a team's catalogue no longer has to carry every required KPI"),
        );
    }
    for (key, was, now, default) in [
        ("require_mapping", &b.require_mapping, &h.require_mapping, &[Tier::Board][..]),
        ("require_guardrail", &b.require_guardrail, &h.require_guardrail, &[]),
    ] {
        let tiers = |s: &Option<(FileId, Sp<Vec<Tier>>)>| {
            s.as_ref()
                .map_or_else(|| default.to_vec(), |(_, t)| t.value.clone())
        };
        let kept = tiers(now);
        let at = now.as_ref().map(|(_, t)| t.at());
        for tier in tiers(was).iter().filter(|t| !kept.contains(t)) {
            w.report(
                at.clone(),
                key,
                msg!("`{}` no longer includes `{}`", key, tier.as_str()),
            );
        }
    }
}
