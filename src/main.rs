//! The `kpilint` binary: argument parsing, colour, output files and exit codes. Everything
//! else lives in the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use kpilint::check::{self, Options, Report};
use kpilint::diag::Severity;
use kpilint::report::{Emitter, human::Human, json::Json};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: Global,
}

#[derive(Args, Debug, Clone)]
struct Global {
    /// Output format: `human` diagnostics, the `json` contract (`kpilint schema report`),
    /// `sarif` 2.1.0 for code scanning, `junit` XML, `github` Actions annotations, or a
    /// `markdown` summary for a pull-request comment.
    /// [default: human, or `format` in kpilint.toml]
    #[arg(long, global = true, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE (atomically: a temporary file renamed into place).
    #[arg(long, global = true, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Policy file or directory to use instead of `policies/` (repeatable).
    #[arg(long, global = true, value_name = "PATH")]
    policy: Vec<PathBuf>,
    /// Lowest severity that makes the exit code 1 [default: error, or `fail_on` in
    /// kpilint.toml].
    #[arg(long, global = true, value_enum)]
    fail_on: Option<FailOn>,
    /// Colour the human output (`NO_COLOR` is respected by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print only errors and warnings, without the summary line.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Evaluate as if today were DATE (YYYY-MM-DD): exception expiry, overdue OKRs, stale
    /// data, `effective` rule dates. Give it in CI to make runs reproducible.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<jiff::civil::Date>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint policies and metric catalogues (the CI entry point).
    ///
    /// PATHs are files or directories (walked in sorted order; `.toml` and `.json`, plus
    /// `.csv`, `.ndjson` and `.jsonl` data). Files are recognised by their top table:
    /// `[policy]`, `[catalogue]`, `[framework]`. With no PATH, `metrics/` and `data/` are
    /// checked (or the globs of kpilint.toml). With no policy among the inputs or
    /// `--policy`, the policies in `policies/` (here or in a parent directory up to the
    /// repository root) are used, or else the built-in NHI baseline. Finding nothing to
    /// check is exit 2.
    Check {
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
        /// Files or directories to evaluate.
        paths: Vec<PathBuf>,
    },
    /// Framework controls against the KPIs that evidence them.
    ///
    /// Checks PATHs as `check` does, then lists each framework a `[coverage]` requirement
    /// names (every control, covered or not) or a KPI maps to (its covered controls), with
    /// the catalogue metrics that evidence each control. Findings decide the exit code as
    /// for `check`. Formats: human, json.
    Coverage {
        /// Only this framework, every control listed (e.g. `nist-csf-2.0`).
        #[arg(long, value_name = "ID")]
        framework: Option<String>,
        /// Files or directories, as for `check`.
        paths: Vec<PathBuf>,
    },
    /// Scaffold kpilint.toml, a policy extending the baseline, a catalogue and a data file
    /// that pass `check`. Never overwrites existing files unless --force.
    Init {
        /// Directory to write into [default: the working directory].
        dir: Option<PathBuf>,
        /// Replace files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Check the working tree and report what it changes against a git revision: loosened
    /// thresholds, removed KPIs and owners, lost coverage, new exceptions.
    ///
    /// Reads the policies and catalogues as they are at REV with the git CLI (only that
    /// commit needs to be fetched) and runs the full check on the working tree too.
    Diff {
        /// The base revision, e.g. `origin/main` or a commit id.
        #[arg(long, value_name = "REV")]
        base: String,
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
    /// Print the JSON Schema of a file kind or of the JSON report.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        kind: SchemaKind,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SchemaKind {
    Policy,
    Catalogue,
    Framework,
    Data,
    Report,
}

impl Global {
    fn format(&self) -> Format {
        self.format.unwrap_or(Format::Human)
    }

    /// The lowest severity that fails the run.
    fn threshold(&self) -> Option<Severity> {
        match self.fail_on.unwrap_or(FailOn::Error) {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Never => None,
        }
    }
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not a date: expected YYYY-MM-DD"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kpilint: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> io::Result<ExitCode> {
    // kpilint.toml, found upward from the working directory, configures the commands that
    // read a repository; the command line wins. `explain`, `init` and the rest never read
    // it, so a broken one cannot stop `kpilint init --force` from replacing it.
    let reads_repository = matches!(
        cli.command,
        Command::Check { .. }
            | Command::Eval { .. }
            | Command::Diff { .. }
            | Command::Coverage { .. }
    );
    let found = std::env::current_dir()
        .ok()
        .filter(|_| reads_repository)
        .and_then(|d| kpilint::config::find(&d));
    let config = match found {
        Some(path) => match kpilint::config::load(&path) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("kpilint: error: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let mut global = cli.global.clone();
    if let Some(c) = &config {
        if global.format.is_none() {
            global.format = c
                .format
                .as_deref()
                .and_then(|f| Format::from_str(f, false).ok());
        }
        if global.fail_on.is_none() {
            global.fail_on = c
                .fail_on
                .as_deref()
                .and_then(|f| FailOn::from_str(f, false).ok());
        }
    }
    let g = &global;
    match &cli.command {
        Command::Check { paths }
        | Command::Eval { paths }
        | Command::Diff { paths, .. }
        | Command::Coverage { paths, .. } => {
            let scorecard = matches!(cli.command, Command::Eval { .. });
            let coverage = match &cli.command {
                Command::Coverage { framework, .. } => Some(framework.as_deref()),
                _ => None,
            };
            if coverage.is_some() && !matches!(g.format(), Format::Human | Format::Json) {
                eprintln!("kpilint: error: `coverage` prints `--format human` or `json`");
                return Ok(ExitCode::from(2));
            }
            let as_of = g.as_of.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
            let opts = Options {
                paths: paths.clone(),
                policies: g.policy.clone(),
                as_of,
                config: config.clone(),
                root: None,
            };
            let result = match &cli.command {
                Command::Diff { base, .. } => kpilint::diff::run(&opts, base),
                _ => check::run(&opts),
            };
            match result {
                Ok(report) => {
                    let written = write_output(g, |w| match coverage {
                        Some(only) => emit_coverage(g, w, &report, only),
                        None if scorecard && g.format() == Format::Human => {
                            emit_scorecard(g, w, &report)
                        }
                        None => emit(g, w, &report),
                    });
                    // A reader that stopped early (`| head`) does not change the verdict.
                    match written {
                        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
                        _ => {}
                    }
                    Ok(ExitCode::from(u8::from(report.fails(g.threshold()))))
                }
                Err(fatal) => {
                    if let Some(report) = &fatal.report {
                        if g.format() == Format::Human {
                            let mut human = Human {
                                color: use_color(g, &io::stderr()),
                                width: 100,
                                quiet: true,
                            };
                            human.emit(&mut io::stderr().lock(), report)?;
                        } else {
                            // A CI step reading SARIF or JSON still gets the findings that
                            // stopped the run, such as a policy's parse error.
                            write_output(g, |w| emit(g, w, report))?;
                        }
                    }
                    eprintln!("kpilint: error: {}", fatal.message);
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Explain { rule } => {
            let Some(meta) = kpilint::rules::find(rule) else {
                let hint = kpilint::rules::suggest(rule)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                eprintln!(
                    "kpilint: error: no rule named `{rule}`{hint}; `kpilint rules` lists them"
                );
                return Ok(ExitCode::from(2));
            };
            write_output(g, |w| match g.format() {
                Format::Human => write!(
                    w,
                    "# {} ({})\n\nDefault severity: {}\n\n{}",
                    meta.name,
                    meta.code,
                    meta.default_severity.as_str(),
                    meta.docs()
                ),
                _ => {
                    let v = serde_json::json!({
                        "name": meta.name, "code": meta.code, "group": meta.group,
                        "default_severity": meta.default_severity, "summary": meta.summary,
                        "explanation": meta.docs(),
                    });
                    writeln!(
                        w,
                        "{}",
                        serde_json::to_string_pretty(&v).map_err(io::Error::other)?
                    )
                }
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            write_output(g, |w| match g.format() {
                Format::Human => {
                    for r in kpilint::rules::ALL {
                        writeln!(
                            w,
                            "{}  {:<26} {:<8} {}",
                            r.code,
                            r.name,
                            r.default_severity.as_str(),
                            r.summary
                        )?;
                    }
                    Ok(())
                }
                _ => {
                    let v: Vec<_> = kpilint::rules::ALL
                        .iter()
                        .map(|r| {
                            serde_json::json!({"name": r.name, "code": r.code, "group": r.group,
                            "default_severity": r.default_severity, "summary": r.summary})
                        })
                        .collect();
                    writeln!(
                        w,
                        "{}",
                        serde_json::to_string_pretty(&v).map_err(io::Error::other)?
                    )
                }
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Frameworks { id } => frameworks(g, id.as_deref()),
        Command::Init { dir, force } => {
            let dir = dir.clone().unwrap_or_else(|| PathBuf::from("."));
            let today = g.as_of.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
            match kpilint::init::run(&dir, *force, today) {
                Ok(written) => {
                    for p in written {
                        println!("created {}", p.display());
                    }
                    println!(
                        "next: `kpilint check` and `kpilint eval` in {}",
                        dir.display()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("kpilint: error: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Schema { kind } => {
            let name = match kind {
                SchemaKind::Policy => "policy",
                SchemaKind::Catalogue => "catalogue",
                SchemaKind::Framework => "framework",
                SchemaKind::Data => "data",
                SchemaKind::Report => "report",
            };
            let text = kpilint::schema::text(name).unwrap_or_default();
            write_output(g, |w| w.write_all(text.as_bytes()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn frameworks(g: &Global, id: Option<&str>) -> io::Result<ExitCode> {
    let registry = std::env::current_dir().map_or_else(
        |_| kpilint::framework::Registry::builtin(),
        |cwd| kpilint::check::repository_frameworks(&cwd),
    );
    let Some(id) = id else {
        write_output(g, |w| {
            for f in &registry.frameworks {
                let n = f.coverage_targets("").count();
                writeln!(w, "{:<18} {} ({} controls)", f.id, f.name, n)?;
            }
            Ok(())
        })?;
        return Ok(ExitCode::SUCCESS);
    };
    let Some(fw) = registry.get(id) else {
        let ids: Vec<_> = registry.frameworks.iter().map(|f| f.id.as_str()).collect();
        eprintln!(
            "kpilint: error: no framework `{id}`; known: {}",
            ids.join(", ")
        );
        return Ok(ExitCode::from(2));
    };
    write_output(g, |w| {
        writeln!(w, "# {} ({})", fw.name, fw.id)?;
        for c in &fw.controls {
            let status = if c.withdrawn {
                // A withdrawn category with no single successor: where its subcategories went.
                let successors = if c.superseded_by.is_empty() {
                    fw.successors_of_children(c)
                } else {
                    c.superseded_by.iter().map(String::as_str).collect()
                };
                let succ = if successors.is_empty() {
                    String::new()
                } else {
                    format!(" -> {}", successors.join(", "))
                };
                format!("  [withdrawn{succ}]")
            } else {
                String::new()
            };
            let title = c.title.as_deref().or(c.text.as_deref()).unwrap_or("");
            writeln!(w, "{:<12} {title}{status}", c.id)?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn emit(g: &Global, w: &mut dyn Write, report: &Report) -> io::Result<()> {
    match g.format() {
        Format::Json => Json.emit(w, report),
        Format::Sarif => kpilint::report::sarif::Sarif.emit(w, report),
        Format::Junit => kpilint::report::junit::Junit {
            fail_on: g.threshold(),
        }
        .emit(w, report),
        Format::Github => kpilint::report::github::Github.emit(w, report),
        Format::Markdown => kpilint::report::markdown::Markdown.emit(w, report),
        Format::Human => {
            let color = color_for_output(g);
            let width = terminal_width();
            Human {
                color,
                width,
                quiet: g.quiet,
            }
            .emit(w, report)
        }
    }
}

fn emit_coverage(
    g: &Global,
    w: &mut dyn Write,
    report: &Report,
    only: Option<&str>,
) -> io::Result<()> {
    let matrix = kpilint::report::coverage::matrix(report, only);
    if g.format() == Format::Json {
        let v = serde_json::json!({ "version": 1, "frameworks": matrix });
        return writeln!(
            w,
            "{}",
            serde_json::to_string_pretty(&v).map_err(io::Error::other)?
        );
    }
    if matrix.is_empty() {
        match only {
            Some(id) => writeln!(w, "no framework `{id}` (`kpilint frameworks` lists them)")?,
            None => writeln!(
                w,
                "no KPI maps to a framework control, and no `[coverage]` requirement"
            )?,
        }
    } else {
        kpilint::report::coverage::write_table(w, &matrix)?;
    }
    if !g.quiet {
        writeln!(w, "\n{}", kpilint::report::human::summary(report))?;
        writeln!(w, "`kpilint check` with the same paths shows every finding")?;
    }
    Ok(())
}

fn emit_scorecard(g: &Global, w: &mut dyn Write, report: &Report) -> io::Result<()> {
    match &report.scorecard {
        Some(lines) => {
            let color = color_for_output(g);
            kpilint::report::scorecard::write_table(w, lines, color)?;
        }
        None => writeln!(
            w,
            "no data files given: nothing to evaluate (looked for `data/`)"
        )?,
    }
    if !g.quiet {
        writeln!(w, "\n{}", kpilint::report::human::summary(report))?;
        writeln!(w, "`kpilint check` with the same paths shows every finding")?;
    }
    Ok(())
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Colour for the report: `auto` colours a terminal, never a `--output` file; `always`
/// colours both.
fn color_for_output(g: &Global) -> bool {
    match g.output {
        Some(_) => matches!(g.color, Color::Always),
        None => use_color(g, &io::stdout()),
    }
}

fn use_color(g: &Global, stream: &impl IsTerminal) -> bool {
    match g.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream.is_terminal()
        }
    }
}

/// Runs `body` against stdout, or against a temporary file renamed over `--output` only
/// once everything was written: an interrupted run never leaves half a report.
fn write_output(g: &Global, body: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    match &g.output {
        None => {
            let stdout = io::stdout();
            let mut lock = io::BufWriter::new(stdout.lock());
            body(&mut lock)?;
            lock.flush()
        }
        Some(path) => write_atomically(path, body),
    }
}

fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut w = io::BufWriter::new(file);
        body(&mut w)?;
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| io::Error::new(e.kind(), format!("cannot write `{}`: {e}", path.display())))
}
