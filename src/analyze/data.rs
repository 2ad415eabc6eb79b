//! The facts of the data files: per-series facts (latest value, effective thresholds,
//! trend, due date), rows that could not be taken, repeated periods, rows for unknown
//! metrics, and the scorecard built from them. The data rules judge these facts; the
//! scorecard's status and the rules' findings come from the same judgements.

use super::Context;
use super::number::Reading;
use super::series::Table;
use crate::hash::Map;
use crate::model::{Cadence, Direction, Level3, Metric, Tier, Trend, Unit};
use crate::num::Num;
use crate::parse::DataFormat;
use crate::period::{Period, PeriodKind};
use crate::source::{FileId, Span};
use serde::Serialize;
use std::path::PathBuf;

/// Relative change over the window within which a trend counts as flat.
pub const FLAT_BAND: f64 = 0.02;
/// Fewest periods that make a trend.
pub const MIN_TREND_POINTS: usize = 3;

/// Reads every data file (streaming) into facts about the model of `ctx`.
#[must_use]
pub fn read<'a>(ctx: &Context<'a>, files: &[(PathBuf, FileId, DataFormat)]) -> DataFacts<'a> {
    let mut table = Table::new(ctx);
    for (path, file, format) in files {
        match format {
            DataFormat::Csv => table.read_csv(path, *file),
            DataFormat::Ndjson => table.read_ndjson(path, *file),
        }
    }
    table.finish(ctx.policy.stale_grace_days())
}

/// Reads data held in memory, as one data file with id 0: for fuzzing the readers, and for
/// tests that need no file.
#[must_use]
pub fn read_bytes<'a>(ctx: &Context<'a>, bytes: &[u8], format: DataFormat) -> DataFacts<'a> {
    let mut table = Table::new(ctx);
    match format {
        DataFormat::Csv => table.read_csv_text(bytes, FileId(0)),
        DataFormat::Ndjson => table.read_ndjson_from(bytes, FileId(0)),
    }
    table.finish(ctx.policy.stale_grace_days())
}

/// One kept value of a series: 24 bytes, since every series keeps a window of them (a
/// million series of six values are 144 MB). The exact value is kept in compact form (see
/// [`Num::parts`]) and its binary value recomputed from it, the period as its last day and
/// its kind.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    /// The exact value's mantissa (see `scale`), or the bits of a value with no exact form.
    bits: i64,
    /// The last day of its period.
    end: jiff::civil::Date,
    /// The data file.
    pub file: FileId,
    /// Its 1-based line.
    pub line: u32,
    /// The spelling of its period.
    kind: PeriodKind,
    /// Decimal places of the exact value, or [`Point::INEXACT`].
    scale: u8,
}

const _: () = assert!(std::mem::size_of::<Point>() == 24);

impl Point {
    /// A free slot of a series' window.
    pub(super) const EMPTY: Self = Self {
        bits: 0,
        end: jiff::civil::Date::ZERO,
        file: FileId(0),
        line: 0,
        kind: PeriodKind::Day,
        scale: 0,
    };
    const INEXACT: u8 = u8::MAX;

    /// A value for a period, read at a line of a file.
    #[must_use]
    pub fn new(period: Period, value: Num, file: FileId, line: u32) -> Self {
        Self::read(period, value.into(), file, line)
    }

    /// A value as a row gave it.
    pub(super) fn read(period: Period, value: Reading, file: FileId, line: u32) -> Self {
        let exact = value
            .parts
            .and_then(|(m, s)| Some((m, u8::try_from(s).ok().filter(|&s| s != Self::INEXACT)?)));
        let (bits, scale) = exact.unwrap_or((value.value.to_bits().cast_signed(), Self::INEXACT));
        Self {
            bits,
            end: period.end,
            file,
            line,
            kind: period.kind,
            scale,
        }
    }

    /// The period it is for.
    #[must_use]
    pub fn period(&self) -> Period {
        Period::ending(self.end, self.kind)
    }

    /// Its place in time, ordered as [`Period`]s are (by their last day, then their first):
    /// of two periods ending the same day, the longer begins first, so the kind decides,
    /// in reverse.
    pub(super) fn order(&self) -> (jiff::civil::Date, std::cmp::Reverse<PeriodKind>) {
        (self.end, std::cmp::Reverse(self.kind))
    }

    /// The value.
    #[must_use]
    pub fn value(&self) -> Num {
        let parts = (self.scale != Self::INEXACT).then_some((self.bits, u32::from(self.scale)));
        Num::from_parts(self.float(), parts)
    }

    /// The value as a float, for trends and charts (never for a verdict: see
    /// [`Point::value`]): the one nearest the exact value, as it was read.
    #[must_use]
    pub fn float(&self) -> f64 {
        match self.scale {
            Self::INEXACT => f64::from_bits(self.bits.cast_unsigned()),
            scale => super::number::exact_f64(self.bits, u32::from(scale)).unwrap_or_else(|| {
                // More digits than a float holds exactly: the standard parser rounds the
                // decimal correctly, as it did when the row was read.
                format!("{}e-{scale}", self.bits)
                    .parse()
                    .unwrap_or(f64::NAN)
            }),
        }
    }
}

/// A (metric, scope) series as the table keeps it. Its latest `window` values, oldest
/// first, are `points[index * window..][..len]`: one flat allocation for every series, so
/// a row touches one cache line of points, not a `Vec` of its own.
#[derive(Debug)]
pub(super) struct Series {
    pub(super) metric: u32,
    pub(super) len: u32,
    pub(super) manual_rows: u64,
    pub(super) first_manual: Option<(FileId, u32)>,
}

