//! `kpilint report --html`: the board pack, one self-contained HTML file.
//!
//! No script, font, image or stylesheet is fetched: the styles are inline, the charts are
//! inline SVG written here (a few rectangles, lines and a polyline each: smaller and more
//! exact than a plotting crate's output, and nothing to keep up to date), and a Content
//! Security Policy forbids every load, so the file opens from a mail attachment as it does
//! from disk. Everything that comes from input is escaped. Status is written in words and
//! marked by a shape as well as a colour; every chart has a text alternative.

use super::Emitter;
use crate::analyze::data::Status;
use crate::analyze::scorecard::{ScoreLine, Verdict};
use crate::model::{Tier, Unit};
use crate::num::float as num;
use crate::settle::Report;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

/// The board pack's emitter.
pub struct BoardPack {
    /// "Today".
    pub as_of: jiff::civil::Date,
    /// The git commit the inputs are at, if they are in a repository.
    pub commit: Option<String>,
}

/// Text for HTML, attribute values included: `<script>` is text.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::escape::is_unsafe(c) => {
                let _ = write!(out, "&#x{:x};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// A value with its unit.
fn value(v: Option<f64>, unit: Option<Unit>) -> String {
    let Some(v) = v else {
        return "no data".to_owned();
    };
    let v = num((v * 100.0).round() / 100.0);
    match unit {
        Some(Unit::Percent) => format!("{v}%"),
        Some(Unit::Hours) => format!("{v} h"),
        Some(Unit::Minutes) => format!("{v} min"),
        Some(Unit::Days) => format!("{v} days"),
        _ => v,
    }
}

/// A status as a badge: a shape, the word, and a class for the colour.
fn badge(s: Status) -> String {
    let (shape, class) = match s {
        Status::OnTarget | Status::Achieved | Status::OnTrack => ("●", "good"),
        Status::Warn | Status::OffTarget | Status::Stale | Status::AtRisk => ("▲", "warn"),
        Status::Breach | Status::OffTrack | Status::Overdue => ("■", "bad"),
        Status::Missing | Status::Banned => ("◆", "none"),
    };
    format!(
        "<span class=\"badge {class}\"><span aria-hidden=\"true\">{shape}</span> {}</span>",
        s.as_str()
    )
}

/// The trend in words, with an arrow.
fn trend(l: &ScoreLine) -> String {
    if l.latest.is_none() {
        return "-".to_owned();
    }
    let arrow = match l.trend {
        crate::analyze::data::Movement::Up => "↑",
        crate::analyze::data::Movement::Down => "↓",
        crate::analyze::data::Movement::Flat => "→",
    };
    let class = match l.trend_verdict {
        Verdict::Improving => "good",
        Verdict::Worsening => "bad",
        _ => "none",
    };
    format!(
        "<span class=\"trend {class}\">{arrow} {}</span>",
        l.trend_verdict.as_str()
    )
}

/// An identity event marked on the charts of the KPIs it should move.
struct Mark<'a> {
    date: jiff::civil::Date,
    strategic: bool,
    title: &'a str,
}

/// Most events marked on one chart: the latest by date (a chart with more lines than
/// periods says nothing, and a register is input of any size).
const MAX_MARKS: usize = 12;

/// The identity events to mark on each KPI's and metric's charts.
#[derive(Default)]
struct Marks<'a> {
    /// By KPI or metric id: each decision that is not cancelled on the KPIs it `moves`,
    /// and the technical events implementing it (and any technical event on the KPIs it
    /// names itself), at most [`MAX_MARKS`] of the latest, in date order.
    by_id: crate::hash::Map<&'a str, Vec<Mark<'a>>>,
    /// The KPI each catalogue metric implements, where it differs from its id.
    kpi_of: crate::hash::Map<&'a str, &'a str>,
}

/// Keeps the latest [`MAX_MARKS`] of `v`, in date order.
fn keep_latest(v: &mut Vec<Mark<'_>>) {
    v.sort_by_key(|m| m.date);
    let extra = v.len().saturating_sub(MAX_MARKS);
    v.drain(..extra);
}

