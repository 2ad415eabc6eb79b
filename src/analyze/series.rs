//! The series table: data rows streamed into per-series windows.
//!
//! Memory is bounded by series x `trend_window`: rows are read one at a time and only the
//! latest `trend_window` periods of each (metric, scope) are kept. Problems with rows are
//! kept as [`RowFault`]s, repeated periods as counts; rules judge them all later.

use super::Context;
use super::data::{
    DataFacts, Effective, Fault, MetricInfo, Overflow, Point, Repeat, RowFault, Scopes, Series,
    UnknownMetric,
};
use super::number::{Reading, number_text, read_number};
use crate::hash::Map as HashMap;
use crate::model::{Metric, Unit};
use crate::period::Period;
use crate::source::FileId;

mod derived;

/// Rows repeating a period a series already has: how many, and the first of them.
#[derive(Debug, Clone, Copy)]
struct Dup {
    first: (FileId, u32),
    count: u64,
}

/// Rows reported for a derived metric, whose values its formula computes: counted, never
/// taken.
#[derive(Debug, Clone, Copy)]
pub(super) struct Direct {
    /// The first of them.
    pub(super) first: (FileId, u32),
    /// How many.
    pub(super) rows: u64,
}

/// Rows for an undefined metric.
struct Unknown {
    file: FileId,
    line: u32,
    rows: u64,
}

/// A row's value as written: `value`, or `numerator` and `denominator`.
#[derive(Clone, Copy)]
pub(super) enum RowValue<'r> {
    Value(&'r [u8]),
    Ratio(&'r [u8], &'r [u8]),
    Missing,
}

/// No series (yet).
const NO_SERIES: u32 = u32::MAX;

/// Streams data rows into series.
pub(super) struct Table<'a> {
    pub(super) window: usize,
    /// "Today": rows for periods that begin later are rejected.
    as_of: jiff::civil::Date,
    metrics: Vec<MetricInfo<'a>>,
    by_id: HashMap<&'a str, u32>,
    series: Vec<Series>,
    /// Every series' window, `window` slots a series (see [`Series`]).
    points: Vec<Point>,
    /// Repeated periods by (series, period). Reported at the end for the periods still in
    /// the window, so the outcome does not depend on where a split read cut the file; an
    /// entry goes when its period leaves the window.
    dups: HashMap<(u32, Period), Dup>,
    unknown: HashMap<String, Unknown>,
    /// Rows reported for derived metrics, by metric.
    direct: HashMap<u32, Direct>,
    /// The last period text parsed and its value: rows usually come grouped by period.
    last_period: (Vec<u8>, Option<Period>),
    /// Every series' scope (series `i`'s is `scopes.get(i)`).
    scopes: Scopes,
    /// Series by ([`Table::key_hash`], index), for rows the prediction below misses: the
    /// key itself is the series' metric id and scope, so no series owns a key of its own.
    series_by_key: hashbrown::HashTable<(u64, u32)>,
    hasher: foldhash::fast::RandomState,
    /// The series that followed each series last time (`NO_SERIES` if none yet), and the
    /// series of the last row. Exports repeat one series order period after period (or
    /// give a series' rows one after another), so the next row's series is almost always
    /// the one that followed last time: checking that guess reads memory in order, where
    /// a hash lookup would miss the cache on every row.
    next: Vec<u32>,
    last: u32,
    /// Rows that could not be taken: the first [`MAX_FAULTS`] of each file and kind (see
    /// [`fault_kind`]); the rest are only counted, so 5 million bad rows cost what 100 do.
    pub(super) faults: Vec<RowFault>,
    /// Rows that could not be taken, by (file, kind): (how many, the first line not kept).
    fault_counts: HashMap<(FileId, bool), (u64, Option<u64>)>,
    /// Rows for undefined metrics beyond the first [`MAX_UNKNOWN_KEPT`] ids (and, once
    /// finished, beyond the [`MAX_UNKNOWN`] listed).
    unknown_other: u64,
    /// The delimiter of the CSV file being read (`,` for NDJSON), which says how it writes
    /// numbers (see `number::number_text`).
    pub(super) delimiter: u8,
    /// How many series a fork of this table may meet before it stops reading (see
    /// `Table::read_split`).
    pub(super) fork_series: usize,
    /// In a fork, the series count at which it stops reading; `usize::MAX` elsewhere.
    pub(super) series_cap: usize,
    /// Where a fork stopped at its cap: the byte its next record starts at, and how many
    /// lines it read.
    pub(super) stopped: Option<(u64, u64)>,
    /// The line from which this table read on after its fork stopped at its cap, in the
    /// last split read (what tests observe of the cap).
    pub(super) read_on_from: Option<u64>,
}

