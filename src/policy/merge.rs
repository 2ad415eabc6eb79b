//! Policy layers merged into the effective [`Policy`], each judged against what its
//! parents have in force.
//!
//! Every layer applies to the run. A layer that `extends` others starts from what they have
//! in force, built-in defaults included, and may tighten it, never loosen it: a threshold
//! level, cadence, trend target or `required` of a KPI, a setting, or a rule's level, lock
//! or effective date that is looser than its parents' keeps the parents' value, and is kept
//! as a [`Conflict`] that `looser-than-policy` reports at the child's line. Tightening is
//! applied silently, value by value. A policy that extends nothing (a root) sets its own
//! values. Where layers that are not parent and child disagree (two team policies of one
//! organisation), the stricter value governs the run.

use super::banned::Patterns;
use super::defaults;
use super::strictness::{Loosening, formula_changed, loosenings};
use crate::diag::{Label, Level};
use crate::hash::{Map, Set};
use crate::model::{
    Banned, Category, Exception, Metric, PolicyFile, RequiredIn, RuleSetting, Settings, Sp, Tier,
};
use crate::rule::{Rule, Severity};
use crate::source::FileId;

/// A banned metric, with what is wrong with its pattern, if anything.
#[derive(Debug)]
pub struct BannedRule {
    /// The entry.
    pub banned: Banned,
    /// Why `match.name` is not a valid regex, if it is not.
    pub error: Option<String>,
}

/// How a child layer's `[rules]` entry loosens what its parents have in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLoosening {
    /// Switched off.
    Off,
    /// A lower severity.
    Lowered,
    /// `locked = false` under a parent's lock.
    Unlocked,
    /// An `effective` date later than the parents' (or one where the rule is in force).
    Postponed,
}

/// A child layer that tried to loosen what its parents have in force; theirs stays.
#[derive(Debug, Clone)]
pub enum Conflict {
    /// A KPI redefined looser than its parents' definition, in one or more values.
    Kpi {
        /// The parents' definition (the one whose loosened values stay in force).
        parent: Box<Metric>,
        /// The child's, as written.
        child: Box<Metric>,
    },
    /// A formula a layer writes for a KPI that differs from the definition in force, set
    /// by a layer beside it (not a parent: see `Kpi`) read before: the first read governs
    /// (a formula has no stricter), and the other is reported, so that a layer added
    /// beside another cannot redefine a KPI unseen.
    Formula {
        /// The definition in force.
        first: Box<Metric>,
        /// The other layer's, as resolved over its own parents.
        other: Box<Metric>,
    },
    /// A `[rules]` entry looser than the parents'.
    Rule {
        /// The rule.
        rule: &'static Rule,
        /// How it loosens.
        how: RuleLoosening,
        /// The parents' entry in force; `None` when it is the rule's default.
        parent: Option<RuleSetting>,
        /// The child's.
        child: RuleSetting,
    },
    /// A `[settings]` value looser than the parents'.
    Setting {
        /// The setting's key.
        key: &'static str,
        /// The parents' value, as written.
        parent_value: String,
        /// Where the parents set it; `None` when it is the built-in default.
        parent: Option<Label>,
        /// The child's value, as written.
        child_value: String,
        /// Where the child sets it.
        child: Label,
    },
}

/// All policy layers merged: every layer applies, and the stricter value governs.
#[derive(Debug, Default)]
pub struct Policy {
    /// The layers, parents before children.
    pub layers: Vec<PolicyFile>,
    /// Effective settings.
    pub settings: Settings,
    /// Effective rule settings by rule name (rules kpilint has, and a policy may set).
    pub rules: Map<String, RuleSetting>,
    /// Effective categories by id (the last layer's definition wins).
    pub categories: Vec<Category>,
    /// Effective KPIs: each layer's definition tightened by the layers below it.
    pub kpis: Vec<Metric>,
    /// KPI definitions as layers wrote them that a later layer restates: each layer's own
    /// contradictions are judged on them.
    pub superseded: Vec<Metric>,
    /// Banned metrics of every layer.
    pub banned: Vec<BannedRule>,
    /// Their name patterns, compiled together.
    pub patterns: Patterns,
    /// Exceptions of every layer.
    pub exceptions: Vec<Exception>,
    /// Coverage requirements of every layer.
    pub coverage: Vec<(FileId, Sp<String>)>,
    /// What child layers tried to loosen, in layer order.
    pub conflicts: Vec<Conflict>,
    /// Where each effective KPI is in `kpis`, by id.
    kpi_index: Map<String, usize>,
    /// What the layers ask for, each later layer's word replacing its parents', before
    /// looser values are refused: what `diff` compares between revisions, so a change is
    /// reported at the line that makes it even when `check` refuses it.
    pub asked: Asked,
}

/// Settings and rule entries as the layers write them, the last layer's word winning.
#[derive(Debug, Default)]
pub struct Asked {
    /// Settings.
    pub settings: Settings,
    /// Rule entries by rule name.
    pub rules: Map<String, RuleSetting>,
}