/// Every series' scope, end to end in one string (series `i`'s is the `i`th): a million
/// series cost one allocation, not a million.
#[derive(Debug, Default)]
pub(super) struct Scopes {
    text: String,
    ends: Vec<usize>,
}

impl Scopes {
    /// Appends the scope of the next series.
    pub(super) fn push(&mut self, scope: &str) {
        self.text.push_str(scope);
        self.ends.push(self.text.len());
    }

    /// The scope of series `i`.
    pub(super) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..self.ends[i]).unwrap_or_default()
    }
}

/// What the data stage knows about a metric id.
#[derive(Debug, Clone, Copy)]
pub struct MetricInfo<'a> {
    /// The id rows name.
    pub id: &'a str,
    /// The catalogue metric, if one defines the id.
    pub metric: Option<&'a Metric>,
    /// The policy KPI behind it (or defining it).
    pub kpi: Option<&'a Metric>,
    /// Its unit (the metric's, else the KPI's).
    pub unit: Option<Unit>,
    /// Rows taken.
    pub rows: u64,
    /// Rows rejected: not a number, not a period, impossible for the unit...
    pub rejected: u64,
    /// The power of ten rows are multiplied by (the metric's `scale`), if it sets one.
    pub scale: Option<i32>,
    /// The least and greatest value taken (after `scale`), while any row was.
    pub range: Option<(f64, f64)>,
    /// The formula that derives it, if it is derived: decided once (see
    /// [`crate::model::Formula::of`], which may compare two parsed formulas), read for
    /// every new series and every finding about one.
    pub(super) formula: Option<&'a crate::model::Formula>,
}

impl<'a> MetricInfo<'a> {
    /// The formula that derives it, if it is derived (see [`crate::model::Formula::of`]).
    #[must_use]
    pub fn formula(&self) -> Option<&'a crate::model::Formula> {
        self.formula
    }

    /// Its tier (the metric's, else the KPI's).
    #[must_use]
    pub fn tier(&self) -> Option<Tier> {
        self.metric
            .and_then(|m| m.tier.as_ref())
            .or(self.kpi.and_then(|k| k.tier.as_ref()))
            .map(|t| t.value)
    }

    /// Its cadence: the more frequent of the metric's and the KPI's (a metric reported
    /// less often than its KPI is `looser-than-policy`, and the KPI's cadence still judges
    /// its staleness).
    #[must_use]
    pub fn cadence(&self) -> Option<Cadence> {
        let own = self
            .metric
            .and_then(|m| m.cadence.as_ref())
            .map(|c| c.value);
        let kpi = self.kpi.and_then(|k| k.cadence.as_ref()).map(|c| c.value);
        match (own, kpi) {
            (Some(a), Some(b)) => Some(if b.days() < a.days() { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// A threshold level in force, with where it is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Which level.
    pub level: Level3,
    /// Its value.
    pub value: Num,
    /// The file that sets it.
    pub file: FileId,
    /// Where.
    pub span: Span,
}

/// Effective numeric thresholds and trend target of a metric: the stricter of the metric's
/// and the KPI's, level by level.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Effective {
    /// The direction (the metric's, else the KPI's).
    pub direction: Option<Direction>,
    /// Where the value should be.
    pub target: Option<Threshold>,
    /// Past this, warn.
    pub warn: Option<Threshold>,
    /// Past this, breach.
    pub critical: Option<Threshold>,
    /// The trend target.
    pub trend: Option<Trend>,
}

impl Effective {
    /// The stricter of the metric's and the KPI's thresholds, level by level. A `stable`
    /// KPI holds its `target` (the metric's, else the KPI's); each definition's `warn` and
    /// `critical` are bands of distance from that definition's own target (else the one it
    /// inherits), the narrower band is the stricter, and it is applied around the effective
    /// target: as `policy::strictness` and `threshold-order` read them.
    #[must_use]
    pub fn of(metric: Option<&Metric>, kpi: Option<&Metric>) -> Self {
        let direction = metric
            .and_then(|m| m.direction.as_ref())
            .or(kpi.and_then(|k| k.direction.as_ref()))
            .map(|d| d.value);
        let mut eff = Self {
            direction,
            ..Self::default()
        };
        let defs = || [kpi, metric].into_iter().flatten();
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
                        tg.plus(v.value.minus(from))
                    }
                    _ => v.value,
                };
                let stricter = match (*slot, direction) {
                    (None, _) => true,
                    (Some(cur), Some(Direction::HigherIsBetter)) => value.gt(cur.value),
                    (Some(cur), Some(Direction::LowerIsBetter)) => value.lt(cur.value),
                    (Some(_), Some(Direction::Stable)) if level == Level3::Target => true,
                    (Some(cur), Some(Direction::Stable)) => stable_target
                        .is_some_and(|tg| value.minus(tg).abs().lt(cur.value.minus(tg).abs())),
                    (Some(_), None) => false,
                };
                if stricter {
                    *slot = Some(Threshold {
                        level,
                        value,
                        file: v.file,
                        span: v.span,
                    });
                }
            }
        }
        eff
    }

    /// Whether `value` is past threshold `t`: below it for `higher_is_better`, above it
    /// for `lower_is_better`, further from the target than `t` is for `stable`. Judged on
    /// exact values: a value at a threshold is not past it.
    #[must_use]
    pub fn past(&self, value: Num, t: Num) -> bool {
        match self.direction {
            Some(Direction::HigherIsBetter) => value.lt(t),
            Some(Direction::LowerIsBetter) => value.gt(t),
            Some(Direction::Stable) => self
                .target
                .is_some_and(|tg| value.minus(tg.value).abs().gt(t.minus(tg.value).abs())),
            None => false,
        }
    }
}

