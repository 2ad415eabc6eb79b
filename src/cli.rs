//! The command line: what the user typed, checked for syntax only.

use clap::{Args, Parser, Subcommand, ValueEnum};
use kpilint::diag::FailOn;
use kpilint::diag::Format;
use std::path::PathBuf;

/// Policy-as-code for security KPIs: lint metric catalogues against a KPI policy.
///
/// kpilint reads policies (`policies/**/*.toml`, or the built-in NHI baseline), framework
/// catalogues (built in, plus `policies/frameworks/*.toml`) and metric catalogues (TOML or
/// JSON), and reports findings a governance team can act on and CI can gate on.
///
/// Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 kpilint could
/// not do its job (bad arguments, unreadable paths, a policy that does not parse).
#[derive(Parser, Debug)]
#[command(name = "kpilint", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Output format: `human` diagnostics, the `json` contract (`kpilint schema report`),
    /// `sarif` 2.1.0 for code scanning, `junit` XML, `github` Actions annotations, or a
    /// `markdown` summary for a pull-request comment.
    /// [default: human, or `format` in kpilint.toml]
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE (atomically: a temporary file renamed into place).
    #[arg(long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Policy file or directory to use instead of `policies/` (repeatable).
    #[arg(long, global = true, value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// Lowest severity that makes the exit code 1 [default: error, or `fail_on` in
    /// kpilint.toml].
    #[arg(long, global = true, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Colour the human output (`NO_COLOR` is respected by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print only errors and warnings, without the summary line.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Evaluate as if today were DATE (YYYY-MM-DD): exception expiry, overdue OKRs, stale
    /// data, `effective` rule dates. Give it in CI to make runs reproducible.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,
}