impl Asked {
    fn add(&mut self, layer: &PolicyFile) {
        let s = &layer.settings;
        macro_rules! over {
            ($($f:ident),*) => { $( if s.$f.is_some() { self.settings.$f.clone_from(&s.$f); } )* };
        }
        over!(
            max_board_kpis,
            require_mapping,
            stale_grace_days,
            trend_window,
            event_grace_days,
            event_effect_periods,
            required_kpis,
            require_guardrail
        );
        for r in &layer.rules {
            let mut r = r.clone();
            // An entry that does not write `locked` keeps the lock it restates.
            if r.locked_at.is_none() {
                r.locked = self.rules.get(&r.name).is_some_and(|p| p.locked);
            }
            self.rules.insert(r.name.clone(), r);
        }
    }
}

/// What is in force at one layer: its own settings and rule levels over its parents'.
#[derive(Debug, Clone, Default)]
struct InForce {
    settings: Settings,
    rules: Map<&'static str, RuleSetting>,
}

impl InForce {
    /// The stricter of two layers' values, one by one (`other` wins ties).
    fn combine(&mut self, other: &InForce) {
        let (a, b) = (&mut self.settings, &other.settings);
        a.max_board_kpis = lower(a.max_board_kpis.take(), b.max_board_kpis.as_ref());
        a.stale_grace_days = lower(a.stale_grace_days.take(), b.stale_grace_days.as_ref());
        a.trend_window = lower(a.trend_window.take(), b.trend_window.as_ref());
        a.event_grace_days = lower(a.event_grace_days.take(), b.event_grace_days.as_ref());
        a.event_effect_periods = lower(
            a.event_effect_periods.take(),
            b.event_effect_periods.as_ref(),
        );
        // `each-catalogue` is the stricter.
        a.required_kpis = match (a.required_kpis.take(), &b.required_kpis) {
            (Some(x), _) if x.1.value == RequiredIn::EachCatalogue => Some(x),
            (x, y) => y.clone().or(x),
        };
        a.require_mapping = union(a.require_mapping.take(), b.require_mapping.as_ref());
        a.require_guardrail = union(a.require_guardrail.take(), b.require_guardrail.as_ref());
        for (name, theirs) in &other.rules {
            let merged = match self.rules.get(name) {
                Some(ours) => stricter_rule(ours, theirs),
                None => theirs.clone(),
            };
            self.rules.insert(name, merged);
        }
    }
}

/// A tier-list setting in force (`default` when none sets it), and where it is set.
fn tiers_in_force(
    set: Option<&(FileId, Sp<Vec<Tier>>)>,
    default: &[Tier],
) -> (Vec<Tier>, Option<Label>) {
    match set {
        Some((file, v)) => (
            v.value.clone(),
            Some(Label::at(*file, v.span).with_message("required here")),
        ),
        None => (default.to_vec(), None),
    }
}

/// Both tier lists in one (the stricter: every tier either asks for).
fn union(
    a: Option<(FileId, Sp<Vec<Tier>>)>,
    b: Option<&(FileId, Sp<Vec<Tier>>)>,
) -> Option<(FileId, Sp<Vec<Tier>>)> {
    match (a, b) {
        (Some(mut x), Some(y)) => {
            for t in &y.1.value {
                if !x.1.value.contains(t) {
                    x.1.value.push(*t);
                }
            }
            Some(x)
        }
        (x, y) => x.or_else(|| y.cloned()),
    }
}

/// A layer's tier list (`require_mapping`, `require_guardrail`) over what its parents have
/// in force (`default` when none says): it may add tiers, never drop one.
fn tighten_tiers(
    key: &'static str,
    child: Option<&(FileId, Sp<Vec<Tier>>)>,
    inherited: Option<&(FileId, Sp<Vec<Tier>>)>,
    default: &[Tier],
    conflicts: &mut Vec<Conflict>,
) -> Option<(FileId, Sp<Vec<Tier>>)> {
    let Some((file, tiers)) = child else {
        return inherited.cloned();
    };
    let required: Vec<Tier> = inherited.map_or_else(|| default.to_vec(), |(_, t)| t.value.clone());
    if required.iter().all(|t| tiers.value.contains(t)) {
        return Some((*file, tiers.clone()));
    }
    let list = |ts: &[Tier]| {
        let names: Vec<String> = ts.iter().map(|t| format!("\"{}\"", t.as_str())).collect();
        format!("[{}]", names.join(", "))
    };
    conflicts.push(Conflict::Setting {
        key,
        parent_value: list(&required),
        parent: inherited.map(|(_, t)| t.at()),
        child_value: list(&tiers.value),
        child: tiers.at(),
    });
    inherited.cloned()
}

/// The lower of two integer settings (`b` wins ties).
fn lower(a: Option<(FileId, Sp<i64>)>, b: Option<&(FileId, Sp<i64>)>) -> Option<(FileId, Sp<i64>)> {
    match (a, b) {
        (Some(a), Some(b)) if a.1.value < b.1.value => Some(a),
        (a, b) => b.cloned().or(a),
    }
}

/// A rule's level in an entry (its default when the entry does not say).
fn level_of(rule: &Rule, s: Option<&RuleSetting>) -> Level {
    s.and_then(|s| s.level.as_ref())
        .map_or(Level::On(rule.default_severity), |l| l.value)
}

