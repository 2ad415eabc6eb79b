//! Framework catalogues (OWASP NHI Top 10, NIST CSF 2.0, NIST AI RMF, custom ones) and the
//! resolution of a metric's framework reference to a canonical control.
//!
//! References resolve in this order: an exact canonical ID, plain or qualified with its
//! framework (the fast path: no allocation); then, with surrounding whitespace trimmed and a
//! qualifier matched in any case, a known alias or a different case (`NHI-02`, `gv.rm-01`), an
//! alias with the year (`NHI-02:2025`), or a normalised form (`GV.RM-1` zero-padded to
//! `GV.RM-01`, `GOVERN-1.1`/`GV 1.1` to `GOVERN 1.1`, the AI 600-1 suffix `-001` dropped): all
//! noncanonical. A control marked withdrawn (CSF 1.1 IDs such as `PR.AC-01`) is legacy, with
//! its CSF 2.0 successors, and so is a CSF 1.1 ID whose number CSF 2.0 reuses (`ID.AM-1`).
//! Anything else is unknown, with a hint worked out from its normalised form: the framework
//! that does have a qualified reference's control, the IDs a category has when a well-formed
//! ID is out of range, or the closest ID.

use crate::diag::Message;
use crate::hash::Map;
use crate::source::{FileId, Span};

mod id;

use id::{Family, Parsed};

/// Compiles the patterns that recognise control IDs now (see
/// [`crate::pipeline::warm_up`]).
pub fn warm_up() {
    id::warm_up();
}

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
    /// Span of its `id` value in a custom catalogue file.
    pub id_span: Span,
}

impl Control {
    /// `ID (title)` or just the ID.
    #[must_use]
    pub fn describe(&self) -> Message {
        match self.title.as_deref().or(self.text.as_deref()) {
            Some(t) if t.len() <= 80 => msg!("`{}` ({})", self.id, t),
            _ => msg!("`{}`", self.id),
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
    /// Canonical IDs as written: the allocation-free lookup of the resolver's fast path.
    exact: Map<String, usize>,
    /// Upper-cased canonical IDs and aliases, for informal spellings.
    lookup: Map<String, usize>,
}

impl Framework {
    /// A framework of `controls`, indexed for lookup: canonical IDs first, so an alias can
    /// never shadow another control's ID.
    #[must_use]
    pub fn new(
        id: String,
        name: String,
        version: Option<String>,
        controls: Vec<Control>,
        file: Option<FileId>,
        id_span: Span,
    ) -> Self {
        let mut fw = Self {
            id,
            name,
            version,
            controls,
            file,
            id_span,
            exact: Map::default(),
            lookup: Map::default(),
        };
        for (i, c) in fw.controls.iter().enumerate() {
            fw.exact.entry(c.id.clone()).or_insert(i);
            fw.lookup.entry(c.id.to_ascii_uppercase()).or_insert(i);
        }
        for (i, c) in fw.controls.iter().enumerate() {
            for a in &c.aliases {
                fw.lookup.entry(a.to_ascii_uppercase()).or_insert(i);
            }
        }
        fw
    }

    /// The control with this canonical ID.
    #[must_use]
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.exact.get(id).map(|&i| &self.controls[i])
    }

    /// Looks up a spelling: canonical ID or alias, any case.
    fn find(&self, spelling: &str) -> Option<&Control> {
        self.lookup
            .get(&spelling.to_ascii_uppercase())
            .map(|&i| &self.controls[i])
    }

    /// The canonical way to write a reference to `c`: qualified with this framework's ID if
    /// `raw` was qualified, plain otherwise.
    #[must_use]
    pub fn canonical_reference(&self, raw: &str, c: &Control) -> String {
        match raw.trim().split_once(':') {
            Some((prefix, _)) if prefix.trim().eq_ignore_ascii_case(&self.id) => {
                format!("{}:{}", self.id, c.id)
            }
            _ => c.id.clone(),
        }
    }

    /// Where the content of `c`'s subcategories went, for a category withdrawn with no single
    /// successor (`PR.IP`): their successors, deduplicated, in catalogue order.
    #[must_use]
    pub fn successors_of_children<'a>(&'a self, c: &Control) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        let children = self
            .controls
            .iter()
            .filter(|child| child.parent.as_deref() == Some(c.id.as_str()));
        for s in children.flat_map(|child| &child.superseded_by) {
            if !out.contains(&s.as_str()) {
                out.push(s);
            }
        }
        out
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
    /// A CSF 1.1 subcategory ID, written unpadded as CSF 1.1 wrote it (`ID.AM-1`), whose
    /// number CSF 2.0 reuses: the CSF 2.0 control, whose outcome may be worded differently.
    Reused(&'a Framework, &'a Control),
    /// No such control in `within` (the framework a qualifier named) or in any framework.
    Unknown {
        /// The framework the reference was qualified with.
        within: Option<&'a Framework>,
        /// What the help can point to.
        hint: Hint<'a>,
    },
    /// Qualified with a framework ID that is not loaded; the closest framework ID.
    UnknownFramework(String, Option<String>),
}

