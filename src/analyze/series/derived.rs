//! Derived series: each derived metric's formula evaluated per scope and period over the
//! series it names, once every row is read, and added to the table as series of its own,
//! so that every rule and the scorecard judge them as they judge reported ones.
//!
//! A derived value exists for a period and scope when every metric the formula names has a
//! value for that same period (written the same way: a month is not its last day) in that
//! same scope, among the `trend_window` periods each series keeps. Derived metrics are
//! evaluated in [`crate::formula::order`], so a formula may name another derived metric.
//!
//! Each scope's windows are joined in one pass, but a policy may hold many formulas over
//! many scopes: two thousand formulas over a hundred thousand scopes would be two hundred
//! million series. So derived metrics share one budget, proportional to the series read
//! ([`budget`]): each is charged the scopes it is tried in (those of its operand reported
//! in the fewest, each at most one series), and the first whose charge would pass the
//! budget is not evaluated, nor is any after it in that fixed order
//! ([`FormulaBudget`], reported by `formula-budget-exceeded`).

use super::super::data::{
    Direct, FormulaBudget, FormulaFacts, MetricInfo, NotComputed, Point, Undefined,
};
use super::Table;
use crate::formula::Node;
use crate::num::Num;
use crate::period::Period;

/// Series that derived metrics may be tried in, given how many series were read: twice
/// those, and ten thousand more.
///
/// A derived series needs a series of each metric its formula names in its scope, so a
/// programme that derives up to twice as many KPIs per scope as it reports metrics there
/// fits, and the ten thousand let a small repository derive many KPIs from a few series
/// (a hundred derived KPIs over a hundred scopes, a chain of thousands over one).
/// Memory and time stay within a small multiple of what reading took, whatever the
/// policy's formulas say.
#[must_use]
pub(crate) fn budget(read: u64) -> u64 {
    read.saturating_mul(2).saturating_add(10_000)
}

