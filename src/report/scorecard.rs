//! The scorecard table of `kpilint eval`: one line per series, board KPIs first, readable in
//! ten seconds with or without colour.

use crate::analyze::data::{Movement, Status};
use crate::analyze::scorecard::{ScoreLine, Verdict};
use crate::escape::escape_unsafe;
use crate::model::{Tier, Unit};
use crate::num::float as num;
use std::io;

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of the window, scaled between its own minimum and maximum.
#[must_use]
pub fn sparkline(values: &[f64]) -> String {
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    values
        .iter()
        .map(|&v| {
            if (max - min).abs() < f64::EPSILON {
                SPARKS[3]
            } else {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let i = (((v - min) / (max - min)) * 7.0).round() as usize;
                SPARKS[i.min(7)]
            }
        })
        .collect()
}

fn unit_suffix(unit: Option<Unit>) -> &'static str {
    match unit {
        Some(Unit::Percent) => "%",
        Some(Unit::Hours) => " h",
        Some(Unit::Minutes) => " min",
        Some(Unit::Days) => " d",
        _ => "",
    }
}

pub(super) fn with_unit(v: Option<f64>, unit: Option<Unit>) -> String {
    v.map_or_else(
        || "-".to_owned(),
        |v| format!("{}{}", num((v * 100.0).round() / 100.0), unit_suffix(unit)),
    )
}

/// The thresholds cell: target / warn / critical, `-` for each not set.
pub(super) fn thresholds(l: &ScoreLine) -> String {
    match (l.target, l.warn, l.critical) {
        (None, None, None) => "-".to_owned(),
        (t, wn, c) => [t, wn, c]
            .iter()
            .map(|v| v.map_or_else(|| "-".to_owned(), num))
            .collect::<Vec<_>>()
            .join(" / "),
    }
}

/// The trend cell: an arrow, what the movement means in words (never colour alone), and
/// the sparkline.
pub(super) fn trend_cell(l: &ScoreLine) -> String {
    if l.status == Status::Missing || (l.status == Status::Banned && l.latest.is_none()) {
        return "-".to_owned();
    }
    let arrow = match l.trend {
        Movement::Up => "↑",
        Movement::Down => "↓",
        Movement::Flat => "→",
    };
    format!(
        "{arrow} {:<9} {}",
        l.trend_verdict.as_str(),
        sparkline(l.window)
    )
}

/// The status cell: the status, and an OKR's progress against its expectation.
pub(super) fn status_cell(l: &ScoreLine) -> String {
    let status = l.status.as_str().to_uppercase();
    match (l.progress, l.expected) {
        (Some(p), Some(e)) => format!(
            "{status} {}% of {}% expected",
            num((p * 100.0).round()),
            num((e * 100.0).round())
        ),
        _ => status,
    }
}

/// The ANSI colour of a status: green for good news, yellow for attention, red for
/// failure, magenta for no data or a banned metric.
fn status_colour(s: Status) -> &'static str {
    match s {
        Status::OnTarget | Status::Achieved | Status::OnTrack => "32",
        Status::Warn | Status::OffTarget | Status::Stale | Status::AtRisk => "33",
        Status::Breach | Status::OffTrack | Status::Overdue => "31;1",
        Status::Missing | Status::Banned => "35",
    }
}

/// Writes the table.
///
/// # Errors
/// Any I/O error of the writer.
pub fn write_table(
    w: &mut dyn io::Write,
    card: &crate::analyze::scorecard::Scorecard,
    color: bool,
) -> io::Result<()> {
    let rows: Vec<[String; 9]> = card
        .lines()
        .map(|l| {
            let opt = |s: Option<&str>| {
                s.map_or_else(|| "-".to_owned(), |s| escape_unsafe(s).into_owned())
            };
            [
                l.tier.map_or("-", Tier::as_str).to_owned(),
                // Names, ids, scopes and periods come from input files: escaped, as
                // everywhere. People read names; the id stands in for a metric without.
                // A derived KPI says so: its value is computed, not reported.
                format!(
                    "{}{}",
                    escape_unsafe(l.name.unwrap_or(l.metric)),
                    if l.formula.is_some() {
                        " (derived)"
                    } else {
                        ""
                    }
                ),
                opt(l.owner),
                if l.scope.is_empty() {
                    "-".to_owned()
                } else {
                    escape_unsafe(l.scope).into_owned()
                },
                with_unit(l.latest, l.unit),
                l.period.map_or_else(|| "-".to_owned(), |p| p.to_string()),
                thresholds(&l),
                status_cell(&l),
                trend_cell(&l),
            ]
        })
        .collect();
    let header = [
        "TIER",
        "KPI",
        "OWNER",
        "SCOPE",
        "LATEST",
        "PERIOD",
        "TARGET / WARN / CRIT",
        "STATUS",
        "TREND",
    ];
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let pad =
        |s: &str, wd: usize| format!("{s}{}", " ".repeat(wd.saturating_sub(s.chars().count())));
    let line: Vec<String> = header
        .iter()
        .zip(widths)
        .map(|(h, wd)| pad(h, wd))
        .collect();
    writeln!(w, "{}", line.join("  ").trim_end())?;
    for (r, l) in rows.iter().zip(card.lines()) {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let padded = pad(c, widths[i]);
                let code = match i {
                    7 => Some(status_colour(l.status)),
                    8 => match l.trend_verdict {
                        Verdict::Improving => Some("32"),
                        Verdict::Worsening => Some("31"),
                        _ => None,
                    },
                    _ => None,
                };
                match code {
                    Some(code) if color => format!("\x1b[{code}m{padded}\x1b[0m"),
                    _ => padded,
                }
            })
            .collect();
        writeln!(w, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_window() {
        assert_eq!(sparkline(&[1.0, 2.0, 3.0, 4.0, 5.0, 8.0]), "▁▂▃▄▅█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }
}
