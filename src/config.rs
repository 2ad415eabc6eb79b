//! `kpilint.toml`: where a repository keeps its policies, catalogues and data (globs), and
//! its default output format and `--fail-on`. Found by walking up from the working
//! directory; the command line overrides it. Its keys are schema-checked like any input.

use crate::diag::Diagnostics;
use crate::node::Node;
use crate::source::{FileId, SourceFile, SourceMap};
use std::path::{Path, PathBuf};

/// The file name searched for.
pub const FILE_NAME: &str = "kpilint.toml";

/// A loaded configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The directory holding `kpilint.toml`: globs are relative to it.
    pub root: PathBuf,
    /// The file, for diagnostics.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// Policy globs.
    pub policies: Vec<String>,
    /// Catalogue globs.
    pub catalogues: Vec<String>,
    /// Data globs.
    pub data: Vec<String>,
    /// Default `--format`.
    pub format: Option<String>,
    /// Default `--fail-on`.
    pub fail_on: Option<String>,
}

fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
}

/// Finds `kpilint.toml` in `start` or an ancestor.
#[must_use]
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Reads a config file.
///
/// # Errors
/// A message naming the file when it cannot be read or is not valid TOML (exit code 2).
pub fn load(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let root_node = crate::node::parse_toml(&text).map_err(|e| {
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
    let string = |k: &str| root_node.get(k).and_then(Node::as_str).map(str::to_owned);
    Ok(Config {
        root: path.parent().map_or_else(PathBuf::new, Path::to_path_buf),
        path: path.to_path_buf(),
        policies: list("policies"),
        catalogues: list("catalogues"),
        data: list("data"),
        format: string("format"),
        fail_on: string("fail_on"),
        text,
    })
}

impl Config {
    /// Adds the config file to `sources` and validates it against its schema.
    pub fn validate(&self, sources: &mut SourceMap, diags: &mut Diagnostics) -> FileId {
        let file = sources.add(SourceFile::new(
            crate::source::display_path(&self.path),
            Some(self.path.clone()),
            self.text.clone(),
        ));
        if let Ok(root) = crate::node::parse_toml(&self.text) {
            crate::schema::validate(crate::schema::FileKind::Config, &root, file, diags);
            // A glob that does not compile would match nothing, silently.
            for key in ["policies", "catalogues", "data"] {
                for item in root.get(key).map(Node::items).unwrap_or_default() {
                    let Some(pattern) = item.as_str() else {
                        continue;
                    };
                    if let Err(e) = glob(pattern) {
                        diags
                            .push(
                                &crate::rules::SCHEMA,
                                crate::diag::Label::at(file, item.span)
                                    .with_message("invalid glob"),
                                msg!("`{}` glob `{}` is invalid: {}", key, pattern, e.kind()),
                            )
                            .help("globs are relative to kpilint.toml: `metrics/**/*.toml`");
                    }
                }
            }
        }
        file
    }

    /// Files under the config's directory matching `globs` (or `defaults`), sorted.
    #[must_use]
    pub fn expand(&self, globs: &[String], defaults: &[&str]) -> Vec<PathBuf> {
        let patterns: Vec<&str> = if globs.is_empty() {
            defaults.to_vec()
        } else {
            globs.iter().map(String::as_str).collect()
        };
        let mut builder = globset::GlobSetBuilder::new();
        // Invalid globs are `schema` findings (see `validate`).
        for g in patterns.into_iter().filter_map(|p| glob(p).ok()) {
            builder.add(g);
        }
        let Ok(set) = builder.build() else {
            return Vec::new();
        };
        walkdir::WalkDir::new(&self.root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| {
                e.path()
                    .strip_prefix(&self.root)
                    .is_ok_and(|rel| set.is_match(rel))
            })
            .map(|e| e.path().to_path_buf())
            .collect()
    }
}
