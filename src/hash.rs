//! Hash maps and sets keyed by what the inputs hold (ids, subjects, scopes, anchors).
//!
//! Seeded at random per run (foldhash), never with a fixed hash: a pull request could
//! otherwise carry ids crafted offline to share their buckets under the fixed function,
//! and every lookup among them would become a scan, making a linear check quadratic.

/// A map keyed by input text.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// A set of input text.
pub type Set<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
