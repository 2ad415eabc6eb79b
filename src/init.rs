//! `kpilint init [DIR]`: a starting point that passes `kpilint check`: `kpilint.toml`, a
//! policy that extends the built-in baseline, a catalogue that carries the baseline's
//! required KPIs and covers every OWASP NHI risk, and three months of data for it.

use crate::model::{Direction, Metric};
use std::path::{Path, PathBuf};

/// The baseline KPIs the scaffolded catalogue implements: the four required board KPIs and
/// enough tactical ones to cover all ten OWASP NHI risks.
const KPIS: &[&str] = &[
    "critical-secrets-rotated-within-sla",
    "privileged-access-zero-standing-privilege",
    "unmanaged-nhi-exposure",
    "time-to-revoke-exposed-key",
    "third-party-nhi-least-privilege",
    "insecure-auth-nhi",
    "cloud-deployment-misconfigurations",
    "cross-environment-nhi",
    "shared-nhi-workloads",
    "human-use-of-nhi",
];

const CONFIG: &str = r#"# kpilint configuration: where the policy, catalogues and data live (globs relative to
# this file), and the defaults CI uses. Command-line options override it.
policies = ["policies/**/*.toml"]
catalogues = ["metrics/**/*.toml", "metrics/**/*.json"]
data = ["data/**/*.csv", "data/**/*.ndjson"]
format = "human"
fail_on = "error"
"#;

const POLICY: &str = r#"# Your KPI policy. It layers on kpilint's built-in NHI baseline (`kpilint explain` and
# README describe it): add KPIs and categories, tighten thresholds, never loosen them.
[policy]
id = "my-kpi-policy"
version = "1"
title = "Security KPI policy"
extends = ["nhi-baseline"]

[settings]
max_board_kpis = 7

# [rules]
# manual-source = "error"
# okr-overdue = { severity = "error", effective = 2027-01-01 }

# [[exception]]
# rule = "manual-source"
# subject = "some-metric-id"
# reason = "Why the deviation is acceptable, and until when"
# approved_by = "ciso@example.com"
# expires = 2027-03-31
"#;

/// The files `init` writes, relative to the target directory, with their contents.
#[must_use]
pub fn files(baseline: &[Metric], today: jiff::civil::Date) -> Vec<(PathBuf, String)> {
    let mut catalogue = String::from(
        "# Your metric catalogue: each metric implements a policy KPI (and inherits its tier,\n\
         # unit, direction, cadence, thresholds and framework mappings) and names its owner.\n\
         [catalogue]\nid = \"my-team\"\nowner = \"security-team@example.com\"\n",
    );
    let mut data = String::from("metric,period,value,scope,source\n");
    let months: Vec<String> = (1..=3)
        .rev()
        .filter_map(|back| {
            today
                .first_of_month()
                .checked_sub(jiff::Span::new().months(back))
                .ok()
        })
        .map(|d| format!("{:04}-{:02}", d.year(), d.month()))
        .collect();
    for id in KPIS {
        let Some(k) = baseline.iter().find(|k| k.id.value == *id) else {
            continue;
        };
        let title = k.name.as_ref().map_or(*id, |n| n.value.as_str());
        catalogue.push_str(&format!(
            "\n[[metric]]\nid = \"{id}\"\nname = \"{title}\"\nimplements = \"{id}\"\nowner = \"security-team@example.com\"\nsource = \"automated\"\nvisibility = \"leadership\"\n"
        ));
        // Values at the target: a clean start, flat trend.
        let t = k.thresholds.as_ref();
        let value = t.and_then(|t| t.target.as_ref()).map_or_else(
            || match k.direction.as_ref().map(|d| d.value) {
                Some(Direction::HigherIsBetter) => 100.0,
                _ => 0.0,
            },
            |v| v.value.value(),
        );
        let cadence_weekly = k
            .cadence
            .as_ref()
            .is_some_and(|c| c.value == crate::model::Cadence::Weekly);
        let periods: Vec<String> = if cadence_weekly {
            (1..=3)
                .rev()
                .filter_map(|back| today.checked_sub(jiff::Span::new().days(7 * back)).ok())
                .map(|d| {
                    let w = d.iso_week_date();
                    format!("{:04}-W{:02}", w.year(), w.week())
                })
                .collect()
        } else if k
            .cadence
            .as_ref()
            .is_some_and(|c| c.value == crate::model::Cadence::Quarterly)
        {
            let q = |d: jiff::civil::Date| format!("{:04}-Q{}", d.year(), (d.month() - 1) / 3 + 1);
            let last = today
                .first_of_month()
                .checked_sub(jiff::Span::new().months(3))
                .unwrap_or(today);
            vec![q(last)]
        } else {
            months.clone()
        };
        for p in periods {
            data.push_str(&format!(
                "{id},{p},{},,automated\n",
                crate::num::float(value)
            ));
        }
    }
    vec![
        (PathBuf::from(crate::config::FILE_NAME), CONFIG.to_owned()),
        (PathBuf::from("policies/kpi-policy.toml"), POLICY.to_owned()),
        (PathBuf::from("metrics/catalogue.toml"), catalogue),
        (PathBuf::from("data/metrics.csv"), data),
    ]
}

/// Writes the scaffold into `dir` and returns the paths written, relative to it. Refuses,
/// naming them, when any file already exists, unless `force`. Each file is written whole
/// (see [`crate::output`]).
///
/// # Errors
/// A message for the user (exit code 2).
pub fn run(dir: &Path, force: bool, today: jiff::civil::Date) -> Result<Vec<PathBuf>, String> {
    let baseline =
        crate::load::extract::policy(&crate::policy::BASELINE_TREE, crate::source::FileId(0))
            .ok_or("the built-in baseline has no [policy] id")?;
    let files = files(&baseline.kpis, today);
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| dir.join(p).exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() && !force {
        return Err(format!(
            "refusing to overwrite {}; use --force to replace them",
            existing.join(", ")
        ));
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        crate::output::write(&path, &[], |w| w.write_all(text.as_bytes()))
            .map_err(|e| e.to_string())?;
        written.push(rel);
    }
    Ok(written)
}
