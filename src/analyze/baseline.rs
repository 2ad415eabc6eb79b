//! The facts of a baseline file (`--baseline`) that the baseline rules judge: its entries
//! that no finding matched. Reading and applying the file is [`crate::baseline`]'s.

use crate::source::{FileId, Span};

/// An entry of a baseline file, as read.
#[derive(Debug)]
pub struct Recorded {
    /// The fingerprint it matches.
    pub fingerprint: String,
    /// Where the fingerprint is written.
    pub span: Span,
    /// The rule's name, as the entry says.
    pub rule: Option<String>,
    /// The file, relative to the repository root, as the entry says.
    pub file: Option<String>,
    /// The subject, as the entry says.
    pub subject: Option<String>,
}

/// The entries no finding matched: what the baseline rules judge.
pub struct Unmatched<'a> {
    /// The baseline file.
    pub file: FileId,
    /// Its entries that matched no finding, in file order.
    pub entries: Vec<&'a Recorded>,
}
