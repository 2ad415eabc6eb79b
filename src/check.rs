//! The `check` pipeline: find the inputs, read and parse them, validate them against their
//! schemas, merge the policy layers, run every rule, then settle severities and exceptions.

use crate::diag::{Diagnostics, Finding, Label, Level, Message, Severity};
use crate::framework::{Framework, Registry};
use crate::lint::{LintContext, Policy, rule_level};
use crate::model::{self, Catalogue, PolicyFile};
use crate::node::{Node, ParseError, parse_toml};
use crate::rules::{self, PARSE_ERROR, RuleMeta, SCHEMA};
use crate::schema::{self, FileKind};
use crate::source::{FileId, SourceFile, SourceMap, Span, display_path};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The embedded baseline policy.
pub const BASELINE: &str = include_str!("../policies/nhi-baseline.toml");
/// How the embedded baseline is named in output.
pub const BASELINE_NAME: &str = "kpilint:policies/nhi-baseline.toml";
/// Largest input file read.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files and directories to check; empty means the defaults (`policies/`, `metrics/`).
    pub paths: Vec<PathBuf>,
    /// Explicit policy files or directories (`--policy`).
    pub policies: Vec<PathBuf>,
    /// "Today", for expiry and overdue checks.
    pub as_of: jiff::civil::Date,
    /// `kpilint.toml`, if one was found: its globs replace the default paths.
    pub config: Option<crate::config::Config>,
    /// Where the default directories (`metrics/`, `data/`, `policies/`) are looked for;
    /// the working directory when `None`.
    pub root: Option<PathBuf>,
}

/// An error that stops the run (exit code 2).
#[derive(Debug)]
pub struct Fatal {
    /// What went wrong.
    pub message: String,
    /// Findings gathered before it, such as a policy's parse error, to print first.
    pub report: Option<Box<Report>>,
    /// The inputs held no kpilint file at all (for `kpilint diff`, a base revision from
    /// before the repository adopted kpilint).
    pub nothing_to_check: bool,
}

impl Fatal {
    /// A fatal error with only a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            report: None,
            nothing_to_check: false,
        }
    }

    /// A fatal error with the findings gathered so far (such as the parse error of the
    /// policy that stopped the run), settled under no policy.
    fn with_findings(
        message: impl Into<String>,
        sources: SourceMap,
        diags: Diagnostics,
        opts: &Options,
    ) -> Self {
        let report = finish(sources, diags, &Policy::default(), opts, 0, None);
        Self {
            report: Some(Box::new(report)),
            ..Self::msg(message)
        }
    }
}

/// The outcome of a run: every file read and every finding, sorted.
#[derive(Debug)]
pub struct Report {
    /// Files read.
    pub sources: SourceMap,
    /// Findings in output order (file, line, column, rule).
    pub findings: Vec<Finding>,
    /// Number of catalogue metrics checked.
    pub metrics: usize,
    /// Number of files read from disk (the embedded baseline not counted).
    pub files: usize,
    /// Every series' latest value, status and trend, when data files were evaluated.
    pub scorecard: Option<Vec<crate::eval::ScoreLine>>,
    /// What was checked: the effective policy, the catalogues and the frameworks.
    pub model: Option<Box<Model>>,
}

/// The validated inputs of a run, kept for comparisons such as `kpilint diff`.
#[derive(Debug)]
pub struct Model {
    /// The effective policy.
    pub policy: Policy,
    /// The catalogues.
    pub catalogues: Vec<Catalogue>,
    /// The frameworks.
    pub frameworks: Registry,
}

impl Report {
    /// Findings not waived by an exception, at `severity`.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed_by.is_none() && f.severity == severity)
            .count()
    }

    /// Findings waived by an exception.
    #[must_use]
    pub fn suppressed(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed_by.is_some())
            .count()
    }

    /// Whether any unwaived finding is at or above `threshold`.
    #[must_use]
    pub fn fails(&self, threshold: Option<Severity>) -> bool {
        threshold.is_some_and(|t| {
            self.findings
                .iter()
                .any(|f| f.suppressed_by.is_none() && f.severity >= t)
        })
    }
}

/// A parsed input, before its kind is known.
struct Parsed {
    file: FileId,
    root: Option<Node>,
    diags: Diagnostics,
}

