//! Period parsing: any text is a period or `None`, and a period prints as text that parses
//! back to it.
#![no_main]

use kpilint::period::Period;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(p) = Period::parse(text) {
        assert!(p.start <= p.end);
        let again = Period::parse(&p.to_string()).expect("a period prints as a period");
        assert_eq!((again.start, again.end), (p.start, p.end), "{text:?}");
    }
});