fn marks(report: &Report) -> Marks<'_> {
    use crate::model::{EventKind, EventStatus};
    let mut out = Marks::default();
    let Some(model) = report.model.as_deref() else {
        return out;
    };
    let events: Vec<_> = model
        .registers
        .iter()
        .flat_map(|r| &r.events)
        .filter(|e| !e.has_status(EventStatus::Cancelled))
        .collect();
    let mut decisions: crate::hash::Map<&str, &crate::model::Event> = crate::hash::Map::default();
    for d in events.iter().filter(|d| d.is(EventKind::Strategic)) {
        decisions.entry(d.id.value.as_str()).or_insert(d);
    }
    for e in &events {
        let Some(date) = &e.date else { continue };
        let decision = e
            .implements
            .as_ref()
            .filter(|_| e.is(EventKind::Technical))
            .and_then(|i| decisions.get(i.value.as_str()));
        let mut kpis: Vec<&str> = e
            .moves
            .iter()
            .chain(decision.iter().flat_map(|d| &d.moves))
            .map(|m| m.kpi.value.as_str())
            .collect();
        kpis.sort_unstable();
        kpis.dedup();
        for k in kpis {
            let v = out.by_id.entry(k).or_default();
            v.push(Mark {
                date: date.value,
                strategic: e.is(EventKind::Strategic),
                title: e.title.as_ref().map_or(e.id.value.as_str(), |t| &t.value),
            });
            if v.len() >= 2 * MAX_MARKS {
                keep_latest(v);
            }
        }
    }
    out.by_id.values_mut().for_each(keep_latest);
    if !out.by_id.is_empty() {
        for m in model.catalogues.iter().flat_map(|c| &c.metrics) {
            if m.kpi_id() != m.id.value && out.by_id.contains_key(m.kpi_id()) {
                out.kpi_of.entry(&m.id.value).or_insert(m.kpi_id());
            }
        }
    }
    out
}

/// The marks of a scorecard line: those of its metric and of the KPI it implements.
fn marks_of<'m>(l: &ScoreLine, marks: &'m Marks<'_>) -> Vec<&'m Mark<'m>> {
    if marks.by_id.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<&Mark> = marks.by_id.get(l.metric).into_iter().flatten().collect();
    if let Some(k) = marks.kpi_of.get(l.metric) {
        out.extend(marks.by_id.get(k).into_iter().flatten());
    }
    out.sort_by_key(|m| m.date);
    out
}

/// The first day of a window of `n` periods ending with `latest`, as if none were skipped.
fn window_start(latest: crate::period::Period, n: usize) -> jiff::civil::Date {
    use crate::period::PeriodKind;
    let back = i64::try_from(n.saturating_sub(1)).unwrap_or(0).min(1000);
    let span = match latest.kind {
        PeriodKind::Day => jiff::Span::new().days(back),
        PeriodKind::Week => jiff::Span::new().weeks(back),
        PeriodKind::Month => jiff::Span::new().months(back),
        PeriodKind::Quarter => jiff::Span::new().months(3 * back),
    };
    latest.start.checked_sub(span).unwrap_or(latest.start)
}

/// The events of `marks` dated within a series' window, each with its x between `from`
/// (the first period's start) and `to` (the latest's), by its day.
fn place<'m>(
    l: &ScoreLine,
    marks: &[&'m Mark<'m>],
    from: f64,
    to: f64,
) -> Vec<(f64, &'m Mark<'m>)> {
    let Some(latest) = l.period.filter(|_| !l.window.is_empty()) else {
        return Vec::new();
    };
    let first = window_start(latest, l.window.len());
    let days = |d: jiff::civil::Date| (d - first).get_days();
    let full = f64::from(days(latest.start).max(1));
    marks
        .iter()
        .filter(|m| m.date >= first && m.date <= latest.end)
        .map(|m| {
            let f = (f64::from(days(m.date)) / full).min(1.0);
            (from + f * (to - from), *m)
        })
        .collect()
}

/// What a chart's text alternative says of its placed events, and their vertical lines.
fn drawn(placed: &[(f64, &Mark)], height: f64) -> (String, String) {
    let (mut said, mut lines) = (String::new(), String::new());
    for (at, m) in placed {
        let (kind, class) = if m.strategic {
            ("decision", "strategic")
        } else {
            ("technical change", "technical")
        };
        let _ = write!(said, "; {kind} {}: {}", m.date, m.title);
        let _ = write!(
            lines,
            "<line class=\"event {class}\" x1=\"{at:.1}\" x2=\"{at:.1}\" y1=\"0\" y2=\"{height}\"/>"
        );
    }
    (said, lines)
}

