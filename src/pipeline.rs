//! The `check` pipeline, stage by stage: discover the inputs, load them, build the
//! effective policy, run the model rules, stream the data into facts and run the data
//! rules, then settle. `kpilint diff` composes the same stages for both revisions.

use crate::analyze::delta::Delta;
use crate::analyze::{Context, Model, data};
use crate::diag::Diagnostics;
use crate::discover::{Found, Origin};
use crate::load::{self, Loaded};
use crate::parse::DataFormat;
use crate::policy::Policy;
use crate::rules::{CHECKS, Check};
use crate::settle::{self, Report, Waivers};
use crate::source::{FileId, SourceFile, SourceMap};
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::path::PathBuf;

/// What to check.
#[derive(Debug, Clone)]
pub struct Request {
    /// Files and directories to check; empty means the defaults (`metrics/`, `data/`, or
    /// the globs of `kpilint.toml`).
    pub paths: Vec<PathBuf>,
    /// Explicit policy files or directories (`--policy`).
    pub policies: Vec<PathBuf>,
    /// "Today", for expiry, overdue and staleness checks.
    pub as_of: jiff::civil::Date,
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
        ws: &Workspace,
        sources: SourceMap,
        diags: Diagnostics,
        as_of: jiff::civil::Date,
    ) -> Self {
        let policy = Policy::default();
        let findings = settle::settle(
            &sources,
            diags,
            &settle::Settings {
                policy: &policy,
                diff_policy: None,
                as_of,
                waiver_rules: run_waiver_rules,
                checked: None,
            },
        );
        Self {
            report: Some(Box::new(report(ws, sources, findings, 0, None, None))),
            ..Self::msg(message)
        }
    }
}

/// A run up to settlement: the files read, the findings so far, what was checked.
pub struct Analysis {
    /// Files read.
    pub sources: SourceMap,
    /// Findings so far.
    pub diags: Diagnostics,
    /// The validated inputs.
    pub model: Model,
    /// Data files to stream, with their ids and formats.
    pub data: Vec<(PathBuf, FileId, DataFormat)>,
    /// "Today".
    pub as_of: jiff::civil::Date,
    /// When only some files were named, the subjects they define (see
    /// [`settle::Settings::checked`]).
    pub checked: Option<crate::hash::Set<String>>,
    /// The reviewed `kpilint.toml`, as read into `sources`.
    pub config_file: Option<FileId>,
}

/// Starts building, on a thread of its own, what every run over a repository needs and no
/// input changes: the built-in frameworks, the schemas of catalogues and policies, the
/// embedded baseline policy, the vanity lexicon, the patterns of control IDs and rayon's
/// threads. The run waits for one of them only if it needs it first, so on a machine with
/// two cores a small repository's check takes the longer of the two paths, not their sum.
pub fn warm_up() {
    let _ = std::thread::Builder::new()
        .name("kpilint-warm-up".into())
        .spawn(|| {
            crate::load::builtin::warm_up();
            crate::parse::schema::warm_up();
            std::sync::LazyLock::force(&crate::policy::BASELINE_TREE);
            crate::vanity::warm_up();
            crate::framework::warm_up();
            rayon::current_num_threads();
        });
}

/// Runs the whole check.
///
/// # Errors
/// [`Fatal`] when a path does not exist, or no usable policy can be built.
pub fn check(ws: &Workspace, req: &Request) -> Result<Report, Fatal> {
    let mut analysis = analyze(ws, req)?;
    let scorecard = analysis.evaluate_data();
    Ok(analysis.settle(ws, None, scorecard))
}

impl Analysis {
    /// Streams the data files into facts, runs the data rules, and returns the scorecard
    /// (`None` without data files).
    pub fn evaluate_data(&mut self) -> Option<crate::analyze::scorecard::Scorecard> {
        if self.data.is_empty() {
            return None;
        }
        let ctx = Context::new(&self.model, self.as_of);
        // A metric the policy bans is `banned` on the scorecard, never shown as healthy.
        let banned: crate::hash::Set<&str> = self
            .diags
            .findings
            .iter()
            .filter(|f| f.rule.code == crate::rules::VANITY_METRIC.code)
            .filter_map(|f| f.subject.as_deref())
            .collect();
        let facts = data::read(&ctx, &self.data);
        let card = crate::analyze::scorecard::scorecard(&facts, &ctx, |id| banned.contains(id));
        // The data rules' findings are kept packed while the facts are held, and unpacked
        // once they are dropped: with a million series, the two together in full form
        // were most of the run's peak memory.
        let mut found = Diagnostics::packing();
        run_data_rules(&facts, &ctx, &mut found);
        drop(facts);
        self.diags.extend(found);
        Some(card)
    }