/// What the help for an unknown reference can point to, worked out from its normalised form
/// (`GV.RM-8` is read as `GV.RM-08`, `NHI 2` as `NHI2:2025`).
#[derive(Debug, Clone)]
pub enum Hint<'a> {
    /// Nothing close.
    None,
    /// The closest ID, qualified as the reference was, with a caveat where the spelling is
    /// also used for something else.
    Closest(String, Option<&'static str>),
    /// A well-formed ID numbered outside what its category, or its flat framework, has.
    Range {
        /// The framework that has the category.
        framework: &'a Framework,
        /// The category (`GV.RM`, `GOVERN 1`); none for a flat framework (the NHI Top 10).
        parent: Option<&'a Control>,
        /// The IDs that exist, in runs of consecutive numbers.
        runs: Vec<Vec<&'a str>>,
        /// A caveat where the spelling is also used for something else.
        note: Option<&'static str>,
    },
    /// A qualified reference to a control of another framework than the one named.
    Elsewhere(&'a Framework, &'a Control),
}

/// Vendor identity-type taxonomies number their entries `NHI-001`..`NHI-037` (see the OWASP
/// NHI notes of the reference catalogue).
const NHI_VENDOR_NOTE: &str = "(`NHI-001`-style IDs also number identity types in vendor taxonomies, which are not OWASP risks)";

impl Hint<'_> {
    /// The help text, if there is anything to say.
    #[must_use]
    pub fn help(&self) -> Option<Message> {
        let with_note = |mut text: Message, note: Option<&'static str>| {
            if let Some(n) = note {
                text.push_text(" ");
                text.append(&Message::from(n));
            }
            text
        };
        Some(match self {
            Hint::None => return None,
            Hint::Closest(id, note) => with_note(msg!("did you mean `{}`?", id), *note),
            Hint::Range {
                framework,
                parent,
                runs,
                note,
            } => {
                let mut list = Message::default();
                for (i, run) in runs.iter().enumerate() {
                    if i > 0 {
                        list.push_text(", ");
                    }
                    match run.as_slice() {
                        [first, .., last] if run.len() > 2 => {
                            list.append(&msg!("`{}`..`{}`", first, last));
                        }
                        _ => list.append(&Message::ticked(run, ", ")),
                    }
                }
                let text = match parent {
                    Some(p) if p.withdrawn => {
                        msg!(
                            "`{}`, withdrawn from {}, had {}",
                            p.id,
                            framework.name,
                            list
                        )
                    }
                    Some(p) => msg!("`{}` has {}", p.id, list),
                    None => msg!("{} runs {}", framework.name, list),
                };
                with_note(text, *note)
            }
            Hint::Elsewhere(f, c) if c.withdrawn => msg!(
                "`{}` is a withdrawn control of {} (`{}:{}`): map to its successor there",
                c.id,
                f.name,
                f.id,
                c.id
            ),
            Hint::Elsewhere(f, c) => msg!(
                "write `{}:{}`: `{}` is a control of {}",
                f.id,
                c.id,
                c.id,
                f.name
            ),
        })
    }
}

/// All frameworks of a run: the built-in ones, then custom ones.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// In load order.
    pub frameworks: Vec<Framework>,
    /// Custom catalogues whose id was already taken, left out (`duplicate-id`).
    pub shadowed: Vec<Framework>,
}

/// The ID of the built-in NIST CSF 2.0 catalogue.
pub const CSF_2_0: &str = "nist-csf-2.0";

impl Registry {
    /// Adds a custom framework, unless its id is taken: then it is kept aside as
    /// shadowed, or dropped when it is `same_as_builtin` (the repository's own copy of a
    /// built-in catalogue, as in kpilint's own tree).
    pub fn add(&mut self, fw: Framework, same_as_builtin: bool) {
        match self.get(&fw.id) {
            None => self.frameworks.push(fw),
            Some(existing) if existing.file.is_none() && same_as_builtin => {}
            Some(_) => self.shadowed.push(fw),
        }
    }

