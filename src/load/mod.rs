//! Loading: files into spanned documents, documents into typed, schema-checked inputs.
//!
//! Every file is read once into the [`SourceMap`] (in parallel), parsed into a [`Node`]
//! tree (TOML, JSON or YAML), recognised by its top table, validated against its JSON
//! Schema, and extracted into the [`model`](crate::model): policy files, catalogues and
//! framework catalogues. Only `parse-error` and `schema` are raised here; every other rule
//! judges what this stage produces.

pub mod builtin;
pub mod extract;

use crate::diag::{Diagnostics, Label, Message};
use crate::discover::{Input, Origin, Refused};
use crate::framework::Registry;
use crate::model::{Catalogue, PolicyFile, Register};
use crate::parse::node::{Node, ParseError};
use crate::parse::schema::{self, FileKind};
use crate::parse::{classify, parse_bytes};
use crate::rule::{PARSE_ERROR, SCHEMA};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Largest input file read.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The typed inputs of a run, sorted by kind.
#[derive(Debug)]
pub struct Loaded {
    /// Policy files, in the order read.
    pub policies: Vec<PolicyFile>,
    /// Metric catalogues.
    pub catalogues: Vec<Catalogue>,
    /// Identity event registers.
    pub registers: Vec<Register>,
    /// The built-in frameworks plus the repository's own.
    pub frameworks: Registry,
    /// A policy did not parse: nothing can be judged without it.
    pub policy_broken: bool,
    /// A policy was among the inputs (named, walked or searched).
    pub any_policy_input: bool,
    /// Policies found by `--policy`, `kpilint.toml` or the `policies/` search.
    pub searched_policies: usize,
    /// Files recognised as kpilint files (policy, catalogue, framework, event register).
    pub recognised: usize,
}

impl Default for Loaded {
    fn default() -> Self {
        Self {
            policies: Vec::new(),
            catalogues: Vec::new(),
            registers: Vec::new(),
            frameworks: builtin::frameworks(),
            policy_broken: false,
            any_policy_input: false,
            searched_policies: 0,
            recognised: 0,
        }
    }
}

impl Loaded {
    /// Reads, parses and sorts `inputs` (none of them data files).
    pub fn read(
        &mut self,
        ws: &Workspace,
        inputs: &[Input],
        sources: &mut SourceMap,
        diags: &mut Diagnostics,
    ) {
        let read: Vec<(SourceFile, Result<Node, ParseError>)> = inputs
            .par_iter()
            .map(|input| load(ws, &input.path))
            .collect();
        for ((source, result), input) in read.into_iter().zip(inputs) {
            let file = sources.add(source);
            match result {
                Ok(root) => self.sort(root, file, input.origin, sources, diags),
                Err(e) => {
                    diags.push(
                        &PARSE_ERROR,
                        Label::at(file, e.span),
                        Message::text(e.message),
                    );
                    if input.origin == Origin::PolicySearch
                        || looks_like_policy(&sources.get(file).text)
                    {
                        self.policy_broken = true;
                    }
                }
            }
        }
    }

