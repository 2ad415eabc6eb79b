//! Fingerprints: what a finding is about, not where it is. SARIF's `kpilint/v1` partial
//! fingerprints and the baseline file (`--baseline`) share them, so that a finding
//! baselined today is the alert code scanning knows.
//!
//! A fingerprint hashes the rule's code, the file (repository-relative), the subject (or,
//! for the few findings without one, the message), the scope of a data finding about a
//! series that has one (with the period, for a finding about one period's rows: see
//! [`Finding::scope`](crate::diag::Finding::scope)) and, for findings sharing all of
//! these (a metric looser than the policy on both `target` and `warn`), their order among
//! themselves, which moving lines keeps. Line numbers are left out: lines move. So is the
//! message when there is a subject: `56 days ago` changes daily. A finding without a
//! subject (a malformed data row) is known by its message, which therefore never holds the
//! run's date. Without the scope, the breaches of one metric in several scopes would be
//! known only by their order, and a baselined breach in one scope, once mended, would hide
//! a new one in another; without the period, a mended bad row would hide a new one.

use super::{FileRef, file_ref};
use crate::settle::Report;
use std::collections::HashMap;

/// The key of a file in fingerprints, and the file a baseline entry names: the path as
/// kpilint 0.1.0 keyed it (not encoded, the built-in policy as `kpilint:…`), so that
/// alerts uploaded before survive an upgrade.
#[must_use]
pub fn file_key(report: &Report, file: crate::source::FileId) -> String {
    match file_ref(report.sources.get(file), report.root.as_deref()) {
        FileRef::Relative(p) | FileRef::Absolute(p) => p,
        FileRef::Builtin(p) => format!("kpilint:{p}"),
    }
}

/// FNV-1a, 64 bits: a fingerprint that needs no dependency and never changes between
/// versions of a hashing crate.
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0x1f]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Every finding's fingerprint, in the report's order. The first of findings sharing rule,
/// file and subject keeps the fingerprint it had before the order was counted.
#[must_use]
pub fn fingerprints(report: &Report) -> Vec<String> {
    let mut seen: HashMap<(&str, String, String, Option<&str>), usize> = HashMap::new();
    report
        .findings
        .iter()
        .map(|f| {
            let file = file_key(report, f.primary.file);
            let subject = f
                .subject
                .as_deref()
                .map_or_else(|| f.message.plain(), str::to_owned);
            let key = (f.rule.code, file, subject, f.scope.as_deref());
            let n = seen.entry(key.clone()).or_default();
            let nth = n.to_string();
            let mut parts = vec![key.0, key.1.as_str(), key.2.as_str()];
            // Marked, so that a scope named `1` is never the second of unscoped findings.
            if let Some(scope) = key.3 {
                parts.extend(["\u{1e}scope", scope]);
            }
            if *n > 0 {
                parts.push(&nth);
            }
            *n += 1;
            fnv1a(&parts)
        })
        .collect()
}
