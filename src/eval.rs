//! Data evaluation: stream CSV and NDJSON rows into per-series windows, then judge each
//! series' latest value, trend and freshness against the effective thresholds.
//!
//! Memory is bounded by series x `trend_window`: rows are read one at a time and only the
//! latest `trend_window` periods of each (metric, scope) are kept.

use crate::diag::{Diagnostics, Label, Message};
use crate::lint::{LintContext, num};
use crate::model::{Cadence, Direction, Level3, Metric, Tier, Trend, Unit};
use crate::period::{Period, PeriodKind};
use crate::rules::{
    DUPLICATE_ROW, MALFORMED_ROW, MANUAL_DATA, MISSING_DATA, NEGATIVE_TREND, STALE_DATA,
    THRESHOLD_BREACH, THRESHOLD_WARN, UNKNOWN_METRIC_DATA, VALUE_OUT_OF_DOMAIN,
};
use crate::source::FileId;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Relative change over the window within which a trend counts as flat.
pub const FLAT_BAND: f64 = 0.02;
/// Fewest periods that make a trend.
pub const MIN_TREND_POINTS: usize = 3;

/// One kept value of a series.
#[derive(Debug, Clone, Copy)]
struct Point {
    period: Period,
    value: f64,
    file: FileId,
    line: u32,
}

impl Point {
    /// A free slot of a series' window.
    const EMPTY: Self = Self {
        period: Period {
            end: jiff::civil::Date::ZERO,
            start: jiff::civil::Date::ZERO,
            kind: PeriodKind::Day,
        },
        value: 0.0,
        file: FileId(0),
        line: 0,
    };
}

/// A (metric, scope) series. Its latest `window` values, oldest first, are
/// `Evaluator::points[index * window..][..len]`: one flat allocation for every series, so
/// a row touches one cache line of points, not a `Vec` of its own.
#[derive(Debug)]
struct Series {
    metric: u32,
    scope: Box<str>,
    len: u32,
    manual_rows: u64,
    first_manual: Option<(FileId, u32)>,
}

/// What the evaluator knows about a metric id.
struct MetricInfo<'a> {
    /// The catalogue metric, if one defines the id.
    metric: Option<&'a Metric>,
    /// The policy KPI behind it (or defining it).
    kpi: Option<&'a Metric>,
    unit: Option<Unit>,
    rows: u64,
}

/// Rows repeating a period a series already has: how many, and the first of them.
#[derive(Debug, Clone, Copy)]
struct Dup {
    first: (FileId, u32),
    count: u64,
}

/// Rows for an undefined metric.
struct Unknown {
    file: FileId,
    line: u32,
    rows: u64,
}

/// Streams data rows and evaluates series.
pub struct Evaluator<'a> {
    ctx: &'a LintContext<'a>,
    window: usize,
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
    /// The last period text parsed and its value: rows usually come grouped by period.
    last_period: (Vec<u8>, Option<Period>),
    /// Series by [`series_key`], for rows the prediction below misses.
    series_by_key: HashMap<Box<[u8]>, u32>,
    /// Every series' key, end to end: `keys[key_ends[i - 1]..key_ends[i]]` is series `i`'s.
    keys: Vec<u8>,
    key_ends: Vec<usize>,
    /// The series that followed each series last time (`NO_SERIES` if none yet), and the
    /// series of the last row. Exports repeat one series order period after period (or
    /// give a series' rows one after another), so the next row's series is almost always
    /// the one that followed last time: checking that guess reads memory in order, where
    /// a hash lookup would miss the cache on every row.
    next: Vec<u32>,
    last: u32,
    /// Scratch buffer for building a key.
    key: Vec<u8>,
    /// Findings raised while reading.
    pub diags: Diagnostics,
}

/// One line of the scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreLine {
    /// Metric id.
    pub metric: String,
    /// Scope (empty for none).
    pub scope: String,
    /// Latest value.
    pub latest: Option<f64>,
    /// Latest period.
    pub period: Option<String>,
    /// `ok`, `warn`, `breach`, `stale` or `missing`.
    pub status: &'static str,
    /// `up`, `down` or `flat`.
    pub trend: &'static str,
    /// Whether the latest value meets the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_met: Option<bool>,
    /// Unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
    /// Tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<&'static str>,
    /// Effective thresholds: target, warn, critical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Effective warn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn: Option<f64>,
    /// Effective critical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<f64>,
    /// The window's values, oldest first.
    pub window: Vec<f64>,
}

/// Effective numeric thresholds and trend target of a series.
#[derive(Debug, Clone, Copy, Default)]
struct Effective {
    direction: Option<Direction>,
    target: Option<(f64, FileId, crate::source::Span)>,
    warn: Option<(f64, FileId, crate::source::Span)>,
    critical: Option<(f64, FileId, crate::source::Span)>,
    trend: Option<Trend>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator for the metrics and KPIs of `ctx`.
    #[must_use]
    pub fn new(ctx: &'a LintContext<'a>) -> Self {
        let mut ev = Self::empty(ctx, Vec::new(), HashMap::default());
        for m in ctx.metrics() {
            if ev.by_id.contains_key(m.id.value.as_str()) {
                continue; // `duplicate-id`
            }
            let kpi = ctx.kpi_for(m);
            ev.add(&m.id.value, Some(m), kpi);
        }
        for k in &ctx.policy.kpis {
            if !ev.by_id.contains_key(k.id.value.as_str()) {
                ev.add(&k.id.value, None, Some(k));
            }
        }
        ev
    }

    fn add(&mut self, id: &'a str, metric: Option<&'a Metric>, kpi: Option<&'a Metric>) {
        let unit = metric
            .and_then(|m| m.unit.as_ref())
            .or(kpi.and_then(|k| k.unit.as_ref()))
            .map(|u| u.value);
        let idx = u32::try_from(self.metrics.len()).unwrap_or(u32::MAX);
        self.metrics.push(MetricInfo {
            metric,
            kpi,
            unit,
            rows: 0,
        });
        self.by_id.insert(id, idx);
    }

    fn malformed(&mut self, file: FileId, line: u64, message: Message) {
        self.diags
            .push(&MALFORMED_ROW, Label::at_line(file, line), message)
            .help("rows need `metric`, `period` (YYYY-MM, YYYY-Qn, YYYY-Www, YYYY-MM-DD or RFC 3339) and a numeric `value` (or `numerator` and `denominator`)");
    }

