//! The validated model of policies and catalogues, extracted from their
//! [`Node`](crate::parse::node::Node) trees by [`crate::load::extract`].
//!
//! Extraction is lenient: the JSON Schemas have already reported every shape problem, so a
//! field of the wrong type is simply absent here and rules skip what they cannot judge.
//! Every field a finding may point at keeps its [`Span`].

use crate::num::Num;
use crate::rule::Rule;
use crate::source::{FileId, Span};
use jiff::civil::Date;

/// A value and where it is written: its file and span. A value a layer inherits from a
/// parent keeps the parent's file, so a finding about it always points at the file that
/// says it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sp<T> {
    /// The value.
    pub value: T,
    /// Its span.
    pub span: Span,
    /// The file that says it.
    pub file: FileId,
}

impl<T> Sp<T> {
    /// Wraps a value with where it is written.
    pub fn new(value: T, span: Span, file: FileId) -> Self {
        Self { value, span, file }
    }

    /// A label at the value.
    #[must_use]
    pub fn at(&self) -> crate::diag::Label {
        crate::diag::Label::at(self.file, self.span)
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $(#[doc = concat!("`", $s, "`")] $variant),+ }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl $name {
            /// Parses the policy spelling.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$variant),)+ _ => None }
            }
            /// The policy spelling.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }
        }
    };
}

string_enum!(
    /// Who a KPI is for.
    Tier { Board = "board", Tactical = "tactical", Okr = "okr" }
);
string_enum!(
    /// What a value counts.
    Unit {
        Percent = "percent", Ratio = "ratio", Count = "count", Minutes = "minutes",
        Hours = "hours", Days = "days", Score = "score", Currency = "currency",
    }
);
string_enum!(
    /// Which way is good.
    Direction { HigherIsBetter = "higher_is_better", LowerIsBetter = "lower_is_better", Stable = "stable" }
);
string_enum!(
    /// How often a value is reported.
    Cadence { Weekly = "weekly", Monthly = "monthly", Quarterly = "quarterly" }
);
string_enum!(
    /// Where a required KPI must be carried: by each catalogue (each team), or by one
    /// catalogue at least (the organisation as a whole).
    RequiredIn { EachCatalogue = "each-catalogue", Organisation = "organisation" }
);
string_enum!(
    /// How data is produced.
    DataSource { Automated = "automated", Manual = "manual" }
);
string_enum!(
    /// Who sees a metric.
    Visibility { Leadership = "leadership", Team = "team" }
);
string_enum!(
    /// A trend target.
    Trend { Down = "down", Up = "up", Stable = "stable" }
);
string_enum!(
    /// What an identity event changes: the posture, or the mechanism.
    EventKind { Strategic = "strategic", Technical = "technical" }
);
string_enum!(
    /// Where an identity event stands.
    EventStatus { Planned = "planned", InProgress = "in_progress", Done = "done", Cancelled = "cancelled" }
);
string_enum!(
    /// Which way an event should move a KPI.
    Toward { Up = "up", Down = "down" }
);

impl Cadence {
    /// Nominal length in days, for comparing cadences.
    #[must_use]
    pub fn days(self) -> u32 {
        match self {
            Self::Weekly => 7,
            Self::Monthly => 31,
            Self::Quarterly => 92,
        }
    }
}

impl Unit {
    /// Whether a binary value is surely possible (`Some(true)`) or surely not
    /// (`Some(false)`) for the unit, when its binary value can tell; `None` when only the
    /// exact value can (at a bound, or a count that must be whole).
    #[must_use]
    pub fn admits_binary(self, f: f64) -> Option<bool> {
        let (min, max, integer) = self.domain();
        if !f.is_finite() || f < min || f > max {
            Some(false)
        } else if f > min && f < max && !integer {
            Some(true)
        } else {
            None
        }
    }