/// Series a fork of a split read may meet (see `Table::read_split`): the fork holds its
/// own table, so a file of a million series read in two halves would hold two tables of a
/// million series each. Past this many, the fork stops and the file is read on by one
/// thread; a split read's extra memory stays a few megabytes.
pub(super) const FORK_SERIES: usize = 1 << 18;

/// Rows that could not be taken, kept with their findings, per data file and kind.
pub(super) const MAX_FAULTS: u64 = 100;
/// Undefined metric ids listed (each with its row count); the rest are only counted.
const MAX_UNKNOWN: usize = 1000;
/// Undefined metric ids a part of a read keeps while it reads: many more than it lists, so
/// that the ids a split read keeps, and their row counts, are those a sequential read keeps
/// (they differ only past this many distinct ids). The listed ones are chosen at the end.
const MAX_UNKNOWN_KEPT: usize = 64 * MAX_UNKNOWN;

/// The kind of a fault, as the rule that reports it: impossible for the unit, or unreadable.
fn fault_kind(fault: &Fault) -> bool {
    matches!(fault, Fault::OutOfDomain { .. })
}

impl<'a> Table<'a> {
    /// A table for the metrics and KPIs of `ctx`.
    pub(super) fn new(ctx: &Context<'a>) -> Self {
        let mut table = Self::empty(
            ctx.policy.trend_window(),
            ctx.as_of,
            Vec::new(),
            HashMap::default(),
        );
        for m in ctx.metrics() {
            if table.by_id.contains_key(m.id.value.as_str()) {
                continue; // `duplicate-id`
            }
            table.add(&m.id.value, Some(m), ctx.kpi_for(m));
        }
        for k in &ctx.policy.kpis {
            if !table.by_id.contains_key(k.id.value.as_str()) {
                table.add(&k.id.value, None, Some(k));
            }
        }
        table
    }

    fn add(&mut self, id: &'a str, metric: Option<&'a Metric>, kpi: Option<&'a Metric>) {
        let unit = metric
            .and_then(|m| m.unit.as_ref())
            .or(kpi.and_then(|k| k.unit.as_ref()))
            .map(|u| u.value);
        let idx = u32::try_from(self.metrics.len()).unwrap_or(u32::MAX);
        self.metrics.push(MetricInfo {
            id,
            metric,
            kpi,
            unit,
            rows: 0,
            rejected: 0,
            scale: metric.and_then(|m| m.scale.as_ref()).map(|s| s.value),
            range: None,
            formula: crate::model::Formula::of(id, metric, kpi),
        });
        self.by_id.insert(id, idx);
    }

    /// A table over these metrics that has read nothing yet.
    fn empty(
        window: usize,
        as_of: jiff::civil::Date,
        metrics: Vec<MetricInfo<'a>>,
        by_id: HashMap<&'a str, u32>,
    ) -> Self {
        Self {
            window,
            as_of,
            metrics,
            by_id,
            series: Vec::new(),
            points: Vec::new(),
            dups: HashMap::default(),
            unknown: HashMap::default(),
            direct: HashMap::default(),
            last_period: (Vec::new(), None),
            scopes: Scopes::default(),
            series_by_key: hashbrown::HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            next: Vec::new(),
            last: NO_SERIES,
            faults: Vec::new(),
            fault_counts: HashMap::default(),
            unknown_other: 0,
            delimiter: b',',
            fork_series: FORK_SERIES,
            series_cap: usize::MAX,
            stopped: None,
            read_on_from: None,
        }
    }