    /// Takes one row. `value` is the `value` column, or `numerator`/`denominator`. Text
    /// fields come as bytes: the common case, a known series, never decodes `metric` or
    /// `scope`, and usually needs no hash lookup (see [`Evaluator::next`]).
    #[allow(clippy::too_many_arguments)]
    fn row(
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
            series_key(&mut self.key, metric, scope);
            let found = match self.series_by_key.get(self.key.as_slice()) {
                Some(&si) => si,
                None => match self.new_series(file, line, metric, scope) {
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
            let p = String::from_utf8_lossy(period);
            return self.malformed(file, line, msg!("`{}` is not a period", p));
        };
        let unit = self.metrics[mi as usize].unit;
        let v = match value_of(unit, &value) {
            Ok(v) => v,
            Err(e) => return self.malformed(file, line, e),
        };
        if let Some(unit) = unit
            && !crate::rules::kpi102_unit_domain::in_domain(unit, v)
        {
            let metric = String::from_utf8_lossy(metric).into_owned();
            self.diags
                .push(
                    &VALUE_OUT_OF_DOMAIN,
                    Label::at_line(file, line),
                    msg!("`{}` reports {} for {}, impossible for unit `{}`", metric, num(v), period_v, unit.as_str()),
                )
                .subject(metric)
                .help("check the export: a ratio reported as a percent, or the reverse, is the usual cause");
            return;
        }
        let line32 = u32::try_from(line).unwrap_or(u32::MAX);
        self.metrics[mi as usize].rows += 1;
        let series = &mut self.series[si as usize];
        if source.trim_ascii().eq_ignore_ascii_case(b"manual") {
            series.manual_rows += 1;
            series.first_manual.get_or_insert((file, line32));
        }
        self.insert_point(
            si,
            Point {
                period: period_v,
                value: v,
                file,
                line: line32,
            },
        );
    }

    /// Whether series `si` is (`metric`, `scope`), without building its key.
    fn key_is(&self, si: u32, metric: &[u8], scope: &[u8]) -> bool {
        let si = si as usize;
        let start = if si == 0 { 0 } else { self.key_ends[si - 1] };
        let key = &self.keys[start..self.key_ends[si]];
        key.len() == 4 + metric.len() + scope.len()
            && key[4..4 + metric.len()] == *metric
            && key[4 + metric.len()..] == *scope
            && key[..4] == key_len_prefix(metric)
    }

    /// Finds or creates the series of a row whose key (in `self.key`) was not seen yet;
    /// counts rows for unknown metrics and returns `None` for them.
    fn new_series(&mut self, file: FileId, line: u64, metric: &[u8], scope: &[u8]) -> Option<u32> {
        let (Ok(metric), Ok(scope)) = (std::str::from_utf8(metric), std::str::from_utf8(scope))
        else {
            self.malformed(file, line, "`metric` or `scope` is not UTF-8".into());
            return None;
        };
        let Some(&mi) = self.by_id.get(metric) else {
            if metric.is_empty() {
                self.malformed(file, line, "empty `metric`".into());
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
        Some(self.add_series(mi, scope))
    }

    /// The index of series (`mi`, `scope`), created if new.
    fn series_index(&mut self, mi: u32, scope: &str) -> u32 {
        let id = self.metric_id(mi);
        series_key(&mut self.key, id.as_bytes(), scope.as_bytes());
        match self.series_by_key.get(self.key.as_slice()) {
            Some(&si) => si,
            None => self.add_series(mi, scope),
        }
    }

    /// Adds series (`mi`, `scope`), whose key is in `self.key`.
    fn add_series(&mut self, mi: u32, scope: &str) -> u32 {
        let si = u32::try_from(self.series.len()).unwrap_or(u32::MAX);
        self.series_by_key
            .insert(self.key.clone().into_boxed_slice(), si);
        self.keys.extend_from_slice(&self.key);
        self.key_ends.push(self.keys.len());
        self.next.push(NO_SERIES);
        self.series.push(Series {
            metric: mi,
            scope: scope.into(),
            len: 0,
            manual_rows: 0,
            first_manual: None,
        });
        self.points
            .resize(self.points.len() + self.window, Point::EMPTY);
        si
    }

    fn metric_id(&self, mi: u32) -> &'a str {
        let info = &self.metrics[mi as usize];
        info.metric.or(info.kpi).map_or("", |m| m.id.value.as_str())
    }

    /// The kept points of series `si`, oldest first.
    fn window_of(&self, si: usize) -> &[Point] {
        &self.points[si * self.window..][..self.series[si].len as usize]
    }

    /// Adds a value to a series' window; a second value for a kept period is counted as a
    /// repeat (see [`Evaluator::dups`]), never averaged.
    fn insert_point(&mut self, si: u32, point: Point) {
        let w = self.window;
        let series = &mut self.series[si as usize];
        let len = series.len as usize;
        let slots = &mut self.points[si as usize * w..][..w];
        // Rows usually come oldest first: the new point is the latest.
        let evicted = if len == 0 || slots[len - 1].period < point.period {
            if len < w {
                slots[len] = point;
                series.len += 1;
                return;
            }
            let oldest = slots[0].period;
            slots.copy_within(1.., 0);
            slots[w - 1] = point;
            oldest
        } else {
            let pos = slots[..len].partition_point(|p| p.period < point.period);
            if pos < len && slots[pos].period == point.period {
                let at = (point.file, point.line);
                let dup = self.dups.entry((si, point.period)).or_insert(Dup {
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
            let oldest = slots[0].period;
            slots.copy_within(1..pos, 0);
            slots[pos - 1] = point;
            oldest
        };
        if !self.dups.is_empty() {
            self.dups.remove(&(si, evicted));
        }
    }

    /// A fresh evaluator over the same metrics, for reading part of a file on another
    /// thread; its state joins this one's with [`Evaluator::merge`].
    fn fork(&self) -> Self {
        let metrics = self
            .metrics
            .iter()
            .map(|m| MetricInfo {
                metric: m.metric,
                kpi: m.kpi,
                unit: m.unit,
                rows: 0,
            })
            .collect();
        Self::empty(self.ctx, metrics, self.by_id.clone())
    }

    /// An evaluator over these metrics that has read nothing yet.
    fn empty(
        ctx: &'a LintContext<'a>,
        metrics: Vec<MetricInfo<'a>>,
        by_id: HashMap<&'a str, u32>,
    ) -> Self {
        Self {
            ctx,
            window: ctx.policy.trend_window(),
            metrics,
            by_id,
            series: Vec::new(),
            points: Vec::new(),
            dups: HashMap::default(),
            unknown: HashMap::default(),
            last_period: (Vec::new(), None),
            series_by_key: HashMap::default(),
            keys: Vec::new(),
            key_ends: Vec::new(),
            next: Vec::new(),
            last: NO_SERIES,
            key: Vec::new(),
            diags: Diagnostics::default(),
        }
    }

    /// Joins the state of a fork that read a later part of the same file.
    fn merge(&mut self, other: Self) {
        for (mine, theirs) in self.metrics.iter_mut().zip(&other.metrics) {
            mine.rows += theirs.rows;
        }
        for (i, s) in other.series.iter().enumerate() {
            let si = self.series_index(s.metric, &s.scope);
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
            let si = self.series_index(s.metric, &s.scope);
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
        self.diags.extend(other.diags);
    }

    /// Moves every line this evaluator recorded `by` lines down: a fork numbers the lines
    /// of its part of a file from 1, and learns where that part starts only at the end.
    fn shift_lines(&mut self, by: u64) {
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
        for f in &mut self.diags.findings {
            for label in std::iter::once(&mut f.primary).chain(&mut f.secondary) {
                if let Some(line) = &mut label.line {
                    *line = line.saturating_add(by32);
                }
            }
        }
    }

    /// Reads a CSV file, streaming. A large file is read by two threads from its middle
    /// line on; see [`Evaluator::read_split`].
    pub fn read_csv(&mut self, path: &Path, file: FileId) {
        self.read_csv_split_above(path, file, SPLIT_ABOVE);
    }

    /// Reads a CSV file, split between two threads above `split_above` bytes of records;
    /// returns whether it was.
    fn read_csv_split_above(&mut self, path: &Path, file: FileId, split_above: u64) -> bool {
        let mut rdr = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
            Ok(r) => r,
            Err(e) => {
                self.malformed(file, 1, msg!("cannot read: {}", e));
                return false;
            }
        };
        let headers = match rdr.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.malformed(file, 1, msg!("cannot read the header: {}", e));
                return false;
            }
        };
        let header_end = rdr.position().byte();
        drop(rdr);
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
        };
        let mut missing = Vec::new();
        let (metric, period) = (col("metric"), col("period"));
        let (value, numer, denom) = (col("value"), col("numerator"), col("denominator"));
        if metric.is_none() {
            missing.push("`metric`");
        }
        if period.is_none() {
            missing.push("`period`");
        }
        if value.is_none() && (numer.is_none() || denom.is_none()) {
            missing.push("`value` (or `numerator` and `denominator`)");
        }
        let (Some(metric), Some(period), true) = (metric, period, missing.is_empty()) else {
            self.header_missing(file, &missing);
            return false;
        };
        let cols = Columns {
            metric,
            period,
            value,
            numer,
            denom,
            scope: col("scope"),
            source: col("source"),
        };
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        let split = (size.saturating_sub(header_end) > split_above
            && rayon::current_num_threads() > 1)
            .then(|| line_after(path, header_end + (size - header_end) / 2))
            .flatten();
        match split {
            Some(at) => self.read_split(path, file, header_end, at, &cols),
            None => {
                self.read_range(path, file, header_end, None, &cols);
                false
            }
        }
    }

    /// Reads a CSV file on two threads: this one from `start`, a fork from `at`, the
    /// start of a line near the middle. Whether `at` starts a record is known only once
    /// this thread gets there (a quoted field may hold a line break): if it does, the
    /// fork's lines are renumbered and its state merged; if not, this thread reads on to
    /// the end and the fork's work is dropped, so the result is always a sequential
    /// read's. Returns whether the split held.
    fn read_split(
        &mut self,
        path: &Path,
        file: FileId,
        start: u64,
        at: u64,
        cols: &Columns,
    ) -> bool {
        let mut fork = self.fork();
        let mut first_half = None;
        std::thread::scope(|s| {
            let rest = s.spawn(|| {
                fork.read_from(path, file, at, None, 0, cols);
            });
            first_half = self.read_range(path, file, start, Some(at), cols);
            // A panic is a bug: never merge half a read as if it were whole.
            if let Err(panic) = rest.join() {
                std::panic::resume_unwind(panic);
            }
        });
        let Some(lines_before) = first_half else {
            return false;
        };
        fork.shift_lines(lines_before);
        self.merge(fork);
        true
    }

    /// Reads the records of a CSV file after its header, from byte `start` (the header's
    /// end) to the end of the file, or only to `stop` if a record ends there; returns the
    /// number of lines before `stop` when it stopped there.
    fn read_range(
        &mut self,
        path: &Path,
        file: FileId,
        start: u64,
        stop: Option<u64>,
        cols: &Columns,
    ) -> Option<u64> {
        self.read_from(path, file, start, stop, 1, cols)
    }

    /// Reads records from byte `start`, numbering lines from `base + 1`; see
    /// [`Evaluator::read_range`].
    fn read_from(
        &mut self,
        path: &Path,
        file: FileId,
        start: u64,
        mut stop: Option<u64>,
        base: u64,
        cols: &Columns,
    ) -> Option<u64> {
        use std::io::{Seek, SeekFrom};
        let mut f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.malformed(file, base + 1, msg!("cannot read: {}", e));
                return None;
            }
        };
        if let Err(e) = f.seek(SeekFrom::Start(start)) {
            self.malformed(file, base + 1, msg!("cannot read: {}", e));
            return None;
        }
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(BufReader::with_capacity(1 << 16, f));
        let mut record = csv::ByteRecord::new();
        loop {
            if let Some(at) = stop {
                let pos = rdr.position();
                let here = start + pos.byte();
                match here.cmp(&at) {
                    // A CRLF record ends at its `\r`: only line breaks (`\n`, or blank
                    // lines) between here and `at` still make `at` a record boundary.
                    std::cmp::Ordering::Less if at - here <= 8 => {
                        if let Some(breaks) = only_line_breaks(path, here, at) {
                            return Some(base + pos.line() - 1 + breaks);
                        }
                    }
                    std::cmp::Ordering::Less => {}
                    // `pos.line()` is the 1-based line of the next record.
                    std::cmp::Ordering::Equal => return Some(base + pos.line() - 1),
                    std::cmp::Ordering::Greater => stop = None,
                }
            }
            match rdr.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = base + e.position().map_or(0, csv::Position::line);
                    self.malformed(file, line, msg!("unreadable row: {}", e));
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        break;
                    }
                    continue;
                }
            }
            let line = base + record.position().map_or(0, csv::Position::line);
            let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(<[u8]>::trim_ascii);
            let (Some(m), Some(p)) = (field(Some(cols.metric)), field(Some(cols.period))) else {
                self.malformed(file, line, "row lacks `metric` or `period`".into());
                continue;
            };
            let v = match (field(cols.value), field(cols.numer), field(cols.denom)) {
                (Some(v), _, _) if !v.is_empty() => RowValue::Value(v),
                (_, Some(n), Some(d)) if !n.is_empty() => RowValue::Ratio(n, d),
                _ => RowValue::Missing,
            };
            let sc = field(cols.scope).unwrap_or_default();
            let so = field(cols.source).unwrap_or_default();
            self.row(file, line, m, p, v, sc, so);
        }
        None
    }

    fn header_missing(&mut self, file: FileId, missing: &[&str]) {
        self.diags
            .push(
                &MALFORMED_ROW,
                Label::at_line(file, 1),
                msg!("header lacks {}: no row of this file can be read", missing.join(", ")),
            )
            .help("the header needs `metric,period,value` (optional: `scope`, `source`; `numerator,denominator` instead of `value`)");
    }

    /// Reads an NDJSON file (one JSON object per line), streaming.
    pub fn read_ndjson(&mut self, path: &Path, file: FileId) {
        use serde_json::value::RawValue;
        use std::borrow::Cow;
        /// A row. Like a CSV file's extra columns, other keys are ignored; numbers may
        /// be written as JSON numbers or as strings.
        #[derive(serde::Deserialize)]
        struct Row<'r> {
            #[serde(borrow)]
            metric: Cow<'r, str>,
            #[serde(borrow)]
            period: Cow<'r, str>,
            #[serde(borrow, default)]
            value: Option<&'r RawValue>,
            #[serde(borrow, default)]
            numerator: Option<&'r RawValue>,
            #[serde(borrow, default)]
            denominator: Option<&'r RawValue>,
            #[serde(borrow, default)]
            scope: Option<Cow<'r, str>>,
            #[serde(borrow, default)]
            source: Option<Cow<'r, str>>,
        }
        /// A number's text: a JSON number as written, or a string's contents.
        fn number_text(raw: &RawValue) -> Cow<'_, str> {
            let text = raw.get();
            if text.starts_with('"') {
                serde_json::from_str::<Cow<'_, str>>(text).unwrap_or(Cow::Borrowed(text))
            } else {
                Cow::Borrowed(text)
            }
        }
        let mut reader = match std::fs::File::open(path) {
            Ok(f) => BufReader::with_capacity(1 << 16, f),
            Err(e) => return self.malformed(file, 1, msg!("cannot read: {}", e)),
        };
        let mut buf = Vec::new();
        let mut line = 0u64;
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => line += 1,
                Err(e) => return self.malformed(file, line + 1, msg!("cannot read: {}", e)),
            }
            let text = buf.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let row: Row<'_> = match serde_json::from_slice(text) {
                Ok(r) => r,
                Err(e) => {
                    // serde_json counts lines within the row; the row is one line.
                    let message = e.to_string();
                    let message = message
                        .rfind(" at line ")
                        .map_or(message.as_str(), |at| &message[..at]);
                    self.malformed(
                        file,
                        line,
                        msg!("not a data row: {} (column {})", message, e.column()),
                    );
                    continue;
                }
            };
            let (value, numerator, denominator) = (
                row.value.map(number_text),
                row.numerator.map(number_text),
                row.denominator.map(number_text),
            );
            let v = match (&value, &numerator, &denominator) {
                (Some(v), _, _) => RowValue::Value(v.as_bytes()),
                (None, Some(n), Some(d)) => RowValue::Ratio(n.as_bytes(), d.as_bytes()),
                _ => RowValue::Missing,
            };
            self.row(
                file,
                line,
                row.metric.as_bytes(),
                row.period.as_bytes(),
                v,
                row.scope.as_deref().unwrap_or("").as_bytes(),
                row.source.as_deref().unwrap_or("").as_bytes(),
            );
        }
    }

    /// Judges every series; returns the findings and the scorecard (board KPIs first).
    #[must_use]
    pub fn finish(mut self) -> (Diagnostics, Vec<ScoreLine>) {
        let ctx = self.ctx;
        let mut unknown: Vec<_> = std::mem::take(&mut self.unknown).into_iter().collect();
        unknown.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, u) in unknown {
            let hint = crate::suggest::closest(&id, self.by_id.keys().copied());
            let f = self
                .diags
                .push(
                    &UNKNOWN_METRIC_DATA,
                    Label::at_line(u.file, u64::from(u.line)),
                    msg!(
                        "{} row{} for `{}`, which no catalogue or policy defines",
                        u.rows,
                        if u.rows == 1 { "" } else { "s" },
                        id
                    ),
                )
                .subject(id.clone());
            f.help(crate::suggest::did_you_mean(
                hint,
                "define the metric in a catalogue, or fix the export",
            ));
        }
        self.report_repeats();
        let mut lines = Vec::new();
        let series = std::mem::take(&mut self.series);
        // A series is created at its first row, before the row is validated: one whose rows
        // were all malformed has no point and nothing to judge.
        for (i, s) in series.iter().enumerate() {
            let points = &self.points[i * self.window..][..s.len as usize];
            let info = &self.metrics[s.metric as usize];
            if let Some(line) = Self::judge(ctx, &mut self.diags, s, points, info) {
                lines.push(line);
            }
        }
        // Metrics with no rows at all.
        for m in ctx.metrics() {
            let Some(&mi) = self.by_id.get(m.id.value.as_str()) else {
                continue;
            };
            let info = &self.metrics[mi as usize];
            if info.rows > 0 || info.metric.map(|x| std::ptr::eq(x, m)) != Some(true) {
                continue;
            }
            self.diags
                .push(
                    &MISSING_DATA,
                    Label::at(m.file, m.id.span).with_message("no data"),
                    msg!("metric `{}` has no row in the data given", m.id.value),
                )
                .subject(m.id.value.clone())
                .help("report it, or remove it from the catalogue if it is no longer measured");
            lines.push(ScoreLine {
                metric: m.id.value.clone(),
                scope: String::new(),
                latest: None,
                period: None,
                status: "missing",
                trend: "flat",
                target_met: None,
                unit: info.unit.map(Unit::as_str),
                tier: tier(info).map(Tier::as_str),
                target: None,
                warn: None,
                critical: None,
                window: Vec::new(),
            });
        }
        let tier_rank = |t: Option<&str>| match t {
            Some("board") => 0,
            Some("tactical") => 1,
            Some("okr") => 2,
            _ => 3,
        };
        lines.sort_by(|a, b| {
            (tier_rank(a.tier), &a.metric, &a.scope).cmp(&(tier_rank(b.tier), &b.metric, &b.scope))
        });
        (self.diags, lines)
    }

    /// Reports the repeated periods still in their series' window, in file order.
    fn report_repeats(&mut self) {
        let mut dups: Vec<_> = std::mem::take(&mut self.dups).into_iter().collect();
        dups.sort_by_key(|(_, d)| d.first);
        for ((si, period), d) in dups {
            let window = self.window_of(si as usize);
            let Ok(kept) = window.binary_search_by(|p| p.period.cmp(&period)) else {
                continue; // its period left the window
            };
            let first = window[kept];
            let s = &self.series[si as usize];
            let metric = self.metric_id(s.metric).to_owned();
            let rows = if d.count == 1 {
                Message::text("a second row")
            } else {
                msg!("{} more rows", d.count)
            };
            let message = msg!(
                "{} for `{}`{} in {}; the first value ({}) is kept",
                rows,
                metric,
                scope_text(&s.scope),
                period,
                num(first.value)
            );
            self.diags
                .push(
                    &DUPLICATE_ROW,
                    Label::at_line(d.first.0, u64::from(d.first.1)),
                    message,
                )
                .subject(metric)
                .label(Label::at_line(first.file, u64::from(first.line)).with_message("first row"))
                .help("remove the extra rows: values for one period are never averaged");
        }
    }

    /// Judges a series from its kept `points`; `None` when it has none.
    fn judge(
        ctx: &LintContext<'_>,
        diags: &mut Diagnostics,
        s: &Series,
        points: &[Point],
        info: &MetricInfo<'_>,
    ) -> Option<ScoreLine> {
        let &latest = points.last()?;
        let id = info
            .metric
            .or(info.kpi)
            .map_or("", |m| m.id.value.as_str())
            .to_owned();
        let eff = effective(info);
        let at = Label::at_line(latest.file, u64::from(latest.line));
        let mut status = "ok";
        let period = latest.period.to_string();
        for (rule, level, name) in [
            (&THRESHOLD_BREACH, eff.critical, "critical"),
            (&THRESHOLD_WARN, eff.warn, "warn"),
        ] {
            let Some((t, file, span)) = level else {
                continue;
            };
            if eff.past(latest.value, t) {
                status = if name == "critical" { "breach" } else { "warn" };
                let how = match eff.target {
                    Some((tg, ..)) if eff.direction == Some(Direction::Stable) => msg!(
                        "more than {} from its target {} (its {} threshold is {})",
                        num((t - tg).abs()),
                        num(tg),
                        name,
                        num(t)
                    ),
                    _ => msg!("past its {} threshold {}", name, num(t)),
                };
                diags
                    .push(
                        rule,
                        at.clone(),
                        msg!(
                            "`{}`{} is {} in {}, {}",
                            id,
                            scope_text(&s.scope),
                            num(latest.value),
                            period,
                            how
                        ),
                    )
                    .subject(id.clone())
                    .label(Label::at(file, span).with_message(format!("{name} threshold")))
                    .help("the metric's owner should act; the escalation path starts here");
                break;
            }
        }
        let trend = trend(points);
        let against = match (eff.trend, eff.direction, trend) {
            (Some(Trend::Stable), _, t) => t != "flat",
            (Some(Trend::Down), _, "up") | (Some(Trend::Up), _, "down") => true,
            (None, Some(Direction::HigherIsBetter), "down")
            | (None, Some(Direction::LowerIsBetter), "up") => true,
            (None, Some(Direction::Stable), t) => t != "flat",
            _ => false,
        };
        if against && points.len() >= MIN_TREND_POINTS {
            let first = points[0];
            let wanted = eff.trend.map_or_else(
                || Message::text(eff.direction.map_or("", Direction::as_str)),
                |t| msg!("trend target `{}`", t.as_str()),
            );
            diags
                .push(
                    &NEGATIVE_TREND,
                    at.clone(),
                    msg!("`{}`{} is trending {} ({} in {} to {} in {}) against {}", id, scope_text(&s.scope), trend, num(first.value), first.period, num(latest.value), period, wanted),
                )
                .subject(id.clone())
                .help("a drift inside the thresholds is still a drift: find the cause before it breaches");
        }
        if let Some(due) = stale_after(info, &latest.period, ctx)
            && ctx.as_of > due
        {
            // A breach or warning on the latest value outranks its age.
            if status == "ok" {
                status = "stale";
            }
            diags
                .push(
                    &STALE_DATA,
                    at.clone(),
                    msg!(
                        "`{}`{}: latest value is for {}; the next was due by {}",
                        id,
                        scope_text(&s.scope),
                        period,
                        due
                    ),
                )
                .subject(id.clone())
                .help("report the missing periods, or fix the export that stopped");
        }
        if let Some((file, line)) = s.first_manual {
            diags
                .push(
                    &MANUAL_DATA,
                    Label::at_line(file, u64::from(line)),
                    msg!("`{}`{} has {} manually reported row{}", id, scope_text(&s.scope), s.manual_rows, if s.manual_rows == 1 { "" } else { "s" }),
                )
                .subject(id.clone())
                .help("automate the export from the system of record, or add an approved, expiring exception");
        }
        let target_met = match eff.direction {
            // A stable KPI meets its target while it stays inside its warn band.
            Some(Direction::Stable) => eff.warn.map(|(w, ..)| !eff.past(latest.value, w)),
            _ => eff.target.map(|(t, ..)| !eff.past(latest.value, t)),
        };
        Some(ScoreLine {
            metric: id,
            scope: s.scope.to_string(),
            latest: Some(latest.value),
            period: Some(period),
            status,
            trend,
            target_met,
            unit: info.unit.map(Unit::as_str),
            tier: tier(info).map(Tier::as_str),
            target: eff.target.map(|t| t.0),
            warn: eff.warn.map(|t| t.0),
            critical: eff.critical.map(|t| t.0),
            window: points.iter().map(|p| p.value).collect(),
        })
    }
}