    /// Whether `v` is possible for the unit (judged on its exact value).
    #[must_use]
    pub fn admits(self, v: Num) -> bool {
        let (min, max, integer) = self.domain();
        let f = v.value();
        // Most values lie strictly inside the bounds, which their binary value shows.
        if f > min && f < max && !integer {
            return true;
        }
        // The bounds are small integers: exact as `Num`s, built without parsing.
        #[allow(clippy::cast_possible_truncation)]
        let bound = |b: f64| Num::int(b as i64);
        f.is_finite()
            && (!min.is_finite() || !v.lt(bound(min)))
            && (!max.is_finite() || !v.gt(bound(max)))
            && (!integer || v.is_integer())
    }

    /// The values a unit allows, as (min, max, integer-only).
    #[must_use]
    pub fn domain(self) -> (f64, f64, bool) {
        match self {
            Self::Percent => (0.0, 100.0, false),
            Self::Ratio => (0.0, 1.0, false),
            Self::Count => (0.0, f64::INFINITY, true),
            Self::Minutes | Self::Hours | Self::Days | Self::Currency => {
                (0.0, f64::INFINITY, false)
            }
            Self::Score => (f64::NEG_INFINITY, f64::INFINITY, false),
        }
    }
}

/// The three threshold levels, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level3 {
    /// Where the KPI should be.
    Target,
    /// Past this, warn.
    Warn,
    /// Past this, breach.
    Critical,
}

impl Level3 {
    /// All three in order.
    pub const ALL: [Self; 3] = [Self::Target, Self::Warn, Self::Critical];
    /// The key name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Target => "target",
            Self::Warn => "warn",
            Self::Critical => "critical",
        }
    }
}

/// A KPI's thresholds: numeric levels and/or a trend target.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Thresholds {
    /// Span of the whole `thresholds` value.
    pub span: Span,
    /// The file that writes it.
    pub file: FileId,
    /// Where the KPI should be.
    pub target: Option<Sp<Num>>,
    /// Warn past this.
    pub warn: Option<Sp<Num>>,
    /// Breach past this.
    pub critical: Option<Sp<Num>>,
    /// The trend the KPI must follow.
    pub trend: Option<Sp<Trend>>,
}

impl Thresholds {
    /// One numeric level.
    #[must_use]
    pub fn level(&self, level: Level3) -> Option<&Sp<Num>> {
        match level {
            Level3::Target => self.target.as_ref(),
            Level3::Warn => self.warn.as_ref(),
            Level3::Critical => self.critical.as_ref(),
        }
    }

    /// Sets one numeric level.
    pub fn set(&mut self, level: Level3, value: Option<Sp<Num>>) {
        match level {
            Level3::Target => self.target = value,
            Level3::Warn => self.warn = value,
            Level3::Critical => self.critical = value,
        }
    }

    /// Whether nothing is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.target.is_none()
            && self.warn.is_none()
            && self.critical.is_none()
            && self.trend.is_none()
    }
}

/// An OKR's time-bound, directional commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct Okr {
    /// Span of the `okr` table.
    pub span: Span,
    /// The file that writes it.
    pub file: FileId,
    /// The objective.
    pub objective: Option<Sp<String>>,
    /// Starting value.
    pub baseline: Option<Sp<Num>>,
    /// Value to reach.
    pub target: Option<Sp<Num>>,
    /// When.
    pub due: Option<Sp<Date>>,
    /// When the change began (progress is expected from here); unset, the start of the
    /// earliest period in the trend window.
    pub start: Option<Sp<Date>>,
}

/// Where a [`Metric`] is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A `[[kpi]]` of a policy.
    Policy,
    /// A `[[metric]]` of a catalogue.
    Catalogue,
}