    /// Sorts one parsed document by its kind: validates it and extracts its model.
    fn sort(
        &mut self,
        root: Node,
        file: FileId,
        origin: Origin,
        sources: &SourceMap,
        diags: &mut Diagnostics,
    ) {
        let kind = classify(&root);
        if matches!(
            kind,
            Some(FileKind::Policy | FileKind::Framework | FileKind::Catalogue | FileKind::Events)
        ) {
            self.recognised += 1;
        }
        match kind {
            Some(FileKind::Policy) => {
                self.any_policy_input = true;
                if origin == Origin::PolicySearch {
                    self.searched_policies += 1;
                }
                schema::validate(FileKind::Policy, &root, file, diags);
                if let Some(mut pf) = extract::policy(&root, file) {
                    pf.locate_formulas(&sources.get(file).text);
                    self.policies.push(pf);
                }
            }
            Some(FileKind::Framework) => {
                schema::validate(FileKind::Framework, &root, file, diags);
                if let Some(fw) = extract::framework(&root, Some(file)) {
                    let same_as_builtin = builtin::BUILTIN
                        .iter()
                        .any(|(_, text)| *text == sources.get(file).text);
                    self.frameworks.add(fw, same_as_builtin);
                }
            }
            Some(FileKind::Catalogue) if origin != Origin::PolicySearch => {
                schema::validate(FileKind::Catalogue, &root, file, diags);
                let mut catalogue = extract::catalogue(&root, file);
                catalogue.locate_formulas(&sources.get(file).text);
                self.catalogues.push(catalogue);
                // Freeing a 100,000-metric tree takes as long as validating it: let another
                // thread do it while the rules run.
                std::thread::spawn(move || drop(root));
            }
            Some(FileKind::Events) if origin != Origin::PolicySearch => {
                schema::validate(FileKind::Events, &root, file, diags);
                self.registers.push(extract::register(&root, file));
            }
            // A baseline in a walked directory is read through `--baseline` only.
            Some(
                FileKind::Catalogue | FileKind::Events | FileKind::Config | FileKind::Baseline,
            ) => {}
            None if crate::parse::is_blank(&sources.get(file).text) => {
                diags
                    .push(
                        &SCHEMA,
                        Label::at(file, Span::new(0, 0)),
                        "file is empty: expected a `[catalogue]`, `[policy]` or `[framework]` table",
                    )
                    .help("a metric catalogue starts with `[catalogue]`, a policy with `[policy]`; delete the file if it is not needed");
            }
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

/// Adds each refused path to `sources` and reports it as a `parse-error` naming the path.
pub fn report_refused(
    ws: &Workspace,
    refused: Vec<Refused>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) {
    for r in refused {
        let file = sources.add(SourceFile::new(
            ws.display(&r.path),
            Some(r.path),
            String::new(),
        ));
        diags.push(
            &PARSE_ERROR,
            Label::at(file, Span::default()),
            Message::text(r.reason),
        );
    }
}

/// Reads and parses one file. A file kpilint cannot read is an error at its first byte;
/// one that is not UTF-8, at the first byte that is not.
fn load(ws: &Workspace, path: &Path) -> (SourceFile, Result<Node, ParseError>) {
    let display = ws.display(path);
    let source = |text: String| SourceFile::new(display.clone(), Some(path.to_path_buf()), text);
    let fail = |text: String, message: String, span: Span| {
        (source(text), Err(ParseError { message, span }))
    };
    let bytes = match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return fail(
                String::new(),
                "not a regular file; not read".into(),
                Span::default(),
            );
        }
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
                    format!("cannot read: {}", crate::discover::io_reason(&e)),
                    Span::default(),
                );
            }
        },
    };
    let (text, result) = parse_bytes(path.extension().and_then(|x| x.to_str()), bytes);
    (source(text), result)
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
        "register",
        "event",
    ];
    root.entries()
        .iter()
        .any(|e| crate::suggest::closest(&e.key, KEYS.iter().copied()).is_some())
}

/// Whether a file that failed to parse was meant to be a policy: a `[policy]` table (any
/// spacing), a `policy = ...` key, a JSON `"policy":` key, or a YAML `policy:` key at the
/// start of a line. A broken policy stops the run; a broken catalogue is only a finding.
fn looks_like_policy(text: &str) -> bool {
    text.lines().any(|l| {
        if l.starts_with("policy:") {
            return true;
        }
        let l = l.trim_start();
        let squeezed: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        squeezed.starts_with("[policy]")
            || squeezed.starts_with("policy=")
            || squeezed.starts_with("\"policy\":")
            || squeezed.starts_with("{\"policy\":")
    })
}

/// The built-in frameworks plus the repository's own (`policies/frameworks/*.toml`, `.json`,
/// `.yaml` or `.yml`, found as `check` finds `policies/`), for `kpilint frameworks`. Files
/// that do not parse are left out: `kpilint check` reports them.
#[must_use]
pub fn repository_frameworks(ws: &Workspace) -> Registry {
    let mut registry = builtin::frameworks();
    let Some(dir) = ws.policies_dir().map(|p| p.join("frameworks")) else {
        return registry;
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return registry;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            crate::discover::has_extension(p, &["toml", "json", "yaml", "yml"]) && ws.contains(p)
        })
        .collect();
    paths.sort();
    for path in paths {
        let Some(fw) = std::fs::read(&path)
            .ok()
            .and_then(|bytes| {
                parse_bytes(path.extension().and_then(|x| x.to_str()), bytes)
                    .1
                    .ok()
            })
            .and_then(|root| extract::framework(&root, None))
        else {
            continue;
        };
        registry.add(fw, false);
    }
    registry
}