/// Column positions of a CSV file.
struct Columns {
    metric: usize,
    period: usize,
    value: Option<usize>,
    numer: Option<usize>,
    denom: Option<usize>,
    scope: Option<usize>,
    source: Option<usize>,
}

/// Files with more data than this are read by two threads.
const SPLIT_ABOVE: u64 = 32 << 20;

/// The start of the first line after byte `from`, if the file has one.
fn line_after(path: &Path, from: u64) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let mut pos = from;
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Some(pos + i as u64 + 1);
        }
        pos += n as u64;
    }
}

/// The number of `\n` in bytes `from..to` of a file if those bytes are all `\r` or `\n`.
fn only_line_breaks(path: &Path, from: u64, to: u64) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut buf = vec![0u8; usize::try_from(to - from).ok()?];
    f.read_exact(&mut buf).ok()?;
    buf.iter()
        .all(|&b| b == b'\r' || b == b'\n')
        .then(|| buf.iter().filter(|&&b| b == b'\n').count() as u64)
}

/// No series (yet).
const NO_SERIES: u32 = u32::MAX;

/// The key of series (`metric`, `scope`): the metric's length, the metric, the scope.
/// The length prefix keeps (`a`, `bc`) and (`ab`, `c`) apart whatever bytes they hold.
fn series_key(key: &mut Vec<u8>, metric: &[u8], scope: &[u8]) {
    key.clear();
    key.extend_from_slice(&key_len_prefix(metric));
    key.extend_from_slice(metric);
    key.extend_from_slice(scope);
}

