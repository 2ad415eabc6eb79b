//! `kpilint.toml`: where a repository keeps its policies, catalogues and data (globs), and
//! its default output format and `--fail-on`. Found by `Workspace::discover`; the command
//! line overrides it. Its keys are schema-checked like any input, and a value kpilint does
//! not know (`format = "xml"`) is a `schema` finding, never silently dropped.

use crate::diag::Format;
use crate::diag::{Diagnostics, FailOn, Label};
use crate::parse::node::Node;
use crate::source::{FileId, SourceFile, SourceMap};
use std::path::{Path, PathBuf};

/// The file name searched for.
pub const FILE_NAME: &str = "kpilint.toml";

/// Default globs of each input kind, relative to `kpilint.toml`.
pub mod defaults {
    /// Policies.
    pub const POLICIES: &[&str] = &["policies/**/*.toml"];
    /// Catalogues.
    pub const CATALOGUES: &[&str] = &["metrics/**/*.toml", "metrics/**/*.json"];
    /// Identity event registers.
    pub const EVENTS: &[&str] = &[
        "events/**/*.toml",
        "events/**/*.json",
        "events/**/*.yaml",
        "events/**/*.yml",
    ];
    /// Data.
    pub const DATA: &[&str] = &[
        "data/**/*.csv",
        "data/**/*.tsv",
        "data/**/*.ndjson",
        "data/**/*.jsonl",
    ];
}

/// A loaded configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The directory holding `kpilint.toml`: globs are relative to it.
    pub root: PathBuf,
    /// The file, for diagnostics.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// Its document, parsed once.
    pub tree: Node,
    /// Policy globs.
    pub policies: Vec<String>,
    /// Catalogue globs.
    pub catalogues: Vec<String>,
    /// Event register globs.
    pub events: Vec<String>,
    /// Data globs.
    pub data: Vec<String>,
    /// Default `--format`.
    pub format: Option<Format>,
    /// Default `--fail-on`.
    pub fail_on: Option<FailOn>,
    /// Default `--baseline`, relative to [`Config::root`].
    pub baseline: Option<String>,
}

/// Compiles a glob as `kpilint.toml` writes them: `*` stays within a path segment.
///
/// # Errors
/// The glob's syntax error.
pub fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
}

/// Reads a config file.
///
/// # Errors
/// A message naming the file when it cannot be read or is not valid TOML (exit code 2).
pub fn load(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let root_node = crate::parse::toml::parse(&text).map_err(|e| {
        let src = SourceFile::new(path.display().to_string(), None, text.clone());
        let (line, col) = src.line_col(e.span.start);
        format!("{}:{line}:{col}: {}", path.display(), e.message)
    })?;
    let list = |k: &str| -> Vec<String> {
        root_node
            .get(k)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect()
    };
    let string = |k: &str| root_node.get(k).and_then(Node::as_str);
    Ok(Config {
        root: path.parent().map_or_else(PathBuf::new, Path::to_path_buf),
        path: path.to_path_buf(),
        policies: list("policies"),
        catalogues: list("catalogues"),
        events: list("events"),
        data: list("data"),
        format: string("format").and_then(Format::parse),
        fail_on: string("fail_on").and_then(FailOn::parse),
        baseline: string("baseline").map(str::to_owned),
        text,
        tree: root_node,
    })
}

impl Config {
    /// Adds the config file to `sources` (shown as `display`) and validates it against its
    /// schema: unknown keys, values of the wrong kind and globs that do not compile.
    pub fn validate(
        &self,
        display: String,
        sources: &mut SourceMap,
        diags: &mut Diagnostics,
    ) -> FileId {
        let file = sources.add(SourceFile::new(
            display,
            Some(self.path.clone()),
            self.text.clone(),
        ));
        let root = &self.tree;
        crate::parse::schema::validate(crate::parse::schema::FileKind::Config, root, file, diags);
        // A glob that does not compile would match nothing, silently.
        for key in ["policies", "catalogues", "events", "data"] {
            for item in root.get(key).map(Node::items).unwrap_or_default() {
                let Some(pattern) = item.as_str() else {
                    continue;
                };
                if let Err(e) = glob(pattern) {
                    diags
                        .push(
                            &crate::rule::SCHEMA,
                            Label::at(file, item.span).with_message("invalid glob"),
                            msg!("`{}` glob `{}` is invalid: {}", key, pattern, e.kind()),
                        )
                        .help("globs are relative to kpilint.toml: `metrics/**/*.toml`");
                }
            }
        }
        file
    }
}