/// Which way a series moves over its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Movement {
    /// Rising.
    Up,
    /// Falling.
    Down,
    /// Within [`FLAT_BAND`] of no change, or too few points to tell.
    Flat,
}

impl Movement {
    /// The lower-case name used in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
            Self::Flat => "flat",
        }
    }
}

/// A series' status on the scorecard: one per series, the first of the ladder that
/// applies. KPIs and metrics: `breach` > `warn` > `off-target` > `stale` > `on-target`;
/// OKRs (a metric with an `okr` table): `achieved`, `overdue`, `on-track`, `at-risk`,
/// `off-track` (see [`SeriesFacts::okr_progress`]); either: `missing` (no row) and `banned`
/// (a vanity metric, never shown as healthy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Past the critical threshold.
    Breach,
    /// Past the warn threshold.
    Warn,
    /// Short of the target (between target and warn), or moving against a trend target.
    OffTarget,
    /// The next value is overdue.
    Stale,
    /// Nothing above: the target met (or none set), fresh.
    OnTarget,
    /// No row at all.
    Missing,
    /// The policy bans it as a vanity metric.
    Banned,
    /// OKR: the target is reached.
    Achieved,
    /// OKR: at or ahead of the linear expectation.
    OnTrack,
    /// OKR: behind the expectation by at most [`AT_RISK_BAND`] of the way.
    AtRisk,
    /// OKR: further behind.
    OffTrack,
    /// OKR: past its due date, target not reached.
    Overdue,
}

/// An OKR's progress against its linear expectation (see [`SeriesFacts::okr_progress`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OkrProgress {
    /// The share of the way from baseline to target reached (can be below 0 or above 1).
    pub progress: f64,
    /// The share expected by the latest value's period, 0..1.
    pub expected: f64,
    /// What that makes it.
    pub status: Status,
}

/// How far behind its linear expectation an OKR may be and still be `at-risk` rather
/// than `off-track`: a fraction of the way from baseline to target.
pub const AT_RISK_BAND: f64 = 0.15;

impl Status {
    /// The lower-case name used in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Breach => "breach",
            Self::Warn => "warn",
            Self::OffTarget => "off-target",
            Self::Stale => "stale",
            Self::OnTarget => "on-target",
            Self::Missing => "missing",
            Self::Banned => "banned",
            Self::Achieved => "achieved",
            Self::OnTrack => "on-track",
            Self::AtRisk => "at-risk",
            Self::OffTrack => "off-track",
            Self::Overdue => "overdue",
        }
    }

    /// Whether the status is good news: the only ones a reader may skip.
    #[must_use]
    pub fn healthy(self) -> bool {
        matches!(self, Self::OnTarget | Self::Achieved | Self::OnTrack)
    }
}

/// Why a row could not be taken.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// The file (or part of it) could not be read.
    Unreadable(String),
    /// The CSV header could not be read.
    UnreadableHeader(String),
    /// The CSV header lacks columns (written as a finding lists them).
    HeaderLacks(Vec<&'static str>),
    /// A CSV record the reader rejects.
    UnreadableRow(String),
    /// A CSV row without `metric` or `period`.
    NoMetricOrPeriod,
    /// An NDJSON line that is not a row object: the JSON error (its column is the
    /// fault's location).
    NotARow(String),
    /// `metric` or `scope` is not UTF-8.
    NotUtf8,
    /// An empty `metric`.
    EmptyMetric,
    /// A `period` that is not one.
    NotAPeriod(String),
    /// A period that begins after `--as-of`: a value that cannot have been measured yet.
    NotBegun {
        /// The period.
        period: Period,
        /// "Today".
        as_of: jiff::civil::Date,
    },
    /// A `value` that is not a number.
    NotANumber(String),
    /// A zero `denominator`.
    ZeroDenominator,
    /// A `numerator` or `denominator` that is not a number.
    RatioNotNumbers(String, String),
    /// Neither `value` nor `numerator` and `denominator`.
    NoValue,
    /// A value impossible for the metric's unit.
    OutOfDomain {
        /// The metric id.
        metric: String,
        /// The scope (empty for none).
        scope: Box<str>,
        /// The period.
        period: Period,
        /// The value.
        value: Num,
        /// The unit.
        unit: Unit,
    },
}

/// A data file's column, as a [`Fault`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `metric`.
    Metric,
    /// `period`.
    Period,
    /// `value`.
    Value,
    /// `numerator`.
    Numerator,
    /// `denominator`.
    Denominator,
}

impl Column {
    /// Its name in a header or an NDJSON row.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Metric => "metric",
            Self::Period => "period",
            Self::Value => "value",
            Self::Numerator => "numerator",
            Self::Denominator => "denominator",
        }
    }
}

impl Fault {
    /// The column whose field is at fault, if one is (a row that cannot be read at all
    /// names none).
    #[must_use]
    pub fn column(&self) -> Option<Column> {
        Some(match self {
            Self::EmptyMetric => Column::Metric,
            Self::NotAPeriod(_) | Self::NotBegun { .. } => Column::Period,
            Self::NotANumber(_) | Self::NoValue | Self::OutOfDomain { .. } => Column::Value,
            Self::ZeroDenominator => Column::Denominator,
            Self::RatioNotNumbers(n, _) if super::number::read_number(n.as_bytes()).is_none() => {
                Column::Numerator
            }
            Self::RatioNotNumbers(..) => Column::Denominator,
            _ => return None,
        })
    }
}

