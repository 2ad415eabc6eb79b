//! The effective policy (policy layers merged) and the context every rule reads.

use crate::diag::{Diagnostics, Label, Level};
use crate::framework::Registry;
use crate::model::{
    Banned, Catalogue, Category, Exception, Level3, Metric, PolicyFile, RuleSetting, Settings, Sp,
};
use crate::source::FileId;
use std::collections::HashMap;

/// Defaults of `[settings]` when no policy layer sets them.
pub mod defaults {
    /// `max_board_kpis`.
    pub const MAX_BOARD_KPIS: i64 = 7;
    /// `stale_grace_days`.
    pub const STALE_GRACE_DAYS: i64 = 15;
    /// `trend_window`.
    pub const TREND_WINDOW: i64 = 6;
}

/// A banned metric with its compiled pattern.
#[derive(Debug)]
pub struct BannedRule {
    /// The entry.
    pub banned: Banned,
    /// The compiled `match.name`, if it has one and it compiles.
    pub pattern: Option<regex::Regex>,
}

/// All policy layers merged, parents first: later layers override earlier ones.
#[derive(Debug, Default)]
pub struct Policy {
    /// The layers, parents before children.
    pub layers: Vec<PolicyFile>,
    /// Effective settings.
    pub settings: Settings,
    /// Effective rule settings by rule name.
    pub rules: HashMap<String, RuleSetting>,
    /// Effective categories by id (the last layer's definition wins).
    pub categories: Vec<Category>,
    /// Effective KPIs (the last layer's definition wins).
    pub kpis: Vec<Metric>,
    /// Banned metrics of every layer.
    pub banned: Vec<BannedRule>,
    /// Exceptions of every layer.
    pub exceptions: Vec<Exception>,
    /// Coverage requirements of every layer.
    pub coverage: Vec<(FileId, Sp<String>)>,
}

impl Policy {
    /// Merges layers (parents first). A child KPI that loosens its parent's thresholds is
    /// reported (`looser-than-policy`) and the parent's stricter definition kept.
    #[must_use]
    pub fn merge(layers: Vec<PolicyFile>, out: &mut Diagnostics) -> Self {
        let mut p = Policy::default();
        for layer in &layers {
            let s = &layer.settings;
            macro_rules! over {
                ($f:ident) => {
                    if s.$f.is_some() {
                        p.settings.$f = s.$f.clone();
                    }
                };
            }
            over!(max_board_kpis);
            over!(require_mapping);
            over!(stale_grace_days);
            over!(trend_window);
            for r in &layer.rules {
                // A rule a parent layer locked keeps at least its severity and its lock.
                if let Some(parent) = p
                    .rules
                    .get(&r.name)
                    .filter(|x| x.locked && x.file != r.file)
                {
                    let parent = parent.clone();
                    if crate::rules::kpi308_looser_than_policy::locked_rule(&parent, r, out) {
                        continue;
                    }
                    let mut r = r.clone();
                    r.locked = true;
                    p.rules.insert(r.name.clone(), r);
                    continue;
                }
                p.rules.insert(r.name.clone(), r.clone());
            }
            for c in &layer.categories {
                match p.categories.iter_mut().find(|x| x.id.value == c.id.value) {
                    Some(existing) => *existing = c.clone(),
                    None => p.categories.push(c.clone()),
                }
            }
            for k in &layer.kpis {
                match p.kpis.iter().position(|x| x.id.value == k.id.value) {
                    Some(i) => {
                        let parent = &p.kpis[i];
                        if parent.file == k.file {
                            continue; // a duplicate within one file: `duplicate-id`
                        }
                        let loosened =
                            crate::rules::kpi308_looser_than_policy::compare(parent, k, out);
                        if !loosened {
                            // What the child leaves out, it inherits.
                            let mut k = k.clone();
                            k.inherit(parent);
                            p.kpis[i] = k;
                        }
                    }
                    None => p.kpis.push(k.clone()),
                }
            }
            for b in &layer.banned {
                p.banned.push(BannedRule {
                    banned: b.clone(),
                    pattern: b
                        .matcher
                        .name
                        .as_ref()
                        .and_then(|n| compile_pattern(&n.value).ok()),
                });
            }
            p.exceptions.extend(layer.exceptions.iter().cloned());
            for c in &layer.coverage {
                // Layers often restate their parent's requirement: require it once.
                if !p.coverage.iter().any(|(_, x)| x.value == c.value) {
                    p.coverage.push((layer.file, c.clone()));
                }
            }
        }
        p.layers = layers;
        p
    }