/// The stricter of two entries for one rule: the higher level, either lock, the earlier
/// `effective` date.
fn stricter_rule(a: &RuleSetting, b: &RuleSetting) -> RuleSetting {
    let Some(rule) = a.rule.or(b.rule) else {
        return b.clone();
    };
    let mut out = if level_of(rule, Some(a)) > level_of(rule, Some(b)) {
        a.clone()
    } else {
        b.clone()
    };
    out.locked = a.locked || b.locked;
    out.effective = match (&a.effective, &b.effective) {
        (Some(x), Some(y)) => Some(if x.value <= y.value { x } else { y }.clone()),
        _ => None,
    };
    out
}

/// A child layer's entry for `rule` judged against the parents' (`None`: the default):
/// what it loosens goes to `conflicts`, and the result keeps the stricter of each part.
fn tighten_rule(
    rule: &'static Rule,
    parent: Option<&RuleSetting>,
    child: &RuleSetting,
    conflicts: &mut Vec<Conflict>,
) -> RuleSetting {
    let mut conflict = |how| {
        conflicts.push(Conflict::Rule {
            rule,
            how,
            parent: parent.cloned(),
            child: child.clone(),
        });
    };
    let mut out = child.clone();
    let (was, is) = (level_of(rule, parent), level_of(rule, Some(child)));
    if is < was {
        conflict(if is == Level::Off {
            RuleLoosening::Off
        } else {
            RuleLoosening::Lowered
        });
        out.level = parent.and_then(|p| p.level.clone());
    }
    let parent_locked = parent.is_some_and(|p| p.locked);
    if parent_locked && child.locked_at.is_some() && !child.locked {
        conflict(RuleLoosening::Unlocked);
    }
    out.locked = parent_locked || child.locked;
    let in_force = parent.and_then(|p| p.effective.as_ref());
    let postponed = match (&child.effective, in_force) {
        (Some(c), Some(p)) => c.value > p.value,
        (Some(_), None) => true,
        (None, _) => false,
    };
    // An `effective` date caps a rule at a warning until it arrives: a later date loosens
    // only a rule the parents make an error (raising a warning to an error from a future
    // date tightens).
    if postponed && was > Level::On(Severity::Warning) {
        conflict(RuleLoosening::Postponed);
        out.effective = in_force.cloned();
    }
    out
}

/// A child's integer setting against its parents' (`inherited`, else `default`): larger is
/// looser for every integer setting.
fn tighten_setting(
    key: &'static str,
    child: Option<&(FileId, Sp<i64>)>,
    inherited: Option<&(FileId, Sp<i64>)>,
    default: i64,
    conflicts: &mut Vec<Conflict>,
) -> Option<(FileId, Sp<i64>)> {
    let Some(c) = child else {
        return inherited.cloned();
    };
    let (was, at) = inherited.map_or((default, None), |(_, v)| (v.value, Some(v.at())));
    if c.1.value > was {
        conflicts.push(Conflict::Setting {
            key,
            parent_value: was.to_string(),
            parent: at,
            child_value: c.1.value.to_string(),
            child: c.1.at(),
        });
        return inherited.cloned();
    }
    Some(c.clone())
}

/// `child`, with every value that loosens `parent` replaced by the parent's, and what it
/// leaves out inherited.
fn tighten_kpi(parent: &Metric, child: &Metric) -> (Metric, bool) {
    let found = loosenings(parent, child, false, None);
    let mut k = child.clone();
    for l in &found {
        match *l {
            Loosening::Level { level, strict, .. } => {
                if let Some(t) = &mut k.thresholds {
                    t.set(level, Some(strict.clone()));
                }
            }
            Loosening::Trend { strict, .. } => {
                if let Some(t) = &mut k.thresholds {
                    t.trend = Some(strict.clone());
                }
            }
            Loosening::Cadence { strict, .. } => k.cadence = Some(strict.clone()),
            Loosening::Required { strict, .. } => k.required = Some(strict.clone()),
        }
    }
    // A parent's formula binds: a child that changes it, or derives a KPI the parent
    // measures, keeps the parent's.
    let formula = formula_changed(parent, child).is_some();
    if formula {
        k.formula.clone_from(&parent.formula);
    }
    k.inherit(parent);
    (k, !found.is_empty() || formula)
}

/// The definition of KPI `id` that `layer` inherits: the nearest definition on each path
/// up its `extends`, the stricter where paths meet different ones. It visits each ancestor
/// once, so the cost is at most the number of policy files per KPI a layer defines.
fn inherited_kpi(
    id: &str,
    parents: &[Vec<usize>],
    defined: &[Map<&str, Metric>],
    layer: usize,
) -> Option<Metric> {
    let mut seen: Set<usize> = Set::default();
    let mut stack: Vec<usize> = parents[layer].clone();
    let mut found: Option<Metric> = None;
    while let Some(j) = stack.pop() {
        if !seen.insert(j) {
            continue;
        }
        match defined[j].get(id) {
            Some(def) => {
                found = Some(match found {
                    None => def.clone(),
                    Some(f) => tighten_kpi(&f, def).0,
                });
            }
            None => stack.extend(&parents[j]),
        }
    }
    found
}

