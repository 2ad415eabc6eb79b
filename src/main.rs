//! The `kpilint` binary: argument parsing, one `Format -> emitter` choice, the output file
//! and exit codes. Everything else lives in the library.

mod cli;

use clap::Parser;
use cli::{Cli, Color, Command, Global, SchemaKind};
use kpilint::diag::FailOn;
use kpilint::diag::Format;
use kpilint::pipeline::{self, Fatal, Request};
use kpilint::report::{Emitter, human::Human};
use kpilint::settle::Report;
use kpilint::workspace::Workspace;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // An interrupted run leaves no half-written temporary report behind.
    let _ = ctrlc::set_handler(|| {
        kpilint::output::remove_pending();
        std::process::exit(130);
    });
    match run(&cli) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            error(&e);
            ExitCode::from(2)
        }
    }
}

/// The options in force: the command line's, else the governing kpilint.toml's.
struct Options {
    global: Global,
    format: Format,
    fail_on: FailOn,
    /// The files the run read, which `--output` must not overwrite.
    inputs: Vec<PathBuf>,
}

impl Options {
    fn new(global: &Global, config: Option<&kpilint::config::Config>) -> Self {
        Self {
            global: global.clone(),
            format: global
                .format
                .or(config.and_then(|c| c.format))
                .unwrap_or(Format::Human),
            fail_on: global
                .fail_on
                .or(config.and_then(|c| c.fail_on))
                .unwrap_or(FailOn::Error),
            inputs: Vec::new(),
        }
    }
}

