//! `--format markdown`: a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`:
//! counts, the findings table, and the scorecard when data was evaluated.
//!
//! Every cell is built from data the user wrote (file names, metric ids, scopes), so every
//! cell is escaped: one table row per line whatever the text holds, `|` never splits a
//! cell, and raw HTML never renders (GitHub sanitises most of it, but a `<b>` or an
//! `<img>` would still show, and `</td>` would end the cell).

use super::{Emitter, counted, locate};
use crate::diag::{Message, Segment};
use crate::rule::Severity;
use crate::settle::Report;
use std::io;

/// The Markdown emitter.
pub struct Markdown;

/// Text for a table cell, shown as written: line breaks become spaces, `|` is `\|`,
/// `<`, `>` and `&` are entities, and the characters Markdown would read as markup are
/// backslash-escaped (a backslash too, so that it survives).
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut prev: Option<char> = None;
    while let Some(c) = chars.next() {
        let before = prev.replace(c);
        match c {
            '\r' | '\n' | '\t' => out.push(' '),
            // Between two letters or digits `_` never emphasises (`higher_is_better`).
            '_' if before.is_some_and(char::is_alphanumeric)
                && chars.peek().is_some_and(|n| n.is_alphanumeric()) =>
            {
                out.push('_');
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            // Shown as `\u{1b}`, as in every text format: visible, never acted on.
            c if crate::escape::is_unsafe(c) => {
                out.push_str(&crate::escape::escape_unsafe(c.encode_utf8(&mut [0; 4])));
            }
            c => out.push(c),
        }
    }
    out
}

/// A code span for a table cell, showing `s` verbatim: a fence one backtick longer than
/// the longest run inside, padded with spaces when the content starts or ends with a
/// backtick (`CommonMark` strips one space from each side again), and `|` as `\|`, which a
/// GitHub-flavoured table turns back into `|` before it reads the code span.
pub(crate) fn code(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| {
            if matches!(c, '\r' | '\n' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let content = crate::escape::escape_unsafe(&spaced);
    if content.is_empty() {
        return String::new();
    }
    // A backslash right before a pipe: GFM (cmark-gfm, markdown-it) reads `\\|` in a cell as
    // a backslash and an escaped pipe, mistune as an escaped backslash and a cell border.
    // Escaped text reads the same in all of them.
    if content.contains("\\|") {
        return text(s);
    }
    let longest = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && content.trim() != "");
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", content.replace('|', "\\|"))
}

/// A message for a table cell: its prose escaped as text, its code as code spans.
fn message(m: &Message) -> String {
    let mut out = String::new();
    for s in m.segments() {
        match s {
            Segment::Text(t) => out.push_str(&text(t)),
            Segment::Code(c) => out.push_str(&code(c)),
        }
    }
    out
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
        let bold = |n: usize, one: &str, many: &str| {
            let words = counted(n, one, many);
            let (n, noun) = words.split_once(' ').unwrap_or((&words, ""));
            format!("**{n}** {noun}")
        };
        writeln!(
            w,
            "{}, {}, {}, {} in {} ({}).\n",
            bold(e, "error", "errors"),
            bold(wn, "warning", "warnings"),
            bold(i, "info", "infos"),
            bold(s, "suppressed", "suppressed"),
            counted(report.files, "file", "files"),
            counted(report.metrics, "metric", "metrics"),
        )?;
        if let Some(n) = report.baselined() {
            writeln!(
                w,
                "{} recorded in the baseline, not shown.\n",
                bold(n, "finding", "findings")
            )?;
        }
        findings(w, report)?;
        if let Some(card) = &report.scorecard {
            writeln!(w, "### Scorecard\n")?;
            writeln!(
                w,
                "| Tier | KPI | Owner | Scope | Latest | Period | Target / warn / crit | Status | Trend |"
            )?;
            writeln!(w, "|---|---|---|---|---:|---|---|---|---|")?;
            for l in card.lines() {
                let mut kpi = match l.name {
                    Some(n) => format!("{} ({})", text(n), code(l.metric)),
                    None => code(l.metric),
                };
                if let Some(f) = l.formula {
                    kpi.push_str(&format!(" = {}", code(f)));
                }
                let dash = || "-".to_owned();
                writeln!(
                    w,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    text(l.tier.map_or("-", crate::model::Tier::as_str)),
                    kpi,
                    l.owner.map_or_else(dash, text),
                    if l.scope.is_empty() {
                        dash()
                    } else {
                        text(l.scope)
                    },
                    text(&super::scorecard::with_unit(l.latest, l.unit)),
                    l.period.map_or_else(dash, |p| text(&p.to_string())),
                    text(&super::scorecard::thresholds(&l)),
                    text(&super::scorecard::status_cell(&l)),
                    text(super::scorecard::trend_cell(&l).trim_end()),
                )?;
            }
        }
        Ok(())
    }
}