/// A line chart of a series' window against its target, warn and critical levels, with a
/// text alternative. `width` x `height` pixels; `bands` draws the threshold lines. Each
/// identity event of `marks` dated within the window is a vertical line (solid: a
/// strategic decision; dotted: a technical change), placed as if no period were skipped.
fn chart(l: &ScoreLine, width: f64, height: f64, bands: bool, marks: &[&Mark]) -> String {
    let values = &l.window;
    let levels: Vec<(f64, &str)> = if bands {
        [
            (l.target, "target"),
            (l.warn, "warn"),
            (l.critical, "critical"),
        ]
        .into_iter()
        .filter_map(|(v, k)| Some((v?, k)))
        .collect()
    } else {
        Vec::new()
    };
    let all = values.iter().copied().chain(levels.iter().map(|(v, _)| *v));
    let (mut lo, mut hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return String::new();
    }
    if (hi - lo).abs() < f64::EPSILON {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = 4.0;
    let y = |v: f64| pad + (hi - v) / (hi - lo) * (height - 2.0 * pad);
    #[allow(clippy::cast_precision_loss)]
    let x = |i: usize| {
        if values.len() <= 1 {
            width / 2.0
        } else {
            pad + i as f64 / (values.len() - 1) as f64 * (width - 2.0 * pad)
        }
    };
    let name = l.name.unwrap_or(l.metric);
    let mut alt = format!(
        "{} over the last {} periods: {}",
        name,
        values.len(),
        values
            .iter()
            .map(|v| value(Some(*v), l.unit))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (v, k) in &levels {
        let _ = write!(alt, "; {k} {}", value(Some(*v), l.unit));
    }
    let placed = if values.len() <= 1 {
        place(l, marks, width / 2.0, width / 2.0)
    } else {
        place(l, marks, x(0), x(values.len() - 1))
    };
    let (said, lines) = drawn(&placed, height);
    alt.push_str(&said);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        esc(&alt),
        esc(&alt)
    );
    for (v, k) in &levels {
        let yy = y(*v);
        let _ = write!(
            svg,
            "<line class=\"level {k}\" x1=\"0\" x2=\"{width}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/>"
        );
    }
    svg.push_str(&lines);
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    let _ = write!(
        svg,
        "<polyline class=\"series\" points=\"{}\"/>",
        points.join(" ")
    );
    if let Some((i, v)) = values.last().map(|v| (values.len() - 1, v)) {
        let _ = write!(
            svg,
            "<circle class=\"series\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\"/>",
            x(i),
            y(*v)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// An OKR's progress bar with the expected line, and its text alternative.
fn progress_bar(l: &ScoreLine) -> String {
    let (Some(p), Some(e)) = (l.progress, l.expected) else {
        return "-".to_owned();
    };
    let (w, h) = (160.0, 14.0);
    let pw = p.clamp(0.0, 1.0) * w;
    let ex = e.clamp(0.0, 1.0) * w;
    let alt = format!(
        "{}% of the way to target; {}% expected by now",
        num((p * 100.0).round()),
        num((e * 100.0).round())
    );
    // The text beside the bar says it all: the bar is hidden from screen readers.
    format!(
        "<svg class=\"progress\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" aria-hidden=\"true\">\
         <rect class=\"track\" x=\"0\" y=\"2\" width=\"{w}\" height=\"10\"/>\
         <rect class=\"done\" x=\"0\" y=\"2\" width=\"{pw:.1}\" height=\"10\"/>\
         <line class=\"expected\" x1=\"{ex:.1}\" x2=\"{ex:.1}\" y1=\"0\" y2=\"{h}\"/></svg> {alt}"
    )
}

const STYLE: &str = r"
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0;
  --good: #1a7f37; --warn: #9a6700; --bad: #cf222e; --none: #8250df; --series: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #3d444d; --good: #3fb950; --warn: #d29922; --bad: #f85149; --none: #ab7df8; --series: #4493f8; } }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--fg);
  background: var(--bg); margin: 2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid var(--line);
  padding-bottom: .2rem; margin-top: 2rem; } h3 { font-size: 1.05rem; margin-bottom: .3rem; }
.muted, footer { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; } td.num { text-align: right; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(19rem, 1fr)); gap: .8rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; break-inside: avoid; }
.card .value { font-size: 1.5rem; font-weight: 600; }
.badge { font-weight: 600; white-space: nowrap; } .good { color: var(--good); } .warn { color: var(--warn); }
.bad { color: var(--bad); } .none { color: var(--none); } .trend { white-space: nowrap; }
svg .series { fill: none; stroke: var(--series); stroke-width: 2; } svg circle.series { fill: var(--series); }
svg .level { stroke-width: 1; stroke-dasharray: 4 3; } svg .target { stroke: var(--good); }
svg .warn { stroke: var(--warn); } svg .critical { stroke: var(--bad); }
svg .event { stroke: var(--none); stroke-width: 1.5; } svg .event.technical { stroke-dasharray: 2 2; }
svg .track { fill: var(--line); } svg .done { fill: var(--series); } svg .expected { stroke: var(--fg); stroke-width: 2; }
tr.uncovered td { background: color-mix(in srgb, var(--bad) 12%, transparent); }
section { break-before: page; } section:first-of-type { break-before: auto; }
@page { size: landscape; margin: 12mm; }
@media print { body { margin: 0; font-size: 11px; } a { color: inherit; } }
";

impl Emitter for BoardPack {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let mut h = String::new();
        self.page(&mut h, report);
        w.write_all(h.as_bytes())
    }
}

impl BoardPack {
    fn page(&self, h: &mut String, report: &Report) {
        let title = report
            .model
            .as_deref()
            .and_then(|m| m.policy.layers.last().map(|l| l.id.value.clone()))
            .unwrap_or_else(|| "kpilint".to_owned());
        let _ = writeln!(
            h,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Security KPI board pack: {t}</title><style>{STYLE}</style></head><body>\
             <header><h1>Security KPI board pack</h1><p class=\"muted\">Policy <strong>{t}</strong>, as of {}</p></header>",
            self.as_of,
            t = esc(&title),
        );
        let card: Vec<ScoreLine<'_>> = report
            .scorecard
            .iter()
            .flat_map(crate::analyze::scorecard::Scorecard::lines)
            .collect();
        let marks = marks(report);
        board(h, &card, &marks);
        okrs(h, &card);
        categories(h, report, &card, &marks);
        events(h, report);
        coverage(h, report);
        exceptions(h, report, self.as_of, &card);
        findings(h, report);
        self.footer(h, report);
        h.push_str("</body></html>\n");
    }

    fn footer(&self, h: &mut String, report: &Report) {
        let files: Vec<String> = report
            .model
            .as_deref()
            .map(|m| {
                m.policy
                    .layers
                    .iter()
                    .map(|l| esc(&report.sources.get(l.file).display))
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<footer><p>Built by kpilint {} as of {} from {} at {}.</p></footer>",
            env!("CARGO_PKG_VERSION"),
            self.as_of,
            if files.is_empty() {
                "no policy".to_owned()
            } else {
                format!("policy files {}", files.join(", "))
            },
            self.commit.as_deref().map_or_else(
                || "no git commit (not a repository)".to_owned(),
                |c| format!("commit {}", esc(c))
            ),
        );
    }
}

/// Opens a table with a header row of column headings.
fn table_head(h: &mut String, columns: &[&str]) {
    h.push_str("<table><thead><tr>");
    for c in columns {
        let _ = write!(h, "<th scope=\"col\">{c}</th>");
    }
    h.push_str("</tr></thead><tbody>\n");
}

fn name(l: &ScoreLine) -> String {
    let mut n = esc(l.name.unwrap_or(l.metric));
    if let Some(f) = l.formula {
        let _ = write!(
            n,
            " <span class=\"muted\" title=\"{}\">(derived)</span>",
            esc(f)
        );
    }
    if l.scope.is_empty() {
        n
    } else {
        format!("{n} <span class=\"muted\">({})</span>", esc(l.scope))
    }
}

fn thresholds(l: &ScoreLine) -> String {
    let part = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| value(Some(v), l.unit));
    format!(
        "{} / {} / {}",
        part(l.target),
        part(l.warn),
        part(l.critical)
    )
}

/// The board's page: a card per board KPI.
fn board(h: &mut String, card: &[ScoreLine], marks: &Marks<'_>) {
    h.push_str(
        "<section id=\"board\"><h2>Board KPIs</h2><p class=\"muted\">Each chart: the last \
         periods (solid) against the target (green, dashed), warn (amber) and critical (red) \
         levels; a vertical line marks an identity event (solid: a strategic decision, \
         dotted: a technical change that implements one). Status: <span \
         class=\"good\">● good</span>, <span class=\"warn\">▲ needs attention</span>, \
         <span class=\"bad\">■ failing</span>, <span class=\"none\">◆ no data or \
         banned</span>.</p><div class=\"cards\">\n",
    );
    let mut any = false;
    for l in card.iter().filter(|l| l.tier == Some(Tier::Board)) {
        any = true;
        let _ = writeln!(
            h,
            "<div class=\"card\"><h3>{}</h3><div class=\"value\">{}</div><div>{} {}</div>\
             <div class=\"muted\">Owner {} · target / warn / critical {} · {}</div>{}{}</div>",
            name(l),
            value(l.latest, l.unit),
            badge(l.status),
            trend(l),
            esc(l.owner.unwrap_or("none")),
            thresholds(l),
            l.period
                .map_or_else(|| "no period".to_owned(), |p| p.to_string()),
            chart(l, 280.0, 70.0, true, &marks_of(l, marks)),
            pairs(l),
        );
    }
    if !any {
        h.push_str("<p>No board KPI has data.</p>");
    }
    h.push_str("</div></section>\n");
}

/// What a card's KPI is paired with (its guardrail, the outcome it drives) and, for a
/// derived KPI, its formula.
fn pairs(l: &ScoreLine) -> String {
    let mut parts = Vec::new();
    if let Some(f) = l.formula {
        parts.push(format!("Derived: <code>{}</code>", esc(f)));
    }
    if let Some(g) = l.pairs.and_then(|p| p.guardrail.as_ref()) {
        parts.push(format!("Guardrail <code>{}</code>", esc(g)));
    }
    if let Some(d) = l.pairs.and_then(|p| p.drives.as_ref()) {
        parts.push(format!("Drives <code>{}</code>", esc(d)));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("<div class=\"muted\">{}</div>", parts.join(" · "))
}

/// OKRs with their progress against the expected line.
fn okrs(h: &mut String, card: &[ScoreLine]) {
    h.push_str("<section id=\"okrs\"><h2>OKRs</h2>\n");
    let rows: Vec<&ScoreLine> = card.iter().filter(|l| l.tier == Some(Tier::Okr)).collect();
    if rows.is_empty() {
        h.push_str("<p>No OKR.</p></section>\n");
        return;
    }
    table_head(
        h,
        &[
            "Objective",
            "Owner",
            "Latest",
            "Target",
            "Status",
            "Progress",
        ],
    );
    for l in rows {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            name(l),
            esc(l.owner.unwrap_or("none")),
            value(l.latest, l.unit),
            value(l.target, l.unit),
            badge(l.status),
            progress_bar(l),
        );
    }
    h.push_str("</tbody></table></section>\n");
}

/// Tactical metrics, by the policy's categories and their owners.
fn categories(h: &mut String, report: &Report, card: &[ScoreLine], marks: &Marks<'_>) {
    h.push_str("<section id=\"categories\"><h2>Tactical metrics by category</h2>\n");
    let Some(model) = report.model.as_deref() else {
        h.push_str("</section>\n");
        return;
    };
    // Each metric's category: the metric's, else its KPI's.
    let mut category_of: BTreeMap<&str, &str> = BTreeMap::new();
    for m in model.catalogues.iter().flat_map(|c| &c.metrics) {
        let kpi = model.policy.kpi(m.kpi_id());
        if let Some(c) = m
            .category
            .as_ref()
            .or(kpi.and_then(|k| k.category.as_ref()))
        {
            category_of.insert(&m.id.value, &c.value);
        }
    }
    let mut groups: BTreeMap<&str, Vec<&ScoreLine>> = BTreeMap::new();
    for l in card
        .iter()
        .filter(|l| l.tier != Some(Tier::Board) && l.tier != Some(Tier::Okr))
    {
        groups
            .entry(category_of.get(l.metric).copied().unwrap_or(""))
            .or_default()
            .push(l);
    }
    for (cat, lines) in groups {
        let owner = model
            .policy
            .categories
            .iter()
            .find(|c| c.id.value == cat)
            .and_then(|c| c.owner.as_ref())
            .map_or("no owner", |o| o.value.as_str());
        let title = if cat.is_empty() { "No category" } else { cat };
        let _ = write!(
            h,
            "<h3>{} <span class=\"muted\">· {}</span></h3>",
            esc(title),
            esc(owner)
        );
        table_head(
            h,
            &[
                "Metric",
                "Owner",
                "Latest",
                "Target / warn / critical",
                "Status",
                "Trend",
                "Last periods",
            ],
        );
        for l in lines {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                name(l),
                esc(l.owner.unwrap_or("none")),
                value(l.latest, l.unit),
                thresholds(l),
                badge(l.status),
                trend(l),
                chart(l, 90.0, 22.0, false, &marks_of(l, marks)),
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

/// The framework coverage matrix, with control texts; required controls without a KPI
/// highlighted.
fn coverage(h: &mut String, report: &Report) {
    h.push_str("<section id=\"coverage\"><h2>Framework coverage</h2>\n");
    for fw in super::coverage::matrix(report, None) {
        let _ = write!(
            h,
            "<h3>{} <span class=\"muted\">· {} of {} controls evidenced{}</span></h3>",
            esc(&fw.name),
            fw.covered,
            fw.total,
            if fw.required { " · required" } else { "" }
        );
        table_head(h, &["Control", "Text", "KPIs"]);
        for c in &fw.controls {
            let uncovered = c.kpis.is_empty();
            let _ = writeln!(
                h,
                "<tr{}><td>{}</td><td>{}</td><td>{}</td></tr>",
                if uncovered && fw.required {
                    " class=\"uncovered\""
                } else {
                    ""
                },
                esc(&c.id),
                esc(&c.title),
                if uncovered {
                    "<strong class=\"bad\">■ no KPI</strong>".to_owned()
                } else {
                    c.kpis.iter().map(|k| esc(k)).collect::<Vec<_>>().join(", ")
                }
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

/// The identity event register: strategic decisions and the technical events that carry
/// them out, with their owners and the KPIs they should move. Evidence is counted, never
/// linked: the pack loads nothing. No section without a register.
fn events(h: &mut String, report: &Report) {
    let Some(lines) = super::events::lines(report) else {
        return;
    };
    h.push_str(
        "<section id=\"events\"><h2>Identity events</h2><p class=\"muted\">Strategic \
         decisions change the posture; technical events carry them out. Strategy without \
         execution stalls; execution without strategy builds controls that do not match the \
         risk posture.</p>\n",
    );
    table_head(
        h,
        &[
            "Event",
            "Kind",
            "Date",
            "Status",
            "Owner",
            "Implements / implemented by",
            "Should move",
            "Evidence",
        ],
    );
    for e in &lines {
        let status = match e.status {
            Some("done") => "<span class=\"badge good\">● done</span>",
            Some("in_progress") => "<span class=\"badge warn\">▲ in progress</span>",
            Some("planned") => "<span class=\"badge none\">◆ planned</span>",
            Some("cancelled") => "<span class=\"muted\">cancelled</span>",
            _ => "-",
        };
        let link = match (e.implements, e.implemented_by.is_empty()) {
            (Some(i), _) => format!("implements {}", esc(i)),
            (None, false) => esc(&e.implemented_by.join(", ")),
            (None, true) if e.kind == Some("technical") => {
                "<span class=\"badge bad\">■ no decision</span>".to_owned()
            }
            (None, true) => "<span class=\"badge warn\">▲ none yet</span>".to_owned(),
        };
        let moves: Vec<String> = e
            .moves
            .iter()
            .map(|m| {
                let arrow = match m.direction {
                    Some("up") => " ↑",
                    Some("down") => " ↓",
                    _ => "",
                };
                format!("{}{arrow}", esc(m.kpi))
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(e.title.unwrap_or(e.id)),
            e.kind.unwrap_or("-"),
            e.date.as_deref().unwrap_or("-"),
            status,
            e.owner
                .map_or_else(|| "<span class=\"badge bad\">■ none</span>".to_owned(), esc),
            link,
            if moves.is_empty() {
                "-".to_owned()
            } else {
                moves.join(", ")
            },
            match e.evidence.len() {
                0 => "-".to_owned(),
                1 => "1 link".to_owned(),
                n => format!("{n} links"),
            },
        );
    }
    h.push_str("</tbody></table></section>\n");
}

/// The exceptions register and data freshness.
fn exceptions(h: &mut String, report: &Report, as_of: jiff::civil::Date, card: &[ScoreLine]) {
    h.push_str("<section id=\"exceptions\"><h2>Exceptions and data freshness</h2>\n");
    let list = report
        .model
        .as_deref()
        .map(|m| m.policy.exceptions.as_slice())
        .unwrap_or_default();
    if list.is_empty() {
        h.push_str("<p>No exception.</p>");
    } else {
        table_head(
            h,
            &[
                "Rule",
                "Subject",
                "Reason",
                "Approved by",
                "Expires",
                "State",
            ],
        );
        for x in list {
            let state = match x.expires.as_ref().map(|e| e.value) {
                None => "<span class=\"badge bad\">■ no expiry</span>",
                Some(e) if e < as_of => "<span class=\"badge bad\">■ expired</span>",
                Some(e) if (e - as_of).get_days() <= 30 => {
                    "<span class=\"badge warn\">▲ expiring within 30 days</span>"
                }
                Some(_) => "<span class=\"badge good\">● live</span>",
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&x.rule.value),
                esc(&x.subject.value),
                esc(x.reason.as_ref().map_or("", |r| r.value.as_str())),
                esc(x
                    .approved_by
                    .as_ref()
                    .map_or("not approved", |r| r.value.as_str())),
                x.expires
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |e| e.value.to_string()),
                state
            );
        }
        h.push_str("</tbody></table>\n");
    }
    let stale: Vec<&ScoreLine> = card
        .iter()
        .filter(|l| l.stale || l.status == Status::Missing)
        .collect();
    h.push_str("<h3>Data freshness</h3>");
    if stale.is_empty() {
        h.push_str("<p>Every series is up to date.</p>");
    } else {
        table_head(h, &["Metric", "Owner", "Latest period", "Status"]);
        for l in stale {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                name(l),
                esc(l.owner.unwrap_or("none")),
                l.period
                    .map_or_else(|| "none".to_owned(), |p| p.to_string()),
                badge(l.status)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

/// Findings by rule.
fn findings(h: &mut String, report: &Report) {
    h.push_str("<section id=\"findings\"><h2>Findings by rule</h2>\n");
    let mut by_rule: BTreeMap<(&str, &str), (usize, usize, usize, usize)> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| !f.baselined) {
        let e = by_rule.entry((f.rule.code, f.rule.name)).or_default();
        if f.suppressed_by.is_some() {
            e.3 += 1;
            continue;
        }
        match f.severity {
            crate::rule::Severity::Error => e.0 += 1,
            crate::rule::Severity::Warning => e.1 += 1,
            crate::rule::Severity::Info => e.2 += 1,
        }
    }
    if by_rule.is_empty() {
        h.push_str("<p>No finding.</p></section>\n");
        return;
    }
    table_head(h, &["Rule", "Errors", "Warnings", "Infos", "Waived"]);
    for ((code, rule), (e, wn, i, s)) in by_rule {
        let _ = writeln!(
            h,
            "<tr><td>{code} {rule}</td><td class=\"num\">{e}</td><td class=\"num\">{wn}</td><td class=\"num\">{i}</td><td class=\"num\">{s}</td></tr>"
        );
    }
    h.push_str("</tbody></table><p class=\"muted\"><code>kpilint check</code> lists every finding with its location.</p></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_text() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(esc("a\"b'c&"), "a&quot;b&#39;c&amp;");
    }
}