    /// Settles the findings into the report; `diff_policy` sets the levels of the `diff`
    /// rules.
    #[must_use]
    pub fn settle(
        self,
        ws: &Workspace,
        diff_policy: Option<&Policy>,
        scorecard: Option<crate::analyze::scorecard::Scorecard>,
    ) -> Report {
        let findings = settle::settle(
            &self.sources,
            self.diags,
            &settle::Settings {
                policy: &self.model.policy,
                diff_policy,
                as_of: self.as_of,
                waiver_rules: run_waiver_rules,
                checked: self.checked.as_ref(),
            },
        );
        let metrics = self.model.catalogues.iter().map(|c| c.metrics.len()).sum();
        report(
            ws,
            self.sources,
            findings,
            metrics,
            scorecard,
            Some(Box::new(self.model)),
        )
    }
}

fn report(
    ws: &Workspace,
    sources: SourceMap,
    findings: Vec<crate::diag::Finding>,
    metrics: usize,
    scorecard: Option<crate::analyze::scorecard::Scorecard>,
    model: Option<Box<Model>>,
) -> Report {
    let files = sources.iter().filter(|f| f.path.is_some()).count();
    Report {
        sources,
        findings,
        metrics,
        files,
        scorecard,
        model,
        root: Some(ws.root.clone()),
        baseline: false,
    }
}

/// Discovers, loads and validates the inputs and runs the model rules.
///
/// # Errors
/// As [`check`].
pub fn analyze(ws: &Workspace, req: &Request) -> Result<Analysis, Fatal> {
    analyze_with(ws, req, ws.config.as_ref())
}

/// As [`analyze`], checking the text of `reviewed` rather than of the configuration that
/// governs the run (`kpilint diff`: the base revision's governs, the working tree's is
/// reviewed).
///
/// # Errors
/// As [`check`].
pub fn analyze_with(
    ws: &Workspace,
    req: &Request,
    reviewed: Option<&crate::config::Config>,
) -> Result<Analysis, Fatal> {
    let found = discover(ws, req)?;
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let config_file =
        reviewed.map(|cfg| cfg.validate(ws.display(&cfg.path), &mut sources, &mut diags));
    // Data files are streamed later, never read whole.
    let (data_inputs, inputs): (Vec<_>, Vec<_>) = found.inputs.into_iter().partition(|i| {
        i.origin != Origin::PolicySearch && crate::parse::data_format(&i.path).is_some()
    });
    let data: Vec<(PathBuf, FileId, DataFormat)> = data_inputs
        .into_iter()
        .filter_map(|i| {
            let format = crate::parse::data_format(&i.path)?;
            let id = sources.add(SourceFile::new(
                ws.display(&i.path),
                Some(i.path.clone()),
                String::new(),
            ));
            Some((i.path, id, format))
        })
        .collect();
    let mut loaded = Loaded::default();
    loaded.read(ws, &inputs, &mut sources, &mut diags);
    load::report_refused(ws, found.refused, &mut sources, &mut diags);
    if !loaded.any_policy_input && req.policies.is_empty() {
        search_policies(ws, &mut loaded, &mut sources, &mut diags)?;
    }
    if loaded.recognised == 0 && data.is_empty() && diags.findings.is_empty() {
        return Err(Fatal {
            nothing_to_check: true,
            ..Fatal::msg(nothing_to_check(ws, req))
        });
    }
    // A policy asked for by name that is not there must not quietly become the baseline.
    // (A policy among the inputs, such as the same file reached by walking `.`, is used:
    // nothing falls back silently then.)
    let asked_in_config = ws.config.as_ref().is_some_and(|c| !c.policies.is_empty());
    if (!req.policies.is_empty() || asked_in_config)
        && loaded.searched_policies == 0
        && !loaded.any_policy_input
        && !loaded.policy_broken
    {
        let asked: Vec<String> = if req.policies.is_empty() {
            ws.config
                .iter()
                .flat_map(|c| c.policies.iter().map(|g| format!("`{g}`")))
                .collect()
        } else {
            req.policies
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect()
        };
        let message = format!(
            "no policy found in {}: a policy is a TOML file with a `[policy]` table",
            asked.join(", ")
        );
        return Err(Fatal::with_findings(message, ws, sources, diags, req.as_of));
    }
    if loaded.policy_broken {
        let message = "a policy file could not be parsed; fix it and run again";
        return Err(Fatal::with_findings(message, ws, sources, diags, req.as_of));
    }
    let Loaded {
        policies,
        catalogues,
        registers,
        frameworks,
        ..
    } = loaded;
    let policy = match crate::policy::build(policies, crate::rules::ALL, &mut sources, &mut diags) {
        Ok(p) => p,
        Err(message) => {
            return Err(Fatal::with_findings(message, ws, sources, diags, req.as_of));
        }
    };
    let model = Model {
        policy,
        catalogues,
        registers,
        frameworks,
    };
    let some_files = partial(ws, req);
    let mut ctx = Context::new(&model, req.as_of);
    ctx.partial = some_files;
    run_model_rules(&ctx, &mut diags);
    drop(ctx);
    let checked = some_files.then(|| subjects(&model));
    Ok(Analysis {
        sources,
        diags,
        model,
        data,
        as_of: req.as_of,
        checked,
        config_file,
    })
}

/// Whether the request names single files (as pre-commit does) rather than the
/// repository's inputs or whole directories.
fn partial(ws: &Workspace, req: &Request) -> bool {
    req.paths.iter().any(|p| ws.absolute(p).is_file())
}

