//! Data rows (CSV, and NDJSON when the input starts with `{`) for the demo's metrics and
//! identity events:
//! streamed into series facts, judged by every data rule, and made into a scorecard. Any
//! bytes give findings, never a panic.
#![no_main]

use kpilint::analyze::{Context, Model, data};
use kpilint::diag::Diagnostics;
use kpilint::parse::DataFormat;
use kpilint::source::FileId;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

const POLICY: &str = include_str!("../../fixtures/demo/policies/acme-kpi-policy.toml");
const CATALOGUE: &str = include_str!("../../fixtures/demo/metrics/platform-security.toml");
const EVENTS: &str = include_str!("../../fixtures/demo/events/identity-programme.toml");

static MODEL: LazyLock<Model> = LazyLock::new(|| {
    let policy = kpilint::parse::toml::parse(POLICY).expect("the demo policy parses");
    let layer = kpilint::load::extract::policy(&policy, FileId(0)).expect("the demo policy");
    let catalogue = kpilint::parse::toml::parse(CATALOGUE).expect("the demo catalogue parses");
    Model {
        policy: kpilint::policy::Policy::merge(vec![layer]),
        catalogues: vec![kpilint::load::extract::catalogue(&catalogue, FileId(1))],
        registers: vec![kpilint::load::extract::register(
            &kpilint::parse::toml::parse(EVENTS).expect("the demo register parses"),
            FileId(2),
        )],
        frameworks: kpilint::load::builtin::frameworks(),
    }
});

/// The model's indexes, built once: the fuzzer's time goes to the rows.
static CTX: LazyLock<Context<'static>> =
    LazyLock::new(|| Context::new(&MODEL, jiff::civil::date(2026, 11, 24)));

fuzz_target!(|bytes: &[u8]| {
    let ctx = &*CTX;
    let format = if bytes.first() == Some(&b'{') {
        DataFormat::Ndjson
    } else {
        DataFormat::Csv
    };
    let facts = data::read_bytes(ctx, bytes, format);
    let mut diags = Diagnostics::default();
    kpilint::pipeline::run_data_rules(&facts, ctx, &mut diags);
    let _ = kpilint::analyze::scorecard::scorecard(&facts, ctx, |_| false);
});
