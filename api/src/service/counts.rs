//! A short-lived, bounded cache of `totalCount` answers.
//!
//! Counting every visible row costs more than the page itself (the whole table is walked,
//! the page stops after 50 rows), and clients ask for the same count on every page. A count
//! is kept for a moment and dropped at once when this replica commits any change; another
//! replica's change shows within [`TTL`].
//!
//! Keys are SHA-256 digests of what the count depends on (view, area, filter with its search
//! text), so an entry costs the same whatever a client searched for; `moka` bounds the
//! number of entries and drops expired ones.
use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use sha2::{Digest, Sha256};

/// How long a count may be served after another replica's change.
pub const TTL: Duration = Duration::from_secs(2);
/// Entries kept at most (about 100 bytes each).
const MAX_ENTRIES: u64 = 10_000;

type Key = [u8; 32];

/// Counts by key, valid for one write generation and [`TTL`].
pub struct CountCache {
    generation: AtomicU64,
    entries: moka::sync::Cache<Key, (u64, u64)>,
}

impl Default for CountCache {
    fn default() -> Self {
        Self {
            generation: AtomicU64::new(0),
            entries: moka::sync::Cache::builder()
                .max_capacity(MAX_ENTRIES)
                .time_to_live(TTL)
                .build(),
        }
    }
}

fn digest(key: &str) -> Key {
    Sha256::digest(key.as_bytes()).into()
}

impl CountCache {
    /// A cached count for `key`, if still fresh.
    pub fn get(&self, key: &str) -> Option<u64> {
        let generation = self.generation.load(Ordering::Acquire);
        self.entries
            .get(&digest(key))
            .filter(|(g, _)| *g == generation)
            .map(|(_, n)| n)
    }

    /// Remembers a count computed at the generation read before computing it.
    pub fn put(&self, key: &str, generation: u64, count: u64) {
        self.entries.insert(digest(key), (generation, count));
    }

    /// The current write generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Every committed change makes all cached counts stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Entries held now.
    #[cfg(test)]
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_makes_counts_stale() {
        let c = CountCache::default();
        let g = c.generation();
        c.put("k", g, 7);
        assert_eq!(c.get("k"), Some(7));
        c.invalidate();
        assert_eq!(c.get("k"), None);
    }

    #[test]
    fn the_cache_stays_bounded_whatever_is_searched() {
        let c = CountCache::default();
        let long = "x".repeat(500);
        for i in 0..(MAX_ENTRIES + 5_000) {
            c.put(&format!("projects|{i}|{long}"), 0, i);
        }
        assert!(c.len() <= MAX_ENTRIES, "{}", c.len());
    }
}