/// A row that could not be taken, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct RowFault {
    /// The data file.
    pub file: FileId,
    /// The 1-based line.
    pub line: u64,
    /// The 1-based columns (start, end) of the field at fault, when known.
    pub columns: Option<(u32, u32)>,
    /// Why.
    pub fault: Fault,
}

/// Rows that could not be taken beyond the ones kept with their findings: a data file with
/// millions of bad rows gets one finding for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow {
    /// The data file.
    pub file: FileId,
    /// Whether they are values impossible for their unit (`value-out-of-domain`), or rows
    /// that could not be read (`malformed-row`).
    pub out_of_domain: bool,
    /// How many rows were not kept.
    pub rows: u64,
    /// The line of the first of them.
    pub first_line: u64,
}

/// Rows for a metric no catalogue or policy defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMetric {
    /// The id the rows name.
    pub id: String,
    /// The file of the first row.
    pub file: FileId,
    /// The line of the first row.
    pub line: u32,
    /// How many rows.
    pub rows: u64,
}

/// Rows repeating a period a series still holds in its window.
#[derive(Debug, Clone)]
pub struct Repeat<'a> {
    /// The metric id.
    pub metric: &'a str,
    /// The scope (empty for none).
    pub scope: Box<str>,
    /// The period repeated.
    pub period: Period,
    /// The first repeating row.
    pub first: (FileId, u32),
    /// How many rows repeat it.
    pub count: u64,
    /// The value kept (the first row's).
    pub kept: Point,
}

/// Everything the data files said, for the data rules and the scorecard.
#[derive(Debug)]
pub struct DataFacts<'a> {
    pub(super) window: usize,
    pub(super) metrics: Vec<MetricInfo<'a>>,
    /// Each metric's effective thresholds (apart from [`MetricInfo`], which is read on
    /// every row and stays small).
    pub(super) thresholds: Vec<Effective>,
    pub(super) by_id: Map<&'a str, u32>,
    pub(super) series: Vec<Series>,
    pub(super) scopes: Scopes,
    pub(super) points: Vec<Point>,
    /// Each series' movement and due date, computed once for every rule that reads them.
    pub(super) derived: Vec<(Movement, Option<jiff::civil::Date>)>,
    /// Rows that could not be taken, by file and line: the first
    /// [`MAX_FAULTS`](super::series::MAX_FAULTS) of each file and kind.
    pub faults: Vec<RowFault>,
    /// How many more there were, by file and kind.
    pub overflow: Vec<Overflow>,
    /// Rows for undefined metrics beyond the ids listed in `unknown`.
    pub unknown_other: u64,
    /// Rows for undefined metrics, by id.
    pub unknown: Vec<UnknownMetric>,
    /// Repeated periods still in their series' window, in file order.
    pub repeats: Vec<Repeat<'a>>,
    /// What each derived metric's formula gave, by metric (in the order metrics are
    /// indexed).
    pub(super) formulas: Vec<FormulaFacts>,
    /// Where the budget of derived series stopped evaluation, if it did.
    pub(super) formula_budget: Option<FormulaBudget>,
}

/// Derived metrics left unevaluated because the series they would be tried in passed
/// the budget (see `series::derived::budget`): the first, in evaluation order, and how
/// many.
#[derive(Debug, Clone)]
pub struct FormulaBudget {
    /// The first metric not evaluated, by index.
    pub(super) metric: u32,
    /// How many were not evaluated, that one included.
    pub metrics: u64,
    /// The budget: series derived metrics may be tried in.
    pub budget: u64,
    /// How much of it the metrics evaluated before used.
    pub spent: u64,
    /// What the first metric not evaluated would have used.
    pub charge: u64,
}

/// What a derived metric's formula gave over the data.
#[derive(Debug, Clone)]
pub struct FormulaFacts {
    /// The metric's index.
    pub(super) metric: u32,
    /// Whether it was evaluated: it parses, names only known metrics, and neither is on
    /// nor leads to a cycle (the model rules report each of those), and the budget of
    /// derived series allowed it.
    pub evaluable: bool,
    /// Whether it would have been evaluated but the budget of derived series stopped
    /// evaluation before it (`formula-budget-exceeded` reports it).
    pub over_budget: bool,
    /// How many values it gave, over every scope.
    pub values: u64,
    /// The least and greatest value it gave, while it gave any.
    pub range: Option<(f64, f64)>,
    /// Why it was not computed, when it names what is not computed or unknown; `None`
    /// when it was computed, or does not parse, or is on a circle, or was left out by the
    /// budget (each its own formula's finding).
    pub not_computed: Option<NotComputed>,
    /// The periods at which it has no value, if any.
    pub undefined: Option<Undefined>,
    /// Rows reported for the metric directly (never taken), if any.
    pub direct: Option<Direct>,
}

/// Why a derived metric was not computed, where no finding of its own formula says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotComputed {
    /// Its formula names this derived metric, which is not computed.
    Names(Box<str>),
    /// Its formula names this id, which nothing loaded defines (`formula-unknown-metric`
    /// reports it, except in a partial run or one without catalogues, which cannot judge
    /// it).
    Unknown(Box<str>),
}

/// The periods at which a formula has no value (a divisor is zero): the latest of them,
/// and how many there are.
#[derive(Debug, Clone)]
pub struct Undefined {
    /// The latest period without a value (of the first scope, by name, that has none
    /// then).
    pub period: Period,
    /// Its scope.
    pub scope: Box<str>,
    /// Why.
    pub why: crate::formula::Undefined,
    /// How many (scope, period) pairs have no value, that one included.
    pub periods: u64,
    /// In how many scopes.
    pub scopes: u64,
}