fn key_len_prefix(metric: &[u8]) -> [u8; 4] {
    u32::try_from(metric.len())
        .unwrap_or(u32::MAX)
        .to_le_bytes()
}

enum RowValue<'r> {
    Value(&'r [u8]),
    Ratio(&'r [u8], &'r [u8]),
    Missing,
}

/// The value of a row: `value`, or `numerator / denominator` (x 100 for a percent).
fn value_of(unit: Option<Unit>, value: &RowValue<'_>) -> Result<f64, Message> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match *value {
        RowValue::Value(v) => {
            parse_number(v).ok_or_else(|| msg!("value `{}` is not a number", text(v)))
        }
        RowValue::Ratio(n, d) => match (parse_number(n), parse_number(d)) {
            (Some(_), Some(0.0)) => Err("`denominator` is 0".into()),
            (Some(n), Some(d)) => Ok(if unit == Some(Unit::Percent) {
                n / d * 100.0
            } else {
                n / d
            }),
            _ => Err(msg!(
                "`numerator` `{}` / `denominator` `{}` are not numbers",
                text(n),
                text(d)
            )),
        },
        RowValue::Missing => Err("no `value` (or `numerator` and `denominator`)".into()),
    }
}

/// A finite number, or `None`.
fn parse_number(b: &[u8]) -> Option<f64> {
    let b = b.trim_ascii();
    simple_decimal(b)
        .or_else(|| std::str::from_utf8(b).ok()?.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// The value of a plain decimal such as `-88.25` with at most 15 digits, or `None` for
/// anything else (which the standard parser then reads). Exact: the digits make an
/// integer below 2^53 and the divisor a power of ten below 2^53, both represented
/// exactly, and one IEEE division rounds correctly (Clinger's fast path). Most data
/// values look like this, and it is several times faster than the general parser.
fn simple_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, b),
    };
    let (mut mantissa, mut count, mut frac) = (0u64, 0usize, None::<usize>);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
                if count > 15 {
                    return None;
                }
            }
            b'.' if frac.is_none() => frac = Some(count),
            _ => return None,
        }
    }
    let frac_digits = frac.map_or(0, |at| count - at);
    if count == 0 || (frac.is_some() && (frac == Some(count) || frac == Some(0))) {
        return None; // "", "-", "5.", ".5": leave the edge cases to the standard parser
    }
    #[allow(clippy::cast_precision_loss)] // below 10^15 < 2^53: exact
    let v = mantissa as f64 / POW10[frac_digits];
    Some(if negative { -v } else { v })
}