/// Where an input came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A file named on the command line (or matched by a `kpilint.toml` glob).
    Named,
    /// Found in a directory named on the command line.
    Walked,
    /// Found by `--policy`, a `kpilint.toml` policy glob, or the default `policies/`.
    PolicySearch,
}

/// Runs the whole check.
///
/// # Errors
/// [`Fatal`] when a path does not exist, or no usable policy can be built.
pub fn run(opts: &Options) -> Result<Report, Fatal> {
    run_with(opts, None)
}

/// A comparison with an earlier revision, run inside [`run_with`] before the findings are
/// settled (`kpilint diff`).
pub struct Comparison<'a> {
    /// The earlier revision's validated inputs. Its policy sets the levels of the `diff`
    /// rules: a pull request cannot switch off the checks that review it. No exception
    /// waives a `diff` finding: it is about one change, approved in that change's review.
    pub base: &'a Model,
    /// Adds the findings of comparing `base` (first) with the checked model (second), as
    /// of a day.
    pub compare: fn(&Model, &Model, jiff::civil::Date, &mut Diagnostics),
}

/// Runs the whole check, plus a comparison with an earlier revision if given.
///
/// # Errors
/// As [`run`].
pub fn run_with(opts: &Options, comparison: Option<Comparison<'_>>) -> Result<Report, Fatal> {
    let mut inputs: Vec<(PathBuf, Origin)> = Vec::new();
    let mut walk_diags: Vec<(PathBuf, String)> = Vec::new();
    let cwd = opts
        .root
        .clone()
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let default_paths = opts.paths.is_empty();
    match (&opts.config, default_paths) {
        (Some(cfg), true) => {
            let catalogues =
                cfg.expand(&cfg.catalogues, &["metrics/**/*.toml", "metrics/**/*.json"]);
            let data = cfg.expand(
                &cfg.data,
                &["data/**/*.csv", "data/**/*.ndjson", "data/**/*.jsonl"],
            );
            inputs.extend(
                catalogues
                    .into_iter()
                    .chain(data)
                    .map(|p| (p, Origin::Named)),
            );
        }
        (None, true) => {
            for p in ["metrics", "data"]
                .iter()
                .map(|p| cwd.join(p))
                .filter(|p| p.exists())
            {
                collect(&p, Origin::Walked, &mut inputs, &mut walk_diags)?;
            }
        }
        (_, false) => {
            for p in &opts.paths {
                collect(p, Origin::Walked, &mut inputs, &mut walk_diags)?;
            }
        }
    }
    for p in &opts.policies {
        collect(p, Origin::PolicySearch, &mut inputs, &mut walk_diags)?;
    }
    dedupe(&mut inputs);
    let config_policies = match &opts.config {
        Some(cfg) if opts.policies.is_empty() => {
            Some(cfg.expand(&cfg.policies, &["policies/**/*.toml"]))
        }
        _ => None,
    };

    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    if let Some(cfg) = &opts.config {
        cfg.validate(&mut sources, &mut diags);
    }
    // Data files are streamed later, never read whole.
    let (data_inputs, inputs): (Vec<_>, Vec<_>) = inputs
        .into_iter()
        .partition(|(p, origin)| *origin != Origin::PolicySearch && data_format(p).is_some());
    let data_files: Vec<(PathBuf, FileId)> = data_inputs
        .into_iter()
        .map(|(p, _)| {
            let id = sources.add(SourceFile::new(
                display_path(&p),
                Some(p.clone()),
                String::new(),
            ));
            (p, id)
        })
        .collect();
    let mut parsed = read_all(&inputs, &mut sources);
    for (path, message) in walk_diags {
        let file = sources.add(SourceFile::new(
            display_path(&path),
            Some(path),
            String::new(),
        ));
        diags.push(
            &PARSE_ERROR,
            Label::at(file, Span::default()),
            Message::text(message),
        );
    }

    let mut loaded = Loaded {
        policies: Vec::new(),
        catalogues: Vec::new(),
        frameworks: Registry::builtin(),
        policy_broken: false,
        any_policy_input: false,
        searched_policies: 0,
        recognised: 0,
    };
    let origins: Vec<Origin> = inputs.iter().map(|(_, o)| *o).collect();
    for (p, origin) in parsed.drain(..).zip(origins) {
        loaded.handle(p, origin, &sources, &mut diags);
    }

    // Default policy search: `policies/` below the working directory, when no policy was
    // named or found among the inputs.
    let mut config_searched = false;
    if let Some(found) = config_policies.filter(|_| !loaded.any_policy_input) {
        config_searched = true;
        let found: Vec<_> = found
            .into_iter()
            .map(|p| (p, Origin::PolicySearch))
            .collect();
        for p in read_all(&found, &mut sources) {
            loaded.handle(p, Origin::PolicySearch, &sources, &mut diags);
        }
    } else if !loaded.any_policy_input
        && opts.policies.is_empty()
        && opts.config.is_none()
        && let Some(dir) = policies_dir(&cwd)
    {
        let mut found = Vec::new();
        let mut walk_errors = Vec::new();
        collect(&dir, Origin::PolicySearch, &mut found, &mut walk_errors)?;
        for p in read_all(&found, &mut sources) {
            loaded.handle(p, Origin::PolicySearch, &sources, &mut diags);
        }
    }
    if loaded.recognised == 0 && data_files.is_empty() && diags.findings.is_empty() {
        let message = if !default_paths {
            let named: Vec<String> = opts
                .paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect();
            format!(
                "nothing to check: no policy, catalogue or data file in {}",
                named.join(", ")
            )
        } else if let Some(cfg) = &opts.config {
            format!(
                "nothing to check: the `catalogues` and `data` globs of `{}` match no file",
                display_path(&cfg.path)
            )
        } else {
            "nothing to check: no `metrics/` or `data/` directory here; name the catalogues to check, or scaffold a repository with `kpilint init`".to_owned()
        };
        return Err(Fatal {
            nothing_to_check: true,
            ..Fatal::msg(message)
        });
    }
    // A policy asked for by name that is not there must not quietly become the baseline.
    let asked_for_policies = !opts.policies.is_empty()
        || (config_searched && opts.config.as_ref().is_some_and(|c| !c.policies.is_empty()));
    // (A policy among the inputs, such as the same file reached by walking `.`, is used:
    // nothing falls back silently then.)
    if asked_for_policies
        && loaded.searched_policies == 0
        && !loaded.any_policy_input
        && !loaded.policy_broken
    {
        let asked: Vec<String> = if opts.policies.is_empty() {
            opts.config
                .iter()
                .flat_map(|c| c.policies.iter().map(|g| format!("`{g}`")))
                .collect()
        } else {
            opts.policies
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect()
        };
        let message = format!(
            "no policy found in {}: a policy is a TOML file with a `[policy]` table",
            asked.join(", ")
        );
        return Err(Fatal::with_findings(message, sources, diags, opts));
    }
    let Loaded {
        policies,
        catalogues,
        frameworks,
        policy_broken,
        ..
    } = loaded;

    if policy_broken {
        let message = "a policy file could not be parsed; fix it and run again";
        return Err(Fatal::with_findings(message, sources, diags, opts));
    }

    let layers = order_layers(policies, &mut sources, &mut diags)?;
    let policy = Policy::merge(layers, &mut diags);
    check_rule_names(&policy, &mut diags);

    let ctx = LintContext::new(&policy, &catalogues, &frameworks, opts.as_of);
    run_rules(&ctx, &mut diags);
    let scorecard = (!data_files.is_empty()).then(|| {
        let mut ev = crate::eval::Evaluator::new(&ctx);
        for (path, file) in &data_files {
            match data_format(path) {
                Some(DataFormat::Csv) => ev.read_csv(path, *file),
                _ => ev.read_ndjson(path, *file),
            }
        }
        let (d, lines) = ev.finish();
        diags.extend(d);
        lines
    });
    let metrics = catalogues.iter().map(|c| c.metrics.len()).sum();
    let model = Model {
        policy,
        catalogues,
        frameworks,
    };
    let diff_policy = comparison.map(|c| {
        (c.compare)(c.base, &model, opts.as_of, &mut diags);
        &c.base.policy
    });
    let mut report = finish(sources, diags, &model.policy, opts, metrics, diff_policy);
    report.scorecard = scorecard;
    report.model = Some(Box::new(model));
    Ok(report)
}