    /// The effective KPI with this id.
    #[must_use]
    pub fn kpi(&self, id: &str) -> Option<&Metric> {
        self.kpis.iter().find(|k| k.id.value == id)
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

    /// `stale_grace_days`, kept within 0..=366 (the schema's bounds).
    #[must_use]
    pub fn stale_grace_days(&self) -> i64 {
        self.settings
            .stale_grace_days
            .as_ref()
            .map_or(defaults::STALE_GRACE_DAYS, |(_, v)| v.value)
            .clamp(0, 366)
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

    /// `require_mapping` (default `["board"]`), and where it is set.
    #[must_use]
    pub fn require_mapping(&self) -> (Vec<crate::model::Tier>, Option<Label>) {
        match &self.settings.require_mapping {
            Some((file, v)) => (
                v.value.clone(),
                Some(Label::at(*file, v.span).with_message("required here")),
            ),
            None => (vec![crate::model::Tier::Board], None),
        }
    }
}

/// Compiles a banned-metric pattern with a size limit, so a hostile policy cannot make the
/// regex engine allocate without bound.
///
/// # Errors
/// The regex error, as text.
pub fn compile_pattern(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| e.to_string())
}

/// What every rule reads.
pub struct LintContext<'a> {
    /// The effective policy.
    pub policy: &'a Policy,
    /// The catalogues checked.
    pub catalogues: &'a [Catalogue],
    /// Frameworks known to this run.
    pub frameworks: &'a Registry,
    /// "Today".
    pub as_of: jiff::civil::Date,
    kpi_index: rustc_hash::FxHashMap<&'a str, usize>,
}

impl<'a> LintContext<'a> {
    /// Builds the context and its indexes.
    #[must_use]
    pub fn new(
        policy: &'a Policy,
        catalogues: &'a [Catalogue],
        frameworks: &'a Registry,
        as_of: jiff::civil::Date,
    ) -> Self {
        let mut kpi_index = rustc_hash::FxHashMap::default();
        for (i, k) in policy.kpis.iter().enumerate() {
            kpi_index.entry(k.id.value.as_str()).or_insert(i);
        }
        Self {
            policy,
            catalogues,
            frameworks,
            as_of,
            kpi_index,
        }
    }

    /// The policy KPI a catalogue metric implements: `implements`, or a KPI with the
    /// metric's own id.
    #[must_use]
    pub fn kpi_for(&self, m: &Metric) -> Option<&'a Metric> {
        self.kpi(m.kpi_id())
    }

    /// The effective KPI with this id (indexed; `Policy::kpi` scans).
    #[must_use]
    pub fn kpi(&self, id: &str) -> Option<&'a Metric> {
        self.kpi_index.get(id).map(|&i| &self.policy.kpis[i])
    }

    /// Every catalogue metric.
    pub fn metrics(&self) -> impl Iterator<Item = &'a Metric> + '_ {
        self.catalogues.iter().flat_map(|c| c.metrics.iter())
    }

    /// Every definition: policy KPIs, then catalogue metrics.
    pub fn definitions(&self) -> impl Iterator<Item = &'a Metric> + '_ {
        self.policy.kpis.iter().chain(self.metrics())
    }

    /// A value of a metric, falling back to the KPI it implements.
    pub fn inherited<T: Clone>(
        &self,
        m: &'a Metric,
        get: impl Fn(&'a Metric) -> Option<T>,
    ) -> Option<T> {
        get(m).or_else(|| self.kpi_for(m).and_then(get))
    }
}

