//! Data evaluation: stream CSV and NDJSON rows into per-series windows, then judge each
//! series' latest value, trend and freshness against the effective thresholds.
//!
//! Memory is bounded by series x `trend_window`: rows are read one at a time and only the
//! latest `trend_window` periods of each (metric, scope) are kept.

use crate::diag::{Diagnostics, Label};
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

/// A (metric, scope) series: its latest `window` values, oldest first.
#[derive(Debug)]
struct Series {
    metric: u32,
    scope: Box<str>,
    points: Vec<Point>,
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
    scopes: HashMap<Box<str>, u32>,
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
    unknown: HashMap<String, Unknown>,
    /// The last period text parsed and its value: rows usually come grouped by period.
    last_period: (Vec<u8>, Option<Period>),
    /// Series by `metric \x1f scope`, for one lookup per row.
    series_by_key: HashMap<Box<[u8]>, u32>,
    /// Scratch buffer for building that key.
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
            scopes: HashMap::default(),
        });
        self.by_id.insert(id, idx);
    }

    fn malformed(&mut self, file: FileId, line: u64, message: String) {
        self.diags
            .push(&MALFORMED_ROW, Label::at_line(file, line), message)
            .help("rows need `metric`, `period` (YYYY-MM, YYYY-Qn, YYYY-Www, YYYY-MM-DD or RFC 3339) and a numeric `value` (or `numerator` and `denominator`)");
    }

    /// Takes one row. `value` is the `value` column, or `numerator`/`denominator`. Text
    /// fields come as bytes: the common case, a known series, never decodes `metric` or
    /// `scope`, and needs one hash lookup.
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
        self.key.clear();
        self.key.extend_from_slice(metric);
        self.key.push(0x1f);
        self.key.extend_from_slice(scope);
        let si = match self.series_by_key.get(self.key.as_slice()) {
            Some(&si) => si,
            None => match self.new_series(file, line, metric, scope) {
                Some(si) => si,
                None => return,
            },
        };
        let mi = self.series[si as usize].metric;
        if self.last_period.0 != period {
            self.last_period.0.clear();
            self.last_period.0.extend_from_slice(period);
            self.last_period.1 = std::str::from_utf8(period).ok().and_then(Period::parse);
        }
        let Some(period_v) = self.last_period.1 else {
            let p = String::from_utf8_lossy(period);
            return self.malformed(file, line, format!("`{p}` is not a period"));
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
                    format!("`{metric}` reports {} for {period_v}, impossible for unit `{}`", num(v), unit.as_str()),
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

    /// Finds or creates the series of a row whose key was not seen yet; counts rows for
    /// unknown metrics and returns `None` for them.
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
        let si = self.series_index(mi, scope);
        self.series_by_key
            .insert(self.key.clone().into_boxed_slice(), si);
        Some(si)
    }

    /// The index of the (metric, scope) series, created if new.
    fn series_index(&mut self, mi: u32, scope: &str) -> u32 {
        let info = &mut self.metrics[mi as usize];
        if let Some(&si) = info.scopes.get(scope) {
            return si;
        }
        let si = u32::try_from(self.series.len()).unwrap_or(u32::MAX);
        info.scopes.insert(scope.into(), si);
        self.series.push(Series {
            metric: mi,
            scope: scope.into(),
            points: Vec::with_capacity(self.window),
            manual_rows: 0,
            first_manual: None,
        });
        si
    }

    /// Adds a value to a series' window, reporting a second value for a kept period.
    fn insert_point(&mut self, si: u32, point: Point) {
        let series = &mut self.series[si as usize];
        let pos = series.points.partition_point(|p| p.period < point.period);
        if let Some(existing) = series.points.get(pos).filter(|p| p.period == point.period) {
            let first = *existing;
            let scope = series.scope.clone();
            let info = &self.metrics[series.metric as usize];
            let metric = info
                .metric
                .or(info.kpi)
                .map_or("", |m| m.id.value.as_str())
                .to_owned();
            self.diags
                .push(
                    &DUPLICATE_ROW,
                    Label::at_line(point.file, u64::from(point.line)),
                    format!(
                        "second row for `{metric}`{} in {}; the first value ({}) is kept",
                        scope_text(&scope),
                        point.period,
                        num(first.value)
                    ),
                )
                .subject(metric)
                .label(Label::at_line(first.file, u64::from(first.line)).with_message("first row"))
                .help("remove one of the rows: values for one period are never averaged");
            return;
        }
        if series.points.len() == self.window {
            if pos == 0 {
                return; // older than every kept period
            }
            series.points.remove(0);
            series.points.insert(pos - 1, point);
        } else {
            series.points.insert(pos, point);
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
                scopes: HashMap::default(),
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
            unknown: HashMap::default(),
            last_period: (Vec::new(), None),
            series_by_key: HashMap::default(),
            key: Vec::new(),
            diags: Diagnostics::default(),
        }
    }

    /// Joins the state of a fork that read a later part of the same file.
    fn merge(&mut self, other: Self) {
        for (mine, theirs) in self.metrics.iter_mut().zip(&other.metrics) {
            mine.rows += theirs.rows;
        }
        for s in other.series {
            let si = self.series_index(s.metric, &s.scope);
            let mine = &mut self.series[si as usize];
            mine.manual_rows += s.manual_rows;
            if mine.first_manual.is_none() {
                mine.first_manual = s.first_manual;
            }
            for p in s.points {
                self.insert_point(si, p);
            }
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

    /// Reads a CSV file, streaming. Large files without quoted fields are split at a line
    /// boundary and read by two threads.
    pub fn read_csv(&mut self, path: &Path, file: FileId) {
        let mut rdr = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
            Ok(r) => r,
            Err(e) => return self.malformed(file, 1, format!("cannot read: {e}")),
        };
        let headers = match rdr.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return self.malformed(file, 1, format!("cannot read the header: {e}")),
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
            return self.header_missing(file, &missing);
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
        let split = if size - header_end.min(size) > SPLIT_ABOVE && rayon::current_num_threads() > 1
        {
            find_split(path, header_end, size)
        } else {
            None
        };
        match split {
            Some((at, lines_before)) => {
                let mut other = self.fork();
                std::thread::scope(|s| {
                    s.spawn(|| other.read_range(path, file, at, size, lines_before + 1, &cols));
                    self.read_range(path, file, header_end, at, 1, &cols);
                });
                self.merge(other);
            }
            None => self.read_range(path, file, header_end, size, 1, &cols),
        }
    }

    /// Reads the records in bytes `start..end` of a CSV file; `base` is the line number
    /// before the first of them.
    fn read_range(
        &mut self,
        path: &Path,
        file: FileId,
        start: u64,
        end: u64,
        base: u64,
        cols: &Columns,
    ) {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return self.malformed(file, base, format!("cannot read: {e}")),
        };
        if let Err(e) = f.seek(SeekFrom::Start(start)) {
            return self.malformed(file, base, format!("cannot read: {e}"));
        }
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(BufReader::with_capacity(1 << 16, f.take(end - start)));
        let mut record = csv::ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = base + e.position().map_or(0, csv::Position::line);
                    self.malformed(file, line, format!("unreadable row: {e}"));
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
    }

    fn header_missing(&mut self, file: FileId, missing: &[&str]) {
        self.diags
            .push(
                &MALFORMED_ROW,
                Label::at_line(file, 1),
                format!("header lacks {}: no row of this file can be read", missing.join(", ")),
            )
            .help("the header needs `metric,period,value` (optional: `scope`, `source`; `numerator,denominator` instead of `value`)");
    }

    /// Reads an NDJSON file (one JSON object per line), streaming.
    pub fn read_ndjson(&mut self, path: &Path, file: FileId) {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Row<'r> {
            #[serde(borrow)]
            metric: std::borrow::Cow<'r, str>,
            #[serde(borrow)]
            period: std::borrow::Cow<'r, str>,
            value: Option<f64>,
            numerator: Option<f64>,
            denominator: Option<f64>,
            #[serde(borrow, default)]
            scope: Option<std::borrow::Cow<'r, str>>,
            #[serde(borrow, default)]
            source: Option<std::borrow::Cow<'r, str>>,
        }
        let reader = match std::fs::File::open(path) {
            Ok(f) => BufReader::with_capacity(1 << 16, f),
            Err(e) => return self.malformed(file, 1, format!("cannot read: {e}")),
        };
        let mut buf = Vec::new();
        let mut reader = reader;
        let mut line = 0u64;
        let mut num_buf = (String::new(), String::new());
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => line += 1,
                Err(e) => return self.malformed(file, line + 1, format!("cannot read: {e}")),
            }
            let text = buf.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let row: Row<'_> = match serde_json::from_slice(text) {
                Ok(r) => r,
                Err(e) => {
                    self.malformed(file, line, format!("not a data row: {e}"));
                    continue;
                }
            };
            let v = match (row.value, row.numerator, row.denominator) {
                (Some(v), _, _) => {
                    num_buf.0 = v.to_string();
                    RowValue::Value(num_buf.0.as_bytes())
                }
                (None, Some(n), Some(d)) => {
                    num_buf.0 = n.to_string();
                    num_buf.1 = d.to_string();
                    RowValue::Ratio(num_buf.0.as_bytes(), num_buf.1.as_bytes())
                }
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
                    format!(
                        "{} row{} for `{id}`, which no catalogue or policy defines",
                        u.rows,
                        if u.rows == 1 { "" } else { "s" }
                    ),
                )
                .subject(id.clone());
            match hint {
                Some(h) => f.help(format!("did you mean `{h}`?")),
                None => f.help("define the metric in a catalogue, or fix the export"),
            };
        }
        let mut lines = Vec::new();
        let series = std::mem::take(&mut self.series);
        // A series is created at its first row, before the row is validated: one whose rows
        // were all malformed has no point and nothing to judge.
        for s in series.iter().filter(|s| !s.points.is_empty()) {
            let info = &self.metrics[s.metric as usize];
            lines.push(Self::judge(ctx, &mut self.diags, s, info));
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
                    format!("metric `{}` has no row in the data given", m.id.value),
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

    fn judge(
        ctx: &LintContext<'_>,
        diags: &mut Diagnostics,
        s: &Series,
        info: &MetricInfo<'_>,
    ) -> ScoreLine {
        let id = info
            .metric
            .or(info.kpi)
            .map_or("", |m| m.id.value.as_str())
            .to_owned();
        let eff = effective(info);
        let latest = *s.points.last().expect("only series with points are judged");
        let at = Label::at_line(latest.file, u64::from(latest.line));
        let mut status = "ok";
        let past = |v: f64, t: f64| match eff.direction {
            Some(Direction::HigherIsBetter) => v < t,
            Some(Direction::LowerIsBetter) => v > t,
            _ => false,
        };
        let period = latest.period.to_string();
        for (rule, level, name) in [
            (&THRESHOLD_BREACH, eff.critical, "critical"),
            (&THRESHOLD_WARN, eff.warn, "warn"),
        ] {
            let Some((t, file, span)) = level else {
                continue;
            };
            if past(latest.value, t) {
                status = if name == "critical" { "breach" } else { "warn" };
                diags
                    .push(
                        rule,
                        at.clone(),
                        format!(
                            "`{id}`{} is {} in {period}, past its {name} threshold {}",
                            scope_text(&s.scope),
                            num(latest.value),
                            num(t)
                        ),
                    )
                    .subject(id.clone())
                    .label(Label::at(file, span).with_message(format!("{name} threshold")))
                    .help("the metric's owner should act; the escalation path starts here");
                break;
            }
        }
        let trend = trend(&s.points);
        let against = match (eff.trend, eff.direction, trend) {
            (Some(Trend::Stable), _, t) => t != "flat",
            (Some(Trend::Down), _, "up") | (Some(Trend::Up), _, "down") => true,
            (None, Some(Direction::HigherIsBetter), "down")
            | (None, Some(Direction::LowerIsBetter), "up") => true,
            _ => false,
        };
        if against && s.points.len() >= MIN_TREND_POINTS {
            let first = s.points[0];
            let wanted = eff.trend.map_or_else(
                || eff.direction.map_or("", Direction::as_str).to_owned(),
                |t| format!("trend target `{}`", t.as_str()),
            );
            diags
                .push(
                    &NEGATIVE_TREND,
                    at.clone(),
                    format!(
                        "`{id}`{} is trending {trend} ({} in {} to {} in {period}) against {wanted}",
                        scope_text(&s.scope),
                        num(first.value),
                        first.period,
                        num(latest.value)
                    ),
                )
                .subject(id.clone())
                .help("a drift inside the thresholds is still a drift: find the cause before it breaches");
        }
        if let Some(due) = stale_after(info, &latest.period, ctx)
            && ctx.as_of > due
        {
            status = "stale";
            diags
                .push(
                    &STALE_DATA,
                    at.clone(),
                    format!(
                        "`{id}`{}: latest value is for {period}; the next was due by {due}",
                        scope_text(&s.scope)
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
                    format!("`{id}`{} has {} manually reported row{}", scope_text(&s.scope), s.manual_rows, if s.manual_rows == 1 { "" } else { "s" }),
                )
                .subject(id.clone())
                .help("automate the export from the system of record, or add an approved, expiring exception");
        }
        let target_met = eff.target.map(|(t, ..)| !past(latest.value, t));
        ScoreLine {
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
            window: s.points.iter().map(|p| p.value).collect(),
        }
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

/// A line boundary near the middle of `start..end`, and the number of lines before it,
/// or `None` when the file has a quote character anywhere (a quoted field may hold a
/// newline, so only a sequential read can find record boundaries).
fn find_split(path: &Path, start: u64, end: u64) -> Option<(u64, u64)> {
    use std::io::Read;
    let mid = start + (end - start) / 2;
    let mut f = BufReader::with_capacity(1 << 20, std::fs::File::open(path).ok()?);
    let mut buf = vec![0u8; 1 << 20];
    let (mut pos, mut lines, mut split) = (0u64, 0u64, None);
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if memchr::memchr(b'"', chunk).is_some() {
            return None;
        }
        if split.is_none() {
            let from = usize::try_from(mid.saturating_sub(pos)).unwrap_or(usize::MAX);
            match chunk
                .get(from..)
                .and_then(|rest| memchr::memchr(b'\n', rest))
            {
                Some(i) => {
                    let at = from + i + 1;
                    lines += memchr::memchr_iter(b'\n', &chunk[..at]).count() as u64;
                    split = Some(pos + at as u64);
                }
                None => lines += memchr::memchr_iter(b'\n', chunk).count() as u64,
            }
        }
        pos += n as u64;
    }
    // `lines` counts the header's newline too: records after the split start on line
    // `lines + 1`.
    split.filter(|&at| at < end).map(|at| (at, lines - 1))
}

enum RowValue<'r> {
    Value(&'r [u8]),
    Ratio(&'r [u8], &'r [u8]),
    Missing,
}

/// The value of a row: `value`, or `numerator / denominator` (x 100 for a percent).
fn value_of(unit: Option<Unit>, value: &RowValue<'_>) -> Result<f64, String> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match *value {
        RowValue::Value(v) => {
            parse_number(v).ok_or_else(|| format!("value `{}` is not a number", text(v)))
        }
        RowValue::Ratio(n, d) => match (parse_number(n), parse_number(d)) {
            (Some(_), Some(0.0)) => Err("`denominator` is 0".to_owned()),
            (Some(n), Some(d)) => Ok(if unit == Some(Unit::Percent) {
                n / d * 100.0
            } else {
                n / d
            }),
            _ => Err(format!(
                "`numerator` `{}` / `denominator` `{}` are not numbers",
                text(n),
                text(d)
            )),
        },
        RowValue::Missing => Err("no `value` (or `numerator` and `denominator`)".to_owned()),
    }
}

fn parse_number(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b).ok()?;
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn scope_text(scope: &str) -> String {
    if scope.is_empty() {
        String::new()
    } else {
        format!(" (scope `{scope}`)")
    }
}

fn tier(info: &MetricInfo<'_>) -> Option<Tier> {
    info.metric
        .and_then(|m| m.tier.as_ref())
        .or(info.kpi.and_then(|k| k.tier.as_ref()))
        .map(|t| t.value)
}

/// The stricter of the metric's and the KPI's thresholds, level by level.
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
    for def in [info.kpi, info.metric].into_iter().flatten() {
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
            let stricter = match (*slot, direction) {
                (None, _) => true,
                (Some((cur, ..)), Some(Direction::HigherIsBetter)) => v.value > cur,
                (Some((cur, ..)), Some(Direction::LowerIsBetter)) => v.value < cur,
                _ => false,
            };
            if stricter {
                *slot = Some((v.value, def.file, v.span));
            }
        }
    }
    eff
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
    let grace = ctx.policy.stale_grace_days();
    let next_start = latest.end.tomorrow().ok()?;
    let next_end = match cadence {
        Cadence::Weekly => latest.end.checked_add(jiff::Span::new().days(7)).ok()?,
        Cadence::Monthly => next_start.last_of_month(),
        Cadence::Quarterly => next_start
            .checked_add(jiff::Span::new().months(3))
            .ok()?
            .yesterday()
            .ok()?,
    };
    next_end.checked_add(jiff::Span::new().days(grace)).ok()
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