/// Rows reported for a derived metric.
#[derive(Debug, Clone, Copy)]
pub struct Direct {
    /// The data file of the first.
    pub file: FileId,
    /// Its line.
    pub line: u32,
    /// How many.
    pub rows: u64,
}

/// One series, judged.
#[derive(Debug, Clone, Copy)]
pub struct SeriesFacts<'f> {
    /// The metric.
    pub metric: &'f MetricInfo<'f>,
    /// Its effective thresholds.
    thresholds: &'f Effective,
    /// The scope (empty for none).
    pub scope: &'f str,
    /// The kept values, oldest first (at least one).
    pub points: &'f [Point],
    /// The latest value.
    pub latest: Point,
    /// Its movement over the window.
    pub movement: Movement,
    /// The last day the next value may arrive, if the series can go stale.
    pub due: Option<jiff::civil::Date>,
    /// Rows reported by hand.
    pub manual_rows: u64,
    /// The first of them.
    pub first_manual: Option<(FileId, u32)>,
}

impl<'a> DataFacts<'a> {
    /// Every series with at least one value, in the order first seen.
    pub fn series(&self) -> impl Iterator<Item = SeriesFacts<'_>> + '_ {
        (0..self.series.len()).filter_map(|i| self.series_at(i))
    }

    /// How many series were read, with a value or not: the bound of [`DataFacts::series_at`].
    #[must_use]
    pub fn series_read(&self) -> usize {
        self.series.len()
    }

    /// The `i`th series read, if it has a value.
    #[must_use]
    pub fn series_at(&self, i: usize) -> Option<SeriesFacts<'_>> {
        let s = self.series.get(i)?;
        let points = &self.points[i * self.window..][..s.len as usize];
        let &latest = points.last()?;
        let metric = &self.metrics[s.metric as usize];
        let (movement, due) = self.derived[i];
        Some(SeriesFacts {
            metric,
            thresholds: &self.thresholds[s.metric as usize],
            scope: self.scopes.get(i),
            points,
            latest,
            movement,
            due,
            manual_rows: s.manual_rows,
            first_manual: s.first_manual,
        })
    }

    /// The catalogue metrics of `ctx` with no row taken (each id once: the first
    /// definition of a duplicated id); a derived metric when its formula gave no value.
    pub fn missing<'c, 'm>(
        &'c self,
        ctx: &'c Context<'m>,
    ) -> impl Iterator<Item = &'m Metric> + 'c {
        ctx.metrics().filter(|m| {
            let Some(&mi) = self.by_id.get(m.id.value.as_str()) else {
                return false;
            };
            let i = &self.metrics[mi as usize];
            i.rows == 0
                && i.metric.is_some_and(|x| std::ptr::eq(x, *m))
                && self.formula(mi).is_none_or(|f| f.values == 0)
        })
    }

    /// What the formula of the metric `id` gave, if it is derived.
    #[must_use]
    pub fn formula_of(&self, id: &str) -> Option<&FormulaFacts> {
        self.formula(*self.by_id.get(id)?)
    }

    /// What the formula of metric `mi` gave, if it is derived.
    fn formula(&self, mi: u32) -> Option<&FormulaFacts> {
        let at = self.formulas.binary_search_by_key(&mi, |f| f.metric).ok()?;
        self.formulas.get(at)
    }

    /// Where the budget of derived series stopped evaluation, with the first metric not
    /// evaluated, if it did.
    #[must_use]
    pub fn formula_budget(&self) -> Option<(&MetricInfo<'a>, &FormulaBudget)> {
        let b = self.formula_budget.as_ref()?;
        Some((&self.metrics[b.metric as usize], b))
    }

    /// Every derived metric rows may name, with what its formula gave.
    pub fn formulas(&self) -> impl Iterator<Item = (&MetricInfo<'a>, &FormulaFacts)> + '_ {
        self.formulas
            .iter()
            .map(|f| (&self.metrics[f.metric as usize], f))
    }

    /// What is known about a metric id.
    #[must_use]
    pub fn info(&self, id: &str) -> Option<&MetricInfo<'a>> {
        self.by_id.get(id).map(|&i| &self.metrics[i as usize])
    }

    /// Each series that improves over the window and whose definition names another
    /// through `get` (`guardrail`, `drives`: the metric's own, else its KPI's), with the
    /// series of what it names in the same scope; those of its own catalogue only, when
    /// it reports any (a team's guardrail is its own before another team's). Nothing is
    /// built when no definition makes such a reference: most runs.
    #[must_use]
    pub fn improving_pairs(
        &self,
        get: fn(&Metric) -> Option<&crate::model::Sp<String>>,
    ) -> Vec<(SeriesFacts<'_>, Vec<SeriesFacts<'_>>)> {
        let named = self.named_by(get);
        if named.is_empty() {
            return Vec::new();
        }
        let file = |s: &SeriesFacts<'_>| s.metric.metric.map(|m| m.file);
        self.series()
            .filter_map(|s| {
                let id = s
                    .metric
                    .metric
                    .and_then(get)
                    .or_else(|| s.metric.kpi.and_then(get))?;
                if s.verdict() != super::scorecard::Verdict::Improving {
                    return None;
                }
                let all = named.get(&(id.value.as_str(), s.scope))?;
                let own: Vec<SeriesFacts<'_>> = all
                    .iter()
                    .filter(|c| file(c).is_some() && file(c) == file(&s))
                    .copied()
                    .collect();
                Some((s, if own.is_empty() { all.clone() } else { own }))
            })
            .collect()
    }

    /// The series that a reference `get` reads from definitions (`guardrail`, `drives`)
    /// names, by the id named (a metric's id, or the KPI its metric implements) and scope.
    fn named_by(
        &self,
        get: fn(&Metric) -> Option<&crate::model::Sp<String>>,
    ) -> Map<(&str, &str), Vec<SeriesFacts<'_>>> {
        let named: crate::hash::Set<&str> = self
            .metrics
            .iter()
            .filter_map(|m| m.metric.and_then(&get).or_else(|| m.kpi.and_then(&get)))
            .map(|r| r.value.as_str())
            .collect();
        let mut map: Map<(&str, &str), Vec<SeriesFacts<'_>>> = Map::default();
        if named.is_empty() {
            return map;
        }
        for s in self.series() {
            if named.contains(s.metric.id) {
                map.entry((s.metric.id, s.scope)).or_default().push(s);
            }
            if let Some(k) = s.metric.kpi.filter(|k| k.id.value != s.metric.id)
                && named.contains(k.id.value.as_str())
            {
                map.entry((k.id.value.as_str(), s.scope))
                    .or_default()
                    .push(s);
            }
        }
        map
    }

    /// Every metric rows may name, with its effective thresholds.
    pub fn metrics(&self) -> impl Iterator<Item = (&MetricInfo<'a>, &Effective)> + '_ {
        self.metrics.iter().zip(&self.thresholds)
    }

    /// Every metric id rows may name.
    pub fn known_ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.metrics.iter().map(|m| m.id)
    }
}

