//! Framework catalogues (OWASP NHI Top 10, NIST CSF 2.0, NIST AI RMF, custom ones) and the
//! resolution of a metric's framework reference to a canonical control.
//!
//! References resolve in this order: an exact canonical ID; a known alias or a different
//! case (`NHI-02`, `gv.rm-01`: noncanonical); a normalised form (`GV.RM-1` zero-padded to
//! `GV.RM-01`, `GOVERN-1.1`/`GV 1.1` to `GOVERN 1.1`, the AI 600-1 suffix `-001` dropped:
//! noncanonical). A control marked withdrawn (CSF 1.1 IDs such as `PR.AC-01`) is legacy,
//! with its CSF 2.0 successors. Anything else is unknown, with the closest ID as a hint.

use crate::node::Node;
use crate::source::{FileId, Span};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The built-in catalogues, embedded at compile time: (file name, text).
pub static BUILTIN: &[(&str, &str)] = &[
    (
        "owasp-nhi-2025.toml",
        include_str!("../policies/frameworks/owasp-nhi-2025.toml"),
    ),
    (
        "nist-csf-2.0.toml",
        include_str!("../policies/frameworks/nist-csf-2.0.toml"),
    ),
    (
        "nist-ai-rmf-1.0.toml",
        include_str!("../policies/frameworks/nist-ai-rmf-1.0.toml"),
    ),
];

/// One control (or category, function, risk) of a framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// Canonical ID.
    pub id: String,
    /// Short title, if the framework has one.
    pub title: Option<String>,
    /// Official text, if stored.
    pub text: Option<String>,
    /// `function`, `category`, `subcategory`, or none for flat frameworks.
    pub level: Option<String>,
    /// The enclosing control's ID.
    pub parent: Option<String>,
    /// Informal spellings that resolve to this control.
    pub aliases: Vec<String>,
    /// Withdrawn (a CSF 1.1 ID kept for its successors).
    pub withdrawn: bool,
    /// Where a withdrawn control's content went.
    pub superseded_by: Vec<String>,
    /// Span of the entry in a custom catalogue file.
    pub span: Span,
}

impl Control {
    /// `ID (title)` or just the ID.
    #[must_use]
    pub fn describe(&self) -> String {
        match self.title.as_deref().or(self.text.as_deref()) {
            Some(t) if t.len() <= 80 => format!("`{}` ({t})", self.id),
            _ => format!("`{}`", self.id),
        }
    }
}

/// A framework catalogue.
#[derive(Debug, Clone)]
pub struct Framework {
    /// Its ID, e.g. `nist-csf-2.0`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: Option<String>,
    /// Its controls, in catalogue order.
    pub controls: Vec<Control>,
    /// Where it was defined, for custom catalogues.
    pub file: Option<FileId>,
    /// Span of the `[framework] id` value in a custom catalogue.
    pub id_span: Span,
    lookup: HashMap<String, usize>,
}

impl Framework {
    /// Builds a framework from its catalogue document; `None` without `[framework] id`.
    #[must_use]
    pub fn from_node(root: &Node, file: Option<FileId>) -> Option<Self> {
        let header = root.get("framework")?;
        let id_node = header.get("id")?;
        let id = id_node.as_str()?.to_owned();
        let text = |n: &Node, k: &str| n.get(k).and_then(Node::as_str).map(str::to_owned);
        let list = |n: &Node, k: &str| {
            n.get(k)
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        };
        let controls = root
            .get("control")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| {
                Some(Control {
                    id: text(c, "id")?,
                    title: text(c, "title"),
                    text: text(c, "text"),
                    level: text(c, "level"),
                    parent: text(c, "parent"),
                    aliases: list(c, "aliases"),
                    withdrawn: text(c, "status").as_deref() == Some("withdrawn"),
                    superseded_by: list(c, "superseded_by"),
                    span: c.span,
                })
            })
            .collect::<Vec<_>>();
        let mut fw = Self {
            name: text(header, "name").unwrap_or_else(|| id.clone()),
            version: text(header, "version"),
            id,
            controls,
            file,
            id_span: id_node.span,
            lookup: HashMap::new(),
        };
        // Canonical IDs first, so an alias can never shadow another control's ID.
        for (i, c) in fw.controls.iter().enumerate() {
            fw.lookup.entry(c.id.to_ascii_uppercase()).or_insert(i);
        }
        for (i, c) in fw.controls.iter().enumerate() {
            for a in &c.aliases {
                fw.lookup.entry(a.to_ascii_uppercase()).or_insert(i);
            }
        }
        Some(fw)
    }

    /// The control with this canonical ID.
    #[must_use]
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.lookup
            .get(&id.to_ascii_uppercase())
            .map(|&i| &self.controls[i])
            .filter(|c| c.id == id)
    }

    /// Looks up a spelling: canonical ID or alias, any case.
    fn find(&self, spelling: &str) -> Option<&Control> {
        self.lookup
            .get(&spelling.to_ascii_uppercase())
            .map(|&i| &self.controls[i])
    }

    /// The controls a coverage requirement asks for: active leaf controls (subcategories,
    /// or every control of a flat framework) whose ID starts with `prefix`.
    pub fn coverage_targets<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Control> {
        let has_levels = self.controls.iter().any(|c| c.level.is_some());
        self.controls.iter().filter(move |c| {
            !c.withdrawn
                && (!has_levels || c.level.as_deref() == Some("subcategory"))
                && c.id.starts_with(prefix)
        })
    }
}

