//! Text from input files made safe to print: every format escapes through here.

/// Whether a character must never reach a terminal or a workflow log as it is: a control
/// character (ESC starts terminal sequences, BEL, CR rewrites a line), or an invisible
/// formatting character that reorders or hides text (bidirectional overrides such as
/// U+202E, zero-width characters, the invisible tag characters), or a line or paragraph
/// separator (U+2028, U+2029), which some viewers break a line at.
#[must_use]
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// `s` with every [unsafe](is_unsafe) character written as a visible escape (`\u{1b}`), so
/// text from input files can be printed: it cannot move the cursor, recolour the terminal,
/// forge a line of a workflow log, or read differently from what it is.
#[must_use]
pub fn escape_unsafe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_bidi_separators_and_tags_are_escaped_and_text_is_kept() {
        assert_eq!(
            escape_unsafe("a\u{1b}[31m\u{202e}b\u{2028}c\u{e0041}d"),
            r"a\u{1b}[31m\u{202e}b\u{2028}c\u{e0041}d"
        );
        assert!(matches!(
            escape_unsafe("métrique – ok ✓"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