impl SeriesFacts<'_> {
    /// Where a value of the series comes from, for a finding about it: its data row, or,
    /// for a derived series, the formula that computes it.
    #[must_use]
    pub fn at(&self, p: &Point) -> crate::diag::Label {
        match self.metric.formula() {
            Some(f) => f.text.at(),
            None => crate::diag::Label::at_line(p.file, u64::from(p.line)),
        }
    }

    /// Whether the series is derived by a formula.
    #[must_use]
    pub fn is_derived(&self) -> bool {
        self.metric.formula().is_some()
    }

    /// How it moves over the window for what its definition wants (see [`Verdict`]).
    ///
    /// [`Verdict`]: super::scorecard::Verdict
    #[must_use]
    pub fn verdict(&self) -> super::scorecard::Verdict {
        super::scorecard::Verdict::of(
            self.movement,
            self.thresholds.trend,
            self.thresholds.direction,
        )
    }

    /// The effective thresholds.
    #[must_use]
    pub fn thresholds(&self) -> &Effective {
        self.thresholds
    }

    /// The threshold the latest value is past: critical before warn.
    #[must_use]
    pub fn past(&self) -> Option<Threshold> {
        let eff = self.thresholds();
        [eff.critical, eff.warn]
            .into_iter()
            .flatten()
            .find(|t| eff.past(self.latest.value(), t.value))
    }

    /// Whether the series moves against its direction or trend target, over enough points
    /// to make a trend.
    #[must_use]
    pub fn against_trend(&self) -> bool {
        if self.points.len() < MIN_TREND_POINTS {
            return false;
        }
        let eff = self.thresholds();
        match (eff.trend, eff.direction, self.movement) {
            (Some(Trend::Stable), _, m) => m != Movement::Flat,
            (Some(Trend::Down), _, Movement::Up) | (Some(Trend::Up), _, Movement::Down) => true,
            (None, Some(Direction::HigherIsBetter), Movement::Down)
            | (None, Some(Direction::LowerIsBetter), Movement::Up) => true,
            (None, Some(Direction::Stable), m) => m != Movement::Flat,
            _ => false,
        }
    }

    /// Whether the next value is overdue as of a day.
    #[must_use]
    pub fn stale(&self, as_of: jiff::civil::Date) -> bool {
        self.due.is_some_and(|due| as_of > due)
    }

    /// The status, by the ladder of [`Status`]: a breach or warning on the latest value
    /// outranks a missed target, which outranks its age. A KPI judged by a trend target
    /// misses it while it moves the wrong way. An OKR is judged by its progress instead.
    #[must_use]
    pub fn status(&self, as_of: jiff::civil::Date) -> Status {
        if let Some(p) = self.okr_progress(as_of) {
            // Progress is read at the latest value: an OKR whose data stopped is stale
            // rather than on track by a measure that no longer moves.
            let open = matches!(
                p.status,
                Status::OnTrack | Status::AtRisk | Status::OffTrack
            );
            return if open && self.stale(as_of) {
                Status::Stale
            } else {
                p.status
            };
        }
        let trend_missed = self.thresholds().trend.is_some() && self.against_trend();
        match self.past() {
            Some(t) if t.level == Level3::Critical => Status::Breach,
            Some(_) => Status::Warn,
            None if self.target_met() == Some(false) || trend_missed => Status::OffTarget,
            None if self.stale(as_of) => Status::Stale,
            None => Status::OnTarget,
        }
    }

    /// An OKR's progress, for a metric with an `okr` table that has a baseline, a target
    /// distinct from it and a due date. Progress is the share of the way from `baseline`
    /// to `target` the latest value has come (either direction); the expectation is
    /// linear, from 0 at `start` (else the start of the earliest period kept) to 1 at
    /// `due`, read at the end of the latest value's period. `achieved` at 1 or more
    /// whenever it happens; `overdue` past `due` short of it; `on-track` at or above the
    /// expectation; `at-risk` within [`AT_RISK_BAND`] below it; `off-track` further below.
    #[must_use]
    pub fn okr_progress(&self, as_of: jiff::civil::Date) -> Option<OkrProgress> {
        let okr = self
            .metric
            .metric
            .and_then(|m| m.okr.as_ref())
            .or(self.metric.kpi.and_then(|k| k.okr.as_ref()))?;
        let (baseline, target, due) = (
            okr.baseline.as_ref()?,
            okr.target.as_ref()?,
            okr.due.as_ref()?,
        );
        let (b, t) = (baseline.value.value(), target.value.value());
        if (t - b).abs() < f64::EPSILON {
            return None;
        }
        let progress = (self.latest.value().value() - b) / (t - b);
        let start = okr
            .start
            .as_ref()
            .map_or_else(|| self.points[0].period().start, |s| s.value);
        let at = self.latest.period().end.min(due.value);
        let span = (due.value - start).get_days();
        let done = (at - start).get_days();
        let expected = if span <= 0 {
            1.0
        } else {
            (f64::from(done) / f64::from(span)).clamp(0.0, 1.0)
        };
        let status = if progress >= 1.0 {
            Status::Achieved
        } else if as_of > due.value {
            Status::Overdue
        } else if progress >= expected {
            Status::OnTrack
        } else if progress >= expected - AT_RISK_BAND {
            Status::AtRisk
        } else {
            Status::OffTrack
        };
        Some(OkrProgress {
            progress,
            expected,
            status,
        })
    }

    /// Whether the latest value meets the target; a stable KPI meets it while it stays
    /// inside its warn band.
    #[must_use]
    pub fn target_met(&self) -> Option<bool> {
        let eff = self.thresholds();
        let t = match eff.direction {
            Some(Direction::Stable) => eff.warn,
            _ => eff.target,
        }?;
        Some(!eff.past(self.latest.value(), t.value))
    }
}