/// How a data file is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DataFormat {
    Csv,
    Ndjson,
}

fn data_format(path: &Path) -> Option<DataFormat> {
    match path.extension().and_then(|x| x.to_str()) {
        Some("csv") => Some(DataFormat::Csv),
        Some("ndjson" | "jsonl") => Some(DataFormat::Ndjson),
        _ => None,
    }
}

/// Inputs sorted by kind as they are parsed.
struct Loaded {
    policies: Vec<PolicyFile>,
    catalogues: Vec<Catalogue>,
    frameworks: Registry,
    policy_broken: bool,
    any_policy_input: bool,
    /// Policies found by `--policy`, `kpilint.toml` or the `policies/` search.
    searched_policies: usize,
    /// Files recognised as kpilint files (policy, catalogue, framework).
    recognised: usize,
}

impl Loaded {
    fn handle(&mut self, p: Parsed, origin: Origin, sources: &SourceMap, diags: &mut Diagnostics) {
        let Parsed {
            file,
            root,
            diags: d,
        } = p;
        let failed = !d.findings.is_empty();
        diags.extend(d);
        let Some(root) = root else {
            if origin == Origin::PolicySearch || looks_like_policy(&sources.get(file).text) {
                self.policy_broken = true;
            }
            return;
        };
        if matches!(
            classify(&root),
            Some(FileKind::Policy | FileKind::Framework | FileKind::Catalogue)
        ) {
            self.recognised += 1;
        }
        match classify(&root) {
            Some(FileKind::Policy) => {
                self.any_policy_input = true;
                if origin == Origin::PolicySearch {
                    self.searched_policies += 1;
                }
                schema::validate(FileKind::Policy, &root, file, diags);
                if let Some(pf) = model::policy(&root, file) {
                    self.policies.push(pf);
                }
            }
            Some(FileKind::Framework) => {
                schema::validate(FileKind::Framework, &root, file, diags);
                add_framework(&root, file, sources, &mut self.frameworks, diags);
            }
            Some(FileKind::Catalogue) if origin != Origin::PolicySearch => {
                schema::validate(FileKind::Catalogue, &root, file, diags);
                self.catalogues.push(model::catalogue(&root, file));
                // Freeing a 100,000-metric tree takes as long as validating it: let another
                // thread do it while the rules run.
                std::thread::spawn(move || drop(root));
            }
            Some(FileKind::Catalogue | FileKind::Config) => {}
            None if failed => {}
            // A walked directory may hold other tools' TOML and JSON (Cargo.toml,
            // package.json): only files that look like a misspelt kpilint file are findings.
            None if origin != Origin::Named && !looks_like_kpilint(&root) => {}
            None => {
                diags
                    .push(
                        &SCHEMA,
                        Label::at(file, Span::new(0, 0)),
                        "not a kpilint file: expected a `[policy]`, `[catalogue]` or `[framework]` table",
                    )
                    .help("a metric catalogue starts with `[catalogue]`, a policy with `[policy]`");
            }
        }
    }
}

