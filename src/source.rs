//! Source files and byte spans: every input is read once into a [`SourceMap`] so that any
//! finding can later be rendered with its line, column and source text.

use std::path::{Path, PathBuf};

/// A half-open byte range `[start, end)` into one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets (saturating at `u32::MAX`; inputs are capped far below it).
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Self {
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    /// The span as a `usize` range.
    #[must_use]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// One input file, held in memory for rendering.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to users (relative to the working directory where possible).
    pub display: String,
    /// The path on disk, if the file came from disk (embedded files have none).
    pub path: Option<PathBuf>,
    /// The file's text. Files that are not valid UTF-8 are stored lossily.
    pub text: String,
    /// Byte offsets of line starts, built on first use: most files never need it.
    line_starts: std::sync::OnceLock<Vec<u32>>,
    /// Characters before every [`CHAR_BLOCK`]-th byte, built when a column on a long line
    /// is first asked for, so that columns on a one-line file of a million findings cost
    /// a block each, not the line each.
    char_marks: std::sync::OnceLock<Vec<u32>>,
    /// The text as terminals may show it (see [`SourceFile::shown_text`]), built on first
    /// use; `None` when it is the text itself.
    shown: std::sync::OnceLock<Option<Box<str>>>,
}

impl SourceFile {
    /// The text of a file as it is at `kpilint diff`'s base revision, shown beside the
    /// working tree's: `display` is the working tree's name with ` (base)`.
    #[must_use]
    pub fn base_copy(of: &SourceFile) -> Self {
        Self::new(format!("{} (base)", of.display), None, of.text.clone())
    }

    /// Whether this is a base revision's text ([`SourceFile::base_copy`]): no file of the
    /// working tree, and not built in.
    #[must_use]
    pub fn is_base_copy(&self) -> bool {
        self.path.is_none() && self.display.ends_with(" (base)")
    }

    /// Whether it is YAML (by its extension, `.yaml` or `.yml`), as the loader read it.
    #[must_use]
    pub fn is_yaml(&self) -> bool {
        let name = self
            .display
            .strip_suffix(" (base)")
            .unwrap_or(&self.display);
        let ext = self
            .path
            .as_deref()
            .and_then(std::path::Path::extension)
            .and_then(std::ffi::OsStr::to_str)
            .or_else(|| name.rsplit_once('.').map(|(_, e)| e));
        matches!(ext, Some("yaml" | "yml"))
    }

    /// A source file from its text.
    #[must_use]
    pub fn new(display: String, path: Option<PathBuf>, text: String) -> Self {
        Self {
            display,
            path,
            text,
            line_starts: std::sync::OnceLock::new(),
            char_marks: std::sync::OnceLock::new(),
            shown: std::sync::OnceLock::new(),
        }
    }