/// What a framework reference resolved to.
#[derive(Debug, Clone)]
pub enum Resolution<'a> {
    /// Written exactly as the canonical ID.
    Canonical(&'a Framework, &'a Control),
    /// An alias, another case or an unpadded form of an active control.
    Noncanonical(&'a Framework, &'a Control),
    /// A withdrawn (CSF 1.1) control.
    Legacy(&'a Framework, &'a Control),
    /// No such control; the closest canonical ID, if any is close.
    Unknown(Option<String>),
    /// Qualified with a framework ID that is not loaded; the closest framework ID.
    UnknownFramework(String, Option<String>),
}

/// All frameworks of a run: the built-in ones, then custom ones.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// In load order.
    pub frameworks: Vec<Framework>,
}

static BUILTIN_REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let frameworks = BUILTIN
        .iter()
        .map(|(name, text)| {
            let root = crate::node::parse_toml(text)
                .unwrap_or_else(|e| panic!("embedded {name} is invalid: {}", e.message));
            Framework::from_node(&root, None)
                .unwrap_or_else(|| panic!("embedded {name} lacks [framework] id"))
        })
        .collect();
    Registry { frameworks }
});

static CSF_LIKE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^([A-Za-z]{2})\.([A-Za-z]{2})-0*(\d{1,2})$").unwrap());
static AI_RMF_LIKE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^(GOVERN|GV|MAP|MP|MEASURE|MS|MANAGE|MG)[\s\-_]*(\d+)(?:\.(\d+))?(?:-\d{3})?$",
    )
    .unwrap()
});

impl Registry {
    /// The built-in frameworks only.
    #[must_use]
    pub fn builtin() -> Self {
        BUILTIN_REGISTRY.clone()
    }

    /// The framework with this ID.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// Resolves one reference as written in a KPI or metric.
    #[must_use]
    pub fn resolve(&self, raw: &str) -> Resolution<'_> {
        let raw = raw.trim();
        let (scope, id): (Vec<&Framework>, &str) = match raw.split_once(':') {
            Some((prefix, rest)) if looks_like_framework_id(prefix) => {
                match self
                    .frameworks
                    .iter()
                    .find(|f| f.id.eq_ignore_ascii_case(prefix))
                {
                    Some(f) => (vec![f], rest.trim()),
                    None => {
                        let hint = crate::suggest::closest(
                            prefix,
                            self.frameworks.iter().map(|f| f.id.as_str()),
                        );
                        return Resolution::UnknownFramework(
                            prefix.to_owned(),
                            hint.map(str::to_owned),
                        );
                    }
                }
            }
            _ => (self.frameworks.iter().collect(), raw),
        };
        fn classify<'r>(f: &'r Framework, c: &'r Control, exact: bool) -> Resolution<'r> {
            if c.withdrawn {
                Resolution::Legacy(f, c)
            } else if exact {
                Resolution::Canonical(f, c)
            } else {
                Resolution::Noncanonical(f, c)
            }
        }
        for f in &scope {
            if let Some(c) = f.find(id) {
                return classify(f, c, c.id == id);
            }
        }
        for candidate in normalised_forms(id) {
            for f in &scope {
                if let Some(c) = f.find(&candidate) {
                    return classify(f, c, false);
                }
            }
        }
        let hint = crate::suggest::closest(
            id,
            scope.iter().flat_map(|f| {
                f.controls
                    .iter()
                    .filter(|c| !c.withdrawn)
                    .map(|c| c.id.as_str())
            }),
        );
        Resolution::Unknown(hint.map(str::to_owned))
    }
}