/// The framework controls a set of definitions evidences, as `(framework id, control
/// id)`: what catalogue metrics map, plus what the KPIs they implement map; with no
/// catalogue, what the policy's KPIs map. `uncovered-control`, `coverage-regressed` and
/// `kpilint coverage` all judge coverage by this.
#[must_use]
pub fn covered_controls(
    policy: &Policy,
    catalogues: &[Catalogue],
    frameworks: &Registry,
) -> std::collections::BTreeSet<(String, String)> {
    let mut covered = std::collections::BTreeSet::new();
    visit_coverage(policy, catalogues, frameworks, false, |_, control| {
        covered.insert(control.clone());
    });
    covered
}

/// For every covered control (see [`covered_controls`]), the ids of the definitions that
/// evidence it: catalogue metrics (for their own mappings and their KPI's), or policy KPIs
/// when there is no catalogue.
#[must_use]
pub fn coverage_matrix(
    policy: &Policy,
    catalogues: &[Catalogue],
    frameworks: &Registry,
) -> std::collections::BTreeMap<(String, String), std::collections::BTreeSet<String>> {
    let mut matrix: std::collections::BTreeMap<_, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    visit_coverage(policy, catalogues, frameworks, true, |by, control| {
        matrix
            .entry(control.clone())
            .or_default()
            .insert(by.id.value.clone());
    });
    matrix
}

/// Calls `found(definition, (framework, control))` for each control a definition
/// evidences. A KPI's references are resolved once however many metrics implement it, and
/// reported for every one of them only `per_metric` (a 100,000-metric catalogue under a
/// dozen KPIs need not repeat them to know what is covered).
fn visit_coverage<'a>(
    policy: &'a Policy,
    catalogues: &'a [Catalogue],
    frameworks: &Registry,
    per_metric: bool,
    mut found: impl FnMut(&'a Metric, &(String, String)),
) {
    use crate::framework::Resolution;
    let resolve = |refs: &[Sp<String>]| -> Vec<(String, String)> {
        refs.iter()
            .filter_map(|r| match frameworks.resolve(&r.value) {
                Resolution::Canonical(f, c) | Resolution::Noncanonical(f, c) => {
                    Some((f.id.clone(), c.id.clone()))
                }
                _ => None,
            })
            .collect()
    };
    if catalogues.is_empty() {
        for k in &policy.kpis {
            resolve(&k.frameworks).iter().for_each(|c| found(k, c));
        }
        return;
    }
    /// A KPI and, once a metric implementing it was seen, the controls it maps.
    type Resolved<'m> = (&'m Metric, Option<Vec<(String, String)>>);
    let mut kpis: HashMap<&str, Resolved<'_>> = HashMap::new();
    for k in &policy.kpis {
        // The first of a duplicated id (`duplicate-id`), as `LintContext::kpi_for` has it.
        kpis.entry(k.id.value.as_str()).or_insert((k, None));
    }
    for m in catalogues.iter().flat_map(|c| &c.metrics) {
        resolve(&m.frameworks).iter().for_each(|c| found(m, c));
        if let Some((k, controls)) = kpis.get_mut(m.kpi_id()) {
            let first = controls.is_none();
            if first || per_metric {
                controls
                    .get_or_insert_with(|| resolve(&k.frameworks))
                    .iter()
                    .for_each(|c| found(m, c));
            }
        }
    }
}

/// The configured level of a rule, as of a date: `effective` dates keep a rule at most a
/// warning until they arrive.
#[must_use]
pub fn rule_level(
    policy: &Policy,
    rule: &crate::rules::RuleMeta,
    as_of: jiff::civil::Date,
) -> Level {
    let Some(setting) = policy
        .rules
        .get(rule.name)
        .filter(|_| crate::rules::is_configurable(rule))
    else {
        return Level::On(rule.default_severity);
    };
    let level = setting
        .level
        .as_ref()
        .map_or(Level::On(rule.default_severity), |l| l.value);
    match (level, &setting.effective) {
        (Level::On(s), Some(eff)) => match eff.value.parse::<jiff::civil::Date>() {
            Ok(date) if as_of < date => Level::On(s.min(crate::diag::Severity::Warning)),
            _ => Level::On(s),
        },
        (l, _) => l,
    }
}

