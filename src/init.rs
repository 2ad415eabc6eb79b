//! `kpilint init [DIR] [--team NAME]`: a starting point that passes `kpilint check`:
//! `kpilint.toml`, a policy that extends the built-in baseline, and one team's catalogue
//! (`metrics/NAME.toml`) that carries the baseline's required KPIs and covers every OWASP
//! NHI risk, with three months of its data (`data/NAME.csv`).
//!
//! The layout is made for several teams: each team's catalogue names its metrics
//! `NAME.<kpi>` (metric ids are global, since data rows name them) and implements the
//! policy's KPIs; the policy asks for each required KPI once across the organisation
//! (`required_kpis = "organisation"`). Run again with another `--team` to add a team: the
//! configuration and the policy are kept as they are.

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
# Each team keeps its own catalogue in metrics/ (`kpilint init --team NAME` adds one);
# every required KPI must be carried by one of them at least. "each-catalogue" asks every
# team for every required KPI.
required_kpis = "organisation"

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

/// The team `init` scaffolds without `--team`.
pub const DEFAULT_TEAM: &str = "my-team";

/// Whether `team` can name a catalogue, its metrics and its files: lower-case letters,
/// digits and `-`, starting with a letter.
#[must_use]
pub fn valid_team(team: &str) -> bool {
    team.len() <= 64
        && team.starts_with(|c: char| c.is_ascii_lowercase())
        && team
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The files `init` writes for `team`, relative to the target directory, with their
/// contents: the configuration and the policy first (kept when they exist), then the
/// team's catalogue and data.
#[must_use]
pub fn files(baseline: &[Metric], team: &str, today: jiff::civil::Date) -> Vec<(PathBuf, String)> {
    let mut catalogue = format!(
        "# The metric catalogue of team `{team}`: each metric implements a policy KPI (and inherits\n\
         # its tier, unit, direction, cadence, thresholds and framework mappings) and names its\n\
         # owner. Metric ids start with the team's name: ids are global, since data rows name\n\
         # them. Remove the metrics another team reports.\n\
         [catalogue]\nid = \"{team}\"\nowner = \"{team}@example.com\"\n",
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
            "\n[[metric]]\nid = \"{team}.{id}\"\nname = \"{title}\"\nimplements = \"{id}\"\nowner = \"{team}@example.com\"\nsource = \"automated\"\nvisibility = \"leadership\"\n"
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
                "{team}.{id},{p},{},,automated\n",
                crate::num::float(value)
            ));
        }
    }
    vec![
        (PathBuf::from(crate::config::FILE_NAME), CONFIG.to_owned()),
        (PathBuf::from("policies/kpi-policy.toml"), POLICY.to_owned()),
        (PathBuf::from(format!("metrics/{team}.toml")), catalogue),
        (PathBuf::from(format!("data/{team}.csv")), data),
    ]
}

/// Writes the scaffold for `team` into `dir` and returns the paths written, relative to
/// it. An existing `kpilint.toml` or policy is kept, so that a second team joins the
/// first's layout; the team's own catalogue or data existing is refused, naming them,
/// unless `force` (which replaces every file). Each file is written whole (see
/// [`crate::output`]).
///
/// # Errors
/// A message for the user (exit code 2).
pub fn run(
    dir: &Path,
    team: &str,
    force: bool,
    today: jiff::civil::Date,
) -> Result<Vec<PathBuf>, String> {
    if !valid_team(team) {
        return Err(format!(
            "`--team {team}`: a team name is lower-case letters, digits and `-`, starting with a letter"
        ));
    }
    let baseline =
        crate::load::extract::policy(&crate::policy::BASELINE_TREE, crate::source::FileId(0))
            .ok_or("the built-in baseline has no [policy] id")?;
    let mut files = files(&baseline.kpis, team, today);
    let shared = 2; // the configuration and the policy
    let existing: Vec<String> = files[shared..]
        .iter()
        .filter(|(p, _)| dir.join(p).exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() && !force {
        return Err(format!(
            "refusing to overwrite {}; use --force to replace them, or --team to add another team",
            existing.join(", ")
        ));
    }
    if !force {
        // The configuration and the policy are kept when they exist.
        let team = files.split_off(shared);
        files.retain(|(p, _)| !dir.join(p).exists());
        files.extend(team);
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