/// The subjects the checked catalogues and event registers define: their metrics and the
/// KPIs they implement, and their events.
fn subjects(model: &Model) -> crate::hash::Set<String> {
    model
        .catalogues
        .iter()
        .flat_map(|c| &c.metrics)
        .flat_map(|m| [m.id.value.clone(), m.kpi_id().to_owned()])
        .chain(
            model
                .registers
                .iter()
                .flat_map(|r| &r.events)
                .map(|e| e.id.value.clone()),
        )
        .collect()
}

/// The files a request names: its paths (or the config's globs, or `metrics/` and
/// `data/`), and its `--policy` paths.
fn discover(ws: &Workspace, req: &Request) -> Result<Found, Fatal> {
    let mut found = Found::default();
    match (&ws.config, req.paths.is_empty()) {
        (Some(cfg), true) => {
            let patterns = [
                globs(&cfg.catalogues, crate::config::defaults::CATALOGUES),
                globs(&cfg.events, crate::config::defaults::EVENTS),
                globs(&cfg.data, crate::config::defaults::DATA),
            ]
            .concat();
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            found.add_globs(ws, &cfg.root, &patterns, Origin::Named);
        }
        (None, true) => {
            for p in ["metrics", "events", "data"]
                .iter()
                .map(|p| ws.cwd.join(p))
                .filter(|p| p.exists())
            {
                found.add(ws, &p, Origin::Walked).map_err(Fatal::msg)?;
            }
        }
        (_, false) => {
            for p in &req.paths {
                found
                    .add(ws, &ws.absolute(p), Origin::Walked)
                    .map_err(Fatal::msg)?;
            }
        }
    }
    for p in &req.policies {
        found
            .add(ws, &ws.absolute(p), Origin::PolicySearch)
            .map_err(Fatal::msg)?;
    }
    found.dedupe();
    Ok(found)
}

/// A config's globs of one kind, or the defaults when it lists none.
fn globs(configured: &[String], defaults: &[&str]) -> Vec<String> {
    if configured.is_empty() {
        defaults.iter().map(|s| (*s).to_owned()).collect()
    } else {
        configured.to_vec()
    }
}

/// The default policy search, when no policy was named or found among the inputs: the
/// config's policy globs, else `policies/` here or above, up to the repository root.
fn search_policies(
    ws: &Workspace,
    loaded: &mut Loaded,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Result<(), Fatal> {
    let mut search = Found::default();
    match &ws.config {
        Some(cfg) => {
            let patterns = globs(&cfg.policies, crate::config::defaults::POLICIES);
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            search.add_globs(ws, &cfg.root, &patterns, Origin::PolicySearch);
        }
        None => {
            if let Some(dir) = ws.policies_dir() {
                search
                    .add(ws, &dir, Origin::PolicySearch)
                    .map_err(Fatal::msg)?;
            }
        }
    }
    search.dedupe();
    loaded.read(ws, &search.inputs, sources, diags);
    load::report_refused(ws, search.refused, sources, diags);
    Ok(())
}

/// Why a run that found no kpilint file at all cannot go on.
fn nothing_to_check(ws: &Workspace, req: &Request) -> String {
    if !req.paths.is_empty() {
        let named: Vec<String> = req
            .paths
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect();
        format!(
            "nothing to check: no policy, catalogue, event register or data file in {}",
            named.join(", ")
        )
    } else if let Some(cfg) = &ws.config {
        format!(
            "nothing to check: the `catalogues`, `events` and `data` globs of `{}` match no file",
            ws.display(&cfg.path)
        )
    } else {
        "nothing to check: no `metrics/`, `events/` or `data/` directory here; name the catalogues to check, or scaffold a repository with `kpilint init`".to_owned()
    }
}

/// Runs every data rule.
pub fn run_data_rules(facts: &data::DataFacts<'_>, ctx: &Context<'_>, out: &mut Diagnostics) {
    for (_, check) in CHECKS {
        if let Check::Data(check) = check {
            check(facts, ctx, out);
        }
    }
}

/// Runs every `diff` rule on the change between two revisions.
pub fn run_diff_rules(delta: &Delta<'_>, out: &mut Diagnostics) {
    for (_, check) in CHECKS {
        if let Check::Diff(check) = check {
            check(delta, out);
        }
    }
}

/// Runs every rule about exceptions, once settlement knows what each one waived.
pub fn run_waiver_rules(waivers: &Waivers<'_>, out: &mut Diagnostics) {
    for (_, check) in CHECKS {
        if let Check::Waivers(check) = check {
            check(waivers, out);
        }
    }
}

/// Runs every model rule, in parallel, keeping their findings in registry order.
pub fn run_model_rules(ctx: &Context<'_>, out: &mut Diagnostics) {
    let results: Vec<Diagnostics> = CHECKS
        .par_iter()
        .filter_map(|(_, check)| match check {
            Check::Model(check) => {
                let mut d = Diagnostics::default();
                check(ctx, &mut d);
                Some(d)
            }
            _ => None,
        })
        .collect();
    for d in results {
        out.extend(d);
    }
}