fn scope_text(scope: &str) -> Message {
    if scope.is_empty() {
        Message::default()
    } else {
        msg!(" (scope `{}`)", scope)
    }
}

fn tier(info: &MetricInfo<'_>) -> Option<Tier> {
    info.metric
        .and_then(|m| m.tier.as_ref())
        .or(info.kpi.and_then(|k| k.tier.as_ref()))
        .map(|t| t.value)
}

/// The stricter of the metric's and the KPI's thresholds, level by level. A `stable`
/// KPI holds its `target` (the metric's, else the KPI's); each definition's `warn` and
/// `critical` are bands of distance from that definition's own target (else the one it
/// inherits), the narrower band is the stricter, and it is applied around the effective
/// target: as `lint::loosenings` and `threshold-order` read them.
fn effective(info: &MetricInfo<'_>) -> Effective {
    let direction = info
        .metric
        .and_then(|m| m.direction.as_ref())
        .or(info.kpi.and_then(|k| k.direction.as_ref()))
        .map(|d| d.value);
    let mut eff = Effective {
        direction,
        ..Effective::default()
    };
    let defs = || [info.kpi, info.metric].into_iter().flatten();
    let own_target = |d: &Metric| d.thresholds.as_ref()?.target.as_ref().map(|t| t.value);
    let stable_target = defs().filter_map(own_target).next_back();
    for def in defs() {
        let Some(t) = &def.thresholds else { continue };
        if let Some(tr) = &t.trend {
            eff.trend = Some(tr.value);
        }
        for level in Level3::ALL {
            let Some(v) = t.level(level) else { continue };
            let slot = match level {
                Level3::Target => &mut eff.target,
                Level3::Warn => &mut eff.warn,
                Level3::Critical => &mut eff.critical,
            };
            let value = match (direction, stable_target) {
                (Some(Direction::Stable), Some(tg)) if level != Level3::Target => {
                    // The band this definition means, around the target that holds.
                    let from = own_target(def).unwrap_or(tg);
                    tg + (v.value - from)
                }
                _ => v.value,
            };
            let stricter = match (*slot, direction) {
                (None, _) => true,
                (Some((cur, ..)), Some(Direction::HigherIsBetter)) => value > cur,
                (Some((cur, ..)), Some(Direction::LowerIsBetter)) => value < cur,
                (Some(_), Some(Direction::Stable)) if level == Level3::Target => true,
                (Some((cur, ..)), Some(Direction::Stable)) => {
                    stable_target.is_some_and(|tg| (value - tg).abs() < (cur - tg).abs())
                }
                (Some(_), None) => false,
            };
            if stricter {
                *slot = Some((value, def.file, v.span));
            }
        }
    }
    eff
}