    /// The framework with this ID.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// Resolves one reference as written in a KPI or metric.
    #[must_use]
    pub fn resolve(&self, raw: &str) -> Resolution<'_> {
        // Fast path, taken by nearly every reference of a large catalogue: the canonical ID,
        // plain or qualified with its framework's ID. Hash lookups only, no allocation.
        for f in &self.frameworks {
            if let Some(c) = f.control(raw) {
                return exact(f, c);
            }
        }
        if let Some((prefix, id)) = raw.split_once(':')
            && let Some(f) = self.get(prefix)
            && let Some(c) = f.control(id)
        {
            return exact(f, c);
        }
        self.resolve_informal(raw)
    }

    /// Resolves a reference that is not written exactly as a canonical ID, so whatever it
    /// resolves to is noncanonical (or legacy).
    fn resolve_informal(&self, raw: &str) -> Resolution<'_> {
        let reference = raw.trim();
        // A qualifier naming a loaded framework, in any case, scopes the lookup to it.
        if let Some((prefix, rest)) = reference.split_once(':')
            && let Some(f) = self
                .frameworks
                .iter()
                .find(|f| f.id.eq_ignore_ascii_case(prefix.trim()))
        {
            return self.lookup(Scope::Only(f), rest.trim()).unwrap_or_else(|| {
                Resolution::Unknown {
                    within: Some(f),
                    hint: self.hint(Scope::Only(f), rest.trim()),
                }
            });
        }
        if let Some(found) = self.lookup(Scope::All, reference) {
            return found;
        }
        // `OWASP NHI2`, `NIST CSF GV.OC-01`: the framework named the way people write it,
        // before the ID. Found only in the framework it names.
        if let Some((framework, rest)) = id::by_publisher(reference)
            && let Some(f) = self.get(framework)
            && let Some(found) = self.lookup(Scope::Only(f), rest)
        {
            return found;
        }
        // Only now, with the whole reference known not to be a control (`nhi-2:2025` is one)
        // nor shaped like one (`nhi-11:2025`), may a prefix that looks like a framework ID be
        // taken for an unloaded framework.
        if let Some((prefix, _)) = reference.split_once(':')
            && looks_like_framework_id(prefix.trim())
            && Parsed::new(reference).is_none()
        {
            let prefix = prefix.trim();
            let hint =
                crate::suggest::closest(prefix, self.frameworks.iter().map(|f| f.id.as_str()));
            return Resolution::UnknownFramework(prefix.to_owned(), hint.map(str::to_owned));
        }
        Resolution::Unknown {
            within: None,
            hint: self.hint(Scope::All, reference),
        }
    }

    /// Looks `id` (trimmed, unqualified) up in the frameworks of `scope` as an alias or
    /// another case, an alias with the year, then a normalised form.
    fn lookup(&self, scope: Scope<'_>, id: &str) -> Option<Resolution<'_>> {
        let in_scope = || self.frameworks.iter().filter(move |f| scope.admits(f));
        let parsed = Parsed::new(id);
        let found = in_scope()
            .find_map(|f| f.find(id).map(|c| (f, c)))
            // `NHI-02:2025`: an alias of a control whose ID carries the same year.
            .or_else(|| {
                let (head, year) = id.rsplit_once(':')?;
                in_scope().find_map(|f| {
                    f.find(head.trim())
                        .filter(|c| has_year(&c.id, year.trim()))
                        .map(|c| (f, c))
                })
            })
            .or_else(|| {
                let p = parsed.as_ref().filter(|p| p.family != Family::Nhi)?;
                in_scope().find_map(|f| f.control(&p.canonical).map(|c| (f, c)))
            })?;
        let (f, c) = found;
        Some(if c.withdrawn {
            Resolution::Legacy(f, c)
        } else if f.id == CSF_2_0 && parsed.is_some_and(|p| p.is_csf_1_1()) {
            Resolution::Reused(f, c)
        } else {
            Resolution::Noncanonical(f, c)
        })
    }

    /// The help for `id` (trimmed, unqualified), unknown in `scope`.
    fn hint(&self, scope: Scope<'_>, id: &str) -> Hint<'_> {
        let qualify = |id: &str| match scope {
            Scope::Only(f) => format!("{}:{id}", f.id),
            _ => id.to_owned(),
        };
        if let Scope::Only(named) = scope
            && let Some(
                Resolution::Canonical(f, c)
                | Resolution::Noncanonical(f, c)
                | Resolution::Legacy(f, c)
                | Resolution::Reused(f, c),
            ) = self.lookup(Scope::Except(named), id)
        {
            return Hint::Elsewhere(f, c);
        }
        let Some(parsed) = Parsed::new(id) else {
            return self
                .closest(scope, id)
                .map_or(Hint::None, |c| Hint::Closest(qualify(c), None));
        };
        let note = (parsed.family == Family::Nhi && parsed.digits == 3).then_some(NHI_VENDOR_NOTE);
        // An ID that exists, in a spelling kpilint does not accept (`NHI 2`, `NHI-001`).
        if self
            .frameworks
            .iter()
            .any(|f| scope.admits(f) && f.control(&parsed.canonical).is_some())
        {
            return Hint::Closest(qualify(&parsed.canonical), note);
        }
        if let Some(hint) = self.range(scope, &parsed, note) {
            return hint;
        }
        self.closest(scope, &parsed.canonical)
            .map_or(Hint::None, |c| Hint::Closest(qualify(c), None))
    }

    /// The IDs that exist next to a well-formed but missing one: in its category (or, if the
    /// category is missing too, its category's parent: `GOVERN 9.1`), or in its flat
    /// framework.
    fn range(
        &self,
        scope: Scope<'_>,
        parsed: &Parsed,
        note: Option<&'static str>,
    ) -> Option<Hint<'_>> {
        let in_scope = || self.frameworks.iter().filter(move |f| scope.admits(f));
        let number = |id: &str| {
            Parsed::new(id)
                .filter(|p| p.family == parsed.family)
                .map(|p| p.number)
        };
        let (framework, parent, members): (_, _, Vec<&Control>) = match &parsed.parent {
            Some(id) => {
                let mut id = id.clone();
                loop {
                    if let Some((f, found)) =
                        in_scope().find_map(|f| f.control(&id).map(|c| (f, c)))
                    {
                        let members = f
                            .controls
                            .iter()
                            .filter(|c| {
                                c.parent.as_deref() == Some(&id) && c.withdrawn == found.withdrawn
                            })
                            .collect();
                        break (f, Some(found), members);
                    }
                    id = Parsed::new(&id)
                        .filter(|p| p.family == parsed.family)?
                        .parent?;
                }
            }
            None => {
                let f = in_scope()
                    .find(|f| f.controls.first().is_some_and(|c| number(&c.id).is_some()))?;
                (
                    f,
                    None,
                    f.controls.iter().filter(|c| !c.withdrawn).collect(),
                )
            }
        };
        let mut runs: Vec<Vec<&str>> = Vec::new();
        let mut previous = None;
        for c in members {
            let n = number(&c.id);
            match runs.last_mut() {
                Some(run) if n.is_some() && previous.and_then(|p: u32| p.checked_add(1)) == n => {
                    run.push(&c.id);
                }
                _ => runs.push(vec![&c.id]),
            }
            previous = n;
        }
        (!runs.is_empty()).then_some(Hint::Range {
            framework,
            parent,
            runs,
            note,
        })
    }

    /// The closest active canonical ID in `scope`, if one is close.
    fn closest(&self, scope: Scope<'_>, id: &str) -> Option<&str> {
        crate::suggest::closest(
            id,
            self.frameworks
                .iter()
                .filter(|f| scope.admits(f))
                .flat_map(|f| {
                    f.controls
                        .iter()
                        .filter(|c| !c.withdrawn)
                        .map(|c| c.id.as_str())
                }),
        )
    }
}

