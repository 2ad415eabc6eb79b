//! The scorecard table of `kpilint eval`: one line per series, board KPIs first, readable in
//! ten seconds with or without colour.

use crate::analyze::data::{Movement, Status};
use crate::analyze::scorecard::ScoreLine;
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

fn with_unit(v: Option<f64>, unit: Option<Unit>) -> String {
    v.map_or_else(
        || "-".to_owned(),
        |v| format!("{}{}", num((v * 100.0).round() / 100.0), unit_suffix(unit)),
    )
}

/// Writes the table.
///
/// # Errors
/// Any I/O error of the writer.
pub fn write_table(w: &mut dyn io::Write, lines: &[ScoreLine], color: bool) -> io::Result<()> {
    let rows: Vec<[String; 8]> = lines
        .iter()
        .map(|l| {
            let thresholds = match (l.target, l.warn, l.critical) {
                (None, None, None) => "-".to_owned(),
                (t, wn, c) => [t, wn, c]
                    .iter()
                    .map(|v| v.map_or_else(|| "-".to_owned(), num))
                    .collect::<Vec<_>>()
                    .join(" / "),
            };
            let trend = match l.trend {
                _ if l.status == Status::Missing => "-",
                Movement::Up => "↑ up",
                Movement::Down => "↓ down",
                Movement::Flat => "→ flat",
            };
            [
                l.tier.map_or("-", Tier::as_str).to_owned(),
                // Ids, scopes and periods come from data files: escaped, as everywhere.
                escape_unsafe(&l.metric).into_owned(),
                if l.scope.is_empty() {
                    "-".to_owned()
                } else {
                    escape_unsafe(&l.scope).into_owned()
                },
                with_unit(l.latest, l.unit),
                l.period.map_or_else(|| "-".to_owned(), |p| p.to_string()),
                thresholds,
                l.status.as_str().to_uppercase(),
                format!("{trend:<6} {}", sparkline(&l.window)),
            ]
        })
        .collect();
    let header = [
        "TIER",
        "KPI",
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
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let padded = pad(c, widths[i]);
                if color && i == 6 {
                    let code = match c.as_str() {
                        "OK" => "32",
                        "WARN" | "STALE" => "33",
                        "BREACH" => "31;1",
                        _ => "35",
                    };
                    format!("\x1b[{code}m{padded}\x1b[0m")
                } else {
                    padded
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
