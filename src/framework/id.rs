//! Control IDs read by their shape: a reference in any case, padding or separators parsed
//! as an ID of a known family (CSF, AI RMF, OWASP NHI), and the CSF 1.1 numbering that
//! tells a legacy ID from an informal spelling of a CSF 2.0 one.

use std::sync::LazyLock;

/// NIST CSF 1.1 (2018): its 23 categories and how many subcategories each had (108 in all,
/// numbered from 1). The reference catalogue keeps only the 1.1 IDs that CSF 2.0 withdrew;
/// this table also knows the 29 whose numbers CSF 2.0 reuses, often for a reworded outcome
/// (`RS.AN-03`, `DE.CM-01`, `PR.DS-01`). That is how an unpadded `ID.AM-1`, a CSF 1.1
/// spelling, is told apart from `GV.RM-1`, an informal spelling of a CSF 2.0 ID (GOVERN did
/// not exist in 1.1). It lives here rather than in the generated catalogue because the
/// generator only reproduces the verified reference, which does not list the reused IDs;
/// `csf_1_1_table_agrees_with_the_reference` checks it against the withdrawn entries.
#[rustfmt::skip]
pub(super) const CSF_1_1: &[(&str, u32)] = &[
    ("ID.AM", 6), ("ID.BE", 5), ("ID.GV", 4), ("ID.RA", 6), ("ID.RM", 3), ("ID.SC", 5),
    ("PR.AC", 7), ("PR.AT", 5), ("PR.DS", 8), ("PR.IP", 12), ("PR.MA", 2), ("PR.PT", 5),
    ("DE.AE", 5), ("DE.CM", 8), ("DE.DP", 5),
    ("RS.RP", 1), ("RS.CO", 5), ("RS.AN", 5), ("RS.MI", 3), ("RS.IM", 2),
    ("RC.RP", 1), ("RC.IM", 2), ("RC.CO", 3),
];

pub(super) static CSF_LIKE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^([A-Za-z]{2}\.[A-Za-z]{2})-(\d{1,4})$").unwrap());
pub(super) static AI_RMF_LIKE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^(GOVERN|GV|MAP|MP|MEASURE|MS|MANAGE|MG)[\s\-_]*(\d{1,3})(?:\.(\d{1,3}))?(?:-\d{3})?$",
    )
    .unwrap()
});
pub(super) static NHI_LIKE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(?i)^NHI[\s\-_:]*(\d{1,3})(?:\s*:\s*\d{4})?$").unwrap());

/// A framework's name as people write it before an ID (`OWASP`, `NIST CSF 2.0`, `AI RMF`),
/// with the separator after it.
static PUBLISHER: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^(?:(owasp)|(?:nist[\s\-_]*)?(?:(csf)(?:[\s\-_]*(?:v?2(?:\.0)?))?|(ai[\s\-_]*rmf)(?:[\s\-_]*(?:v?1(?:\.0)?))?))[\s\-_:]+(\S.*)$",
    )
    .unwrap()
});

/// Compiles the patterns of IDs now (see [`crate::pipeline::warm_up`]).
pub(super) fn warm_up() {
    for re in [&CSF_LIKE, &AI_RMF_LIKE, &NHI_LIKE, &PUBLISHER] {
        LazyLock::force(re);
    }
}

/// A reference that begins with a built-in framework's name as people write it: that
/// framework's ID and the rest (`OWASP-NHI-2` is `owasp-nhi-2025` and `NHI-2`).
pub(super) fn by_publisher(reference: &str) -> Option<(&'static str, &str)> {
    let c = PUBLISHER.captures(reference)?;
    let framework = if c.get(1).is_some() {
        "owasp-nhi-2025"
    } else if c.get(2).is_some() {
        super::CSF_2_0
    } else {
        "nist-ai-rmf-1.0"
    };
    Some((framework, c.get(4)?.as_str()))
}

/// The ID families kpilint knows the shape of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// NIST CSF: `GV.RM-01`.
    Csf,
    /// NIST AI RMF: `GOVERN 1.5`, with its categories (`GOVERN 1`).
    AiRmf,
    /// OWASP NHI Top 10: `NHI2:2025`. Only the aliases the catalogue lists resolve; other
    /// shapes (`NHI 2`, or `NHI-001`, which vendor taxonomies use for identity types) are
    /// only read to suggest an ID.
    Nhi,
}

/// A reference read as an ID of a known family, whatever its case, padding or separators.
#[derive(Debug)]
pub(super) struct Parsed {
    pub(super) family: Family,
    /// The canonical spelling: `GV.RM-01`, `GOVERN 1.5`, `NHI2:2025`.
    pub(super) canonical: String,
    /// The canonical ID of the enclosing control (`GV.RM`, `GOVERN 1`, `GOVERN`); none for a
    /// flat list.
    pub(super) parent: Option<String>,
    /// The control's number within its parent.
    pub(super) number: u32,
    /// How many digits the number was written with.
    pub(super) digits: usize,
}

impl Parsed {
    pub(super) fn new(id: &str) -> Option<Self> {
        if let Some(c) = CSF_LIKE.captures(id) {
            let category = c[1].to_ascii_uppercase();
            let number = c[2].parse().ok()?;
            return Some(Self {
                family: Family::Csf,
                canonical: format!("{category}-{number:02}"),
                parent: Some(category),
                number,
                digits: c[2].len(),
            });
        }
        if let Some(c) = AI_RMF_LIKE.captures(id) {
            let function = match c[1].to_ascii_uppercase().as_str() {
                "GOVERN" | "GV" => "GOVERN",
                "MAP" | "MP" => "MAP",
                "MEASURE" | "MS" => "MEASURE",
                _ => "MANAGE",
            };
            let category: u32 = c[2].parse().ok()?;
            return Some(match c.get(3) {
                Some(sub) => Self {
                    family: Family::AiRmf,
                    canonical: format!(
                        "{function} {category}.{}",
                        sub.as_str().parse::<u32>().ok()?
                    ),
                    parent: Some(format!("{function} {category}")),
                    number: sub.as_str().parse().ok()?,
                    digits: sub.len(),
                },
                None => Self {
                    family: Family::AiRmf,
                    canonical: format!("{function} {category}"),
                    parent: Some(function.to_owned()),
                    number: category,
                    digits: c[2].len(),
                },
            });
        }
        if let Some(c) = NHI_LIKE.captures(id) {
            let number = c[1].parse().ok()?;
            return Some(Self {
                family: Family::Nhi,
                canonical: format!("NHI{number}:2025"),
                parent: None,
                number,
                digits: c[1].len(),
            });
        }
        None
    }

    /// Whether this is a CSF 1.1 subcategory ID as CSF 1.1 wrote it: unpadded, in a 1.1
    /// category, within that category's 1.1 numbering.
    pub(super) fn is_csf_1_1(&self) -> bool {
        self.family == Family::Csf
            && self.digits == 1
            && self.parent.as_deref().is_some_and(|category| {
                CSF_1_1
                    .iter()
                    .any(|&(c, count)| c == category && (1..=count).contains(&self.number))
            })
    }
}
