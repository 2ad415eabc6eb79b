//! kpilint: a policy-as-code evaluator for security KPIs.
//!
//! A governance team keeps its KPI policy in TOML: KPI definitions with thresholds,
//! framework mappings (OWASP NHI Top 10, NIST CSF 2.0, NIST AI RMF, custom catalogues)
//! and banned vanity metrics. kpilint lints the metric catalogues teams write against it,
//! and evaluates the data they report.
//!
//! The pipeline, one module per stage, one type between each ([`pipeline`] composes them;
//! each stage depends only on those before it, and `tests/layers.rs` fails on a cycle):
//!
//! 0. [`rule`], [`diag`], [`source`], [`num`], [`formula`]: what a rule and a finding are,
//!    spans, exact decimals, derived KPIs' formulas; [`parse`]: bytes into spanned
//!    [`parse::node::Node`] trees, schema-checked.
//! 1. [`workspace`]: the working directory, repository root and `kpilint.toml`, built once.
//! 2. [`discover`]: which files to read ([`discover::Found`]).
//! 3. [`load`]: parsed files extracted into the [`model`] ([`load::Loaded`]); only
//!    `parse-error` and `schema` arise while files are read.
//! 4. [`policy`]: layers ordered and merged into the effective [`policy::Policy`].
//! 5. [`analyze`]: the facts rules read ([`analyze::Context`], [`analyze::data::DataFacts`],
//!    and between two revisions [`analyze::delta::Delta`]).
//! 6. [`settle`]: levels, exceptions, order: the [`settle::Report`]; then the
//!    [`baseline`] file, if any, marks the findings a repository has accepted.
//! 7. [`rules`]: one file per rule, each judging the facts of its stage.
//! 8. [`report`]: emitters, one per output format.
//!
//! [`diff`] runs stages 1-5 on a base revision and the working tree and judges the delta.
//! Findings are data, never `Err`; the library never prints.
#![warn(missing_docs, clippy::print_stdout, clippy::print_stderr)]
#![forbid(unsafe_code)]

#[macro_use]
pub mod diag;
#[macro_use]
pub mod rules;
pub mod analyze;
pub mod baseline;
pub mod config;
pub mod diff;
pub mod discover;
pub mod escape;
pub mod formula;
pub mod framework;
pub mod hash;
pub mod init;
pub mod load;
pub mod model;
pub mod num;
pub mod output;
pub mod parse;
pub mod period;
pub mod pipeline;
pub mod policy;
pub mod report;
pub mod rule;

pub mod settle;
pub mod source;
pub mod suggest;
pub mod vanity;
pub mod workspace;
