//! TOML through the spanned tree, then schema validation and model extraction of every
//! file kind: never a panic.
#![no_main]

use kpilint::diag::Diagnostics;
use kpilint::parse::schema::FileKind;
use kpilint::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(root) = kpilint::parse::toml::parse(text) else {
        return;
    };
    let mut diags = Diagnostics::default();
    for kind in [FileKind::Policy, FileKind::Catalogue, FileKind::Framework] {
        kpilint::parse::schema::validate(kind, &root, FileId(0), &mut diags);
    }
    let _ = kpilint::load::extract::catalogue(&root, FileId(0));
    let _ = kpilint::load::extract::policy(&root, FileId(0));
});