impl Policy {
    /// Merges layers, ordered parents first.
    #[must_use]
    pub fn merge(layers: Vec<PolicyFile>) -> Self {
        let mut p = Policy::default();
        let mut by_id: Map<&str, usize> = Map::default();
        for (i, layer) in layers.iter().enumerate() {
            by_id.entry(layer.id.value.as_str()).or_insert(i);
        }
        let parents: Vec<Vec<usize>> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut ps: Vec<usize> = l
                    .extends
                    .iter()
                    .filter_map(|e| by_id.get(e.value.as_str()).copied())
                    .filter(|&j| j < i)
                    .collect();
                ps.dedup();
                ps
            })
            .collect();
        let mut in_force: Vec<InForce> = Vec::with_capacity(layers.len());
        // Each layer's KPI definitions, tightened over its parents'.
        let mut defined: Vec<Map<&str, Metric>> = Vec::with_capacity(layers.len());
        let mut effective = InForce::default();
        let mut required: Set<&str> = Set::default();
        for (i, layer) in layers.iter().enumerate() {
            let mut here = InForce::default();
            for &j in &parents[i] {
                here.combine(&in_force[j]);
            }
            p.asked.add(layer);
            let root = parents[i].is_empty();
            p.layer_settings(layer, &mut here, root);
            p.layer_rules(layer, &mut here, root);
            let own = p.layer_kpis(layer, i, &parents, &defined);
            defined.push(own);
            effective.combine(&here);
            in_force.push(here);
            for c in &layer.categories {
                match p.categories.iter_mut().find(|x| x.id.value == c.id.value) {
                    Some(existing) => *existing = c.clone(),
                    None => p.categories.push(c.clone()),
                }
            }
            for b in &layer.banned {
                p.banned.push(BannedRule {
                    banned: b.clone(),
                    error: None, // set by `Patterns::build`
                });
            }
            p.exceptions.extend(layer.exceptions.iter().cloned());
            for c in &layer.coverage {
                // Layers often restate their parent's requirement: require it once.
                if required.insert(c.value.as_str()) {
                    p.coverage.push((layer.file, c.clone()));
                }
            }
        }
        // What a layer wrote that a later layer restates (or that a duplicate shadows).
        for layer in &layers {
            for k in &layer.kpis {
                if p.kpi(&k.id.value)
                    .is_some_and(|e| e.file != k.file || e.span != k.span)
                {
                    p.superseded.push(k.clone());
                }
            }
        }
        p.settings = effective.settings;
        p.rules = effective
            .rules
            .into_iter()
            .map(|(name, s)| (name.to_owned(), s))
            .collect();
        p.patterns = Patterns::build(&mut p.banned);
        p.layers = layers;
        p
    }

    /// A layer's `[settings]` over what its parents have in force.
    fn layer_settings(&mut self, layer: &PolicyFile, here: &mut InForce, root: bool) {
        let (s, was) = (&layer.settings, &mut here.settings);
        if root {
            macro_rules! set {
                ($($f:ident),*) => { $( if s.$f.is_some() { was.$f.clone_from(&s.$f); } )* };
            }
            set!(
                max_board_kpis,
                require_mapping,
                stale_grace_days,
                trend_window,
                event_grace_days,
                event_effect_periods,
                required_kpis,
                require_guardrail
            );
            return;
        }
        // Only a parent that asks for `each-catalogue` binds its children: the default is
        // no parent's word, and a team layout is the organisation's to choose.
        if let Some(child) = &s.required_kpis {
            match &was.required_kpis {
                Some((_, parent))
                    if parent.value == RequiredIn::EachCatalogue
                        && child.1.value == RequiredIn::Organisation =>
                {
                    self.conflicts.push(Conflict::Setting {
                        key: "required_kpis",
                        parent_value: format!("\"{}\"", parent.value.as_str()),
                        parent: Some(parent.at()),
                        child_value: format!("\"{}\"", child.1.value.as_str()),
                        child: child.1.at(),
                    });
                }
                _ => was.required_kpis = Some(child.clone()),
            }
        }
        let c = &mut self.conflicts;
        // Each numeric setting: a child may lower it, never raise it.
        macro_rules! tighten {
            ($($field:ident: $default:expr),* $(,)?) => {$(
                was.$field = tighten_setting(
                    stringify!($field),
                    s.$field.as_ref(),
                    was.$field.as_ref(),
                    $default,
                    c,
                );
            )*};
        }
        tighten!(
            max_board_kpis: defaults::MAX_BOARD_KPIS,
            stale_grace_days: defaults::STALE_GRACE_DAYS,
            trend_window: defaults::TREND_WINDOW,
            event_grace_days: defaults::EVENT_GRACE_DAYS,
            event_effect_periods: defaults::EVENT_EFFECT_PERIODS,
        );
        was.require_mapping = tighten_tiers(
            "require_mapping",
            s.require_mapping.as_ref(),
            was.require_mapping.as_ref(),
            &[Tier::Board],
            c,
        );
        was.require_guardrail = tighten_tiers(
            "require_guardrail",
            s.require_guardrail.as_ref(),
            was.require_guardrail.as_ref(),
            &[],
            c,
        );
    }

    /// A layer's `[rules]` over what its parents have in force.
    fn layer_rules(&mut self, layer: &PolicyFile, here: &mut InForce, root: bool) {
        for r in &layer.rules {
            let Some(rule) = r.rule.filter(|r| r.is_configurable()) else {
                continue; // `validate` reports it
            };
            let resolved = if root {
                r.clone()
            } else {
                tighten_rule(rule, here.rules.get(rule.name), r, &mut self.conflicts)
            };
            here.rules.insert(rule.name, resolved);
        }
    }

    /// A layer's KPIs, each tightened over its parents' definitions (what loosens them is
    /// a conflict), merged into the effective KPIs; returns them for its children.
    fn layer_kpis<'l>(
        &mut self,
        layer: &'l PolicyFile,
        i: usize,
        parents: &[Vec<usize>],
        defined: &[Map<&'l str, Metric>],
    ) -> Map<&'l str, Metric> {
        let mut own: Map<&str, Metric> = Map::default();
        // KPIs whose formula this layer writes, agreeing with its parents': what a
        // layer beside it may contradict (a formula a parent refuses is reported as
        // the child's, and a layer that writes none inherits, never contradicts).
        let mut writes_formula: Set<&str> = Set::default();
        for k in &layer.kpis {
            if own.contains_key(k.id.value.as_str()) {
                continue; // a duplicate within one file: `duplicate-id`
            }
            let inherited = inherited_kpi(&k.id.value, parents, defined, i);
            if k.formula.is_some()
                && inherited
                    .as_ref()
                    .is_none_or(|parent| formula_changed(parent, k).is_none())
            {
                writes_formula.insert(k.id.value.as_str());
            }
            let resolved = match inherited {
                Some(parent) => {
                    let (resolved, loosened) = tighten_kpi(&parent, k);
                    if loosened {
                        self.conflicts.push(Conflict::Kpi {
                            parent: Box::new(parent),
                            child: Box::new(k.clone()),
                        });
                    }
                    resolved
                }
                None => k.clone(),
            };
            own.insert(k.id.value.as_str(), resolved);
        }
        for k in &layer.kpis {
            if let Some(resolved) = own.get(k.id.value.as_str()) {
                self.merge_kpi(resolved, writes_formula.contains(k.id.value.as_str()));
            }
        }
        own
    }

    /// A layer's KPI (tightened over its parents') into the effective KPIs: the stricter
    /// of it and what other layers define. With `own_formula` (the layer writes the
    /// formula it resolved to), a formula other than the one in force is reported: it
    /// comes from a layer beside the first to define the KPI, not from a parent.
    fn merge_kpi(&mut self, resolved: &Metric, own_formula: bool) {
        match self.kpi_index.get(resolved.id.value.as_str()) {
            None => {
                self.kpi_index
                    .insert(resolved.id.value.clone(), self.kpis.len());
                self.kpis.push(resolved.clone());
            }
            Some(&i) => {
                if own_formula && formula_changed(&self.kpis[i], resolved).is_some() {
                    self.conflicts.push(Conflict::Formula {
                        first: Box::new(self.kpis[i].clone()),
                        other: Box::new(resolved.clone()),
                    });
                }
                self.kpis[i] = tighten_kpi(&self.kpis[i], resolved).0;
            }
        }
    }

    /// The effective KPI with this id.
    #[must_use]
    pub fn kpi(&self, id: &str) -> Option<&Metric> {
        self.kpi_index.get(id).map(|&i| &self.kpis[i])
    }
    /// `trend_window`, kept within 3..=120 (the schema's bounds) whatever the file says:
    /// a trend needs three points, and evaluation holds this many values of every series.
    #[must_use]
    pub fn trend_window(&self) -> usize {
        let v = self
            .settings
            .trend_window
            .as_ref()
            .map_or(defaults::TREND_WINDOW, |(_, v)| v.value);
        usize::try_from(v.clamp(3, 120)).unwrap_or(3)
    }

    /// Where required KPIs must be carried (default: each catalogue).
    #[must_use]
    pub fn required_in(&self) -> RequiredIn {
        self.settings
            .required_kpis
            .as_ref()
            .map_or(RequiredIn::EachCatalogue, |(_, v)| v.value)
    }

    /// `stale_grace_days`, kept within 0..=366 (the schema's bounds).
    #[must_use]
    pub fn stale_grace_days(&self) -> i64 {
        self.settings
            .stale_grace_days
            .as_ref()
            .map_or(defaults::STALE_GRACE_DAYS, |(_, v)| v.value)
            .clamp(0, 366)
    }

    /// `event_grace_days` (kept within 0..=730, the schema's bounds), with where it was set.
    #[must_use]
    pub fn event_grace_days(&self) -> (i64, Option<Label>) {
        match &self.settings.event_grace_days {
            Some((file, v)) => (
                v.value.clamp(0, 730),
                Some(Label::at(*file, v.span).with_message("grace period set here")),
            ),
            None => (defaults::EVENT_GRACE_DAYS, None),
        }
    }

    /// `event_effect_periods` (kept within 1..=24, the schema's bounds), with where it was
    /// set.
    #[must_use]
    pub fn event_effect_periods(&self) -> (usize, Option<Label>) {
        let (v, at) = match &self.settings.event_effect_periods {
            Some((file, v)) => (
                v.value,
                Some(Label::at(*file, v.span).with_message("periods set here")),
            ),
            None => (defaults::EVENT_EFFECT_PERIODS, None),
        };
        (usize::try_from(v.clamp(1, 24)).unwrap_or(1), at)
    }

    /// `max_board_kpis`, with where it was set.
    #[must_use]
    pub fn max_board_kpis(&self) -> (i64, Option<Label>) {
        match &self.settings.max_board_kpis {
            Some((file, v)) => (
                v.value,
                Some(Label::at(*file, v.span).with_message("limit set here")),
            ),
            None => (defaults::MAX_BOARD_KPIS, None),
        }
    }

    /// `require_guardrail` (default none), and where it is set.
    #[must_use]
    pub fn require_guardrail(&self) -> (Vec<Tier>, Option<Label>) {
        tiers_in_force(self.settings.require_guardrail.as_ref(), &[])
    }

    /// `require_mapping` (default `["board"]`), and where it is set.
    #[must_use]
    pub fn require_mapping(&self) -> (Vec<Tier>, Option<Label>) {
        tiers_in_force(self.settings.require_mapping.as_ref(), &[Tier::Board])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(text: &str, file: u32) -> PolicyFile {
        let root = crate::parse::toml::parse(text).unwrap();
        let mut layer = crate::load::extract::policy(&root, FileId(file)).unwrap();
        super::super::validate::resolve(&mut layer, crate::rules::ALL);
        layer
    }

    fn org_and_team(org: &str, team: &str) -> Policy {
        let org = layer(&format!("[policy]\nid = \"org\"\n{org}"), 0);
        let team = layer(
            &format!("[policy]\nid = \"team\"\nextends = [\"org\"]\n{team}"),
            1,
        );
        Policy::merge(vec![org, team])
    }

    fn threshold(p: &Policy, level: crate::model::Level3) -> f64 {
        let t = p.kpi("k").unwrap().thresholds.as_ref().unwrap();
        t.level(level).unwrap().value.value()
    }

    const KPI: &str = "[[kpi]]\nid = \"k\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\n";

    #[test]
    fn a_child_tightens_level_by_level_and_keeps_the_parent_s_looser_values() {
        use crate::model::Level3;
        let p = org_and_team(
            &format!("{KPI}thresholds = {{ target = 95, warn = 90, critical = 80 }}\n"),
            "[[kpi]]\nid = \"k\"\nthresholds = { warn = 85, critical = 82 }\n",
        );
        assert_eq!(threshold(&p, Level3::Target), 95.0);
        assert_eq!(threshold(&p, Level3::Warn), 90.0, "the parent's warn stays");
        assert_eq!(
            threshold(&p, Level3::Critical),
            82.0,
            "the child's tighter critical holds"
        );
        assert!(matches!(p.conflicts.as_slice(), [Conflict::Kpi { .. }]));
    }

    /// The settings a policy's layers conflict on, in order.
    fn setting_conflicts(p: &Policy) -> Vec<&'static str> {
        p.conflicts
            .iter()
            .filter_map(|c| match c {
                Conflict::Setting { key, .. } => Some(*key),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn event_settings_only_tighten_and_their_defaults_bind_a_child() {
        let p = org_and_team(
            "[settings]\nevent_grace_days = 60\n",
            "[settings]\nevent_grace_days = 180\nevent_effect_periods = 6\n",
        );
        assert_eq!(p.event_grace_days().0, 60);
        assert_eq!(p.event_effect_periods().0, 3, "the default binds a child");
        let keys = setting_conflicts(&p);
        assert_eq!(keys, ["event_grace_days", "event_effect_periods"]);
        let p = org_and_team(
            "[settings]\nevent_grace_days = 60\n",
            "[settings]\nevent_grace_days = 30\nevent_effect_periods = 2\n",
        );
        assert_eq!(p.event_grace_days().0, 30);
        assert_eq!(p.event_effect_periods().0, 2);
        assert!(p.conflicts.is_empty());
    }

    #[test]
    fn looser_settings_keep_the_parent_s_and_defaults_bind_a_child() {
        let p = org_and_team(
            "[settings]\nmax_board_kpis = 5\nstale_grace_days = 10\n",
            "[settings]\nmax_board_kpis = 9\nstale_grace_days = 60\ntrend_window = 12\nrequire_mapping = [\"tactical\"]\n",
        );
        assert_eq!(p.max_board_kpis().0, 5);
        assert_eq!(p.stale_grace_days(), 10);
        assert_eq!(p.trend_window(), 6, "the default binds a child");
        assert_eq!(p.require_mapping().0, [Tier::Board]);
        let keys = setting_conflicts(&p);
        assert_eq!(
            keys,
            [
                "max_board_kpis",
                "stale_grace_days",
                "trend_window",
                "require_mapping"
            ]
        );

        // Tighter is applied without a word; a root sets what it likes.
        let p = org_and_team(
            "[settings]\nmax_board_kpis = 12\n",
            "[settings]\nmax_board_kpis = 3\nrequire_mapping = [\"board\", \"tactical\"]\n",
        );
        assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
        assert_eq!(p.max_board_kpis().0, 3);
        assert_eq!(p.require_mapping().0, [Tier::Board, Tier::Tactical]);
    }

    #[test]
    fn rule_levels_locks_and_dates_are_never_loosened_by_a_child() {
        use RuleLoosening::{Lowered, Off, Postponed, Unlocked};
        let p = org_and_team(
            "[rules]\nmissing-owner = \"error\"\nmanual-source = { severity = \"error\", locked = true }\nokr-overdue = { severity = \"error\", effective = 2026-01-01 }\n",
            "[rules]\nmissing-owner = \"warning\"\nmissing-required-kpi = \"off\"\nmanual-source = { severity = \"error\", locked = false }\nokr-overdue = { severity = \"error\", effective = 2027-01-01 }\nunused-exception = \"error\"\n",
        );
        let hows: Vec<(&str, RuleLoosening)> = p
            .conflicts
            .iter()
            .filter_map(|c| match c {
                Conflict::Rule { rule, how, .. } => Some((rule.name, *how)),
                _ => None,
            })
            .collect();
        assert_eq!(
            hows,
            [
                ("missing-owner", Lowered),
                ("missing-required-kpi", Off),
                ("manual-source", Unlocked),
                ("okr-overdue", Postponed)
            ]
        );
        let level = |name: &str| {
            p.rules
                .get(name)
                .and_then(|r| r.level.as_ref())
                .map(|l| l.value)
        };
        assert_eq!(level("missing-owner"), Some(Level::On(Severity::Error)));
        assert_eq!(level("missing-required-kpi"), None, "its default stays");
        assert!(p.rules["manual-source"].locked);
        assert_eq!(
            p.rules["okr-overdue"]
                .effective
                .as_ref()
                .unwrap()
                .value
                .to_string(),
            "2026-01-01"
        );
        assert_eq!(level("unused-exception"), Some(Level::On(Severity::Error)));
        // What diff compares: the child's words, its unlock included.
        assert!(!p.asked.rules["manual-source"].locked);
        let p = org_and_team(
            "[rules]\nmanual-source = { severity = \"warning\", locked = true }\n",
            "[rules]\nmanual-source = \"error\"\n",
        );
        assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
        assert!(p.rules["manual-source"].locked);
        assert!(
            p.asked.rules["manual-source"].locked,
            "restating a level keeps the lock"
        );
    }

    #[test]
    fn siblings_govern_by_the_stricter_value() {
        let org = layer("[policy]\nid = \"org\"\n", 0);
        let a = layer(
            &format!(
                "[policy]\nid = \"a\"\nextends = [\"org\"]\n[settings]\nmax_board_kpis = 4\n{KPI}thresholds = {{ target = 90 }}\n"
            ),
            1,
        );
        let b = layer(
            &format!(
                "[policy]\nid = \"b\"\nextends = [\"org\"]\n[settings]\nmax_board_kpis = 6\n{KPI}thresholds = {{ target = 95 }}\n"
            ),
            2,
        );
        let p = Policy::merge(vec![org, a, b]);
        assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
        assert_eq!(p.max_board_kpis().0, 4);
        assert_eq!(threshold(&p, crate::model::Level3::Target), 95.0);
        assert_eq!(p.superseded.len(), 1, "a's definition is judged on its own");
    }

    /// The formula of KPI `id` in force, as written.
    fn formula<'p>(p: &'p Policy, id: &str) -> Option<&'p str> {
        let k = p.kpi(id).unwrap();
        k.formula.as_ref().map(|f| f.text.value.as_str())
    }

    #[test]
    fn a_parent_s_formula_binds_a_child() {
        let p = org_and_team(
            &format!(
                "{KPI}formula = \"100 * a / b\"\n[[kpi]]\nid = \"m\"\n[[kpi]]\nid = \"same\"\nformula = \"100*a/b\"\n"
            ),
            "[[kpi]]\nid = \"k\"\nformula = \"100 * a / c\"\n\
             [[kpi]]\nid = \"m\"\nformula = \"a + b\"\n\
             [[kpi]]\nid = \"same\"\nformula = \"(100 * a) / b\"\n\
             [[kpi]]\nid = \"own\"\nformula = \"a + b\"\n",
        );
        // A changed formula, and one that replaces measured data: both refused, each at
        // the child's line; the same formula written otherwise, and a KPI of the child's
        // own, are not.
        assert_eq!(formula(&p, "k"), Some("100 * a / b"));
        assert_eq!(formula(&p, "m"), None);
        assert_eq!(formula(&p, "same"), Some("(100 * a) / b"));
        assert_eq!(formula(&p, "own"), Some("a + b"));
        let refused: Vec<&str> = p
            .conflicts
            .iter()
            .filter_map(|c| match c {
                Conflict::Kpi { child, .. } => Some(child.id.value.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(refused, ["k", "m"]);
    }

    #[test]
    fn siblings_formulas_are_reported_and_the_first_read_governs() {
        let org = layer("[policy]\nid = \"org\"\n", 0);
        let a = layer(
            "[policy]\nid = \"a\"\nextends = [\"org\"]\n[[kpi]]\nid = \"k\"\nformula = \"x / y\"\n",
            1,
        );
        let b = layer(
            "[policy]\nid = \"b\"\nextends = [\"org\"]\n[[kpi]]\nid = \"k\"\nformula = \"x * y\"\n",
            2,
        );
        let c = layer(
            "[policy]\nid = \"c\"\nextends = [\"org\"]\n[[kpi]]\nid = \"k\"\nformula = \"x  /  y\"\n",
            3,
        );
        let p = Policy::merge(vec![org, a, b, c]);
        // `b` differs from `a`, read first; `c` writes the same formula, spaced apart.
        let reported: Vec<(&str, FileId)> = p
            .conflicts
            .iter()
            .filter_map(|c| match c {
                Conflict::Formula { first, other } => {
                    Some((first.formula.as_ref()?.text.value.as_str(), other.file))
                }
                _ => None,
            })
            .collect();
        assert_eq!(reported, [("x / y", FileId(2))]);
        assert_eq!(p.conflicts.len(), 1);
        let governs = formula(&p, "k").map(|f| f.replace(' ', ""));
        assert_eq!(governs.as_deref(), Some("x/y"));
    }

    #[test]
    fn only_a_formula_a_layer_writes_against_one_beside_it_is_reported() {
        let kpi = |id: &str, extends: &str, formula: Option<&str>, file: u32| {
            let f = formula.map_or(String::new(), |f| format!("formula = \"{f}\"\n"));
            layer(
                &format!(
                    "[policy]\nid = \"{id}\"\nextends = [{extends}]\n[[kpi]]\nid = \"k\"\ntitle = \"K\"\n{f}"
                ),
                file,
            )
        };
        let reported = |layers: Vec<PolicyFile>| -> Vec<FileId> {
            Policy::merge(layers)
                .conflicts
                .iter()
                .filter_map(|c| match c {
                    Conflict::Formula { other, .. } => Some(other.file),
                    _ => None,
                })
                .collect()
        };
        let org = || layer("[policy]\nid = \"org\"\n", 0);
        let a = || kpi("a", "\"org\"", Some("x / y"), 1);
        let b = || kpi("b", "\"org\"", Some("x * y"), 2);
        // A child of the layer reported, writing no formula: `b` only.
        assert_eq!(
            reported(vec![org(), a(), b(), kpi("b2", "\"b\"", None, 3)]),
            [FileId(2)]
        );
        // A layer extending both, writing none, or the formula in force: `b` only.
        let both = "\"a\", \"b\"";
        assert_eq!(
            reported(vec![org(), a(), b(), kpi("d", both, None, 3)]),
            [FileId(2)]
        );
        assert_eq!(
            reported(vec![org(), a(), b(), kpi("d", both, Some("x / y"), 3)]),
            [FileId(2)]
        );
        // Two layers agreeing, a third not: the third.
        let same = kpi("s", "\"org\"", Some("x / y"), 2);
        let other = kpi("o", "\"org\"", Some("x - y"), 3);
        assert_eq!(reported(vec![org(), a(), same, other]), [FileId(3)]);
        // A layer adding a formula to a KPI one beside it measures from data is reported;
        // one writing none beside a derived KPI inherits it.
        let measured = kpi("m", "\"org\"", None, 1);
        assert_eq!(reported(vec![org(), measured, b()]), [FileId(2)]);
        let p = Policy::merge(vec![org(), a(), kpi("m", "\"org\"", None, 2)]);
        assert!(p.conflicts.is_empty());
        assert_eq!(formula(&p, "k"), Some("x / y"));
    }

    #[test]
    fn an_extending_kpi_inherits_what_it_leaves_out() {
        let parent = layer(
            "[policy]\nid = \"p\"\n[[kpi]]\nid = \"k\"\ntier = \"board\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\nrequired = true\nthresholds = { target = 95, warn = 90, critical = 80, trend = \"up\" }\n",
            0,
        );
        let child = layer(
            "[policy]\nid = \"c\"\nextends = [\"p\"]\n[[kpi]]\nid = \"k\"\nthresholds = { target = 97 }\n",
            1,
        );
        let p = Policy::merge(vec![parent, child]);
        assert!(p.conflicts.is_empty());
        let k = p.kpi("k").unwrap();
        assert!(k.is_required(), "`required` is inherited, not dropped");
        let t = k.thresholds.as_ref().unwrap();
        assert_eq!(t.target.as_ref().unwrap().value.value(), 97.0);
        assert_eq!(t.critical.as_ref().unwrap().value.value(), 80.0);
        assert!(t.trend.is_some());
        assert_eq!(k.unit.as_ref().unwrap().value, crate::model::Unit::Percent);
    }

    #[test]
    fn a_locked_rule_cannot_be_weakened_and_coverage_is_required_once() {
        let parent = layer(
            "[policy]\nid = \"p\"\n[rules]\nvanity-metric = { severity = \"error\", locked = true }\n[coverage]\nrequire = [\"owasp-nhi-2025\"]\n",
            0,
        );
        let child = layer(
            "[policy]\nid = \"c\"\nextends = [\"p\"]\n[rules]\nvanity-metric = \"off\"\n[coverage]\nrequire = [\"owasp-nhi-2025\"]\n",
            1,
        );
        let p = Policy::merge(vec![parent, child]);
        assert!(matches!(
            p.conflicts.as_slice(),
            [Conflict::Rule {
                how: RuleLoosening::Off,
                ..
            }]
        ));
        let r = p.rules.get("vanity-metric").unwrap();
        assert!(r.locked);
        assert_eq!(
            r.level.as_ref().unwrap().value,
            Level::On(crate::rule::Severity::Error)
        );
        assert_eq!(p.coverage.len(), 1);
    }
}