/// A policy KPI or a catalogue metric: the two share their fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Policy KPI or catalogue metric.
    pub origin: Origin,
    /// The file.
    pub file: FileId,
    /// Span of the whole entry.
    pub span: Span,
    /// Its id.
    pub id: Sp<String>,
    /// Human name (`name` in catalogues, `title` in policies).
    pub name: Option<Sp<String>>,
    /// Free text.
    pub description: Option<Sp<String>>,
    /// The policy KPI this metric implements.
    pub implements: Option<Sp<String>>,
    /// Board, tactical or OKR.
    pub tier: Option<Sp<Tier>>,
    /// Category id.
    pub category: Option<Sp<String>>,
    /// Unit.
    pub unit: Option<Sp<Unit>>,
    /// Direction.
    pub direction: Option<Sp<Direction>>,
    /// Accountable owner.
    pub owner: Option<Sp<String>>,
    /// Reporting cadence.
    pub cadence: Option<Sp<Cadence>>,
    /// Automated or manual.
    pub source: Option<Sp<DataSource>>,
    /// Leadership or team.
    pub visibility: Option<Sp<Visibility>>,
    /// Framework references, as written.
    pub frameworks: Vec<Sp<String>>,
    /// Thresholds.
    pub thresholds: Option<Thresholds>,
    /// OKR terms.
    pub okr: Option<Okr>,
    /// Policy KPIs only: must every catalogue carry it?
    pub required: Option<Sp<bool>>,
    /// Policy KPIs: the tactical KPIs this one summarises.
    pub rolls_up: Vec<Sp<String>>,
    /// Policy KPIs: who decides on the KPI's policy and risk appetite (strategic).
    pub decision_owner: Option<Sp<String>>,
    /// Policy KPIs: who runs the control that moves it (technical).
    pub implementation_owner: Option<Sp<String>>,
    /// The KPI or metric that must not worsen while this one improves.
    pub guardrail: Option<Sp<String>>,
    /// An activity metric's outcome: the KPI or metric it is meant to move.
    pub drives: Option<Sp<String>>,
    /// A derived KPI's formula over other metrics' series: its values are computed, never
    /// reported.
    pub formula: Option<Formula>,
    /// Catalogue metrics: the power of ten its data rows are multiplied by (`scale = 100`
    /// is 2: an export that writes percentages as fractions).
    pub scale: Option<Sp<i32>>,
    /// Fields it writes in a form the schema rejects.
    pub unreadable: Unreadable,
}

/// A derived KPI's `formula`: its text as written and what it parses to.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// The text as written.
    pub text: Sp<String>,
    /// Where the text begins in its file when the file writes it as it reads (quoted
    /// without escapes, or plain), so that a finding about part of it points at that part;
    /// `None` until [`Formula::locate`] finds it.
    pub offset: Option<u32>,
    /// What it parses to.
    pub parsed: Result<crate::formula::Expr, crate::formula::Error>,
}

impl Formula {
    /// Parses a formula as written.
    #[must_use]
    pub fn new(text: Sp<String>) -> Self {
        let parsed = crate::formula::parse(&text.value);
        Self {
            text,
            offset: None,
            parsed,
        }
    }

    /// Finds where the text begins in `source`, the text of its file: right after the
    /// opening quote (`"`, `'`, `"""`, `"""` and a line break) or at the value itself
    /// (a YAML plain scalar), when what follows reads as the value; else not at all (an
    /// escape sequence moves every offset after it).
    pub fn locate(&mut self, source: &str) {
        let span = self.text.span;
        let value = self.text.value.as_str();
        self.offset = source.get(span.range()).and_then(|written| {
            [0usize, 1, 3, 4, 5]
                .into_iter()
                .find(|&at| written.get(at..at + value.len()) == Some(value))
                .and_then(|at| u32::try_from(at).ok())
                .map(|at| span.start.saturating_add(at))
        });
    }