/// Whether a document's top-level keys are close to kpilint's (`[catalog]`, `[[metrics]]`).
fn looks_like_kpilint(root: &Node) -> bool {
    const KEYS: &[&str] = &[
        "policy",
        "catalogue",
        "framework",
        "metric",
        "kpi",
        "category",
        "banned",
        "exception",
        "coverage",
        "settings",
        "control",
    ];
    root.entries()
        .iter()
        .any(|e| crate::suggest::closest(&e.key, KEYS.iter().copied()).is_some())
}

/// Whether a file that failed to parse was meant to be a policy: a `[policy]` table (any
/// spacing), a `policy = ...` key, or a JSON `"policy":` key. A broken policy stops the
/// run; a broken catalogue is only a finding.
fn looks_like_policy(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        let squeezed: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        squeezed.starts_with("[policy]")
            || squeezed.starts_with("policy=")
            || squeezed.starts_with("\"policy\":")
            || squeezed.starts_with("{\"policy\":")
    })
}

/// The `policies/` directory that applies to `cwd`: in it, or in the nearest ancestor up
/// to the repository root (a directory with `.git`), so `kpilint check` run from a
/// subdirectory uses the repository's policy, not silently the built-in one.
fn policies_dir(cwd: &Path) -> Option<PathBuf> {
    // Outside a repository only the working directory's own `policies/` counts: climbing
    // to `/` could pick up an unrelated `~/policies`.
    let root = cwd
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(cwd);
    cwd.ancestors()
        .take_while(|d| d.starts_with(root))
        .map(|d| d.join("policies"))
        .find(|p| p.is_dir())
}

