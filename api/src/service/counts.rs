//! A short-lived cache of `totalCount` answers.
//!
//! Counting every visible row costs more than the page itself (the whole table is walked,
//! the page stops after 50 rows), and clients ask for the same count on every page. A count
//! is kept for a moment and dropped at once when this replica commits any change; another
//! replica's change shows within [`TTL`].
use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// How long a count may be served after another replica's change.
pub const TTL: Duration = Duration::from_secs(2);
const MAX_ENTRIES: usize = 10_000;

/// Counts by key, valid for one write generation and [`TTL`].
#[derive(Default)]
pub struct CountCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, (u64, Instant, u64)>>,
}

impl CountCache {
    /// A cached count for `key`, if still fresh.
    pub fn get(&self, key: &str) -> Option<u64> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(g, at, _)| *g == generation && at.elapsed() < TTL)
            .map(|(_, _, n)| *n)
    }

    /// Remembers a count computed at the generation read before computing it.
    pub fn put(&self, key: String, generation: u64, count: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (generation, Instant::now(), count));
        }
    }

    /// The current write generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Every committed change makes all cached counts stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_makes_counts_stale() {
        let c = CountCache::default();
        let g = c.generation();
        c.put("k".into(), g, 7);
        assert_eq!(c.get("k"), Some(7));
        c.invalidate();
        assert_eq!(c.get("k"), None);
    }
}