/// A number as written in messages: at most six decimals, no trailing zeros, so that a
/// computed `110.00000000000001` reads `110` and `1.8333333333333333` reads `1.833333`.
#[must_use]
pub fn num(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e15 {
        return format!("{v}");
    }
    let rounded = (v * 1e6).round() / 1e6;
    if rounded == 0.0 {
        "0".to_owned() // not `-0`
    } else {
        format!("{rounded}")
    }
}

/// A threshold level's value, for messages.
#[must_use]
pub fn describe_level(level: Level3, v: f64) -> String {
    format!("{} {}", level.as_str(), num(v))
}

/// One way a definition is looser than a stricter one it must not loosen.
#[derive(Debug)]
pub enum Loosening<'a> {
    /// A threshold level moved the wrong way for the direction, or was dropped.
    Level {
        /// Which level.
        level: crate::model::Level3,
        /// The stricter value.
        strict: &'a Sp<f64>,
        /// The looser value; `None` when it was dropped.
        loose: Option<&'a Sp<f64>>,
    },
    /// The trend target changed or was dropped.
    Trend {
        /// The stricter target.
        strict: &'a Sp<crate::model::Trend>,
        /// The new target; `None` when it was dropped.
        loose: Option<&'a Sp<crate::model::Trend>>,
    },
    /// A longer reporting cadence.
    Cadence {
        /// The stricter cadence.
        strict: &'a Sp<crate::model::Cadence>,
        /// The longer one.
        loose: &'a Sp<crate::model::Cadence>,
    },
    /// `required` dropped.
    Required {
        /// Where `required = true` is.
        strict: &'a Sp<bool>,
        /// Where it is now false, if written.
        loose: Option<&'a Sp<bool>>,
    },
}

/// Every way `loose` is looser than `strict`, judged by the direction (`strict`'s, else
/// `loose`'s, else `inherited`: the direction of the KPI a metric implements). With
/// `dropped_counts`, a level, trend or `required` that `loose` leaves out is looser (a
/// revision of one definition); without it, leaving one out inherits it (a metric under
/// its policy KPI, a KPI in an extending policy).
#[must_use]
pub fn loosenings<'a>(
    strict: &'a Metric,
    loose: &'a Metric,
    dropped_counts: bool,
    inherited: Option<crate::model::Direction>,
) -> Vec<Loosening<'a>> {
    use crate::model::{Direction, Level3};
    let mut out = Vec::new();
    let direction = strict
        .direction
        .as_ref()
        .or(loose.direction.as_ref())
        .map(|d| d.value)
        .or(inherited);
    if let Some(st) = &strict.thresholds {
        let lt = loose.thresholds.as_ref();
        // A `stable` KPI's warn and critical are distances from its target.
        let strict_target = st.target.as_ref().map(|t| t.value);
        let loose_target = lt
            .and_then(|t| t.target.as_ref())
            .map(|t| t.value)
            .or(strict_target);
        for level in Level3::ALL {
            let Some(s) = st.level(level) else { continue };
            let l = lt.and_then(|t| t.level(level));
            let looser = match (l, direction) {
                (None, _) => dropped_counts,
                (Some(l), Some(Direction::HigherIsBetter)) => l.value < s.value,
                (Some(l), Some(Direction::LowerIsBetter)) => l.value > s.value,
                // A stable KPI holds its target: moving it moves every band with it.
                (Some(l), Some(Direction::Stable)) if level == Level3::Target => l.value != s.value,
                (Some(l), Some(Direction::Stable)) => match (strict_target, loose_target) {
                    (Some(st), Some(lt)) => (l.value - lt).abs() > (s.value - st).abs(),
                    _ => false,
                },
                (Some(_), _) => false,
            };
            if looser {
                out.push(Loosening::Level {
                    level,
                    strict: s,
                    loose: l,
                });
            }
        }
        if let Some(s) = &st.trend {
            let l = lt.and_then(|t| t.trend.as_ref());
            if l.map_or(dropped_counts, |l| l.value != s.value) {
                out.push(Loosening::Trend {
                    strict: s,
                    loose: l,
                });
            }
        }
    }
    if let (Some(s), Some(l)) = (&strict.cadence, &loose.cadence)
        && l.value.days() > s.value.days()
    {
        out.push(Loosening::Cadence {
            strict: s,
            loose: l,
        });
    }
    if let Some(s) = strict.required.as_ref().filter(|r| r.value) {
        let l = loose.required.as_ref();
        if l.map_or(dropped_counts, |l| !l.value) {
            out.push(Loosening::Required {
                strict: s,
                loose: l,
            });
        }
    }
    out
}