/// The built-in frameworks plus the repository's own (`policies/frameworks/*.toml`, found
/// as `check` finds `policies/`), for `kpilint frameworks`. Files that do not parse are
/// left out: `kpilint check` reports them.
#[must_use]
pub fn repository_frameworks(cwd: &Path) -> Registry {
    let mut registry = Registry::builtin();
    let Some(dir) = policies_dir(cwd).map(|p| p.join("frameworks")) else {
        return registry;
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return registry;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let Some(fw) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| parse_toml(&text).ok())
            .and_then(|root| Framework::from_node(&root, None))
        else {
            continue;
        };
        if registry.get(&fw.id).is_none() {
            registry.frameworks.push(fw);
        }
    }
    registry
}

/// Drops repeated inputs (the same file named twice, or named and found in a walked
/// directory), keeping the first: a file read twice would define every id twice.
fn dedupe(inputs: &mut Vec<(PathBuf, Origin)>) {
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|(p, _)| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
}

fn classify(root: &Node) -> Option<FileKind> {
    if root.get("policy").is_some() {
        Some(FileKind::Policy)
    } else if root.get("framework").is_some() {
        Some(FileKind::Framework)
    } else if root.get("catalogue").is_some() || root.get("metric").is_some() {
        Some(FileKind::Catalogue)
    } else {
        None
    }
}

fn add_framework(
    root: &Node,
    file: FileId,
    sources: &SourceMap,
    registry: &mut Registry,
    diags: &mut Diagnostics,
) {
    let Some(fw) = Framework::from_node(root, Some(file)) else {
        return;
    };
    if let Some(existing) = registry.get(&fw.id) {
        // The repository's own copy of a built-in catalogue (as in kpilint's own tree) is
        // not a conflict when it is the same text.
        let same_as_builtin = existing.file.is_none()
            && crate::framework::BUILTIN
                .iter()
                .any(|(_, text)| *text == sources.get(file).text);
        if !same_as_builtin {
            let f = diags
                .push(
                    &rules::DUPLICATE_ID,
                    Label::at(file, fw.id_span).with_message("defined again here"),
                    msg!("framework `{}` is already defined", fw.id),
                )
                .subject(fw.id.clone())
                .help("give the custom framework its own id");
            if let Some(prev) = existing.file {
                f.label(Label::at(prev, existing.id_span).with_message("first defined here"));
            }
        }
        return;
    }
    crate::rules::kpi003_duplicate_id::report_repeats(
        "control",
        root.get("control")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| {
                let n = c.get("id")?;
                Some((file, model::Sp::new(n.as_str()?.to_owned(), n.span)))
            })
            .collect::<Vec<_>>()
            .iter()
            .map(|(f, s)| (*f, s)),
        diags,
    );
    registry.frameworks.push(fw);
}

/// Adds `path` (a file, or a directory walked in sorted order) to `out`.
fn collect(
    path: &Path,
    origin: Origin,
    out: &mut Vec<(PathBuf, Origin)>,
    errors: &mut Vec<(PathBuf, String)>,
) -> Result<(), Fatal> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Fatal::msg(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    if !meta.is_dir() {
        let origin = if origin == Origin::Walked {
            Origin::Named
        } else {
            origin
        };
        out.push((path.to_path_buf(), origin));
        return Ok(());
    }
    let walker = walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && e.file_name() != crate::config::FILE_NAME => {
                let p = e.path();
                if matches!(
                    p.extension().and_then(|x| x.to_str()),
                    Some("toml" | "json" | "csv" | "ndjson" | "jsonl" | "yaml" | "yml")
                ) {
                    out.push((p.to_path_buf(), origin));
                }
            }
            Ok(_) => {}
            Err(e) => {
                let at = e
                    .path()
                    .map_or_else(|| path.to_path_buf(), Path::to_path_buf);
                let msg = if e.loop_ancestor().is_some() {
                    "symlink loop: this directory links back to one of its parents; skipped"
                        .to_owned()
                } else {
                    format!(
                        "cannot read: {}",
                        e.io_error().map_or_else(|| e.to_string(), io_reason)
                    )
                };
                errors.push((at, msg));
            }
        }
    }
    Ok(())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads and parses files in parallel; every failure becomes a located `parse-error`.