/// Each series' movement over its window and the day its next value is due.
pub(super) fn derive(
    series: &[Series],
    points: &[Point],
    window: usize,
    metrics: &[MetricInfo<'_>],
    grace_days: i64,
) -> Vec<(Movement, Option<jiff::civil::Date>)> {
    use rayon::prelude::*;
    series
        .par_iter()
        .enumerate()
        .with_min_len(4096)
        .map(|(i, s)| {
            let points = &points[i * window..][..s.len as usize];
            let cadence = metrics[s.metric as usize].cadence();
            let due = points
                .last()
                .and_then(|latest| due(cadence, &latest.period(), grace_days));
            (movement(points), due)
        })
        .collect()
}

/// Least-squares movement of a window (see [`FLAT_BAND`]).
fn movement(points: &[Point]) -> Movement {
    let n = points.len();
    if n < MIN_TREND_POINTS {
        return Movement::Flat;
    }
    // Values scaled to at most 1 in magnitude: sums of values near `f64::MAX` would
    // overflow to infinity and make a flat series look like a falling one.
    let largest = points.iter().map(|p| p.float().abs()).fold(0.0, f64::max);
    if largest == 0.0 || !largest.is_finite() {
        return Movement::Flat;
    }
    let y = |p: &Point| p.float() / largest;
    #[allow(clippy::cast_precision_loss)]
    let nf = n as f64;
    let mean_x = (nf - 1.0) / 2.0;
    let mean_y = points.iter().map(y).sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, p) in points.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let dx = i as f64 - mean_x;
        sxy += dx * (y(p) - mean_y);
        sxx += dx * dx;
    }
    let change = sxy / sxx * (nf - 1.0);
    let scale = points.iter().map(|p| y(p).abs()).sum::<f64>() / nf;
    if change.abs() <= FLAT_BAND * scale || change.abs() < 1e-12 {
        Movement::Flat
    } else if change > 0.0 {
        Movement::Up
    } else {
        Movement::Down
    }
}