/// The frameworks a lookup searches.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// Every loaded framework (an unqualified reference).
    All,
    /// The one a qualifier names.
    Only(&'a Framework),
    /// All but the one a qualifier names, to say where its control is.
    Except(&'a Framework),
}

impl Scope<'_> {
    fn admits(self, f: &Framework) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(only) => std::ptr::eq(only, f),
            Scope::Except(other) => !std::ptr::eq(other, f),
        }
    }
}

/// A control written exactly as its canonical ID.
fn exact<'r>(f: &'r Framework, c: &'r Control) -> Resolution<'r> {
    if c.withdrawn {
        Resolution::Legacy(f, c)
    } else {
        Resolution::Canonical(f, c)
    }
}

/// Whether `id` ends in `:year` (`NHI2:2025` and `2025`), in any case.
fn has_year(id: &str, year: &str) -> bool {
    id.rsplit_once(':')
        .is_some_and(|(_, y)| !y.is_empty() && y.eq_ignore_ascii_case(year))
}

/// Framework IDs are words joined by `-` or `.` (`nist-csf-2.0`). Control IDs such as
/// `NHI7:2025` also contain a colon, so the resolver only asks this of a prefix once the
/// whole reference has failed to resolve as a control.
fn looks_like_framework_id(prefix: &str) -> bool {
    prefix.contains('-')
        && prefix.bytes().any(|b| b.is_ascii_alphabetic())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::id::CSF_1_1;
    use super::*;

    /// A custom catalogue, as a repository would keep in `policies/frameworks/`.
    const ACME: &str = "[framework]\nid = \"acme-iam\"\nname = \"ACME IAM\"\n\n\
        [[control]]\nid = \"IAM-01\"\naliases = [\"IAM-1\"]\n\n[[control]]\nid = \"IAM-02\"\n";

    fn registry() -> Registry {
        let mut r = crate::load::builtin::frameworks();
        let root = crate::parse::toml::parse(ACME).unwrap();
        r.frameworks
            .push(crate::load::extract::framework(&root, None).unwrap());
        r
    }

    /// `kind framework:control`, plus what the help would build on.
    fn resolve(r: &Registry, raw: &str) -> String {
        match r.resolve(raw) {
            Resolution::Canonical(f, c) => format!("canonical {}:{}", f.id, c.id),
            Resolution::Noncanonical(f, c) => {
                format!(
                    "noncanonical {}:{} as `{}`",
                    f.id,
                    c.id,
                    f.canonical_reference(raw, c)
                )
            }
            Resolution::Legacy(f, c) if c.superseded_by.is_empty() => format!(
                "legacy {}:{} -> by subcategory {}",
                f.id,
                c.id,
                f.successors_of_children(c).join(", ")
            ),
            Resolution::Legacy(f, c) => {
                format!("legacy {}:{} -> {}", f.id, c.id, c.superseded_by.join(", "))
            }
            Resolution::Reused(f, c) => format!("reused {}:{}", f.id, c.id),
            Resolution::Unknown { within, hint } => format!(
                "unknown in {}; {}",
                within.map_or("any framework", |f| f.id.as_str()),
                hint.help()
                    .map_or_else(|| "no hint".to_owned(), |m| m.plain())
            ),
            Resolution::UnknownFramework(f, h) => format!("no framework `{f}`; closest {h:?}"),
        }
    }

    /// Every resolution case: the reference as written, then what it resolves to.
    #[rustfmt::skip]
    const CASES: &[(&str, &str)] = &[
        // Canonical, plain and qualified.
        ("GV.RM-01", "canonical nist-csf-2.0:GV.RM-01"),
        ("nist-csf-2.0:GV.OV-01", "canonical nist-csf-2.0:GV.OV-01"),
        ("NHI7:2025", "canonical owasp-nhi-2025:NHI7:2025"),
        ("owasp-nhi-2025:NHI2:2025", "canonical owasp-nhi-2025:NHI2:2025"),
        ("GOVERN 1.5", "canonical nist-ai-rmf-1.0:GOVERN 1.5"),
        ("acme-iam:IAM-01", "canonical acme-iam:IAM-01"),
        ("IAM-02", "canonical acme-iam:IAM-02"),
        // Aliases, case, padding and other informal spellings.
        ("NHI-02", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("NHI02", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("NHI2", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("NHI:2", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("NHI10", "noncanonical owasp-nhi-2025:NHI10:2025 as `NHI10:2025`"),
        ("NHI:10", "noncanonical owasp-nhi-2025:NHI10:2025 as `NHI10:2025`"),
        ("GV.RM-1", "noncanonical nist-csf-2.0:GV.RM-01 as `GV.RM-01`"),
        ("gv.rm-01", "noncanonical nist-csf-2.0:GV.RM-01 as `GV.RM-01`"),
        ("GV.RM-001", "noncanonical nist-csf-2.0:GV.RM-01 as `GV.RM-01`"),
        ("GOVERN-1.5", "noncanonical nist-ai-rmf-1.0:GOVERN 1.5 as `GOVERN 1.5`"),
        ("govern-1.5", "noncanonical nist-ai-rmf-1.0:GOVERN 1.5 as `GOVERN 1.5`"),
        ("GOVERN1.5", "noncanonical nist-ai-rmf-1.0:GOVERN 1.5 as `GOVERN 1.5`"),
        ("GV 1.5", "noncanonical nist-ai-rmf-1.0:GOVERN 1.5 as `GOVERN 1.5`"),
        ("GV-1.1-001", "noncanonical nist-ai-rmf-1.0:GOVERN 1.1 as `GOVERN 1.1`"),
        ("MP-1.1", "noncanonical nist-ai-rmf-1.0:MAP 1.1 as `MAP 1.1`"),
        ("IAM-1", "noncanonical acme-iam:IAM-01 as `IAM-01`"),
        ("ACME-IAM:IAM-1", "noncanonical acme-iam:IAM-01 as `acme-iam:IAM-01`"),
        // An alias with the year (issue 2).
        ("NHI02:2025", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("NHI-02:2025", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("NHI-2:2025", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("owasp-nhi-2025:NHI-2:2025", "noncanonical owasp-nhi-2025:NHI2:2025 as `owasp-nhi-2025:NHI2:2025`"),
        // A lower-case NHI ID is not a framework qualifier (issue 3).
        ("nhi-2:2025", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("nhi2:2025", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        // A qualifier in another case (issue 4).
        ("NIST-CSF-2.0:GV.RM-01", "noncanonical nist-csf-2.0:GV.RM-01 as `nist-csf-2.0:GV.RM-01`"),
        // Surrounding whitespace (issue 7).
        (" GV.RM-01 ", "noncanonical nist-csf-2.0:GV.RM-01 as `GV.RM-01`"),
        ("nist-csf-2.0: GV.RM-01", "noncanonical nist-csf-2.0:GV.RM-01 as `nist-csf-2.0:GV.RM-01`"),
        ("nist-csf-2.0 :GV.RM-01", "noncanonical nist-csf-2.0:GV.RM-01 as `nist-csf-2.0:GV.RM-01`"),
        ("NHI2:2025\t", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        // The framework named as people write it, before the ID (issue 11).
        ("OWASP NHI2", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("OWASP-NHI-2", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("owasp nhi-2:2025", "noncanonical owasp-nhi-2025:NHI2:2025 as `NHI2:2025`"),
        ("NIST CSF GV.OC-01", "noncanonical nist-csf-2.0:GV.OC-01 as `GV.OC-01`"),
        ("CSF GV.OC-01", "noncanonical nist-csf-2.0:GV.OC-01 as `GV.OC-01`"),
        ("NIST CSF 2.0 GV.OC-1", "noncanonical nist-csf-2.0:GV.OC-01 as `GV.OC-01`"),
        ("NIST AI RMF GOVERN 1.5", "noncanonical nist-ai-rmf-1.0:GOVERN 1.5 as `GOVERN 1.5`"),
        ("AI-RMF GV-1.5", "noncanonical nist-ai-rmf-1.0:GOVERN 1.5 as `GOVERN 1.5`"),
        // ... but only in the framework it names.
        ("CSF NHI2", "unknown in any framework; no hint"),
        // Withdrawn CSF 1.1 controls.
        ("PR.AC-1", "legacy nist-csf-2.0:PR.AC-01 -> PR.AA-01, PR.AA-05"),
        ("PR.AC-01", "legacy nist-csf-2.0:PR.AC-01 -> PR.AA-01, PR.AA-05"),
        ("nist-csf-2.0:PR.AC-01", "legacy nist-csf-2.0:PR.AC-01 -> PR.AA-01, PR.AA-05"),
        ("ID.GV-01", "legacy nist-csf-2.0:ID.GV-01 -> GV.PO, GV.PO-01, GV.PO-02"),
        ("PR.AC", "legacy nist-csf-2.0:PR.AC -> PR.AA"),
        // Withdrawn categories with no single successor: their subcategories' (issue 6).
        ("PR.IP", "legacy nist-csf-2.0:PR.IP -> by subcategory PR.PS-01, ID.AM-08, PR.PS-06, ID.RA-07, PR.DS-11, PR.IR-02, ID.IM, ID.IM-03, ID.IM-04, ID.IM-02, GV.RR-04, ID.RA-01, PR.PS-02"),
        ("PR.PT", "legacy nist-csf-2.0:PR.PT -> by subcategory PR.PS-04, PR.DS-01, PR.PS-01, PR.AA-06, PR.IR-01, PR.IR-03"),
        ("DE.DP", "legacy nist-csf-2.0:DE.DP -> by subcategory GV.RR-02, DE.AE, ID.IM-02, DE.AE-06, ID.IM, ID.IM-03"),
        ("RS.RP", "legacy nist-csf-2.0:RS.RP -> by subcategory RS.MA-01"),
        // CSF 1.1 IDs whose number CSF 2.0 reuses, maybe for another outcome (issue 1).
        ("ID.AM-1", "reused nist-csf-2.0:ID.AM-01"),
        ("ID.RA-1", "reused nist-csf-2.0:ID.RA-01"),
        ("DE.CM-1", "reused nist-csf-2.0:DE.CM-01"),
        ("PR.DS-1", "reused nist-csf-2.0:PR.DS-01"),
        ("RS.AN-3", "reused nist-csf-2.0:RS.AN-03"),
        ("RC.RP-1", "reused nist-csf-2.0:RC.RP-01"),
        ("RC.CO-3", "reused nist-csf-2.0:RC.CO-03"),
        ("rs.an-3", "reused nist-csf-2.0:RS.AN-03"),
        ("nist-csf-2.0:DE.CM-1", "reused nist-csf-2.0:DE.CM-01"),
        // ... but not the 2.0 spelling, nor numbers or categories CSF 1.1 did not have.
        ("RS.AN-03", "canonical nist-csf-2.0:RS.AN-03"),
        ("ID.AM-001", "noncanonical nist-csf-2.0:ID.AM-01 as `ID.AM-01`"),
        ("ID.AM-7", "noncanonical nist-csf-2.0:ID.AM-07 as `ID.AM-07`"),
        ("ID.RA-7", "noncanonical nist-csf-2.0:ID.RA-07 as `ID.RA-07`"),
        ("GV.RM-2", "noncanonical nist-csf-2.0:GV.RM-02 as `GV.RM-02`"),
        ("PR.AA-1", "noncanonical nist-csf-2.0:PR.AA-01 as `PR.AA-01`"),
        ("ID.IM-1", "noncanonical nist-csf-2.0:ID.IM-01 as `ID.IM-01`"),
        ("PR.PS-1", "noncanonical nist-csf-2.0:PR.PS-01 as `PR.PS-01`"),
        ("PR.IR-1", "noncanonical nist-csf-2.0:PR.IR-01 as `PR.IR-01`"),
        ("RS.MA-1", "noncanonical nist-csf-2.0:RS.MA-01 as `RS.MA-01`"),
        // Unknown, with hints from the normalised form (issue 5).
        ("GV.RM-08", "unknown in any framework; `GV.RM` has `GV.RM-01`..`GV.RM-07`"),
        ("GV.RM-8", "unknown in any framework; `GV.RM` has `GV.RM-01`..`GV.RM-07`"),
        ("gv.rm-008", "unknown in any framework; `GV.RM` has `GV.RM-01`..`GV.RM-07`"),
        ("ID.AM-9", "unknown in any framework; `ID.AM` has `ID.AM-01`..`ID.AM-05`, `ID.AM-07`, `ID.AM-08`"),
        ("PR.DS-9", "unknown in any framework; `PR.DS` has `PR.DS-01`, `PR.DS-02`, `PR.DS-10`, `PR.DS-11`"),
        ("PR.AC-9", "unknown in any framework; `PR.AC`, withdrawn from NIST Cybersecurity Framework (CSF) 2.0, had `PR.AC-01`..`PR.AC-07`"),
        ("GV.RX-01", "unknown in any framework; did you mean `GV.RM-01`?"),
        ("NHI0:2025", "unknown in any framework; OWASP Top 10 Non-Human Identities Risks runs `NHI1:2025`..`NHI10:2025`"),
        ("NHI11:2025", "unknown in any framework; OWASP Top 10 Non-Human Identities Risks runs `NHI1:2025`..`NHI10:2025`"),
        ("NHI11", "unknown in any framework; OWASP Top 10 Non-Human Identities Risks runs `NHI1:2025`..`NHI10:2025`"),
        ("NHI 2", "unknown in any framework; did you mean `NHI2:2025`?"),
        ("NHI_02", "unknown in any framework; did you mean `NHI2:2025`?"),
        ("NHI2:2024", "unknown in any framework; did you mean `NHI2:2025`?"),
        ("NHI-001", "unknown in any framework; did you mean `NHI1:2025`? (`NHI-001`-style IDs also number identity types in vendor taxonomies, which are not OWASP risks)"),
        ("NHI-037", "unknown in any framework; OWASP Top 10 Non-Human Identities Risks runs `NHI1:2025`..`NHI10:2025` (`NHI-001`-style IDs also number identity types in vendor taxonomies, which are not OWASP risks)"),
        ("GOVERN 7", "unknown in any framework; `GOVERN` has `GOVERN 1`..`GOVERN 6`"),
        ("GOVERN 1.9", "unknown in any framework; `GOVERN 1` has `GOVERN 1.1`..`GOVERN 1.7`"),
        ("GV-9.1", "unknown in any framework; `GOVERN` has `GOVERN 1`..`GOVERN 6`"),
        ("nist-csf-2.0:GV.RM-08", "unknown in nist-csf-2.0; `GV.RM` has `GV.RM-01`..`GV.RM-07`"),
        ("nist-csf-2.0:GV.RX-01", "unknown in nist-csf-2.0; did you mean `nist-csf-2.0:GV.RM-01`?"),
        ("acme-iam:IAM-03", "unknown in acme-iam; did you mean `acme-iam:IAM-01`?"),
        ("no-such-thing", "unknown in any framework; no hint"),
        // A qualified reference to another framework's control (issue 4).
        ("nist-csf-2.0:NHI2:2025", "unknown in nist-csf-2.0; write `owasp-nhi-2025:NHI2:2025`: `NHI2:2025` is a control of OWASP Top 10 Non-Human Identities Risks"),
        ("nist-csf-2.0:NHI-02", "unknown in nist-csf-2.0; write `owasp-nhi-2025:NHI2:2025`: `NHI2:2025` is a control of OWASP Top 10 Non-Human Identities Risks"),
        ("nist-csf-2.0:GOVERN 1.5", "unknown in nist-csf-2.0; write `nist-ai-rmf-1.0:GOVERN 1.5`: `GOVERN 1.5` is a control of NIST Artificial Intelligence Risk Management Framework (AI RMF 1.0)"),
        ("owasp-nhi-2025:GV.RM-01", "unknown in owasp-nhi-2025; write `nist-csf-2.0:GV.RM-01`: `GV.RM-01` is a control of NIST Cybersecurity Framework (CSF) 2.0"),
        ("owasp-nhi-2025:PR.AC-1", "unknown in owasp-nhi-2025; `PR.AC-01` is a withdrawn control of NIST Cybersecurity Framework (CSF) 2.0 (`nist-csf-2.0:PR.AC-01`): map to its successor there"),
        ("nist-csf-2.0:IAM-1", "unknown in nist-csf-2.0; write `acme-iam:IAM-01`: `IAM-01` is a control of ACME IAM"),
        // Unknown frameworks.
        ("nist-csf-20:GV.RM-01", "no framework `nist-csf-20`; closest Some(\"nist-csf-2.0\")"),
        ("iso-27001:A.5.15", "no framework `iso-27001`; closest None"),
        ("ISO-27001:A.5.15", "no framework `ISO-27001`; closest None"),
        ("nhi-11:2025", "unknown in any framework; OWASP Top 10 Non-Human Identities Risks runs `NHI1:2025`..`NHI10:2025`"),
    ];

    #[test]
    fn resolves_every_case() {
        let r = registry();
        let failures: Vec<_> = CASES
            .iter()
            .filter_map(|&(raw, want)| {
                let got = resolve(&r, raw);
                (got != want).then(|| format!("{raw:?}\n   got: {got}\n  want: {want}"))
            })
            .collect();
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    /// The CSF 1.1 table agrees with what the reference records of CSF 1.1: every withdrawn
    /// category and subcategory is in it, and every other 1.1 subcategory is an active 2.0 ID.
    #[test]
    fn csf_1_1_table_agrees_with_the_reference() {
        let r = crate::load::builtin::frameworks();
        let csf = r.get(CSF_2_0).unwrap();
        assert_eq!(CSF_1_1.len(), 23);
        assert_eq!(CSF_1_1.iter().map(|&(_, n)| n).sum::<u32>(), 108);
        let withdrawn = |level: &'static str| {
            csf.controls
                .iter()
                .filter(move |c| c.withdrawn && c.level.as_deref() == Some(level))
        };
        for c in withdrawn("category") {
            assert!(
                CSF_1_1.iter().any(|&(category, _)| category == c.id),
                "withdrawn category {} is not in CSF_1_1",
                c.id
            );
        }
        let mut seen_withdrawn = 0;
        for &(category, n) in CSF_1_1 {
            for i in 1..=n {
                let id = format!("{category}-{i:02}");
                let c = csf
                    .control(&id)
                    .unwrap_or_else(|| panic!("{id} is neither withdrawn nor a CSF 2.0 ID"));
                if c.withdrawn {
                    seen_withdrawn += 1;
                } else {
                    let unpadded = format!("{category}-{i}");
                    assert!(
                        matches!(r.resolve(&unpadded), Resolution::Reused(_, d) if d.id == id),
                        "{unpadded} does not resolve as the reused {id}"
                    );
                }
            }
        }
        // Each table entry is distinct, so this makes every withdrawn subcategory one of them.
        assert_eq!(seen_withdrawn, withdrawn("subcategory").count());
    }

    /// Every withdrawn control names a successor, its own or its subcategories'.
    #[test]
    fn every_withdrawn_control_has_a_successor() {
        let r = crate::load::builtin::frameworks();
        let csf = r.get(CSF_2_0).unwrap();
        for c in csf.controls.iter().filter(|c| c.withdrawn) {
            assert!(
                !c.superseded_by.is_empty() || !csf.successors_of_children(c).is_empty(),
                "{} has no successor at all",
                c.id
            );
        }
    }

    #[test]
    fn builtin_counts_match_the_reference() {
        let r = crate::load::builtin::frameworks();
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