    /// What [`crate::formula::order`] needs of it: the metrics it names, by `index` (the
    /// position of an id among the metrics ordered), or `Broken` when it does not parse or
    /// names an id `index` does not know.
    pub fn node(&self, index: impl Fn(&str) -> Option<u32>) -> crate::formula::Node {
        let names = match &self.parsed {
            Ok(expr) => expr.names().iter().map(|n| index(&n.id)).collect(),
            Err(_) => None,
        };
        names.map_or(crate::formula::Node::Broken, crate::formula::Node::Derived)
    }

    /// The formula that derives the series of `id`, whose rows the catalogue metric
    /// `metric` and the policy KPI `kpi` it implements define (either may be absent).
    ///
    /// The policy's definition binds: a KPI's own series (of the KPI's id) is derived by
    /// the KPI's formula, or reported when the KPI has none, whatever a catalogue metric of
    /// that id writes. A metric that implements a KPI under an id of its own is reported,
    /// not derived (its team may report the figure directly), unless it writes the KPI's
    /// very formula. A metric's formula that the policy does not allow is ignored, and
    /// `looser-than-policy` reports it. A metric that implements no KPI is derived by its
    /// own formula.
    #[must_use]
    pub fn of<'a>(
        id: &str,
        metric: Option<&'a Metric>,
        kpi: Option<&'a Metric>,
    ) -> Option<&'a Self> {
        let own = metric.and_then(|m| m.formula.as_ref());
        let Some(k) = kpi else { return own };
        if k.id.value == id {
            return k.formula.as_ref();
        }
        own.filter(|f| k.formula.as_ref().is_some_and(|kf| kf.same(f)))
    }

    /// Whether `other` computes the same thing the same way (spacing and redundant
    /// parentheses aside); a formula that does not parse is the same only as its text.
    #[must_use]
    pub fn same(&self, other: &Formula) -> bool {
        match (&self.parsed, &other.parsed) {
            (Ok(a), Ok(b)) => a.same(b),
            _ => self.text.value.trim() == other.text.value.trim(),
        }
    }

    /// A label at bytes `at` of the formula: there when the file writes the text as it
    /// reads and `at` is not empty, else at the whole value.
    #[must_use]
    pub fn at(&self, at: &std::ops::Range<usize>) -> crate::diag::Label {
        match self.offset {
            Some(offset) if at.start < at.end && at.end <= self.text.value.len() => {
                let start = offset as usize + at.start;
                crate::diag::Label::at(self.text.file, Span::new(start, offset as usize + at.end))
            }
            _ => self.text.at(),
        }
    }
}

/// A field whose absence a rule reports.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
pub enum Field {
    /// `owner`.
    Owner,
    /// `cadence`.
    Cadence,
    /// `thresholds` (written, but no level or trend readable).
    Thresholds,
    /// `okr.objective`.
    OkrObjective,
    /// `okr.baseline`.
    OkrBaseline,
    /// `okr.target`.
    OkrTarget,
    /// `okr.due`.
    OkrDue,
}

/// The fields an entry writes in a form the schema rejects (`cadence = "montly"`). `schema`
/// reports each; the rules about a field's absence stay quiet about it, so that one slip is
/// one finding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unreadable(u8);

impl Unreadable {
    /// Adds `field` if `written` but not `read`.
    pub fn note(&mut self, field: Field, written: bool, read: bool) {
        if written && !read {
            self.0 |= 1 << field as u8;
        }
    }

    /// Whether `field` is written but unreadable.
    #[must_use]
    pub fn has(self, field: Field) -> bool {
        self.0 & (1 << field as u8) != 0
    }
}

impl Metric {
    /// Whether the metric is on the board tier.
    #[must_use]
    pub fn is_tier(&self, tier: Tier) -> bool {
        self.tier.as_ref().is_some_and(|t| t.value == tier)
    }

    /// Whether the entry says `required = true`.
    #[must_use]
    pub fn is_required(&self) -> bool {
        self.required.as_ref().is_some_and(|r| r.value)
    }