/// The findings table; in `kpilint diff`, what the change introduced first, under its own
/// heading, then what the base revision has too.
fn findings(w: &mut dyn io::Write, report: &Report) -> io::Result<()> {
    let sections: Vec<(Option<&str>, Vec<&crate::diag::Finding>)> = match report.introduced() {
        // Baselined findings are accepted debt: the summary counts them.
        None => vec![(
            None,
            report.findings.iter().filter(|f| !f.baselined).collect(),
        )],
        Some(_) => vec![
            (
                Some("### Introduced by this change"),
                report
                    .findings
                    .iter()
                    .filter(|f| f.introduced != Some(false))
                    .collect(),
            ),
            (
                Some("### Already at the base revision"),
                report
                    .findings
                    .iter()
                    .filter(|f| f.introduced == Some(false))
                    .collect(),
            ),
        ],
    };
    for (heading, findings) in sections {
        if findings.is_empty() {
            continue;
        }
        if let Some(h) = heading {
            writeln!(w, "{h}\n")?;
        }
        writeln!(w, "| | Rule | Location | Message |")?;
        writeln!(w, "|---|---|---|---|")?;
        for f in findings {
            let at = locate(report, &f.primary);
            let icon = match (f.suppressed_by.is_some(), f.severity) {
                (true, _) => "💤",
                (false, Severity::Error) => "❌",
                (false, Severity::Warning) => "⚠️",
                (false, Severity::Info) => "ℹ️",
            };
            writeln!(
                w,
                "| {icon} | {} {} | {} | {} |",
                code(f.rule.name),
                f.rule.code,
                code(&format!("{}:{}", at.file, at.line)),
                message(&f.message)
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_cannot_break_the_table_or_render_html() {
        assert_eq!(text("a|b\nc\rd"), r"a\|b c d");
        assert_eq!(text("<b>&</b>"), "&lt;b&gt;&amp;&lt;/b&gt;");
        assert_eq!(text(r"C:\x*_"), r"C:\\x\*\_");
        assert_eq!(text("higher_is_better _x_"), r"higher_is_better \_x\_");
    }

    #[test]
    fn code_spans_take_a_longer_fence_around_backticks() {
        assert_eq!(code("a-b"), "`a-b`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a|b\nc"), r"`a\|b c`");
        assert_eq!(code(""), "");
        assert_eq!(code(r"a\|b"), r"a\\\|b");
    }

    #[test]
    fn messages_render_their_code_segments_as_code_spans() {
        assert_eq!(
            message(&msg!("metric `{}` has no owner (`{}`)", "a<b>", "x")),
            "metric `a<b>` has no owner (`x`)"
        );
        // An identifier holding a backtick or a pipe stays one code span; prose is text.
        assert_eq!(
            message(&msg!("`{}` is unknown", "a`b")),
            "``a`b`` is unknown"
        );
        assert_eq!(
            message(&msg!("`{}` is not a control", "GV | <b>x</b> ``y``")),
            r"``` GV \| <b>x</b> ``y`` ``` is not a control"
        );
        assert_eq!(
            message(&msg!("odd {} <b>", "` tick")),
            r"odd \` tick &lt;b&gt;"
        );
    }
}