/// Inputs for unit tests of rules and the evaluator, parsed from text.
#[cfg(test)]
pub(crate) mod testing {
    use super::{LintContext, Policy};
    use crate::diag::Diagnostics;
    use crate::framework::Registry;
    use crate::model::Catalogue;
    use crate::source::FileId;

    /// A policy (file 0), one catalogue (file 1) and the built-in frameworks.
    pub(crate) struct Inputs {
        pub(crate) policy: Policy,
        pub(crate) catalogues: Vec<Catalogue>,
        pub(crate) frameworks: Registry,
    }

    impl Inputs {
        /// `policy` is a policy file's text (`None`: no policy at all).
        pub(crate) fn new(policy: Option<&str>, catalogue: &str) -> Self {
            let policy = policy.map_or_else(Policy::default, |text| {
                let root = crate::node::parse_toml(text).unwrap();
                let layer = crate::model::policy(&root, FileId(0)).unwrap();
                let mut d = Diagnostics::default();
                let policy = Policy::merge(vec![layer], &mut d);
                assert!(d.findings.is_empty(), "{:?}", d.findings);
                policy
            });
            let root = crate::node::parse_toml(catalogue).unwrap();
            Self {
                policy,
                catalogues: vec![crate::model::catalogue(&root, FileId(1))],
                frameworks: Registry::builtin(),
            }
        }

        /// The context, as of 2026-11-24.
        pub(crate) fn ctx(&self) -> LintContext<'_> {
            LintContext::new(
                &self.policy,
                &self.catalogues,
                &self.frameworks,
                jiff::civil::date(2026, 11, 24),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(text: &str, file: u32) -> PolicyFile {
        let root = crate::node::parse_toml(text).unwrap();
        crate::model::policy(&root, FileId(file)).unwrap()
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(num(95.0), "95");
        assert_eq!(num(97.5), "97.5");
        assert_eq!(num(110.000_000_000_000_01), "110");
        assert_eq!(num(11.0 / 6.0), "1.833333");
        assert_eq!(num(-0.000_000_1), "0");
        assert_eq!(num(-2.25), "-2.25");
        assert_eq!(num(1e20), "100000000000000000000");
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
        let mut out = Diagnostics::default();
        let p = Policy::merge(vec![parent, child], &mut out);
        assert!(out.findings.is_empty());
        let k = p.kpi("k").unwrap();
        assert!(k.is_required(), "`required` is inherited, not dropped");
        let t = k.thresholds.as_ref().unwrap();
        assert_eq!(t.target.as_ref().unwrap().value, 97.0);
        assert_eq!(t.critical.as_ref().unwrap().value, 80.0);
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
        let mut out = Diagnostics::default();
        let p = Policy::merge(vec![parent, child], &mut out);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].rule.name, "looser-than-policy");
        let r = p.rules.get("vanity-metric").unwrap();
        assert!(r.locked);
        assert_eq!(
            r.level.as_ref().unwrap().value,
            Level::On(crate::diag::Severity::Error)
        );
        assert_eq!(p.coverage.len(), 1);
    }
}
