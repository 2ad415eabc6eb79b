//! The YAML front end: any text gives a tree or a located error, never a panic, and an
//! error's span lies within the text, on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = kpilint::parse::yaml::parse(text) {
        let r = e.span.range();
        assert!(r.end <= text.len());
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
    }
});