fn read_all(inputs: &[(PathBuf, Origin)], sources: &mut SourceMap) -> Vec<Parsed> {
    let loaded: Vec<(SourceFile, Result<Node, ParseError>)> =
        inputs.par_iter().map(|(path, _)| load(path)).collect();
    loaded
        .into_iter()
        .map(|(source, result)| {
            let file = sources.add(source);
            let mut diags = Diagnostics::default();
            let root = match result {
                Ok(root) => Some(root),
                Err(e) => {
                    diags.push(
                        &PARSE_ERROR,
                        Label::at(file, e.span),
                        Message::text(e.message),
                    );
                    None
                }
            };
            Parsed { file, root, diags }
        })
        .collect()
}

fn load(path: &Path) -> (SourceFile, Result<Node, ParseError>) {
    let display = display_path(path);
    let fail = |text: String, message: String, span: Span| {
        (
            SourceFile::new(display.clone(), Some(path.to_path_buf()), text),
            Err(ParseError { message, span }),
        )
    };
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return fail(
                String::new(),
                format!(
                    "file is {} MiB; kpilint reads files up to 1024 MiB",
                    m.len() >> 20
                ),
                Span::default(),
            );
        }
        _ => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                return fail(
                    String::new(),
                    format!("cannot read: {}", io_reason(&e)),
                    Span::default(),
                );
            }
        },
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            return fail(
                lossy,
                "file is not valid UTF-8".into(),
                Span::new(at, at + 1),
            );
        }
    };
    if text.trim().is_empty() {
        return fail(
            text,
            "file is empty: expected a `[catalogue]`, `[policy]` or `[framework]` table".into(),
            Span::default(),
        );
    }
    let result = match path.extension().and_then(|x| x.to_str()) {
        Some("json") => crate::json::parse_json(&text),
        Some("toml") | None => parse_toml(&text),
        // Not read yet; a YAML catalogue must not make a run pass by being skipped.
        Some("yaml" | "yml") => {
            let mut at = 0;
            let top_key = text.split_inclusive('\n').find_map(|l| {
                let start = at;
                at += l.len();
                ["catalogue:", "metric:", "policy:", "framework:"]
                    .iter()
                    .any(|k| l.starts_with(k))
                    .then(|| Span::new(start, start + l.trim_end().len()))
            });
            match top_key {
                Some(span) => Err(ParseError {
                    message: "kpilint does not read YAML yet: write this catalogue as TOML or JSON"
                        .into(),
                    span,
                }),
                None => Ok(Node {
                    span: Span::default(),
                    kind: crate::node::Kind::Table(Vec::new()),
                }),
            }
        }
        Some(other) => Err(ParseError {
            message: format!("unsupported file type `.{other}`: kpilint reads TOML and JSON"),
            span: Span::default(),
        }),
    };
    (
        SourceFile::new(display, Some(path.to_path_buf()), text),
        result,
    )
}