    /// The text with every character that must not reach a terminal (a control character
    /// other than a line break or tab, or an invisible formatting character such as a
    /// bidirectional override) replaced by a visible one of the same UTF-8 length, so
    /// every byte offset stays valid: `?`, `¿` or `\u{FFFD}`.
    #[must_use]
    pub fn shown_text(&self) -> &str {
        self.shown
            .get_or_init(|| {
                let unsafe_char =
                    |c: char| !matches!(c, '\n' | '\t' | '\r') && crate::escape::is_unsafe(c);
                if !self.text.chars().any(unsafe_char) {
                    return None;
                }
                let mut out = String::with_capacity(self.text.len());
                let mut chars = self.text.chars().peekable();
                while let Some(c) = chars.next() {
                    // A carriage return that ends no line would rewrite the line shown.
                    let lone_cr = c == '\r' && chars.peek() != Some(&'\n');
                    if !unsafe_char(c) && !lone_cr {
                        out.push(c);
                        continue;
                    }
                    out.push(match c.len_utf8() {
                        1 => '?',
                        2 => '\u{BF}',
                        3 => '\u{FFFD}',
                        _ => unreachable!("unsafe characters are below U+10000"),
                    });
                }
                Some(out.into_boxed_str())
            })
            .as_deref()
            .unwrap_or(&self.text)
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
            );
            starts
        })
    }

    /// 1-based (line, column) of a byte offset; the column counts characters, not bytes.
    #[must_use]
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = offset.min(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let start = starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let col = if end - start <= CHAR_BLOCK {
            chars_in(&self.text.as_bytes()[start..end])
        } else {
            self.chars_before(end) - self.chars_before(start)
        };
        (line + 1, col + 1)
    }

    /// The 0-based line `lines` lines above the one holding byte `offset` (or the first),
    /// and the byte its start is at.
    #[must_use]
    pub fn line_above(&self, offset: usize, lines: usize) -> (usize, usize) {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        let starts = self.line_starts();
        let line = (starts.partition_point(|&s| s <= offset) - 1).saturating_sub(lines);
        (line, starts[line] as usize)
    }

    /// The byte range of the line holding `offset`, line break excluded.
    #[must_use]
    pub fn line_span(&self, offset: u32) -> (usize, usize) {
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let start = starts[line] as usize;
        let end = starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next as usize - 1);
        (start, end.max(start))
    }

    /// Characters in the text before byte `at`.
    fn chars_before(&self, at: usize) -> usize {
        let marks = self.char_marks.get_or_init(|| {
            let mut marks = vec![0u32];
            let mut total = 0u32;
            for block in self.text.as_bytes().chunks(CHAR_BLOCK) {
                total = total.saturating_add(u32::try_from(chars_in(block)).unwrap_or(u32::MAX));
                marks.push(total);
            }
            marks
        });
        let block = at / CHAR_BLOCK;
        marks[block] as usize + chars_in(&self.text.as_bytes()[block * CHAR_BLOCK..at])
    }
}

/// Bytes between the character counts kept for long lines (see `SourceFile::char_marks`).
const CHAR_BLOCK: usize = 4096;

/// Characters in `bytes` of UTF-8 text cut anywhere: the bytes that start one.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// Every file read during a run.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    ///
    /// # Panics
    /// Past 2^32 files, which the size limits of a run keep far away.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(u32::try_from(self.files.len() - 1).expect("fewer than 2^32 files"))
    }

    /// The file with this id.
    #[must_use]
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Every file, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// Number of files.
    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was read.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// `path` without `.` and `..` components, resolved lexically: `a/b/../c` is `a/c`. Not
/// `canonicalize`, which would follow a symlinked directory of the repository out of it.
#[must_use]
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            // `..` cancels a name before it, never another `..` or the root.
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            Component::ParentDir if out.has_root() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns on a long line come from the block marks, and agree with counting.
    #[test]
    fn columns_on_long_lines_agree_with_counting() {
        let line: String = (0..20_000)
            .map(|i| if i % 7 == 0 { 'é' } else { 'a' })
            .collect();
        let text = format!("first\n{line}\nlast é\n");
        let f = SourceFile::new("t".into(), None, text.clone());
        let offsets = (0..text.len()).step_by(997).chain([text.len()]);
        for offset in offsets.filter(|&o| text.is_char_boundary(o)) {
            let offset = u32::try_from(offset).unwrap();
            let (l, c) = f.line_col(offset);
            let before = &text.as_bytes()[..offset as usize];
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let naive = std::str::from_utf8(&before[line_start..])
                .unwrap()
                .chars()
                .count();
            assert_eq!(
                (l, c),
                (memchr::memchr_iter(b'\n', before).count() + 1, naive + 1),
                "{offset}"
            );
        }
        assert_eq!(f.line_span(7), (6, 6 + line.len()));
    }

    #[test]
    fn paths_are_normalised_lexically() {
        assert_eq!(normalize(Path::new("../../x/./y/..")), Path::new("../../x"));
        assert_eq!(normalize(Path::new("/../a")), Path::new("/a"));
        assert_eq!(normalize(Path::new("/r/a/./b/../c")), Path::new("/r/a/c"));
    }

    #[test]
    fn line_col_is_one_based_and_counts_chars() {
        let f = SourceFile::new("t".into(), None, "ab\ncé d\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'é' is two bytes: byte 6 is the space, the third character of line 2.
        assert_eq!(f.line_col(6), (2, 3));
        assert_eq!(f.line_col(100), (3, 1));
    }
}