impl Effective {
    /// Whether `value` is past threshold `t`: below it for `higher_is_better`, above it
    /// for `lower_is_better`, further from the target than `t` is for `stable`.
    fn past(&self, value: f64, t: f64) -> bool {
        match self.direction {
            Some(Direction::HigherIsBetter) => value < t,
            Some(Direction::LowerIsBetter) => value > t,
            Some(Direction::Stable) => self
                .target
                .is_some_and(|(tg, ..)| (value - tg).abs() > (t - tg).abs()),
            None => false,
        }
    }
}

/// Least-squares trend of a window: `up`, `down` or `flat` (see [`FLAT_BAND`]).
fn trend(points: &[Point]) -> &'static str {
    let n = points.len();
    if n < MIN_TREND_POINTS {
        return "flat";
    }
    #[allow(clippy::cast_precision_loss)]
    let nf = n as f64;
    let mean_x = (nf - 1.0) / 2.0;
    let mean_y = points.iter().map(|p| p.value).sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, p) in points.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let dx = i as f64 - mean_x;
        sxy += dx * (p.value - mean_y);
        sxx += dx * dx;
    }
    let change = sxy / sxx * (nf - 1.0);
    let scale = points.iter().map(|p| p.value.abs()).sum::<f64>() / nf;
    if change.abs() <= FLAT_BAND * scale || change.abs() < 1e-12 {
        "flat"
    } else if change > 0.0 {
        "up"
    } else {
        "down"
    }
}

