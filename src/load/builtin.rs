//! The framework catalogues shipped in the binary, parsed once.

use crate::framework::Registry;
use std::sync::LazyLock;

/// The built-in catalogues, embedded at compile time: (file name, text).
pub static BUILTIN: &[(&str, &str)] = &[
    (
        "owasp-nhi-2025.toml",
        include_str!("../../policies/frameworks/owasp-nhi-2025.toml"),
    ),
    (
        "nist-csf-2.0.toml",
        include_str!("../../policies/frameworks/nist-csf-2.0.toml"),
    ),
    (
        "nist-ai-rmf-1.0.toml",
        include_str!("../../policies/frameworks/nist-ai-rmf-1.0.toml"),
    ),
];

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let frameworks = BUILTIN
        .iter()
        .map(|(name, text)| {
            let root = crate::parse::toml::parse(text)
                .unwrap_or_else(|e| panic!("embedded {name} is invalid: {}", e.message));
            super::extract::framework(&root, None)
                .unwrap_or_else(|| panic!("embedded {name} lacks [framework] id"))
        })
        .collect();
    Registry {
        frameworks,
        shadowed: Vec::new(),
    }
});

/// Parses the built-in catalogues now (see [`crate::pipeline::warm_up`]).
pub fn warm_up() {
    LazyLock::force(&REGISTRY);
}

/// The built-in frameworks only.
#[must_use]
pub fn frameworks() -> Registry {
    REGISTRY.clone()
}
