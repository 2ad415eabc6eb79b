//! `kpilint coverage`: framework controls against the KPIs that evidence them, as
//! `uncovered-control` judges coverage (see [`crate::analyze::coverage::covered_controls`]).

use crate::settle::Report;
use serde::Serialize;
use std::io;

/// One framework's part of the matrix.
#[derive(Debug, Serialize)]
pub struct FrameworkCoverage {
    /// Framework id.
    pub id: String,
    /// Framework name.
    pub name: String,
    /// Whether a `[coverage]` requirement names it (then every control is listed).
    pub required: bool,
    /// Controls with at least one KPI.
    pub covered: usize,
    /// Active leaf controls.
    pub total: usize,
    /// The controls listed: every one for a required or asked-for framework, else the
    /// covered ones.
    pub controls: Vec<ControlCoverage>,
}

/// One control and what evidences it.
#[derive(Debug, Serialize)]
pub struct ControlCoverage {
    /// Control id.
    pub id: String,
    /// Its title or text.
    pub title: String,
    /// Ids of the catalogue metrics (or, with no catalogue, policy KPIs) mapped to it.
    pub kpis: Vec<String>,
}

/// The matrix of a checked run: every framework that is required, asked for (`only`) or
/// mapped to at all, in registry order.
#[must_use]
pub fn matrix(report: &Report, only: Option<&str>) -> Vec<FrameworkCoverage> {
    let Some(model) = report.model.as_deref() else {
        return Vec::new();
    };
    let matrix = crate::analyze::coverage::coverage_matrix(
        &model.policy,
        &model.catalogues,
        &model.frameworks,
    );
    let required = |id: &str| {
        model
            .policy
            .coverage
            .iter()
            .any(|(_, r)| r.value.split(':').next() == Some(id))
    };
    let mut out = Vec::new();
    for fw in &model.frameworks.frameworks {
        if only.is_some_and(|o| o != fw.id) {
            continue;
        }
        let listed = only.is_some() || required(&fw.id);
        let mut controls = Vec::new();
        let mut covered = 0;
        let mut total = 0;
        for c in fw.coverage_targets("") {
            total += 1;
            let kpis: Vec<String> = matrix
                .get(&(fw.id.clone(), c.id.clone()))
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            if !kpis.is_empty() {
                covered += 1;
            }
            if listed || !kpis.is_empty() {
                controls.push(ControlCoverage {
                    id: c.id.clone(),
                    title: c
                        .title
                        .clone()
                        .or_else(|| c.text.clone())
                        .unwrap_or_default(),
                    kpis,
                });
            }
        }
        if listed || covered > 0 {
            out.push(FrameworkCoverage {
                id: fw.id.clone(),
                name: fw.name.clone(),
                required: required(&fw.id),
                covered,
                total,
                controls,
            });
        }
    }
    out
}

/// Writes the matrix as GitHub-flavoured Markdown: a heading per framework, a table row
/// per control with its full text.
///
/// # Errors
/// Any I/O error of the writer.
pub fn write_markdown(w: &mut dyn io::Write, frameworks: &[FrameworkCoverage]) -> io::Result<()> {
    use super::markdown::{code, text};
    writeln!(w, "## Framework coverage\n")?;
    for fw in frameworks {
        writeln!(
            w,
            "### {} ({}): {}/{} controls covered{}\n",
            text(&fw.name),
            code(&fw.id),
            fw.covered,
            fw.total,
            if fw.required { ", required" } else { "" }
        )?;
        writeln!(w, "| Control | Text | KPIs |\n|---|---|---|")?;
        for c in &fw.controls {
            let kpis = if c.kpis.is_empty() {
                "**no KPI**".to_owned()
            } else {
                c.kpis
                    .iter()
                    .map(|k| code(k))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(w, "| {} | {} | {kpis} |", code(&c.id), text(&c.title))?;
        }
        if !fw.required && fw.controls.len() < fw.total {
            writeln!(
                w,
                "\n{} more without a KPI: `kpilint coverage --framework {}` lists them.",
                fw.total - fw.controls.len(),
                text(&fw.id)
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// Writes the matrix as a table: a heading per framework, a line per control.
///
/// # Errors
/// Any I/O error of the writer.
pub fn write_table(w: &mut dyn io::Write, frameworks: &[FrameworkCoverage]) -> io::Result<()> {
    let esc = |s: &str| crate::escape::escape_unsafe(s).into_owned();
    for (i, fw) in frameworks.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(
            w,
            "{} ({}): {}/{} controls covered{}",
            esc(&fw.name),
            esc(&fw.id),
            fw.covered,
            fw.total,
            if fw.required { ", required" } else { "" }
        )?;
        let id_width = fw.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for c in &fw.controls {
            let title = esc(&c.title);
            let title: String = if title.chars().count() > 48 {
                title.chars().take(47).chain(['…']).collect()
            } else {
                title
            };
            let kpis = if c.kpis.is_empty() {
                "-  (no KPI)".to_owned()
            } else {
                esc(&c.kpis.join(", "))
            };
            writeln!(w, "  {:<id_width$}  {title:<48}  {kpis}", esc(&c.id))?;
        }
        if !fw.required && fw.controls.len() < fw.total {
            writeln!(
                w,
                "  ({} more without a KPI: `kpilint coverage --framework {}` lists them)",
                fw.total - fw.controls.len(),
                esc(&fw.id)
            )?;
        }
    }
    Ok(())
}