    pub(super) fn fault(&mut self, file: FileId, line: u64, fault: Fault) {
        let count = self
            .fault_counts
            .entry((file, fault_kind(&fault)))
            .or_insert((0, None));
        count.0 += 1;
        if count.0 <= MAX_FAULTS {
            self.faults.push(RowFault {
                file,
                line,
                columns: None,
                fault,
            });
        } else {
            let first = count.1.get_or_insert(line);
            *first = (*first).min(line);
        }
    }

    /// A row of metric `mi` that could not be taken.
    fn reject(&mut self, mi: u32, file: FileId, line: u64, fault: Fault) {
        self.metrics[mi as usize].rejected += 1;
        self.fault(file, line, fault);
    }

    /// Takes one row. Text fields come as bytes: the common case, a known series, never
    /// decodes `metric` or `scope`, and usually needs no hash lookup (see [`Table::next`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn row(
        &mut self,
        file: FileId,
        line: u64,
        metric: &[u8],
        period: &[u8],
        value: RowValue<'_>,
        scope: &[u8],
        source: &[u8],
    ) {
        let guess = self
            .next
            .get(self.last as usize)
            .copied()
            .unwrap_or(NO_SERIES);
        let si = if guess != NO_SERIES && self.key_is(guess, metric, scope) {
            guess
        } else {
            let hash = self.key_hash(metric, scope);
            let found = match self.find(hash, metric, scope) {
                Some(si) => si,
                None => match self.new_series(hash, file, line, metric, scope) {
                    Some(si) => si,
                    None => return,
                },
            };
            if let Some(slot) = self.next.get_mut(self.last as usize) {
                *slot = found;
            }
            found
        };
        self.last = si;
        let mi = self.series[si as usize].metric;
        if self.last_period.0 != period {
            self.last_period.0.clear();
            self.last_period.0.extend_from_slice(period);
            self.last_period.1 = std::str::from_utf8(period).ok().and_then(Period::parse);
        }
        let Some(period_v) = self.last_period.1 else {
            let p = String::from_utf8_lossy(period).into_owned();
            return self.reject(mi, file, line, Fault::NotAPeriod(p));
        };
        // A period that has not begun cannot hold a measured value, and must never become
        // the latest one (a row dated 9999 would hide every breach).
        if period_v.start > self.as_of {
            let fault = Fault::NotBegun {
                period: period_v,
                as_of: self.as_of,
            };
            return self.reject(mi, file, line, fault);
        }
        let unit = self.metrics[mi as usize].unit;
        let v = match value_of(unit, value) {
            Ok(v) => v,
            Err(fault) => match spreadsheet_value(unit, value, self.delimiter) {
                Some(v) => v,
                None => return self.reject(mi, file, line, fault),
            },
        };
        // `scale` converts a plain value; a ratio (x100 for percent) or a `95%` already
        // says what it is.
        let v = match (self.metrics[mi as usize].scale, value) {
            (Some(exponent), RowValue::Value(text)) if exponent != 0 && !text.contains(&b'%') => {
                v.scaled(exponent)
            }
            _ => v,
        };
        if let Some(unit) = unit
            && !unit
                .admits_binary(v.value)
                .unwrap_or_else(|| unit.admits(v.num()))
        {
            let metric = String::from_utf8_lossy(metric).into_owned();
            let fault = Fault::OutOfDomain {
                metric,
                scope: self.scopes.get(si as usize).into(),
                period: period_v,
                value: v.num(),
                unit,
            };
            return self.reject(mi, file, line, fault);
        }
        let line32 = u32::try_from(line).unwrap_or(u32::MAX);
        let info = &mut self.metrics[mi as usize];
        info.rows += 1;
        info.range = Some(info.range.map_or((v.value, v.value), |(lo, hi)| {
            (lo.min(v.value), hi.max(v.value))
        }));
        let series = &mut self.series[si as usize];
        if source.trim_ascii().eq_ignore_ascii_case(b"manual") {
            series.manual_rows += 1;
            series.first_manual.get_or_insert((file, line32));
        }
        self.insert_point(si, Point::read(period_v, v, file, line32));
    }

    /// Whether series `si` is (`metric`, `scope`), without building its key.
    fn key_is(&self, si: u32, metric: &[u8], scope: &[u8]) -> bool {
        let s = &self.series[si as usize];
        self.scopes.get(si as usize).as_bytes() == scope
            && self.metrics[s.metric as usize].id.as_bytes() == metric
    }

    /// The series (`metric`, `scope`), whose [`Table::key_hash`] is `hash`, if there is one.
    fn find(&self, hash: u64, metric: &[u8], scope: &[u8]) -> Option<u32> {
        self.series_by_key
            .find(hash, |&(h, si)| h == hash && self.key_is(si, metric, scope))
            .map(|&(_, si)| si)
    }

    /// Creates the series of a row whose key (hashed to `hash`) was not seen yet; counts
    /// rows for unknown metrics and returns `None` for them.
    fn new_series(
        &mut self,
        hash: u64,
        file: FileId,
        line: u64,
        metric: &[u8],
        scope: &[u8],
    ) -> Option<u32> {
        let (Ok(metric), Ok(scope)) = (std::str::from_utf8(metric), std::str::from_utf8(scope))
        else {
            self.fault(file, line, Fault::NotUtf8);
            return None;
        };
        let Some(&mi) = self.by_id.get(metric) else {
            if metric.is_empty() {
                self.fault(file, line, Fault::EmptyMetric);
                return None;
            }
            if self.unknown.len() >= MAX_UNKNOWN_KEPT && !self.unknown.contains_key(metric) {
                self.unknown_other += 1;
                return None;
            }
            let u = self.unknown.entry(metric.to_owned()).or_insert(Unknown {
                file,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                rows: 0,
            });
            u.rows += 1;
            return None;
        };
        // A derived metric's values are computed: rows reported for it are counted, never
        // taken (and so never found as a series: each comes here).
        if self.metrics[mi as usize].formula().is_some() {
            let at = (file, u32::try_from(line).unwrap_or(u32::MAX));
            let d = self
                .direct
                .entry(mi)
                .or_insert(Direct { first: at, rows: 0 });
            d.rows += 1;
            d.first = d.first.min(at);
            return None;
        }
        Some(self.add_series(hash, mi, scope))
    }

    /// The hash of series (`metric`, `scope`). Hashing the metric's length first keeps
    /// (`a`, `bc`) and (`ab`, `c`) apart; equal hashes are told apart by [`Table::key_is`].
    /// The hasher is seeded at random: scopes come from untrusted data, and a file of
    /// scopes crafted to collide under a fixed hash would make every lookup a scan.
    fn key_hash(&self, metric: &[u8], scope: &[u8]) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = self.hasher.build_hasher();
        h.write_usize(metric.len());
        h.write(metric);
        h.write(scope);
        h.finish()
    }

    /// The index of series (`mi`, `scope`), created if new.
    fn series_index(&mut self, mi: u32, scope: &str) -> u32 {
        let id = self.metrics[mi as usize].id;
        let hash = self.key_hash(id.as_bytes(), scope.as_bytes());
        match self.find(hash, id.as_bytes(), scope.as_bytes()) {
            Some(si) => si,
            None => self.add_series(hash, mi, scope),
        }
    }

    /// Adds series (`mi`, `scope`), whose [`Table::key_hash`] is `hash`.
    fn add_series(&mut self, hash: u64, mi: u32, scope: &str) -> u32 {
        let si = u32::try_from(self.series.len()).unwrap_or(u32::MAX);
        self.series_by_key
            .insert_unique(hash, (hash, si), |&(h, _)| h);
        self.scopes.push(scope);
        self.next.push(NO_SERIES);
        self.series.push(Series {
            metric: mi,
            len: 0,
            manual_rows: 0,
            first_manual: None,
        });
        self.points
            .resize(self.points.len() + self.window, Point::EMPTY);
        si
    }

    /// The kept points of series `si`, oldest first.
    fn window_of(&self, si: usize) -> &[Point] {
        &self.points[si * self.window..][..self.series[si].len as usize]
    }

    /// Adds a value to a series' window; a second value for a kept period is counted as a
    /// repeat (see [`Table::dups`]), never averaged.
    fn insert_point(&mut self, si: u32, point: Point) {
        let w = self.window;
        let series = &mut self.series[si as usize];
        let len = series.len as usize;
        let slots = &mut self.points[si as usize * w..][..w];
        // Rows usually come oldest first: the new point is the latest.
        let evicted = if len == 0 || slots[len - 1].order() < point.order() {
            if len < w {
                slots[len] = point;
                series.len += 1;
                return;
            }
            let oldest = slots[0].period();
            slots.copy_within(1.., 0);
            slots[w - 1] = point;
            oldest
        } else {
            let pos = slots[..len].partition_point(|p| p.order() < point.order());
            if pos < len && slots[pos].order() == point.order() {
                let at = (point.file, point.line);
                let dup = self.dups.entry((si, point.period())).or_insert(Dup {
                    first: at,
                    count: 0,
                });
                dup.count += 1;
                dup.first = dup.first.min(at);
                return;
            }
            if len < w {
                slots.copy_within(pos..len, pos + 1);
                slots[pos] = point;
                series.len += 1;
                return;
            }
            if pos == 0 {
                return; // older than every kept period
            }
            let oldest = slots[0].period();
            slots.copy_within(1..pos, 0);
            slots[pos - 1] = point;
            oldest
        };
        if !self.dups.is_empty() {
            self.dups.remove(&(si, evicted));
        }
    }

    /// How many series it has met.
    pub(super) fn series_len(&self) -> usize {
        self.series.len()
    }

    /// A fresh table over the same metrics, for reading part of a file on another thread;
    /// its state joins this one's with [`Table::merge`]. It stops reading once it has met
    /// this table's `fork_series` series.
    pub(super) fn fork(&self) -> Self {
        let metrics = self
            .metrics
            .iter()
            .map(|m| MetricInfo {
                rows: 0,
                rejected: 0,
                ..*m
            })
            .collect();
        let mut fork = Self::empty(self.window, self.as_of, metrics, self.by_id.clone());
        fork.series_cap = self.fork_series;
        fork
    }

    /// Joins the state of a fork that read a later part of the same file.
    pub(super) fn merge(&mut self, other: Self) {
        for (mine, theirs) in self.metrics.iter_mut().zip(&other.metrics) {
            mine.rows += theirs.rows;
            mine.rejected += theirs.rejected;
            mine.range = match (mine.range, theirs.range) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (r, None) | (None, r) => r,
            };
        }
        // The fork usually met its series in the order this table did: the series after
        // the last one merged is checked first, which reads memory in order where a hash
        // lookup would miss the cache on every series.
        let mut guess = 0;
        for (i, s) in other.series.iter().enumerate() {
            let scope = other.scopes.get(i);
            let si = if self
                .series
                .get(guess as usize)
                .is_some_and(|g| g.metric == s.metric)
                && self.scopes.get(guess as usize) == scope
            {
                guess
            } else {
                self.series_index(s.metric, scope)
            };
            guess = si.saturating_add(1);
            let mine = &mut self.series[si as usize];
            mine.manual_rows += s.manual_rows;
            if mine.first_manual.is_none() {
                mine.first_manual = s.first_manual;
            }
            for &p in other.window_of(i) {
                self.insert_point(si, p);
            }
        }
        for ((osi, period), d) in other.dups {
            let s = &other.series[osi as usize];
            let si = self.series_index(s.metric, other.scopes.get(osi as usize));
            let mine = self.dups.entry((si, period)).or_insert(Dup {
                first: d.first,
                count: 0,
            });
            mine.count += d.count;
            mine.first = mine.first.min(d.first);
        }
        for (id, u) in other.unknown {
            let e = self.unknown.entry(id).or_insert(Unknown {
                file: u.file,
                line: u.line,
                rows: 0,
            });
            e.rows += u.rows;
        }
        self.faults.extend(other.faults);
        for (key, (n, first)) in other.fault_counts {
            let mine = self.fault_counts.entry(key).or_insert((0, None));
            mine.0 += n;
            mine.1 = match (mine.1, first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        self.unknown_other += other.unknown_other;
        for (mi, d) in other.direct {
            let mine = self.direct.entry(mi).or_insert(Direct {
                first: d.first,
                rows: 0,
            });
            mine.rows += d.rows;
            mine.first = mine.first.min(d.first);
        }
    }

    /// Moves every line this table recorded `by` lines down: a fork numbers the lines of
    /// its part of a file from 1, and learns where that part starts only at the end.
    pub(super) fn shift_lines(&mut self, by: u64) {
        let by32 = u32::try_from(by).unwrap_or(u32::MAX);
        for p in &mut self.points {
            p.line = p.line.saturating_add(by32);
        }
        for s in &mut self.series {
            if let Some((_, line)) = &mut s.first_manual {
                *line = line.saturating_add(by32);
            }
        }
        for u in self.unknown.values_mut() {
            u.line = u.line.saturating_add(by32);
        }
        for d in self.dups.values_mut() {
            d.first.1 = d.first.1.saturating_add(by32);
        }
        for d in self.direct.values_mut() {
            d.first.1 = d.first.1.saturating_add(by32);
        }
        for f in &mut self.faults {
            f.line = f.line.saturating_add(by);
        }
        for (_, first) in self.fault_counts.values_mut() {
            if let Some(line) = first {
                *line = line.saturating_add(by);
            }
        }
    }

    /// The facts of everything read.
    pub(super) fn finish(mut self, grace_days: i64) -> DataFacts<'a> {
        let overflow = self.trim_faults();
        let mut unknown: Vec<UnknownMetric> = std::mem::take(&mut self.unknown)
            .into_iter()
            .map(|(id, u)| UnknownMetric {
                id,
                file: u.file,
                line: u.line,
                rows: u.rows,
            })
            .collect();
        // The first ids in reading order are listed, however many parts read them.
        if unknown.len() > MAX_UNKNOWN {
            unknown.sort_by_key(|u| (u.file, u.line));
            for u in unknown.drain(MAX_UNKNOWN..) {
                self.unknown_other += u.rows;
            }
        }
        unknown.sort_by(|a, b| a.id.cmp(&b.id));
        let mut dups: Vec<_> = std::mem::take(&mut self.dups).into_iter().collect();
        dups.sort_by_key(|(_, d)| d.first);
        let repeats = dups
            .into_iter()
            .filter_map(|((si, period), d)| {
                let window = self.window_of(si as usize);
                // A period that left the window is no longer judged.
                let kept = window.binary_search_by(|p| p.period().cmp(&period)).ok()?;
                let s = &self.series[si as usize];
                Some(Repeat {
                    metric: self.metrics[s.metric as usize].id,
                    scope: self.scopes.get(si as usize).into(),
                    period,
                    first: d.first,
                    count: d.count,
                    kept: window[kept],
                })
            })
            .collect();
        // Derived series join the table before anything is judged, so every rule and the
        // scorecard see them as they see reported ones.
        let (formulas, formula_budget) = self.evaluate_formulas();
        let derived = super::data::derive(
            &self.series,
            &self.points,
            self.window,
            &self.metrics,
            grace_days,
        );
        DataFacts {
            derived,
            thresholds: self
                .metrics
                .iter()
                .map(|m| Effective::of(m.metric, m.kpi))
                .collect(),
            window: self.window,
            metrics: self.metrics,
            by_id: self.by_id,
            series: self.series,
            scopes: self.scopes,
            points: self.points,
            faults: self.faults,
            overflow,
            unknown_other: self.unknown_other,
            unknown,
            repeats,
            formulas,
            formula_budget,
        }
    }
}