/// The day after which a series whose latest period is `latest` is stale: the end of the
/// next period by its cadence, else by the period's own length (a day, a week, a month, a
/// quarter), plus the grace days.
fn due(cadence: Option<Cadence>, latest: &Period, grace_days: i64) -> Option<jiff::civil::Date> {
    let next = match cadence.or(match latest.kind {
        PeriodKind::Week => Some(Cadence::Weekly),
        PeriodKind::Month => Some(Cadence::Monthly),
        PeriodKind::Quarter => Some(Cadence::Quarterly),
        PeriodKind::Day => None,
    }) {
        Some(cadence) => next_due(cadence, latest.end)?,
        // A day (or a timestamp) with no cadence: the next day's value is due.
        None => latest.end.tomorrow().ok()?,
    };
    let grace = jiff::Span::new().try_days(grace_days).ok()?;
    next.checked_add(grace).ok()
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

    /// A point keeps its period and value in 24 bytes: both read back as they were given,
    /// and points order as their periods do.
    #[test]
    fn a_point_reads_back_its_period_and_value_and_orders_as_its_period() {
        let periods: Vec<Period> = [
            "2026-03",
            "2026-Q1",
            "2026-W13",
            "2026-03-31",
            "2026-03-29",
            "2026-W14",
            "2026-Q2",
            "2025-12",
            "2026-03-30",
            "2026-03-01",
            "2026-W09",
            "2024-W01",
            "2024-02",
            "2024-Q4",
            "2020-W53",
        ]
        .iter()
        .map(|p| Period::parse(p).unwrap())
        .collect();
        let point = |p: Period| Point::new(p, Num::float(1.0), FileId(0), 1);
        for &a in &periods {
            assert_eq!(point(a).period(), a, "{a}");
            for &b in &periods {
                assert_eq!(
                    point(a).order().cmp(&point(b).order()),
                    a.cmp(&b),
                    "{a} {b}"
                );
            }
        }
        let period = periods[0];
        for text in [
            "80.7",
            "-0.001",
            "0",
            "95",
            "33.333333333333336",
            "9007199254740993.25",
            "-12345678901234567.5",
            "1e-30",
            "1.5e300",
            "0.1234567890123456789",
        ] {
            let n = Num::parse(text).unwrap();
            let p = Point::new(period, n, FileId(0), 1);
            assert_eq!(p.float().to_bits(), n.value().to_bits(), "{text}");
            assert_eq!(p.value(), n, "{text}");
        }
        let inexact = Num::float(0.1 + 0.2);
        assert_eq!(Point::new(period, inexact, FileId(0), 1).value(), inexact);
    }

    fn pts(values: &[f64]) -> Vec<Point> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let period = Period::parse(&format!("2026-{:02}", i + 1)).unwrap();
                Point::new(period, Num::float(v), FileId(0), 1)
            })
            .collect()
    }

    #[test]
    fn a_stable_kpi_keeps_its_bands_around_the_target_that_holds() {
        let status = |kpi: &str, metric: &str, value: &str| {
            let value = Num::parse(value).unwrap();
            let policy = format!(
                "[policy]\nid = \"p\"\n[[kpi]]\nid = \"k\"\ndirection = \"stable\"\nthresholds = {kpi}\n"
            );
            let catalogue =
                format!("[catalogue]\nid = \"c\"\n[[metric]]\nid = \"k\"\nthresholds = {metric}\n");
            let inputs = crate::analyze::testing::Inputs::new(Some(&policy), &catalogue);
            let eff = Effective::of(
                inputs.model.catalogues[0].metrics.first(),
                inputs.model.policy.kpi("k"),
            );
            let past = |l: Option<Threshold>| l.is_some_and(|t| eff.past(value, t.value));
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
                "78"
            ),
            "warn"
        );
        assert_eq!(
            status(
                "{ target = 50, warn = 40, critical = 30 }",
                "{ target = 60 }",
                "59"
            ),
            "ok"
        );
        // The same widths written around another target are the same bands.
        let (kpi, metric) = (
            "{ target = 50, warn = 60, critical = 70 }",
            "{ target = 55, warn = 65, critical = 75 }",
        );
        assert_eq!(status(kpi, metric, "49"), "ok");
        assert_eq!(status(kpi, metric, "71"), "warn");
        assert_eq!(status(kpi, metric, "76"), "breach");
        // A narrower band in the metric is stricter.
        assert_eq!(status(kpi, "{ warn = 55 }", "56"), "warn");
        // A band edge is inside the band, even where binary arithmetic says otherwise
        // (|49.9 - 50.1| is 0.20000000000000284 in `f64`).
        let (kpi, metric) = (
            "{ target = 50.1, warn = 50.3, critical = 50.5 }",
            "{ target = 50.1 }",
        );
        assert_eq!(status(kpi, metric, "49.9"), "ok");
        assert_eq!(status(kpi, metric, "49.89"), "warn");
    }

    #[test]
    fn data_in_memory_reads_as_a_file_does() {
        let inputs = crate::analyze::testing::Inputs::new(
            None,
            "[catalogue]\nid = \"c\"\n[[metric]]\nid = \"m\"\nunit = \"percent\"\n",
        );
        let ctx = inputs.ctx();
        let csv = read_bytes(
            &ctx,
            b"metric,period,value\nm,2026-10,50\nm,2026-11,x\n",
            DataFormat::Csv,
        );
        assert_eq!(csv.series().count(), 1);
        assert_eq!(csv.faults.len(), 1);
        assert_eq!(csv.faults[0].line, 3);
        let nd = read_bytes(
            &ctx,
            b"{\"metric\": \"m\", \"period\": \"2026-10\", \"value\": 50}\nnot json\n",
            DataFormat::Ndjson,
        );
        assert_eq!(nd.series().count(), 1);
        assert_eq!(nd.faults[0].line, 2);
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

    #[test]
    fn movement_by_hand() {
        // 99, 98, 96.5, 95.5: slope = -1.2 per period (sxy = -6, sxx = 5), change over the
        // window = -3.6, 3.7% of the mean 97.25: down.
        assert_eq!(movement(&pts(&[99.0, 98.0, 96.5, 95.5])), Movement::Down);
        // 95, 95.5, 94.8, 95.2: change 0.06 of 95.1 is inside the 2% band: flat.
        assert_eq!(movement(&pts(&[95.0, 95.5, 94.8, 95.2])), Movement::Flat);
        // 2, 3, 5, 8: slope 2.0, change 6 against a mean of 4.5: up.
        assert_eq!(movement(&pts(&[2.0, 3.0, 5.0, 8.0])), Movement::Up);
        // Fewer than three points never make a trend.
        assert_eq!(movement(&pts(&[1.0, 100.0])), Movement::Flat);
        // All zeros: flat, not a division by zero.
        assert_eq!(movement(&pts(&[0.0, 0.0, 0.0])), Movement::Flat);
        // Values near f64::MAX: flat, not an overflow to infinity read as a fall.
        assert_eq!(movement(&pts(&[1e308; 6])), Movement::Flat);
        assert_eq!(movement(&pts(&[1e308, 1.2e308, 1.4e308])), Movement::Up);
    }
}