/// The baseline file: findings a repository has accepted for now.
#[derive(Args, Debug, Clone, Default)]
pub struct BaselineArgs {
    /// Fail only on findings FILE does not record: those it records are counted apart as
    /// baselined, and an entry no finding matches is a `stale-baseline` info [default:
    /// `baseline` in kpilint.toml].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding not waived by an exception to FILE as a baseline (`parse-error`
    /// and `schema` excepted), then report as usual. With `--baseline` naming the same
    /// file, this rewrites it without its stale entries.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint policies, metric catalogues and event registers (the CI entry point).
    ///
    /// PATHs are files or directories (walked in sorted order; `.toml` and `.json`, plus
    /// `.csv`, `.ndjson` and `.jsonl` data). Files are recognised by their top table:
    /// `[policy]`, `[catalogue]`, `[framework]`, `[register]` (identity events). With no
    /// PATH, `metrics/`, `events/` and `data/` are checked (or the globs of kpilint.toml). With no policy among the inputs or
    /// `--policy`, the policies in `policies/` (here or in a parent directory up to the
    /// repository root) are used, or else the built-in NHI baseline. Finding nothing to
    /// check is exit 2.
    Check {
        #[command(flatten)]
        baseline: BaselineArgs,
        /// Files or directories to check.
        paths: Vec<PathBuf>,
    },
    /// Evaluate metric data: every KPI's latest value, status and trend (a scorecard).
    ///
    /// PATHs as for `check`, plus data files (`.csv`, `.ndjson`, `.jsonl`; default `data/`)
    /// with columns `metric`, `period`, `value` (or `numerator` and `denominator`) and
    /// optional `scope` and `source`. Findings are counted as for `check` and decide the
    /// exit code; `kpilint check` with the same paths shows them in full.
    Eval {
        #[command(flatten)]
        baseline: BaselineArgs,
        /// Files or directories to evaluate.
        paths: Vec<PathBuf>,
    },
    /// Framework controls against the KPIs that evidence them.
    ///
    /// Checks PATHs as `check` does, then lists each framework a `[coverage]` requirement
    /// names (every control, covered or not) or a KPI maps to (its covered controls), with
    /// the catalogue metrics that evidence each control. Findings decide the exit code as
    /// for `check`. Formats: human, json, markdown.
    Coverage {
        /// Only this framework, every control listed (e.g. `nist-csf-2.0`).
        #[arg(long, value_name = "ID")]
        framework: Option<String>,
        /// Files or directories, as for `check`.
        paths: Vec<PathBuf>,
    },
    /// Write the board pack: one self-contained HTML file for leadership.
    ///
    /// Evaluates PATHs as `eval` does and writes FILE: the board KPIs with their charts
    /// against target, warn and critical; OKRs with their progress against the expected
    /// line; tactical metrics by category with sparklines; the framework coverage matrix
    /// with control texts; the exceptions register and data freshness; findings by rule.
    /// No script, font or image is fetched: it opens from a mail attachment. Findings
    /// decide the exit code as for `check`.
    Report {
        /// The HTML file to write (replaced whole, never half-written).
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
        /// Files or directories, as for `eval`.
        paths: Vec<PathBuf>,
    },
    /// Scaffold kpilint.toml, a policy extending the baseline, and one team's catalogue and
    /// data, all passing `check`; with another --team, add that team to the layout. Never
    /// overwrites existing files unless --force.
    Init {
        /// Directory to write into [default: the working directory].
        dir: Option<PathBuf>,
        /// The team whose catalogue (`metrics/TEAM.toml`) and data (`data/TEAM.csv`) to
        /// write; run again with another team to add one (the configuration and the policy
        /// are kept).
        #[arg(long, value_name = "TEAM", default_value = kpilint::init::DEFAULT_TEAM)]
        team: String,
        /// Replace files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Check the working tree and report what it changes against a git revision: loosened
    /// thresholds and settings, removed KPIs, owners and mappings, demoted board KPIs, lost
    /// coverage, new exceptions, a moved gate.
    ///
    /// Reads the policies, catalogues and data as they are at REV with the git CLI (only
    /// that commit needs to be fetched) and runs the full check on the working tree too.
    /// Each policy file is compared with its own base version, then the effective policy.
    /// The base revision's kpilint.toml governs both: a pull request cannot move its own
    /// gate.
    ///
    /// Each finding is marked introduced by this change or already at the base, and only
    /// introduced ones fail the run (`--all-findings` fails on both).
    #[command(group = clap::ArgGroup::new("base_of").required(true))]
    Diff {
        /// The base revision, e.g. `origin/main` or a commit id.
        #[arg(long, value_name = "REV", group = "base_of")]
        base: Option<String>,
        /// A directory holding the base version of the working directory, instead of a
        /// git revision.
        #[arg(long, value_name = "DIR", group = "base_of")]
        base_dir: Option<PathBuf>,
        /// Fail on every finding at or above `--fail-on`, not only on those this change
        /// introduced (a finding the base revision has too is reported either way).
        #[arg(long)]
        all_findings: bool,
        /// Files or directories, as for `check`.
        paths: Vec<PathBuf>,
    },
    /// Print a rule's documentation (by name or code).
    Explain {
        /// Rule name (`vanity-metric`) or code (`KPI301`).
        rule: String,
    },
    /// List every rule with its code and default severity.
    Rules,
    /// List the frameworks (built in, plus the repository's `policies/frameworks/*.toml`),
    /// or the controls of one.
    Frameworks {
        /// Framework id, e.g. `owasp-nhi-2025`.
        id: Option<String>,
    },
    /// Print the JSON Schema of a file kind or of the JSON report; with no KIND, list them.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        kind: Option<SchemaKind>,
    },
    /// Print a shell completion script.
    ///
    /// For example `kpilint completions bash > ~/.local/share/bash-completion/completions/kpilint`,
    /// or `kpilint completions zsh > "${fpath[1]}/_kpilint"`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `kpilint man > kpilint.1 && man ./kpilint.1`.
    Man,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SchemaKind {
    /// A policy: KPIs, thresholds, banned metrics, exceptions, settings.
    Policy,
    /// A metric catalogue (TOML or JSON).
    Catalogue,
    /// A framework catalogue (`policies/frameworks/*.toml`).
    Framework,
    /// An identity event register (`events/*.toml`, JSON or YAML).
    Events,
    /// A row of a data file (CSV, NDJSON).
    Data,
    /// The JSON report (`--format json`).
    Report,
    /// A baseline file (`--write-baseline`).
    Baseline,
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not a date: expected YYYY-MM-DD"))
}