impl Table<'_> {
    /// Keeps the first [`MAX_FAULTS`] faults of each file and kind by line (a split read
    /// kept that many of each half) and says how many more there were.
    fn trim_faults(&mut self) -> Vec<Overflow> {
        self.faults
            .sort_by_key(|f| (f.file, fault_kind(&f.fault), f.line));
        let mut kept: HashMap<(FileId, bool), u64> = HashMap::default();
        let mut first_cut: HashMap<(FileId, bool), u64> = HashMap::default();
        self.faults.retain(|f| {
            let key = (f.file, fault_kind(&f.fault));
            let n = kept.entry(key).or_insert(0);
            *n += 1;
            if *n > MAX_FAULTS {
                first_cut.entry(key).or_insert(f.line);
            }
            *n <= MAX_FAULTS
        });
        self.faults.sort_by_key(|f| (f.file, f.line));
        let mut overflow: Vec<Overflow> = self
            .fault_counts
            .iter()
            .filter(|(_, (n, _))| *n > MAX_FAULTS)
            .map(|(&(file, out_of_domain), &(n, first))| {
                let cut = first_cut.get(&(file, out_of_domain)).copied();
                Overflow {
                    file,
                    out_of_domain,
                    rows: n - MAX_FAULTS,
                    first_line: match (first, cut) {
                        (Some(a), Some(b)) => a.min(b),
                        (a, b) => a.or(b).unwrap_or(1),
                    },
                }
            })
            .collect();
        overflow.sort_by_key(|o| (o.file, o.first_line));
        overflow
    }
}