impl Table<'_> {
    /// Evaluates every derived metric into series of its own, and says what each gave and
    /// where the budget stopped evaluation, if it did.
    pub(super) fn evaluate_formulas(&mut self) -> (Vec<FormulaFacts>, Option<FormulaBudget>) {
        let formulas: Vec<Option<&crate::model::Formula>> =
            self.metrics.iter().map(MetricInfo::formula).collect();
        if formulas.iter().all(Option::is_none) {
            return (Vec::new(), None);
        }
        let nodes: Vec<Node> = formulas
            .iter()
            .map(|f| f.map_or(Node::Plain, |f| f.node(|id| self.by_id.get(id).copied())))
            .collect();
        let order = crate::formula::order(&nodes);
        let mut facts: Vec<FormulaFacts> = formulas
            .iter()
            .zip(0u32..)
            .filter(|(f, _)| f.is_some())
            .map(|(_, mi)| FormulaFacts {
                metric: mi,
                evaluable: false,
                over_budget: false,
                values: 0,
                range: None,
                not_computed: None,
                undefined: None,
                direct: self.direct.get(&mi).map(|d: &super::Direct| Direct {
                    file: d.first.0,
                    line: d.first.1,
                    rows: d.rows,
                }),
            })
            .collect();
        // The series of each metric a formula to evaluate names, by metric (a million
        // series of other metrics are only looked at): derived ones join as they are made.
        let mut named = vec![false; self.metrics.len()];
        for &mi in &order.steps {
            if let Node::Derived(operands) = &nodes[mi as usize] {
                for &o in operands {
                    named[o as usize] = true;
                }
            }
        }
        let mut of_metric: Vec<Vec<u32>> = vec![Vec::new(); self.metrics.len()];
        for (si, s) in self.series.iter().enumerate() {
            if named[s.metric as usize] {
                of_metric[s.metric as usize].push(u32::try_from(si).unwrap_or(u32::MAX));
            }
        }
        let allowed = budget(self.series.len() as u64);
        let (mut spent, mut cut) = (0u64, None::<FormulaBudget>);
        for &mi in &order.steps {
            let (Some(formula), Node::Derived(operands)) =
                (formulas[mi as usize], &nodes[mi as usize])
            else {
                continue;
            };
            let Ok(expr) = &formula.parsed else { continue };
            let Ok(at) = facts.binary_search_by_key(&mi, |f| f.metric) else {
                continue;
            };
            // The scopes it is tried in: those of its operand reported in the fewest.
            let charge = operands
                .iter()
                .map(|&o| of_metric[o as usize].len() as u64)
                .min()
                .unwrap_or(0);
            if let Some(cut) = &mut cut {
                cut.metrics += 1;
                facts[at].over_budget = true;
                continue;
            }
            if spent.saturating_add(charge) > allowed {
                cut = Some(FormulaBudget {
                    metric: mi,
                    metrics: 1,
                    budget: allowed,
                    spent,
                    charge,
                });
                facts[at].over_budget = true;
                continue;
            }
            spent += charge;
            facts[at].evaluable = true;
            let (made, values, undefined) =
                self.evaluate(mi, expr, formula.text.file, operands, &of_metric);
            facts[at].range = self.range_of(&made);
            facts[at].values = values;
            facts[at].undefined = undefined;
            of_metric[mi as usize] = made;
        }
        self.why_not_computed(&mut facts, &formulas, &nodes, &order.on_cycle);
        (facts, cut)
    }

    /// Says why each derived metric no formula rule speaks for was not computed: it names
    /// one that was not (a formula that does not parse, a circle, an unknown id), or an id
    /// nothing loaded defines.
    fn why_not_computed(
        &self,
        facts: &mut [FormulaFacts],
        formulas: &[Option<&crate::model::Formula>],
        nodes: &[Node],
        on_cycle: &[u32],
    ) {
        let computed = |facts: &[FormulaFacts], o: u32| {
            facts
                .binary_search_by_key(&o, |f| f.metric)
                .is_ok_and(|at| facts[at].evaluable || facts[at].over_budget)
        };
        for at in 0..facts.len() {
            let f = &facts[at];
            if f.evaluable || f.over_budget {
                continue;
            }
            let mi = f.metric;
            let why = match &nodes[mi as usize] {
                Node::Derived(ops) if on_cycle.binary_search(&mi).is_err() => ops
                    .iter()
                    .find(|&&o| formulas[o as usize].is_some() && !computed(facts, o))
                    .map(|&o| NotComputed::Names(self.metrics[o as usize].id.into())),
                Node::Broken => formulas[mi as usize]
                    .and_then(|f| f.parsed.as_ref().ok())
                    .and_then(|expr| {
                        expr.names()
                            .iter()
                            .find(|n| !self.by_id.contains_key(n.id.as_str()))
                    })
                    .map(|n| NotComputed::Unknown(n.id.as_str().into())),
                _ => None,
            };
            facts[at].not_computed = why;
        }
    }

    /// Evaluates derived metric `mi` in every scope of the operand reported in the
    /// fewest (`of_metric` holds each operand's series), adding a series for each scope
    /// with a value: the series made, how many values, and the periods without one.
    fn evaluate(
        &mut self,
        mi: u32,
        expr: &crate::formula::Expr,
        file: crate::source::FileId,
        operands: &[u32],
        of_metric: &[Vec<u32>],
    ) -> (Vec<u32>, u64, Option<Undefined>) {
        let (mut made, mut count, mut undefined) = (Vec::new(), 0, None::<Undefined>);
        let Some(&driver) = operands
            .iter()
            .min_by_key(|&&o| of_metric[o as usize].len())
        else {
            return (made, count, undefined);
        };
        let mut scope = String::new();
        let mut values: Vec<(Period, Num)> = Vec::new();
        let mut gaps: Vec<(Period, crate::formula::Undefined)> = Vec::new();
        for &si in &of_metric[driver as usize] {
            scope.clear();
            scope.push_str(self.scopes.get(si as usize));
            let Some(series) = self.operand_series(operands, driver, si, &scope) else {
                continue;
            };
            values.clear();
            gaps.clear();
            self.join(&series, |period, args| match expr.eval(args) {
                Ok(v) => values.push((period, v)),
                Err(why) => gaps.push((period, why)),
            });
            if let Some(&(period, why)) = gaps.last() {
                // The latest period without a value, of the first scope by name.
                let later = undefined
                    .as_ref()
                    .is_none_or(|u| period > u.period || (period == u.period && *scope < *u.scope));
                let u = undefined.get_or_insert_with(|| Undefined {
                    period,
                    scope: scope.as_str().into(),
                    why,
                    periods: 0,
                    scopes: 0,
                });
                if later {
                    u.period = period;
                    u.scope = scope.as_str().into();
                    u.why = why;
                }
                u.periods += gaps.len() as u64;
                u.scopes += 1;
            }
            if values.is_empty() {
                continue;
            }
            let id = self.metrics[mi as usize].id;
            let hash = self.key_hash(id.as_bytes(), scope.as_bytes());
            let new = self.add_series(hash, mi, &scope);
            for &(period, v) in &values {
                // A derived value has no row: its place is the formula (see
                // `SeriesFacts::at`), and line 0 says so.
                self.insert_point(new, Point::new(period, v, file, 0));
            }
            count += values.len() as u64;
            made.push(new);
        }
        (made, count, undefined)
    }

    /// The least and greatest value the windows of `series` hold, if any.
    fn range_of(&self, series: &[u32]) -> Option<(f64, f64)> {
        series
            .iter()
            .flat_map(|&si| self.window_of(si as usize))
            .map(|p| p.value().value())
            .fold(None, |r, v| {
                Some(r.map_or((v, v), |(lo, hi): (f64, f64)| (lo.min(v), hi.max(v))))
            })
    }

    /// The series of each operand in the scope of series `si` (of operand `driver`), in
    /// the order of `operands`; `None` when one has none there.
    fn operand_series(
        &self,
        operands: &[u32],
        driver: u32,
        si: u32,
        scope: &str,
    ) -> Option<Vec<u32>> {
        operands
            .iter()
            .map(|&o| {
                if o == driver {
                    return Some(si);
                }
                let id = self.metrics[o as usize].id;
                self.find(
                    self.key_hash(id.as_bytes(), scope.as_bytes()),
                    id.as_bytes(),
                    scope.as_bytes(),
                )
            })
            .collect()
    }

    /// Calls `each` with every period all of `series` hold a value for, oldest first, and
    /// their values in the order of `series`: one pass over their windows, which are in
    /// period order.
    fn join(&self, series: &[u32], mut each: impl FnMut(Period, &[Num])) {
        let windows: Vec<&[Point]> = series
            .iter()
            .map(|&si| self.window_of(si as usize))
            .collect();
        let mut at = vec![0usize; windows.len()];
        let mut args: Vec<Num> = Vec::with_capacity(windows.len());
        'periods: loop {
            // The latest of the current heads: every other head must reach it.
            let mut head = None;
            for (w, &i) in windows.iter().zip(&at) {
                let Some(p) = w.get(i) else { break 'periods };
                head = head.max(Some(p.order()));
            }
            let Some(head) = head else { return };
            let mut all = true;
            for (w, i) in windows.iter().zip(at.iter_mut()) {
                while w.get(*i).is_some_and(|p| p.order() < head) {
                    *i += 1;
                }
                match w.get(*i) {
                    Some(p) if p.order() == head => {}
                    Some(_) => all = false,
                    None => break 'periods,
                }
            }
            if !all {
                continue;
            }
            args.clear();
            args.extend(windows.iter().zip(&at).map(|(w, &i)| w[i].value()));
            each(windows[0][at[0]].period(), &args);
            for i in &mut at {
                *i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze::data::{DataFacts, read_bytes};
    use crate::analyze::testing::Inputs;
    use crate::parse::DataFormat;

    const CATALOGUE: &str = r#"
[catalogue]
id = "c"

[[metric]]
id = "points"
formula = "rate / 10"

[[metric]]
id = "rate"
unit = "percent"
direction = "lower_is_better"
thresholds = { target = 2, warn = 7, critical = 10 }
formula = "100 * orphaned / total"

[[metric]]
id = "orphaned"

[[metric]]
id = "total"
"#;

    /// Every derived series as `metric scope: period=value ...`, sorted.
    fn derived(facts: &DataFacts<'_>) -> Vec<String> {
        let mut out: Vec<String> = facts
            .series()
            .filter(crate::analyze::data::SeriesFacts::is_derived)
            .map(|s| {
                let values: Vec<String> = s
                    .points
                    .iter()
                    .map(|p| format!("{}={}", p.period(), p.value()))
                    .collect();
                format!("{} {}: {}", s.metric.id, s.scope, values.join(" "))
            })
            .collect();
        out.sort();
        out
    }

    fn read(csv: &str) -> Vec<String> {
        let inputs = Inputs::new(None, CATALOGUE);
        let ctx = inputs.ctx();
        derived(&read_bytes(&ctx, csv.as_bytes(), DataFormat::Csv))
    }

    #[test]
    fn a_formula_is_evaluated_per_period_and_scope() {
        let csv = "metric,period,value,scope\n\
            orphaned,2026-08,3,x\norphaned,2026-09,2,x\norphaned,2026-10,1,x\n\
            total,2026-09,100,x\ntotal,2026-10,50,x\ntotal,2026-08,60,x\n\
            orphaned,2026-10,5,y\ntotal,2026-10,50,\n\
            orphaned,2026-Q3,5,z\ntotal,2026-09,50,z\n";
        assert_eq!(
            read(csv),
            [
                // A derived KPI of a derived KPI, defined before it, is evaluated after it.
                "points x: 2026-08=0.5 2026-09=0.2 2026-10=0.2",
                "rate x: 2026-08=5 2026-09=2 2026-10=2",
                // `y` reports no total, the total has no scope: no value in either. `z`
                // reports a quarter and a month: not the same period.
            ]
        );
    }

    #[test]
    fn the_policy_s_formula_binds_a_catalogue_metric() {
        // The policy derives `rate` and measures `count`: a catalogue metric of either id
        // with a formula of its own does not change how it is computed, nor does one that
        // implements `rate` under its own id with another formula.
        let inputs = Inputs::new(
            Some(
                "[policy]\nid = \"p\"\n[[kpi]]\nid = \"rate\"\nformula = \"100 * a / b\"\n\
                 [[kpi]]\nid = \"count\"\n",
            ),
            "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"a\"\n[[metric]]\nid = \"b\"\n\
             [[metric]]\nid = \"rate\"\nformula = \"a / b\"\n\
             [[metric]]\nid = \"count\"\nformula = \"a + b\"\n\
             [[metric]]\nid = \"team-rate\"\nimplements = \"rate\"\nformula = \"a * b\"\n\
             [[metric]]\nid = \"same-rate\"\nimplements = \"rate\"\nformula = \"(100 * a) / b\"\n",
        );
        let ctx = inputs.ctx();
        let csv =
            "metric,period,value\na,2026-10,1\nb,2026-10,4\ncount,2026-10,7\nteam-rate,2026-10,9\n";
        let facts = read_bytes(&ctx, csv.as_bytes(), DataFormat::Csv);
        assert_eq!(
            derived(&facts),
            [
                "rate : 2026-10=25",
                // The KPI's very formula, under a metric's own id: derived by it.
                "same-rate : 2026-10=25",
            ]
        );
        let value = |id: &str| {
            let s = facts.series().find(|s| s.metric.id == id).unwrap();
            s.latest.value().to_string()
        };
        assert_eq!(value("count"), "7", "measured, as the policy says");
        assert_eq!(value("team-rate"), "9", "reported, its formula ignored");
    }

    #[test]
    fn a_ratio_at_a_threshold_is_at_it() {
        // 100 * 287 / 4100 is 7 exactly, at the warn threshold, not past it.
        let inputs = Inputs::new(None, CATALOGUE);
        let ctx = inputs.ctx();
        let csv = "metric,period,value\norphaned,2026-10,287\ntotal,2026-10,4100\n";
        let facts = read_bytes(&ctx, csv.as_bytes(), DataFormat::Csv);
        let rate = facts.series().find(|s| s.metric.id == "rate").unwrap();
        assert_eq!(rate.latest.value().to_string(), "7");
        assert!(rate.past().is_none(), "at 7, not past it");
    }

    #[test]
    fn rows_for_a_derived_metric_are_counted_never_taken() {
        let inputs = Inputs::new(None, CATALOGUE);
        let ctx = inputs.ctx();
        let csv = "metric,period,value\nrate,2026-09,4\norphaned,2026-10,1\ntotal,2026-10,0\nrate,2026-10,3\n";
        let facts = read_bytes(&ctx, csv.as_bytes(), DataFormat::Csv);
        assert_eq!(derived(&facts), Vec::<String>::new());
        let (info, rate) = facts.formulas().find(|(i, _)| i.id == "rate").unwrap();
        assert_eq!(info.rows, 0);
        let direct = rate.direct.unwrap();
        assert_eq!((direct.line, direct.rows), (2, 2));
        let undefined = rate.undefined.as_ref().unwrap();
        assert_eq!(
            (undefined.period.to_string(), undefined.periods),
            ("2026-10".into(), 1)
        );
        assert!(rate.evaluable);
        // `points` names `rate`, which gave no value: evaluated, and empty.
        let (_, points) = facts.formulas().find(|(i, _)| i.id == "points").unwrap();
        assert!(points.evaluable && points.values == 0 && points.undefined.is_none());
    }

    #[test]
    fn a_broken_formula_is_not_evaluated_and_what_names_it_says_so() {
        let inputs = Inputs::new(
            None,
            "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"a\"\n[[metric]]\nid = \"r\"\nformula = \"a +\"\n\
             [[metric]]\nid = \"s\"\nformula = \"r * 2\"\n[[metric]]\nid = \"t\"\nformula = \"nothing * a\"\n\
             [[metric]]\nid = \"x\"\nformula = \"y + a\"\n[[metric]]\nid = \"y\"\nformula = \"x + a\"\n\
             [[metric]]\nid = \"z\"\nformula = \"a + x\"\n",
        );
        let mut ctx = inputs.ctx();
        let facts = read_bytes(&ctx, b"metric,period,value\na,2026-10,1\n", DataFormat::Csv);
        assert!(facts.formulas().all(|(_, f)| !f.evaluable));
        // Missing from the scorecard (which lists them). `r` (does not parse), `t` (names
        // an unknown id) and the circle `x`, `y` have their formula's own finding, not
        // `missing-data`; `s` and `z`, which name what is not computed, have none else.
        assert_eq!(facts.missing(&ctx).count(), 6);
        let missing = |ctx: &crate::analyze::Context<'_>| {
            let mut diags = crate::diag::Diagnostics::default();
            crate::pipeline::run_data_rules(&facts, ctx, &mut diags);
            let mut out: Vec<String> = diags.findings.iter().map(|f| f.message.plain()).collect();
            out.sort();
            out
        };
        assert_eq!(
            missing(&ctx),
            [
                "derived metric `s` is not computed: its formula names `r`, which is not computed",
                "derived metric `z` is not computed: its formula names `x`, which is not computed",
            ]
        );
        // In a partial run `formula-unknown-metric` cannot judge `nothing`: this does.
        ctx.partial = true;
        assert!(
            missing(&ctx).contains(
                &"derived metric `t` is not computed: its formula names `nothing`, which no file checked defines"
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_formula_undefined_everywhere_is_missing_for_that_reason() {
        let inputs = Inputs::new(None, CATALOGUE);
        let ctx = inputs.ctx();
        let csv = "metric,period,value\norphaned,2026-10,1\ntotal,2026-10,0\n";
        let facts = read_bytes(&ctx, csv.as_bytes(), DataFormat::Csv);
        let mut diags = crate::diag::Diagnostics::default();
        crate::pipeline::run_data_rules(&facts, &ctx, &mut diags);
        let missing: Vec<String> = diags
            .findings
            .iter()
            .filter(|f| f.rule.name == "missing-data")
            .map(|f| f.message.plain())
            .collect();
        assert!(
            missing
                .iter()
                .any(|m| m
                    .contains("`rate` has no value: its formula divides by zero at every period")),
            "{missing:?}"
        );
        // `points` names `rate`, which has no value: neither is reported.
        assert!(
            missing.iter().all(|m| !m.contains("never reported")),
            "{missing:?}"
        );
        assert_eq!(missing.len(), 2, "{missing:?}");
    }

    #[test]
    fn a_split_read_derives_what_a_sequential_one_does() {
        // Operands in both halves of the file, and rows reported for the derived metric
        // only in the second: a split read must shift their line to the whole file's.
        let mut rows = vec!["metric,period,value,scope".to_owned()];
        for p in 0..40 {
            let period = format!("{}-{:02}", 2023 + p / 12, p % 12 + 1);
            for scope in ["a", "b"] {
                rows.push(format!("orphaned,{period},{},{scope}", p % 5));
                rows.push(format!("total,{period},{},{scope}", 40 - p));
                if p >= 30 {
                    rows.push(format!("rate,{period},1,{scope}"));
                }
            }
        }
        let inputs = Inputs::new(None, CATALOGUE);
        let ctx = inputs.ctx();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, rows.join("\n") + "\n").unwrap();
        let first_rate = rows.iter().position(|r| r.starts_with("rate,")).unwrap() + 1;
        let middle = rows.len() / 2;
        assert!(
            first_rate > middle + 10,
            "{first_rate} is in the second half"
        );
        // Two threads, whatever this machine has: a split read is what is tested.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let read = |split_above| {
            pool.install(|| {
                let mut table = super::Table::new(&ctx);
                let split =
                    table.read_csv_split_above(&path, crate::source::FileId(2), split_above);
                let facts = table.finish(15);
                let direct: Vec<String> = facts
                    .formulas()
                    .map(|(i, f)| format!("{} {:?}", i.id, f.direct.map(|d| (d.line, d.rows))))
                    .collect();
                (split, derived(&facts), direct)
            })
        };
        let (split, derived_seq, direct_seq) = read(u64::MAX);
        assert!(!split);
        let (split, derived_split, direct_split) = read(0);
        assert!(split, "the file was read in two halves");
        assert_eq!(derived_seq, derived_split);
        assert_eq!(direct_seq, direct_split);
        assert_eq!(
            direct_seq,
            [
                "points None".to_owned(),
                format!("rate Some(({first_rate}, 20))")
            ]
        );
        assert_eq!(derived_seq.len(), 4);
    }
}