fn run(cli: &Cli) -> io::Result<ExitCode> {
    if let Command::Check { .. }
    | Command::Eval { .. }
    | Command::Diff { .. }
    | Command::Coverage { .. }
    | Command::Report { .. } = &cli.command
    {
        kpilint::pipeline::warm_up();
    }
    let cwd = std::env::current_dir()?;
    let as_of = cli.global.as_of.unwrap_or_else(today);
    match &cli.command {
        Command::Check { paths, .. }
        | Command::Eval { paths, .. }
        | Command::Diff { paths, .. }
        | Command::Coverage { paths, .. }
        | Command::Report { paths, .. } => repository(cli, &cwd, paths, as_of),
        Command::Explain { rule } => explain(&Options::new(&cli.global, None), rule),
        Command::Rules => rules(&Options::new(&cli.global, None)),
        Command::Frameworks { id } => {
            let opts = Options::new(&cli.global, None);
            frameworks(&opts, &Workspace::new(&cwd), id.as_deref())
        }
        Command::Init { dir, team, force } => {
            let dir = dir.clone().unwrap_or_else(|| PathBuf::from("."));
            match kpilint::init::run(&cwd.join(&dir), team, *force, as_of) {
                Ok(written) => {
                    for p in written {
                        println!("created {}", dir.join(p).display());
                    }
                    println!(
                        "next: `kpilint check` and `kpilint eval` in {}",
                        dir.display()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    error(&e);
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Completions { shell } => {
            let opts = Options::new(&cli.global, None);
            write_output(&opts, |w| {
                let mut cmd = <Cli as clap::CommandFactory>::command();
                clap_complete::generate(*shell, &mut cmd, "kpilint", w);
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let opts = Options::new(&cli.global, None);
            write_output(&opts, |w| {
                clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(w)
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { kind: None } => {
            let opts = Options::new(&cli.global, None);
            write_output(&opts, |w| {
                writeln!(w, "kpilint schema KIND prints the JSON Schema of:")?;
                for v in <SchemaKind as clap::ValueEnum>::value_variants() {
                    if let Some(p) = clap::ValueEnum::to_possible_value(v) {
                        let help = p.get_help().map(ToString::to_string).unwrap_or_default();
                        writeln!(w, "  {:<10} {help}", p.get_name())?;
                    }
                }
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { kind: Some(kind) } => {
            let opts = Options::new(&cli.global, None);
            let name = match kind {
                SchemaKind::Policy => "policy",
                SchemaKind::Catalogue => "catalogue",
                SchemaKind::Framework => "framework",
                SchemaKind::Events => "events",
                SchemaKind::Data => "data",
                SchemaKind::Report => "report",
                SchemaKind::Baseline => "baseline",
            };
            let text = kpilint::parse::schema::text(name).unwrap_or_default();
            write_output(&opts, |w| w.write_all(text.as_bytes()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The commands that read a repository: `check`, `eval`, `diff`, `coverage`.
/// Today, in the local time zone. With `TZ` unset, the zone is read from `/etc/localtime`
/// itself: looking its name up in jiff's database lists the whole zoneinfo directory, a
/// millisecond of every run.
fn today() -> jiff::civil::Date {
    if std::env::var_os("TZ").is_none()
        && let Ok(bytes) = std::fs::read("/etc/localtime")
        && let Ok(tz) = jiff::tz::TimeZone::tzif("localtime", &bytes)
    {
        return jiff::Timestamp::now().to_zoned_datetime(tz).date();
    }
    jiff::ZonedDateTime::now().date()
}

fn repository(
    cli: &Cli,
    cwd: &std::path::Path,
    paths: &[PathBuf],
    as_of: jiff::civil::Date,
) -> io::Result<ExitCode> {
    // kpilint.toml configures the commands that read a repository; the command line
    // wins. `explain`, `init` and the rest never read it, so a broken one cannot
    // stop `kpilint init --force` from replacing it.
    let mut ws = match Workspace::discover(cwd) {
        Ok(ws) => ws,
        Err(e) => {
            error(&e);
            return Ok(ExitCode::from(2));
        }
    };
    let req = Request {
        paths: paths.to_vec(),
        policies: cli.global.policy.clone(),
        as_of,
    };
    let result = match &cli.command {
        Command::Diff { base, base_dir, .. } => {
            let base = match (base, base_dir) {
                (Some(rev), _) => kpilint::diff::Base::Rev(rev.clone()),
                (None, Some(dir)) => kpilint::diff::Base::Dir(dir.clone()),
                (None, None) => unreachable!("clap requires one of them"),
            };
            // The base revision's configuration governs the review, its output format
            // included, even when the base cannot be read; the working tree's own is
            // checked as a file of the change.
            let own = ws.config.take();
            kpilint::diff::prepare(&ws, &base, &req).and_then(|plan| {
                ws.config.clone_from(&plan.config);
                kpilint::diff::run(&ws, own.as_ref(), &req, &plan)
            })
        }
        _ => pipeline::check(&ws, &req),
    };
    let mut opts = Options::new(&cli.global, ws.config.as_ref());
    if let Command::Coverage { .. } = cli.command
        && !matches!(opts.format, Format::Human | Format::Json | Format::Markdown)
    {
        error("`coverage` prints `--format human`, `json` or `markdown`");
        return Ok(ExitCode::from(2));
    }
    match result {
        Ok(mut report) => {
            opts.inputs = read_files(&report);
            if let Command::Check { baseline, paths } | Command::Eval { baseline, paths } =
                &cli.command
                && let Err(e) = use_baseline(&mut opts, &ws, baseline, paths, &mut report, as_of)
            {
                error(&e);
                return Ok(ExitCode::from(2));
            }
            if let Command::Report { html, .. } = &cli.command {
                opts.global.output = Some(html.clone());
            }
            let written = write_output(&opts, |w| match &cli.command {
                Command::Report { .. } => {
                    let mut pack = kpilint::report::html::BoardPack {
                        as_of,
                        commit: kpilint::diff::git::git(&ws.root, &["rev-parse", "HEAD"])
                            .ok()
                            .map(|c| String::from_utf8_lossy(&c).trim().to_owned()),
                    };
                    kpilint::report::Emitter::emit(&mut pack, w, &report)
                }
                Command::Coverage { framework, .. } => {
                    emit_coverage(&opts, w, &report, framework.as_deref())
                }
                Command::Eval { .. } if opts.format == Format::Human => {
                    emit_scorecard(&opts, w, &report)
                }
                _ => emit(&opts, w, &report),
            });
            // A reader that stopped early (`| head`) does not change the verdict.
            match written {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
                _ => {}
            }
            let all_findings = match cli.command {
                Command::Diff { all_findings, .. } => all_findings,
                _ => true,
            };
            let code = ExitCode::from(u8::from(
                report.fails(opts.fail_on.threshold(), all_findings),
            ));
            // The process ends now: freeing a million findings and scorecard lines one by
            // one would cost a tenth of a large run and change nothing.
            std::mem::forget(report);
            Ok(code)
        }
        Err(fatal) => fatal_error(&opts, &fatal),
    }
}

/// Applies the baseline file (`--baseline`, else kpilint.toml's `baseline`) to `report`,
/// then writes the one `--write-baseline` asks for. A baseline that does not exist yet is
/// fine when this run writes it.
fn use_baseline(
    opts: &mut Options,
    ws: &Workspace,
    args: &cli::BaselineArgs,
    paths: &[PathBuf],
    report: &mut Report,
    as_of: jiff::civil::Date,
) -> Result<(), String> {
    let path = args.baseline.as_ref().map(|p| ws.absolute(p)).or_else(|| {
        let c = ws.config.as_ref()?;
        Some(c.root.join(c.baseline.as_ref()?))
    });
    let writes = args.write_baseline.as_ref().map(|p| ws.absolute(p));
    // Checked before anything is written: the report would replace the baseline.
    if let (Some(writes), Some(output)) = (&writes, &opts.global.output)
        && *writes == ws.absolute(output)
    {
        return Err(format!(
            "`--write-baseline` and `--output` both name `{}`: give the report another file",
            kpilint::escape::escape_unsafe(&output.display().to_string())
        ));
    }
    if writes.is_some() && !paths.is_empty() {
        return Err(
            "`--write-baseline` records a whole repository: run it without PATHs (or with kpilint.toml's globs)"
                .into(),
        );
    }
    // A baseline this run is about to write for the first time is not there to read.
    if let Some(path) = &path
        && (writes.as_ref() != Some(path) || path.exists())
    {
        if !ws.contains(path) {
            return Err(format!(
                "`{}`: the baseline must be inside the repository",
                path.display()
            ));
        }
        let read = kpilint::baseline::read(path, ws.display(path))?;
        kpilint::baseline::apply(report, read, as_of, !paths.is_empty());
    }
    let Some(out) = args.write_baseline.as_ref() else {
        return Ok(());
    };
    // The baseline read is replaced whole: the one input this run may write over.
    let inputs: Vec<PathBuf> = opts
        .inputs
        .iter()
        .filter(|i| path.as_ref().is_none_or(|p| *i != p))
        .cloned()
        .collect();
    let text = kpilint::baseline::render(report);
    kpilint::output::write(out, &inputs, |w| w.write_all(text.as_bytes()))
        .map_err(|e| e.to_string())?;
    if !opts.global.quiet {
        eprintln!(
            "kpilint: wrote {}",
            kpilint::escape::escape_unsafe(&out.display().to_string())
        );
    }
    // `--output` must not replace it either.
    opts.inputs.extend(path);
    Ok(())
}

/// `kpilint explain RULE`.
fn explain(opts: &Options, rule: &str) -> io::Result<ExitCode> {
    let Some(rule) = kpilint::rules::find(rule) else {
        let hint = kpilint::rules::suggest(rule)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        error(format_args!(
            "no rule named `{rule}`{hint}; `kpilint rules` lists them"
        ));
        return Ok(ExitCode::from(2));
    };
    write_output(opts, |w| {
        if opts.format == Format::Human {
            write!(
                w,
                "# {} ({})\n\nDefault severity: {}\n\n{}",
                rule.name,
                rule.code,
                rule.default_severity.as_str(),
                rule.docs()
            )
        } else {
            let mut v = describe(rule);
            v["explanation"] = rule.docs().into();
            json_line(w, &v)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `kpilint rules`.
fn rules(opts: &Options) -> io::Result<ExitCode> {
    write_output(opts, |w| {
        if opts.format == Format::Human {
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
        } else {
            let v: Vec<_> = kpilint::rules::ALL.iter().map(|r| describe(r)).collect();
            json_line(w, &v)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Prints what stopped the run (exit 2), after the findings gathered before it: on stderr
/// for humans, and in the machine-readable format for a CI step that reads SARIF or JSON.
fn fatal_error(opts: &Options, fatal: &Fatal) -> io::Result<ExitCode> {
    if let Some(report) = &fatal.report {
        if opts.format == Format::Human {
            let mut human = Human {
                color: use_color(opts.global.color, &io::stderr()),
                width: 100,
                quiet: true,
            };
            human.emit(&mut io::stderr().lock(), report)?;
        } else {
            write_output(opts, |w| emit(opts, w, report))?;
        }
    }
    error(&fatal.message);
    Ok(ExitCode::from(2))
}

/// A rule as `rules` and `explain` describe it in JSON.
fn describe(r: &kpilint::rule::Rule) -> serde_json::Value {
    serde_json::json!({
        "name": r.name, "code": r.code, "group": r.group,
        "default_severity": r.default_severity, "summary": r.summary,
    })
}

fn json_line(w: &mut dyn Write, v: &impl serde::Serialize) -> io::Result<()> {
    kpilint::report::write_json(w, v)
}

/// The files a report was built from.
fn read_files(report: &Report) -> Vec<PathBuf> {
    report
        .sources
        .iter()
        .filter_map(|f| f.path.clone())
        .collect()
}

/// `kpilint frameworks [ID]`. Catalogues come from the repository: every name is escaped.
fn frameworks(opts: &Options, ws: &Workspace, id: Option<&str>) -> io::Result<ExitCode> {
    let esc = |s: &str| kpilint::escape::escape_unsafe(s).into_owned();
    let registry = kpilint::load::repository_frameworks(ws);
    let Some(id) = id else {
        write_output(opts, |w| {
            for f in &registry.frameworks {
                let n = f.coverage_targets("").count();
                writeln!(w, "{:<18} {} ({n} controls)", esc(&f.id), esc(&f.name))?;
            }
            Ok(())
        })?;
        return Ok(ExitCode::SUCCESS);
    };
    let Some(fw) = registry.get(id) else {
        let ids: Vec<_> = registry.frameworks.iter().map(|f| f.id.as_str()).collect();
        error(format_args!(
            "no framework `{id}`; known: {}",
            ids.join(", ")
        ));
        return Ok(ExitCode::from(2));
    };
    write_output(opts, |w| {
        writeln!(w, "# {} ({})", esc(&fw.name), esc(&fw.id))?;
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
                    format!(" -> {}", esc(&successors.join(", ")))
                };
                format!("  [withdrawn{succ}]")
            } else {
                String::new()
            };
            let title = c.title.as_deref().or(c.text.as_deref()).unwrap_or("");
            writeln!(w, "{:<12} {}{status}", esc(&c.id), esc(title))?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The one choice of emitter for a format.
fn emit(opts: &Options, w: &mut dyn Write, report: &Report) -> io::Result<()> {
    use kpilint::report::{github::Github, json::Json, junit::Junit, markdown::Markdown};
    let mut emitter: Box<dyn Emitter> = match opts.format {
        Format::Json => Box::new(Json),
        Format::Sarif => Box::new(kpilint::report::sarif::Sarif),
        Format::Junit => Box::new(Junit {
            fail_on: opts.fail_on.threshold(),
        }),
        Format::Github => Box::new(Github),
        Format::Markdown => Box::new(Markdown),
        Format::Human => Box::new(Human {
            color: color_for_output(opts),
            width: terminal_width(),
            quiet: opts.global.quiet,
        }),
    };
    emitter.emit(w, report)
}

fn emit_coverage(
    opts: &Options,
    w: &mut dyn Write,
    report: &Report,
    only: Option<&str>,
) -> io::Result<()> {
    let matrix = kpilint::report::coverage::matrix(report, only);
    if opts.format == Format::Json {
        return json_line(
            w,
            &serde_json::json!({ "version": 1, "frameworks": matrix }),
        );
    }
    if opts.format == Format::Markdown {
        return kpilint::report::coverage::write_markdown(w, &matrix);
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
    summary_footer(opts, w, report)
}

fn emit_scorecard(opts: &Options, w: &mut dyn Write, report: &Report) -> io::Result<()> {
    match &report.scorecard {
        Some(lines) => {
            kpilint::report::scorecard::write_table(w, lines, color_for_output(opts))?;
        }
        None => writeln!(
            w,
            "no data files given: nothing to evaluate (looked for `data/`)"
        )?,
    }
    summary_footer(opts, w, report)
}

fn summary_footer(opts: &Options, w: &mut dyn Write, report: &Report) -> io::Result<()> {
    if !opts.global.quiet {
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
fn color_for_output(opts: &Options) -> bool {
    match opts.global.output {
        Some(_) => matches!(opts.global.color, Color::Always),
        None => use_color(opts.global.color, &io::stdout()),
    }
}

fn use_color(color: Color, stream: &impl IsTerminal) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream.is_terminal()
        }
    }
}

/// Runs `body` against stdout, or writes `--output` whole (see [`kpilint::output`]).
fn write_output(
    opts: &Options,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match &opts.global.output {
        None => {
            let stdout = io::stdout();
            let mut lock = io::BufWriter::new(stdout.lock());
            body(&mut lock)?;
            lock.flush()
        }
        Some(path) => {
            kpilint::output::write(path, &opts.inputs, body)?;
            if !opts.global.quiet {
                eprintln!(
                    "kpilint: wrote {}",
                    kpilint::escape::escape_unsafe(&path.display().to_string())
                );
            }
            Ok(())
        }
    }
}

/// Prints a run-stopping error. Its text may quote input (a file name, a policy id, git's
/// own message), so it is cut to a screenful and escaped like every other output.
fn error(message: impl std::fmt::Display) {
    const MAX: usize = 4096;
    let mut text = message.to_string();
    if text.len() > MAX {
        let mut end = MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    eprintln!("kpilint: error: {}", kpilint::escape::escape_unsafe(&text));
}