    /// Fills what this definition leaves out from `parent` (the same KPI in a policy it
    /// extends): fields, threshold levels and the trend target.
    pub fn inherit(&mut self, parent: &Metric) {
        macro_rules! fill {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f.clone_from(&parent.$f); } )* };
        }
        fill!(
            name,
            description,
            tier,
            category,
            unit,
            direction,
            owner,
            cadence,
            source,
            visibility,
            okr,
            required,
            decision_owner,
            implementation_owner,
            guardrail,
            drives,
            formula
        );
        if self.frameworks.is_empty() {
            self.frameworks.clone_from(&parent.frameworks);
        }
        if self.rolls_up.is_empty() {
            self.rolls_up.clone_from(&parent.rolls_up);
        }
        match (&mut self.thresholds, &parent.thresholds) {
            (None, Some(p)) => self.thresholds = Some(p.clone()),
            (Some(t), Some(p)) => {
                macro_rules! level {
                    ($($f:ident),*) => { $( if t.$f.is_none() { t.$f.clone_from(&p.$f); } )* };
                }
                level!(target, warn, critical, trend);
            }
            _ => {}
        }
    }

    /// The KPI id this metric stands for: `implements`, else its own id.
    #[must_use]
    pub fn kpi_id(&self) -> &str {
        self.implements
            .as_ref()
            .map_or(&self.id.value, |i| &i.value)
    }
}

/// A `[[category]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// The file.
    pub file: FileId,
    /// Span of the entry.
    pub span: Span,
    /// Its id.
    pub id: Sp<String>,
    /// Its owner.
    pub owner: Option<Sp<String>>,
}

/// How a banned metric is recognised.
#[derive(Debug, Clone, PartialEq)]
pub struct BannedMatch {
    /// Regex tried on id, name and description, case-insensitive unless it says `(?-i)`.
    pub name: Option<Sp<String>>,
    /// Phrases matched at word boundaries, across inflections, in a name that does not
    /// frame an outcome (see [`crate::vanity::has_phrase`]).
    pub words: Vec<Sp<String>>,
    /// `activity = true`: the name counts activity (see [`crate::vanity::activity`]).
    pub activity: Option<Sp<bool>>,
    /// `posing_as_outcome = true`: the metric stands where outcomes do (board or OKR tier,
    /// an `okr` table, leadership visibility, or the implementation of a policy KPI).
    pub posing_as_outcome: Option<Sp<bool>>,
    /// Structural equalities: (field, value).
    pub fields: Vec<(String, Sp<String>)>,
}

impl BannedMatch {
    /// Keys of a `match` table that are not structural equalities.
    pub const SPECIAL: [&'static str; 4] = ["name", "words", "activity", "posing_as_outcome"];

    /// Whether it tests nothing (`schema` reports an empty `match`).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.words.is_empty()
            && !self.activity.as_ref().is_some_and(|a| a.value)
            && !self.posing_as_outcome.as_ref().is_some_and(|a| a.value)
            && self.fields.is_empty()
    }
}

/// A `[[banned]]` vanity metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Banned {
    /// The file.
    pub file: FileId,
    /// Span of the entry.
    pub span: Span,
    /// Its id.
    pub id: Sp<String>,
    /// How to recognise it.
    pub matcher: BannedMatch,
    /// Why it is banned.
    pub reason: Option<String>,
    /// What to measure instead.
    pub suggest: Option<String>,
}

/// An `[[exception]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// The file.
    pub file: FileId,
    /// Span of the entry.
    pub span: Span,
    /// The rule it waives, as written.
    pub rule: Sp<String>,
    /// The rule it names, if kpilint has one of that name.
    pub rule_ref: Option<&'static Rule>,
    /// The id the waived findings are about.
    pub subject: Sp<String>,
    /// Why.
    pub reason: Option<Sp<String>>,
    /// Who approved it.
    pub approved_by: Option<Sp<String>>,
    /// Last day it applies.
    pub expires: Option<Sp<Date>>,
}

