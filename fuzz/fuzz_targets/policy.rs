//! A policy that extends the built-in baseline: parsed, schema-checked, extracted, layered,
//! merged and judged by every model rule. Any bytes give findings or a located error,
//! never a panic.
#![no_main]

use kpilint::analyze::{Context, Model};
use kpilint::diag::Diagnostics;
use kpilint::parse::schema::FileKind;
use kpilint::source::{SourceFile, SourceMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, parsed) = kpilint::parse::parse_bytes(Some("toml"), data.to_vec());
    let Ok(root) = parsed else { return };
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new("p.toml".into(), None, text));
    let mut diags = Diagnostics::default();
    kpilint::parse::schema::validate(FileKind::Policy, &root, file, &mut diags);
    let Some(layer) = kpilint::load::extract::policy(&root, file) else {
        return;
    };
    let Ok(policy) =
        kpilint::policy::build(vec![layer], kpilint::rules::ALL, &mut sources, &mut diags)
    else {
        return;
    };
    let model = Model {
        policy,
        catalogues: Vec::new(),
        registers: Vec::new(),
        frameworks: kpilint::load::builtin::frameworks(),
    };
    kpilint::pipeline::run_model_rules(
        &Context::new(&model, jiff::civil::date(2026, 11, 24)),
        &mut diags,
    );
});
