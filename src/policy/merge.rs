//! Policy layers merged, parents first, into the effective [`Policy`].
//!
//! A child layer may tighten what its parents say, never loosen it: a KPI that loosens its
//! parent's keeps the parent's definition, and a `[rules]` entry that weakens a rule a
//! parent `locked` is ignored. Each such case is kept as a [`Conflict`], which
//! `looser-than-policy` reports at the child's line.

use super::banned::{Patterns, syntax_error};
use super::defaults;
use super::strictness::loosenings;
use crate::diag::{Label, Level};
use crate::model::{
    Banned, Category, Exception, Metric, PolicyFile, RuleSetting, Settings, Sp, Tier,
};
use crate::source::FileId;
use rustc_hash::FxHashMap;

/// A banned metric, with what is wrong with its pattern, if anything.
#[derive(Debug)]
pub struct BannedRule {
    /// The entry.
    pub banned: Banned,
    /// Why `match.name` is not a valid regex, if it is not.
    pub error: Option<String>,
}

/// A child layer that tried to loosen what a parent layer says; the parent's value stays.
#[derive(Debug, Clone)]
pub enum Conflict {
    /// A KPI redefined looser than its parent's definition.
    Kpi {
        /// The parent's definition (the one in force).
        parent: Box<Metric>,
        /// The child's.
        child: Box<Metric>,
    },
    /// A `[rules]` entry that switches off or lowers a rule a parent locked.
    LockedRule {
        /// The parent's locking entry.
        parent: RuleSetting,
        /// The child's.
        child: RuleSetting,
    },
}

/// All policy layers merged, parents first: later layers override earlier ones.
#[derive(Debug, Default)]
pub struct Policy {
    /// The layers, parents before children.
    pub layers: Vec<PolicyFile>,
    /// Effective settings.
    pub settings: Settings,
    /// Effective rule settings by rule name.
    pub rules: FxHashMap<String, RuleSetting>,
    /// Effective categories by id (the last layer's definition wins).
    pub categories: Vec<Category>,
    /// Effective KPIs (the last layer's definition wins).
    pub kpis: Vec<Metric>,
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
}

impl Policy {
    /// Merges layers (parents first).
    #[must_use]
    pub fn merge(layers: Vec<PolicyFile>) -> Self {
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
                p.merge_rule(r);
            }
            for c in &layer.categories {
                match p.categories.iter_mut().find(|x| x.id.value == c.id.value) {
                    Some(existing) => *existing = c.clone(),
                    None => p.categories.push(c.clone()),
                }
            }
            for k in &layer.kpis {
                p.merge_kpi(k);
            }
            for b in &layer.banned {
                p.banned.push(BannedRule {
                    banned: b.clone(),
                    error: b.matcher.name.as_ref().and_then(|n| syntax_error(&n.value)),
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
        p.patterns = Patterns::build(&p.banned);
        p.layers = layers;
        p
    }

    /// A child's rule setting: it replaces the parent's, unless the parent locked the rule;
    /// then it keeps at least the parent's severity and the lock.
    fn merge_rule(&mut self, r: &RuleSetting) {
        let Some(parent) = self
            .rules
            .get(&r.name)
            .filter(|x| x.locked && x.file != r.file)
        else {
            self.rules.insert(r.name.clone(), r.clone());
            return;
        };
        if weakens_lock(parent, r) {
            self.conflicts.push(Conflict::LockedRule {
                parent: parent.clone(),
                child: r.clone(),
            });
            return;
        }
        let mut r = r.clone();
        r.locked = true;
        self.rules.insert(r.name.clone(), r);
    }

    /// A child's KPI: it replaces the parent's definition, inheriting what it leaves out,
    /// unless it loosens it.
    fn merge_kpi(&mut self, k: &Metric) {
        let Some(i) = self.kpis.iter().position(|x| x.id.value == k.id.value) else {
            self.kpis.push(k.clone());
            return;
        };
        let parent = &self.kpis[i];
        if parent.file == k.file {
            return; // a duplicate within one file: `duplicate-id`
        }
        if loosenings(parent, k, false, None).is_empty() {
            let mut k = k.clone();
            k.inherit(parent);
            self.kpis[i] = k;
        } else {
            self.conflicts.push(Conflict::Kpi {
                parent: Box::new(parent.clone()),
                child: Box::new(k.clone()),
            });
        }
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
    pub fn require_mapping(&self) -> (Vec<Tier>, Option<Label>) {
        match &self.settings.require_mapping {
            Some((file, v)) => (
                v.value.clone(),
                Some(Label::at(*file, v.span).with_message("required here")),
            ),
            None => (vec![Tier::Board], None),
        }
    }
}

/// Whether `child` would switch off or lower the severity of a rule `parent` locked.
#[must_use]
pub fn weakens_lock(parent: &RuleSetting, child: &RuleSetting) -> bool {
    let severity = |s: &RuleSetting| match s.level.as_ref().map(|l| l.value) {
        Some(Level::On(sev)) => Some(sev),
        Some(Level::Off) => None,
        None => s.rule.map(|r| r.default_severity),
    };
    match (severity(parent), severity(child)) {
        (Some(_), None) => true,
        (Some(p), Some(c)) => c < p,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(text: &str, file: u32) -> PolicyFile {
        let root = crate::parse::toml::parse(text).unwrap();
        crate::load::extract::policy(&root, FileId(file)).unwrap()
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
            [Conflict::LockedRule { .. }]
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