impl Exception {
    /// Whether it names a `reason` and who approved it: only then does it waive anything.
    #[must_use]
    pub fn is_approved(&self) -> bool {
        let given = |v: &Option<Sp<String>>| v.as_ref().is_some_and(|s| !s.value.trim().is_empty());
        given(&self.reason) && given(&self.approved_by)
    }

    /// Whether it still applies on `as_of` (its `expires` day included).
    #[must_use]
    pub fn is_live(&self, as_of: Date) -> bool {
        self.expires.as_ref().is_some_and(|e| e.value >= as_of)
    }
}

/// A `[rules]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSetting {
    /// The file.
    pub file: FileId,
    /// Span of the rule name.
    pub key_span: Span,
    /// The rule name as written.
    pub name: String,
    /// The rule it names, if kpilint has one of that name.
    pub rule: Option<&'static Rule>,
    /// Severity or `off`.
    pub level: Option<Sp<crate::diag::Level>>,
    /// No exception can waive it.
    pub locked: bool,
    /// Where `locked` is written, if it is: `locked = false` under a parent's lock is an
    /// unlock, while an entry that leaves it out keeps the parent's lock.
    pub locked_at: Option<Span>,
    /// Before this date the rule is at most a warning.
    pub effective: Option<Sp<Date>>,
}

/// `[settings]`, each value with where it was set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// Most board KPIs a catalogue (or the policy) may have.
    pub max_board_kpis: Option<(FileId, Sp<i64>)>,
    /// Tiers that must map to a framework control.
    pub require_mapping: Option<(FileId, Sp<Vec<Tier>>)>,
    /// Days of grace beyond the cadence before data is stale.
    pub stale_grace_days: Option<(FileId, Sp<i64>)>,
    /// Periods used for trends.
    pub trend_window: Option<(FileId, Sp<i64>)>,
    /// Where required KPIs must be carried.
    pub required_kpis: Option<(FileId, Sp<RequiredIn>)>,
    /// Tiers whose KPIs must name a `guardrail`.
    pub require_guardrail: Option<(FileId, Sp<Vec<Tier>>)>,
    /// Days a strategic decision may go without a technical event implementing it.
    pub event_grace_days: Option<(FileId, Sp<i64>)>,
    /// Periods after a strategic decision by which its KPIs must have moved.
    pub event_effect_periods: Option<(FileId, Sp<i64>)>,
}

/// One policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFile {
    /// The file.
    pub file: FileId,
    /// `[policy] id`.
    pub id: Sp<String>,
    /// Policies it extends.
    pub extends: Vec<Sp<String>>,
    /// Its settings.
    pub settings: Settings,
    /// Its rule settings.
    pub rules: Vec<RuleSetting>,
    /// Its categories.
    pub categories: Vec<Category>,
    /// Its KPIs.
    pub kpis: Vec<Metric>,
    /// Its banned metrics.
    pub banned: Vec<Banned>,
    /// Its exceptions.
    pub exceptions: Vec<Exception>,
    /// Its coverage requirements.
    pub coverage: Vec<Sp<String>>,
}

/// One metric catalogue file.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    /// The file.
    pub file: FileId,
    /// Span of the `[catalogue]` table, or of the document if it has none.
    pub span: Span,
    /// `[catalogue] id`.
    pub id: Option<Sp<String>>,
    /// `[catalogue] owner`: who maintains the file (not a default for its metrics).
    pub owner: Option<Sp<String>>,
    /// Its metrics.
    pub metrics: Vec<Metric>,
}

impl Catalogue {
    /// Finds where each formula begins in `source`, the catalogue's text (see
    /// [`Formula::locate`]).
    pub fn locate_formulas(&mut self, source: &str) {
        for f in self.metrics.iter_mut().filter_map(|m| m.formula.as_mut()) {
            f.locate(source);
        }
    }
}

