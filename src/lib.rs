//! kpilint: a policy-as-code evaluator for security KPIs.
//!
//! A governance team keeps its KPI policy in TOML: KPI definitions with thresholds,
//! framework mappings (OWASP NHI Top 10, NIST CSF 2.0, NIST AI RMF, custom catalogues)
//! and banned vanity metrics. kpilint lints the metric catalogues teams write against it.
//!
//! The pipeline, one type per stage: [`source::SourceMap`] (every input read once) →
//! [`node::Node`] (a spanned tree for TOML and JSON alike) → [`schema`] validation →
//! [`model`] (policies and catalogues) → [`lint::Policy`] (layers merged) →
//! [`rules`] → [`check::Report`] → [`report`] emitters. Findings are data, never `Err`.
#![warn(missing_docs, clippy::print_stdout, clippy::print_stderr)]
#![forbid(unsafe_code)]

#[macro_use]
pub mod diag;
#[macro_use]
pub mod rules;
pub mod check;
pub mod config;
pub mod diff;
pub mod eval;
pub mod framework;
pub mod init;
pub mod json;
pub mod lint;
pub mod model;
pub mod node;
pub mod period;
pub mod report;
pub mod schema;
mod schema_node;
pub mod source;
pub mod suggest;