/// Framework IDs are lower-case words joined by `-` or `.` (`nist-csf-2.0`); control IDs
/// such as `NHI7:2025` also contain a colon, so the prefix must look like the former.
fn looks_like_framework_id(prefix: &str) -> bool {
    prefix.contains('-')
        && prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// Spellings to try for a reference that matched nothing as written.
fn normalised_forms(id: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = CSF_LIKE.captures(id) {
        out.push(format!(
            "{}.{}-{:0>2}",
            c[1].to_ascii_uppercase(),
            c[2].to_ascii_uppercase(),
            &c[3]
        ));
    }
    if let Some(c) = AI_RMF_LIKE.captures(id) {
        let function = match c[1].to_ascii_uppercase().as_str() {
            "GOVERN" | "GV" => "GOVERN",
            "MAP" | "MP" => "MAP",
            "MEASURE" | "MS" => "MEASURE",
            _ => "MANAGE",
        };
        out.push(match c.get(3) {
            Some(sub) => format!("{function} {}.{}", &c[2], sub.as_str()),
            None => format!("{function} {}", &c[2]),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(raw: &str) -> String {
        let r = Registry::builtin();
        match r.resolve(raw) {
            Resolution::Canonical(f, c) => format!("ok {}:{}", f.id, c.id),
            Resolution::Noncanonical(f, c) => format!("alias {}:{}", f.id, c.id),
            Resolution::Legacy(_, c) => format!("legacy {} -> {}", c.id, c.superseded_by.join(",")),
            Resolution::Unknown(h) => format!("unknown {h:?}"),
            Resolution::UnknownFramework(f, h) => format!("no framework {f} {h:?}"),
        }
    }

    #[test]
    fn resolves_canonical_alias_legacy_and_unknown() {
        assert_eq!(resolve("NHI7:2025"), "ok owasp-nhi-2025:NHI7:2025");
        assert_eq!(resolve("NHI-02"), "alias owasp-nhi-2025:NHI2:2025");
        assert_eq!(resolve("NHI2"), "alias owasp-nhi-2025:NHI2:2025");
        assert_eq!(resolve("GV.RM-01"), "ok nist-csf-2.0:GV.RM-01");
        assert_eq!(resolve("GV.RM-1"), "alias nist-csf-2.0:GV.RM-01");
        assert_eq!(resolve("gv.rm-01"), "alias nist-csf-2.0:GV.RM-01");
        assert_eq!(resolve("nist-csf-2.0:GV.OV-01"), "ok nist-csf-2.0:GV.OV-01");
        assert_eq!(resolve("GOVERN 1.5"), "ok nist-ai-rmf-1.0:GOVERN 1.5");
        assert_eq!(resolve("GOVERN-1.5"), "alias nist-ai-rmf-1.0:GOVERN 1.5");
        assert_eq!(resolve("GV-1.1-001"), "alias nist-ai-rmf-1.0:GOVERN 1.1");
        assert_eq!(resolve("PR.AC-1"), "legacy PR.AC-01 -> PR.AA-01,PR.AA-05");
        assert_eq!(resolve("GV.RM-08"), "unknown Some(\"GV.RM-01\")");
        assert_eq!(
            resolve("nist-csf-20:GV.RM-01"),
            "no framework nist-csf-20 Some(\"nist-csf-2.0\")"
        );
    }

    #[test]
    fn builtin_counts_match_the_reference() {
        let r = Registry::builtin();
        let count = |fw: &str| r.get(fw).unwrap().coverage_targets("").count();
        assert_eq!(count("owasp-nhi-2025"), 10);
        assert_eq!(count("nist-csf-2.0"), 106);
        assert_eq!(count("nist-ai-rmf-1.0"), 72);
        assert_eq!(
            r.get("nist-csf-2.0")
                .unwrap()
                .coverage_targets("GV.")
                .count(),
            31
        );
    }
}