/// Orders policy layers parents-first, loading the embedded baseline when it is extended
/// or when there is no policy at all.
fn order_layers(
    policies: Vec<PolicyFile>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Result<Vec<PolicyFile>, Fatal> {
    let mut pool = policies;
    let needs_baseline = pool.is_empty()
        || pool.iter().any(|p| {
            p.extends.iter().any(|e| e.value == "nhi-baseline")
                && !pool.iter().any(|q| q.id.value == "nhi-baseline")
        });
    if needs_baseline {
        let file = sources.add(SourceFile::new(BASELINE_NAME.into(), None, BASELINE.into()));
        let root = parse_toml(BASELINE)
            .map_err(|e| Fatal::msg(format!("embedded baseline: {}", e.message)))?;
        schema::validate(FileKind::Policy, &root, file, diags);
        let baseline = model::policy(&root, file)
            .ok_or_else(|| Fatal::msg("embedded baseline lacks [policy] id"))?;
        pool.insert(0, baseline);
    }
    rules::kpi003_duplicate_id::report_repeats(
        "policy",
        pool.iter().map(|p| (p.file, &p.id)),
        diags,
    );
    let mut order: Vec<usize> = Vec::new();
    let mut state = vec![0u8; pool.len()]; // 0 new, 1 visiting, 2 done
    fn visit(
        i: usize,
        pool: &[PolicyFile],
        state: &mut [u8],
        order: &mut Vec<usize>,
        sources: &SourceMap,
    ) -> Result<(), Fatal> {
        match state[i] {
            2 => return Ok(()),
            1 => {
                return Err(Fatal::msg(format!(
                    "policy `{}` ({}) extends itself through a cycle",
                    pool[i].id.value,
                    sources.get(pool[i].file).display
                )));
            }
            _ => {}
        }
        state[i] = 1;
        for parent in &pool[i].extends {
            let Some(j) = pool.iter().position(|p| p.id.value == parent.value) else {
                let src = sources.get(pool[i].file);
                let (line, col) = src.line_col(parent.span.start);
                return Err(Fatal::msg(format!(
                    "{}:{line}:{col}: policy `{}` extends `{}`, which no policy file defines (the built-in baseline is `nhi-baseline`)",
                    src.display, pool[i].id.value, parent.value
                )));
            };
            visit(j, pool, state, order, sources)?;
        }
        state[i] = 2;
        order.push(i);
        Ok(())
    }
    for i in 0..pool.len() {
        visit(i, &pool, &mut state, &mut order, sources)?;
    }
    let mut slots: Vec<Option<PolicyFile>> = pool.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

/// Rule names in `[rules]` and exceptions must name real rules.
fn check_rule_names(policy: &Policy, diags: &mut Diagnostics) {
    let unknown = |name: &str,
                   file: FileId,
                   span: Span,
                   diags: &mut Diagnostics,
                   what: &'static str| {
        let what = Message::from(what);
        if let Some(rule) = rules::ALL.iter().find(|r| r.name == name) {
            if !rules::is_configurable(rule) {
                diags
                    .push(
                        &SCHEMA,
                        Label::at(file, span).with_message("always an error"),
                        msg!("{} names `{}`, which cannot be configured or waived", what, name),
                    )
                    .help("a file kpilint cannot read, or a key it does not know, is always an error: fix the file instead");
            }
            return;
        }
        let f = diags.push(
            &SCHEMA,
            Label::at(file, span).with_message("unknown rule"),
            msg!("{} names unknown rule `{}`", what, name),
        );
        match rules::suggest(name) {
            Some(s) => f.help(msg!("did you mean `{}`?", s)),
            None => f.help("`kpilint rules` lists every rule name"),
        };
    };
    for layer in &policy.layers {
        for r in &layer.rules {
            unknown(&r.name, r.file, r.key_span, diags, "`[rules]`");
        }
        for x in &layer.exceptions {
            unknown(&x.rule.value, x.file, x.rule.span, diags, "exception");
            if rules::find(&x.rule.value).is_some_and(|r| r.group == "diff") {
                diags
                    .push(
                        &SCHEMA,
                        Label::at(x.file, x.rule.span).with_message("cannot be waived"),
                        msg!("exception names `{}`: a `kpilint diff` finding is about one change and cannot be waived", x.rule.value),
                    )
                    .help("approve the change in its review; once merged, the finding does not come back");
            }
        }
    }
}

fn run_rules(ctx: &LintContext<'_>, out: &mut Diagnostics) {
    use crate::rules::*;
    let checks: &[fn(&LintContext<'_>, &mut Diagnostics)] = &[
        kpi003_duplicate_id::check,
        kpi101_threshold_order::check,
        kpi102_unit_domain::check,
        kpi103_unknown_control::check,
        kpi106_invalid_pattern::check,
        kpi107_unknown_kpi::check,
        kpi108_unknown_category::check,
        kpi201_expired_exception::check,
        kpi202_unapproved_exception::check,
        kpi301_vanity_metric::check,
        kpi302_missing_owner::check,
        kpi303_missing_threshold::check,
        kpi304_board_kpi_limit::check,
        kpi305_activity_metric_on_board::check,
        kpi306_unmapped_kpi::check,
        kpi307_missing_required_kpi::check,
        kpi308_looser_than_policy::check,
        kpi309_manual_source::check,
        kpi310_category_without_owner::check,
        kpi311_hidden_from_leadership::check,
        kpi312_okr_not_time_bound::check,
        kpi313_okr_overdue::check,
        kpi314_missing_cadence::check,
        kpi315_uncovered_control::check,
    ];
    let results: Vec<Diagnostics> = checks
        .par_iter()
        .map(|check| {
            let mut d = Diagnostics::default();
            check(ctx, &mut d);
            d
        })
        .collect();
    results.into_iter().for_each(|d| out.extend(d));
}

/// Lets `policy`'s live, approved exceptions waive the findings they name (never those of
/// the `diff` rules, nor `parse-error` or `schema`). Reports unused ones into `unused`.
fn settle_exceptions(
    policy: &Policy,
    findings: &mut [Finding],
    sources: &SourceMap,
    as_of: jiff::civil::Date,
    unused: &mut Diagnostics,
) {
    for x in &policy.exceptions {
        let live = x
            .expires
            .as_ref()
            .and_then(|e| rules::kpi201_expired_exception::days_left(&e.value, as_of))
            .is_some_and(|d| d >= 0);
        let Some(rule) = rules::ALL.iter().find(|r| r.name == x.rule.value) else {
            continue;
        };
        let waivable =
            rule.group != "exceptions" && rule.group != "diff" && rules::is_configurable(rule);
        if !live || !waivable {
            continue;
        }
        let named = |f: &&mut Finding| {
            f.rule.name == rule.name && f.subject.as_deref() == Some(x.subject.value.as_str())
        };
        let (line, _) = sources.get(x.file).line_col(x.span.start);
        let at = format!("{}:{line}", sources.get(x.file).display);
        if !x.is_approved() {
            // `unapproved-exception` reports the exception; what it names stays reported.
            for f in findings.iter_mut().filter(named) {
                f.notes.push(msg!(
                    "the exception at {} has no reason or approver, so it waives nothing",
                    at
                ));
            }
            continue;
        }
        let here = Label::at(x.file, x.span).with_message("waived by this exception");
        let locked = policy.rules.get(rule.name).filter(|s| s.locked);
        let mut used = false;
        for f in findings.iter_mut().filter(named) {
            if let Some(lock) = locked {
                let (line, _) = sources.get(lock.file).line_col(lock.key_span.start);
                f.notes.push(msg!(
                    "an exception exists, but `{}` is locked by {}:{} and cannot be waived",
                    rule.name,
                    sources.get(lock.file).display,
                    line
                ));
            } else {
                f.suppressed_by = Some(here.clone());
                used = true;
            }
        }
        if !used && rule_level(policy, &rules::UNUSED_EXCEPTION, as_of) != Level::Off {
            let why = if locked.is_some() {
                format!("rule `{}` is locked and cannot be waived", rule.name)
            } else {
                format!(
                    "no `{}` finding has subject `{}`",
                    rule.name, x.subject.value
                )
            };
            unused
                .push(
                    &rules::UNUSED_EXCEPTION,
                    Label::at(x.file, x.subject.span).with_message("waives nothing"),
                    msg!(
                        "exception for `{}` on `{}` is unused: {}",
                        rule.name,
                        x.subject.value,
                        why
                    ),
                )
                .subject(x.subject.value.clone())
                .help("remove the exception");
        }
    }
}

fn sort(findings: &mut [Finding], sources: &SourceMap) {
    findings.sort_by(|a, b| {
        let fa = &sources.get(a.primary.file).display;
        let fb = &sources.get(b.primary.file).display;
        (fa, a.primary.sort_key(), a.rule.code)
            .cmp(&(fb, b.primary.sort_key(), b.rule.code))
            .then_with(|| a.message.cmp_plain(&b.message))
    });
}

/// Applies rule levels and exceptions, reports unused exceptions and sorts. The `diff`
/// rules take their levels and exceptions from `diff_policy` (the base revision's), every
/// other rule from `policy`.
fn finish(
    sources: SourceMap,
    diags: Diagnostics,
    policy: &Policy,
    opts: &Options,
    metrics: usize,
    diff_policy: Option<&Policy>,
) -> Report {
    let as_of = opts.as_of;
    let governing = |rule: &RuleMeta| match diff_policy {
        Some(base) if rule.group == "diff" => base,
        _ => policy,
    };
    let mut findings: Vec<Finding> = Vec::with_capacity(diags.findings.len());
    for mut f in diags.findings {
        let Level::On(sev) = rule_level(governing(f.rule), f.rule, as_of) else {
            continue;
        };
        f.severity = f.cap.map_or(sev, |c| sev.min(c));
        findings.push(f);
    }
    let mut extra = Diagnostics::default();
    settle_exceptions(policy, &mut findings, &sources, as_of, &mut extra);
    for mut f in extra.findings {
        if let Level::On(sev) = rule_level(policy, f.rule, as_of) {
            f.severity = sev;
            findings.push(f);
        }
    }
    sort(&mut findings, &sources);
    let files = sources.iter().filter(|f| f.path.is_some()).count();
    Report {
        sources,
        findings,
        metrics,
        files,
        scorecard: None,
        model: None,
    }
}