/// The value of a row: `value`, or `numerator / denominator` (x 100 for a percent),
/// computed exactly so that a ratio at a threshold is at it.
fn value_of(unit: Option<Unit>, value: RowValue<'_>) -> Result<Reading, Fault> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let number = |b: &[u8]| read_number(b).map(Reading::num);
    match value {
        RowValue::Value(v) => read_number(v).ok_or_else(|| Fault::NotANumber(text(v))),
        RowValue::Ratio(n, d) => match (number(n), number(d)) {
            (Some(n), Some(d)) => {
                let ratio = n.divided_by(d).ok_or(Fault::ZeroDenominator)?;
                Ok(Reading::from(if unit == Some(Unit::Percent) {
                    ratio.times(100)
                } else {
                    ratio
                }))
            }
            _ => Err(Fault::RatioNotNumbers(text(n), text(d))),
        },
        RowValue::Missing => Err(Fault::NoValue),
    }
}

/// A row's value as a spreadsheet writes it, tried only once the plain reading failed, so
/// that the common row pays nothing for it: grouped thousands and a decimal comma as the
/// file's delimiter allows (see `number::number_text`), and for a percent metric a trailing
/// `%` (`95%` is 95).
#[cold]
fn spreadsheet_value(unit: Option<Unit>, value: RowValue<'_>, delimiter: u8) -> Option<Reading> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    match value {
        RowValue::Value(v) => {
            let v = match v.strip_suffix(b"%") {
                Some(n) if unit == Some(Unit::Percent) => n.trim_ascii_end(),
                _ => v,
            };
            read_number(number_text(v, delimiter, &mut a))
        }
        RowValue::Ratio(n, d) => {
            let n = number_text(n, delimiter, &mut a);
            let d = number_text(d, delimiter, &mut b);
            value_of(unit, RowValue::Ratio(n, d)).ok()
        }
        RowValue::Missing => None,
    }
}