impl PolicyFile {
    /// Finds where each formula begins in `source`, the policy's text (see
    /// [`Formula::locate`]).
    pub fn locate_formulas(&mut self, source: &str) {
        for f in self.kpis.iter_mut().filter_map(|k| k.formula.as_mut()) {
            f.locate(source);
        }
    }
}

/// A KPI an identity event is expected to move.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// The KPI or metric id.
    pub kpi: Sp<String>,
    /// Which way; unset, the way the KPI improves.
    pub toward: Option<Sp<Toward>>,
}

/// An `[[event]]` of an identity event register.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The file.
    pub file: FileId,
    /// Span of the entry.
    pub span: Span,
    /// Its id.
    pub id: Sp<String>,
    /// Strategic or technical.
    pub kind: Option<Sp<EventKind>>,
    /// Its title.
    pub title: Option<Sp<String>>,
    /// Strategic: when decided; technical: when started.
    pub date: Option<Sp<Date>>,
    /// Where it stands.
    pub status: Option<Sp<EventStatus>>,
    /// Who is accountable.
    pub owner: Option<Sp<String>>,
    /// `owner` is written in a form the schema rejects (one slip, one finding).
    pub owner_unreadable: bool,
    /// Technical events: the strategic decision implemented.
    pub implements: Option<Sp<String>>,
    /// The KPIs it should move.
    pub moves: Vec<Move>,
    /// Links to its evidence.
    pub evidence: Vec<Sp<String>>,
}

impl Event {
    /// Whether it is of this kind.
    #[must_use]
    pub fn is(&self, kind: EventKind) -> bool {
        self.kind.as_ref().is_some_and(|k| k.value == kind)
    }

    /// Whether its status is this one.
    #[must_use]
    pub fn has_status(&self, status: EventStatus) -> bool {
        self.status.as_ref().is_some_and(|s| s.value == status)
    }

    /// Whether it is under way or done: a strategic decision taken, a technical change
    /// being built or delivered. Planned and cancelled events are not judged for effect.
    /// (Not "live", which the README uses for "not cancelled".)
    #[must_use]
    pub fn is_decided(&self) -> bool {
        self.has_status(EventStatus::InProgress) || self.has_status(EventStatus::Done)
    }
}

/// An identity event register file.
#[derive(Debug, Clone, PartialEq)]
pub struct Register {
    /// The file.
    pub file: FileId,
    /// Span of the `[register]` table, or of the document if it has none.
    pub span: Span,
    /// `[register] id`.
    pub id: Option<Sp<String>>,
    /// Its events.
    pub events: Vec<Event>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding about part of a formula points at that part when the file writes the
    /// formula as it reads, and at the whole value otherwise.
    #[test]
    fn a_formula_is_located_in_its_file_unless_an_escape_moves_it() {
        let at = |source: &str, value: &str| {
            // The value begins after `= ` or `: `.
            let start = source.rfind(['=', ':']).unwrap() + 2;
            let mut f = Formula::new(Sp::new(
                value.to_owned(),
                Span::new(start, source.len()),
                FileId(0),
            ));
            f.locate(source);
            f.offset
        };
        assert_eq!(at("formula = \"a + b\"", "a + b"), Some(11));
        assert_eq!(at("formula = 'a + b'", "a + b"), Some(11));
        assert_eq!(at("formula = \"\"\"\na + b\"\"\"", "a + b"), Some(14));
        assert_eq!(at("formula: a + b", "a + b"), Some(9));
        assert_eq!(at("\"formula\": \"a \\u002b b\"", "a + b"), None);
        // Where it is found, a part is labelled; where not, the whole value.
        let mut f = Formula::new(Sp::new("a + b".into(), Span::new(10, 17), FileId(0)));
        f.locate("formula = \"a + b\"");
        assert_eq!(f.at(&(4..5)).span, Span::new(15, 16));
        f.offset = None;
        assert_eq!(f.at(&(4..5)).span, Span::new(10, 17));
    }
}
