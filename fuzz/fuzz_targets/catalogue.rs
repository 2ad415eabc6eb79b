//! A metric catalogue (TOML, or JSON when it starts with `{`) under the demo's policy:
//! parsed, schema-checked, extracted and judged by every model rule. Any bytes give
//! findings or a located error, never a panic.
#![no_main]

use kpilint::analyze::{Context, Model};
use kpilint::diag::Diagnostics;
use kpilint::parse::schema::FileKind;
use kpilint::source::FileId;
use libfuzzer_sys::fuzz_target;

const POLICY: &str = include_str!("../../fixtures/demo/policies/acme-kpi-policy.toml");

fuzz_target!(|data: &[u8]| {
    let ext = if data.first() == Some(&b'{') {
        "json"
    } else {
        "toml"
    };
    let (_, parsed) = kpilint::parse::parse_bytes(Some(ext), data.to_vec());
    let Ok(root) = parsed else { return };
    let mut diags = Diagnostics::default();
    kpilint::parse::schema::validate(FileKind::Catalogue, &root, FileId(1), &mut diags);
    let catalogue = kpilint::load::extract::catalogue(&root, FileId(1));
    let policy_root = kpilint::parse::toml::parse(POLICY).expect("the demo policy parses");
    let layer = kpilint::load::extract::policy(&policy_root, FileId(0)).expect("the demo policy");
    let model = Model {
        policy: kpilint::policy::Policy::merge(vec![layer]),
        catalogues: vec![catalogue],
        registers: Vec::new(),
        frameworks: kpilint::load::builtin::frameworks(),
    };
    kpilint::pipeline::run_model_rules(
        &Context::new(&model, jiff::civil::date(2026, 11, 24)),
        &mut diags,
    );
});
