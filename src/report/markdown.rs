//! `--format markdown`: a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`:
//! counts, the findings table, and the scorecard when data was evaluated.

use super::{Emitter, locate};
use crate::check::Report;
use crate::diag::Severity;
use crate::lint::num;
use std::io;

/// The Markdown emitter.
pub struct Markdown;

/// Escapes table-breaking characters.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl Emitter for Markdown {
    fn emit(&mut self, w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
        let (e, wn, i, s) = (
            report.count(Severity::Error),
            report.count(Severity::Warning),
            report.count(Severity::Info),
            report.suppressed(),
        );
        let verdict = if e > 0 {
            "❌"
        } else if wn > 0 {
            "⚠️"
        } else {
            "✅"
        };
        writeln!(w, "## {verdict} kpilint\n")?;
        writeln!(
            w,
            "**{e}** errors, **{wn}** warnings, **{i}** infos, **{s}** suppressed in {} files ({} metrics).\n",
            report.files, report.metrics
        )?;
        if !report.findings.is_empty() {
            writeln!(w, "| | Rule | Location | Message |")?;
            writeln!(w, "|---|---|---|---|")?;
            for f in &report.findings {
                let at = locate(report, &f.primary);
                let icon = match (f.suppressed_by.is_some(), f.severity) {
                    (true, _) => "💤",
                    (false, Severity::Error) => "❌",
                    (false, Severity::Warning) => "⚠️",
                    (false, Severity::Info) => "ℹ️",
                };
                writeln!(
                    w,
                    "| {icon} | `{}` {} | `{}:{}` | {} |",
                    f.rule.name,
                    f.rule.code,
                    cell(&at.file),
                    at.line,
                    cell(&f.message)
                )?;
            }
            writeln!(w)?;
        }
        if let Some(card) = &report.scorecard {
            writeln!(w, "### Scorecard\n")?;
            writeln!(
                w,
                "| Tier | KPI | Scope | Latest | Period | Status | Trend |"
            )?;
            writeln!(w, "|---|---|---|---:|---|---|---|")?;
            for l in card {
                let trend = match l.trend {
                    "up" => "↑",
                    "down" => "↓",
                    _ => "→",
                };
                writeln!(
                    w,
                    "| {} | `{}` | {} | {} | {} | {} | {trend} {} |",
                    l.tier.unwrap_or("-"),
                    l.metric,
                    if l.scope.is_empty() { "-" } else { &l.scope },
                    l.latest.map_or_else(|| "-".to_owned(), num),
                    l.period.as_deref().unwrap_or("-"),
                    l.status.to_uppercase(),
                    super::scorecard::sparkline(&l.window)
                )?;
            }
        }
        Ok(())
    }
}
