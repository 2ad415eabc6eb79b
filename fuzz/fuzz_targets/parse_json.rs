//! The hand-written JSON parser: any text gives a tree or a located error, never a panic,
//! and an error's span lies within the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = kpilint::parse::json::parse(text) {
        assert!(e.span.start as usize <= text.len() && e.span.end as usize <= text.len());
    }
});
