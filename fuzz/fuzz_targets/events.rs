//! An identity event register (TOML; JSON when it starts with `{`; YAML when it starts
//! with `-` or `register:`) under the demo's policy and catalogue: parsed, schema-checked,
//! extracted, judged by every model rule, and by every data rule against the demo's data.
//! Any bytes give findings or a located error, never a panic.
#![no_main]

use kpilint::analyze::{Context, Model, data};
use kpilint::diag::Diagnostics;
use kpilint::parse::DataFormat;
use kpilint::parse::schema::FileKind;
use kpilint::source::FileId;
use libfuzzer_sys::fuzz_target;

const POLICY: &str = include_str!("../../fixtures/demo/policies/acme-kpi-policy.toml");
const CATALOGUE: &str = include_str!("../../fixtures/demo/metrics/platform-security.toml");
const DATA: &[u8] = include_bytes!("../../fixtures/demo/data/platform-security.csv");

fuzz_target!(|bytes: &[u8]| {
    let ext = if bytes.first() == Some(&b'{') {
        "json"
    } else if bytes.starts_with(b"-") || bytes.starts_with(b"register:") {
        "yaml"
    } else {
        "toml"
    };
    let (_, parsed) = kpilint::parse::parse_bytes(Some(ext), bytes.to_vec());
    let Ok(root) = parsed else { return };
    let mut diags = Diagnostics::default();
    kpilint::parse::schema::validate(FileKind::Events, &root, FileId(2), &mut diags);
    let register = kpilint::load::extract::register(&root, FileId(2));
    let policy = kpilint::parse::toml::parse(POLICY).expect("the demo policy parses");
    let layer = kpilint::load::extract::policy(&policy, FileId(0)).expect("the demo policy");
    let catalogue = kpilint::parse::toml::parse(CATALOGUE).expect("the demo catalogue parses");
    let model = Model {
        policy: kpilint::policy::Policy::merge(vec![layer]),
        catalogues: vec![kpilint::load::extract::catalogue(&catalogue, FileId(1))],
        registers: vec![register],
        frameworks: kpilint::load::builtin::frameworks(),
    };
    let ctx = Context::new(&model, jiff::civil::date(2026, 11, 24));
    kpilint::pipeline::run_model_rules(&ctx, &mut diags);
    let facts = data::read_bytes(&ctx, DATA, DataFormat::Csv);
    kpilint::pipeline::run_data_rules(&facts, &ctx, &mut diags);
});