/// The day after which a series whose latest period is `latest` is stale.
fn stale_after(
    info: &MetricInfo<'_>,
    latest: &Period,
    ctx: &LintContext<'_>,
) -> Option<jiff::civil::Date> {
    let cadence = info
        .metric
        .and_then(|m| m.cadence.as_ref())
        .or(info.kpi.and_then(|k| k.cadence.as_ref()))
        .map(|c| c.value)
        .or(match latest.kind {
            PeriodKind::Week => Some(Cadence::Weekly),
            PeriodKind::Month => Some(Cadence::Monthly),
            PeriodKind::Quarter => Some(Cadence::Quarterly),
            PeriodKind::Day => None,
        })?;
    let grace = jiff::Span::new()
        .try_days(ctx.policy.stale_grace_days())
        .ok()?;
    next_due(cadence, latest.end)?.checked_add(grace).ok()
}

/// The last day of the reporting period after the one holding `day`: the next value of a
/// series whose latest value covers `day` is due by then.
fn next_due(cadence: Cadence, day: jiff::civil::Date) -> Option<jiff::civil::Date> {
    use jiff::Span;
    match cadence {
        Cadence::Weekly => day.checked_add(Span::new().days(7)).ok(),
        Cadence::Monthly => Some(
            day.first_of_month()
                .checked_add(Span::new().months(1))
                .ok()?
                .last_of_month(),
        ),
        Cadence::Quarterly => {
            let quarter_start =
                jiff::civil::Date::new(day.year(), (day.month() - 1) / 3 * 3 + 1, 1).ok()?;
            quarter_start
                .checked_add(Span::new().months(6))
                .ok()?
                .yesterday()
                .ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(values: &[f64]) -> Vec<Point> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| Point {
                period: Period::parse(&format!("2026-{:02}", i + 1)).unwrap(),
                value: v,
                file: FileId(0),
                line: 1,
            })
            .collect()
    }

    /// What a read found: `rule line message` for each finding, and the scorecard windows.
    type Read = (Vec<String>, Vec<String>);

    /// Reads `csv` sequentially and split between two threads; returns both reads and
    /// whether the split held.
    fn read_both_ways(csv: &str) -> (Read, Read, bool) {
        let catalogue = "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"m\"\nunit = \"percent\"\ndirection = \"higher_is_better\"\n[[metric]]\nid = \"n\"\nunit = \"count\"\n";
        let inputs = crate::lint::testing::Inputs::new(None, catalogue);
        let ctx = inputs.ctx();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, csv).unwrap();
        let read = |split_above| {
            let mut ev = Evaluator::new(&ctx);
            let split = ev.read_csv_split_above(&path, FileId(2), split_above);
            let (diags, lines) = ev.finish();
            let mut found: Vec<String> = diags
                .findings
                .iter()
                .map(|f| format!("{} {:?} {}", f.rule.name, f.primary.line, f.message.plain()))
                .collect();
            found.sort();
            let windows = lines
                .iter()
                .map(|l| format!("{} {} {:?}", l.metric, l.scope, l.window))
                .collect();
            ((found, windows), split)
        };
        let (sequential, _) = read(u64::MAX);
        let (split, held) = read(0);
        (sequential, split, held)
    }

    /// Whether this machine splits at all (a one-core machine reads sequentially).
    fn splits() -> bool {
        rayon::current_num_threads() > 1
    }

    #[test]
    fn a_split_read_equals_a_sequential_one() {
        // 40 periods x 3 series, a duplicate in the second half of a series first seen in
        // the first half, bad rows in both halves.
        let mut rows = vec!["metric,period,value,scope".to_owned()];
        for p in 0..40 {
            let period = format!("{}-{:02}", 2023 + p / 12, p % 12 + 1);
            for scope in ["a", "b"] {
                rows.push(format!("m,{period},{}.5,{scope}", 90 - p % 7));
            }
            rows.push(format!("n,{period},{},", p * 2));
        }
        rows.insert(7, "m,2023-13,1,a".to_owned());
        rows.push("m,2025-12,91,a".to_owned());
        rows.push("m,2026-01,x,b".to_owned());
        rows.push("unknown,2026-01,1,".to_owned());
        let lf = rows.join("\n") + "\n";
        let (seq, split, held) = read_both_ways(&lf);
        assert_eq!(seq, split);
        assert_eq!(held, splits(), "the split is taken on a line boundary");
        for expected in [
            "duplicate-row Some(123)",
            "malformed-row Some(8)",
            "malformed-row Some(124)",
        ] {
            assert!(
                seq.0.iter().any(|f| f.starts_with(expected)),
                "{expected}: {:#?}",
                seq.0
            );
        }

        // CRLF: a record ends at its `\r`, one byte before the split point.
        let crlf = rows.join("\r\n") + "\r\n";
        let (_, split, held) = read_both_ways(&crlf);
        assert_eq!(split, seq);
        assert_eq!(held, splits(), "a CRLF file is split too");

        // A quoted field holding a line break across the middle of the file: the split
        // point is not a record boundary; the first thread reads on.
        let mut quoted = rows.clone();
        let mid = quoted.len() / 2;
        for r in &mut quoted[mid - 3..mid + 3] {
            *r = r.replacen(",a", ",\"a\"", 1);
        }
        // The field is more than half the file, so the middle falls inside it.
        quoted[mid] = format!("m,2024-06,77,\"x\ny\nz\n\n{}\"", "q\n".repeat(4000));
        let text = quoted.join("\n") + "\n";
        let (seq, split, held) = read_both_ways(&text);
        assert_eq!(seq, split);
        assert!(!held, "a split inside a quoted field is dropped");
        assert!(
            seq.1.iter().any(|w| w.starts_with("m x\ny\nz")),
            "{:#?}",
            seq.1
        );
    }

    #[test]
    fn repeated_periods_are_judged_on_the_final_window_however_the_file_is_cut() {
        // One series `m` (window 6), with rows of `n` in the middle so that the split falls
        // between the two groups of `m` rows (months of 2024).
        let file = |first: &[u32], second: &[u32]| {
            let m = |month: &u32| format!("m,2024-{month:02},90,");
            let mut rows = vec!["metric,period,value,scope".to_owned()];
            rows.extend(first.iter().map(m));
            rows.extend((1..=40).map(|i| format!("n,2020-{:02},{i},x{i:02}", i % 12 + 1)));
            rows.extend(second.iter().map(m));
            rows.join("\n") + "\n"
        };
        let cases: [(&[u32], &[u32], bool); 4] = [
            // Older than the whole window: never seen, on either side of the cut.
            (&[7, 8, 9, 10, 11, 12], &[1, 1], false),
            // Repeats a period the window had, but which has left it by the end.
            (&[1, 2, 3, 4, 5, 6], &[7, 8, 9, 10, 11, 5], false),
            (&[1, 2, 3, 4, 5, 6], &[5, 7, 8, 9, 10, 11, 12], false),
            // Repeats a period still in the final window: reported once, at the repeat.
            (&[7, 8, 9, 10, 11, 12], &[12, 12], true),
        ];
        for (first, second, reported) in cases {
            let (seq, split, _) = read_both_ways(&file(first, second));
            assert_eq!(seq, split, "{first:?} | {second:?}");
            let dups: Vec<&String> = seq
                .0
                .iter()
                .filter(|f| f.starts_with("duplicate-row"))
                .collect();
            assert_eq!(
                !dups.is_empty(),
                reported,
                "{first:?} | {second:?}: {dups:#?}"
            );
        }
    }

    #[test]
    fn simple_decimals_match_the_standard_parser() {
        for text in [
            "0",
            "1",
            "-1",
            "+2",
            "80.7",
            "99.95",
            "-0.001",
            "123456789012345",
            "0.12345678901234",
            "12345678.9012345",
            "007.50",
            "3.0",
            "-0",
        ] {
            let expected: f64 = text.parse().unwrap();
            let got = simple_decimal(text.as_bytes()).unwrap();
            assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
        }
        // Left to the standard parser, which gives the same answer or rejects them.
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "1.2.3",
            "1234567890123456",
            "nan",
            "1,5",
        ] {
            assert_eq!(simple_decimal(text.as_bytes()), None, "{text}");
        }
        assert_eq!(parse_number(b" .5 "), Some(0.5));
        assert_eq!(parse_number(b"1e3"), Some(1000.0));
        assert_eq!(
            parse_number(b"1234567890123456789"),
            Some(1_234_567_890_123_456_789.0)
        );
        assert_eq!(parse_number(b"inf"), None);
        assert_eq!(parse_number(b"1,5"), None);
    }

    #[test]
    fn a_stable_kpi_keeps_its_bands_around_the_target_that_holds() {
        let status = |kpi: &str, metric: &str, value: f64| {
            let policy = format!(
                "[policy]\nid = \"p\"\n[[kpi]]\nid = \"k\"\ndirection = \"stable\"\nthresholds = {kpi}\n"
            );
            let catalogue =
                format!("[catalogue]\nid = \"c\"\n[[metric]]\nid = \"k\"\nthresholds = {metric}\n");
            let inputs = crate::lint::testing::Inputs::new(Some(&policy), &catalogue);
            let info = MetricInfo {
                metric: inputs.catalogues[0].metrics.first(),
                kpi: inputs.policy.kpi("k"),
                unit: None,
                rows: 0,
            };
            let eff = effective(&info);
            let past = |l: Option<(f64, FileId, crate::source::Span)>| {
                l.is_some_and(|(t, ..)| eff.past(value, t))
            };
            if past(eff.critical) {
                "breach"
            } else if past(eff.warn) {
                "warn"
            } else {
                "ok"
            }
        };
        // Bands of 10 and 20 around 50; a metric that only moves the target takes the
        // bands with it (and `looser-than-policy` reports the move).
        assert_eq!(
            status(
                "{ target = 50, warn = 40, critical = 30 }",
                "{ target = 60 }",
                78.0
            ),
            "warn"
        );
        assert_eq!(
            status(
                "{ target = 50, warn = 40, critical = 30 }",
                "{ target = 60 }",
                59.0
            ),
            "ok"
        );
        // The same widths written around another target are the same bands.
        let (kpi, metric) = (
            "{ target = 50, warn = 60, critical = 70 }",
            "{ target = 55, warn = 65, critical = 75 }",
        );
        assert_eq!(status(kpi, metric, 49.0), "ok");
        assert_eq!(status(kpi, metric, 71.0), "warn");
        assert_eq!(status(kpi, metric, 76.0), "breach");
        // A narrower band in the metric is stricter.
        assert_eq!(status(kpi, "{ warn = 55 }", 56.0), "warn");
    }

    #[test]
    fn the_next_value_is_due_by_the_end_of_the_next_period() {
        let due = |c, d: &str| next_due(c, d.parse().unwrap()).unwrap().to_string();
        // The period holding the day, not the day, sets the due date.
        assert_eq!(due(Cadence::Monthly, "2026-10-20"), "2026-11-30");
        assert_eq!(due(Cadence::Monthly, "2026-10-31"), "2026-11-30");
        assert_eq!(due(Cadence::Monthly, "2024-01-31"), "2024-02-29");
        assert_eq!(due(Cadence::Monthly, "2026-12-05"), "2027-01-31");
        assert_eq!(due(Cadence::Quarterly, "2026-09-30"), "2026-12-31");
        assert_eq!(due(Cadence::Quarterly, "2026-10-01"), "2027-03-31");
        assert_eq!(due(Cadence::Weekly, "2026-11-22"), "2026-11-29");
    }

    proptest::proptest! {
        /// The fast path either declines or agrees with the standard parser to the bit.
        #[test]
        fn simple_decimal_agrees_with_the_standard_parser(
            sign in "[-+]?", int in "[0-9]{0,12}", frac in proptest::option::of("[0-9]{0,8}")
        ) {
            let text = match &frac {
                Some(f) => format!("{sign}{int}.{f}"),
                None => format!("{sign}{int}"),
            };
            if let Some(fast) = simple_decimal(text.as_bytes()) {
                let std: f64 = text.parse().unwrap();
                proptest::prop_assert_eq!(fast.to_bits(), std.to_bits(), "{}", text);
            }
        }
    }

    #[test]
    fn trend_by_hand() {
        // 99, 98, 96.5, 95.5: slope = -1.2 per period (sxy = -6, sxx = 5), change over the
        // window = -3.6, 3.7% of the mean 97.25: down.
        assert_eq!(trend(&pts(&[99.0, 98.0, 96.5, 95.5])), "down");
        // 95, 95.5, 94.8, 95.2: change 0.06 of 95.1 is inside the 2% band: flat.
        assert_eq!(trend(&pts(&[95.0, 95.5, 94.8, 95.2])), "flat");
        // 2, 3, 5, 8: slope 2.0, change 6 against a mean of 4.5: up.
        assert_eq!(trend(&pts(&[2.0, 3.0, 5.0, 8.0])), "up");
        // Fewer than three points never make a trend.
        assert_eq!(trend(&pts(&[1.0, 100.0])), "flat");
        // All zeros: flat, not a division by zero.
        assert_eq!(trend(&pts(&[0.0, 0.0, 0.0])), "flat");
    }
}
