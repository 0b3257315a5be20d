//! A bounded cache of `totalCount` answers, each valid for the generation its rows last
//! changed at.
//!
//! Counting every visible row costs more than the page itself (the whole table is walked,
//! the page stops after 50 rows), and clients ask for the same count on every page. A count
//! is exact for the generation it was computed at: the caller reads the generation at which
//! what it counts last changed (for projects, the count part's,
//! [`super::generation::PartsRead`]) before counting and gives it here. After a change, a
//! count that took long ([`SLOW`], e.g. 500,000 projects) is served as it was while one
//! background task recounts, so a write never makes the next reader wait for a full count;
//! [`CountCache::settled`] changes when the recount lands, so cached answers that carried the
//! earlier count are dropped with it.
//!
//! Keys are SHA-256 digests of what the count depends on (view, area, filter with its search
//! text), so an entry costs the same whatever a client searched for; `moka` bounds the
//! number of entries.
use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// A count whose fastest run (of at least [`JUDGED_AFTER`]) took at least this long is
/// recounted in the background after a change (at 5,000 projects a count takes a few ms; at
/// 500,000 the parts of a kommun's count take 20-300 ms on SQLite).
pub const SLOW: Duration = Duration::from_millis(25);
/// Entries kept at most (about 100 bytes each).
const MAX_ENTRIES: u64 = 10_000;
/// A count asked for within a budget.
pub enum Counting {
    Done(u64),
    /// Still counting; awaiting it gives the count.
    Going(tokio::task::JoinHandle<ApiResult<u64>>),
}

impl Counting {
    /// The count, waiting for it if it is still going.
    pub async fn wait(self) -> ApiResult<u64> {
        match self {
            Counting::Done(n) => Ok(n),
            Counting::Going(task) => task.await.map_err(|e| ApiError::Internal(e.into()))?,
        }
    }
}

/// Counts at once that may go on after their reader stopped waiting (`count_within`).
const DETACHED: usize = 4;

type Key = [u8; 32];

#[derive(Clone, Copy)]
struct Entry {
    generation: i64,
    count: u64,
    /// The fastest of its runs.
    took: Duration,
    runs: u32,
}

/// Runs a count is judged by: the first ones may all have met a busy moment.
const JUDGED_AFTER: u32 = 3;

/// What the cache holds for a key at the newest generation seen.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    /// Counted at this generation.
    Fresh(u64),
    /// Counted at an earlier one and slow to count again: serve it, recount in the background.
    Stale(u64),
    /// Count now.
    Miss,
}

/// Counts by key, valid for one data generation.
pub struct CountCache {
    /// Raised when a background recount lands.
    settled: AtomicU64,
    entries: moka::sync::Cache<Key, Entry>,
    /// One background recount at a time: slow counts must not take the connections that
    /// requests wait for (at 500,000 projects twelve views recounting after every write did,
    /// and requests timed out); meanwhile the stale counts keep being served.
    recount: Arc<tokio::sync::Semaphore>,
    /// Counts that may go on after the reader who asked stopped waiting (`count_within`): a
    /// client sending new filters one after another cannot pile up counting in the background.
    detached: Arc<tokio::sync::Semaphore>,
    /// Counts being made for a key and generation: readers that miss at once wait for the one
    /// count instead of each starting their own (sixteen first readers of 500,000 projects
    /// each counting took 1.4 s).
    counting: moka::future::Cache<(Key, i64), u64>,
}

impl Default for CountCache {
    fn default() -> Self {
        Self {
            settled: AtomicU64::new(0),
            entries: moka::sync::Cache::builder().max_capacity(MAX_ENTRIES).build(),
            recount: Arc::new(tokio::sync::Semaphore::new(1)),
            detached: Arc::new(tokio::sync::Semaphore::new(DETACHED)),
            counting: moka::future::Cache::builder()
                .max_capacity(MAX_ENTRIES)
                .time_to_live(Duration::from_secs(60))
                .build(),
        }
    }
}

fn digest(key: &str) -> Key {
    Sha256::digest(key.as_bytes()).into()
}

impl CountCache {
    /// Changes whenever a background recount lands.
    pub fn settled(&self) -> u64 {
        self.settled.load(Ordering::Acquire)
    }

    fn lookup(&self, key: &Key, generation: i64) -> Lookup {
        match self.entries.get(key) {
            Some(e) if e.generation == generation => Lookup::Fresh(e.count),
            Some(e) if e.generation < generation && e.runs >= JUDGED_AFTER && e.took >= SLOW => {
                Lookup::Stale(e.count)
            }
            _ => Lookup::Miss,
        }
    }

    /// Keeps a count; how long it takes is the fastest of its runs, so that one run slowed
    /// by a busy moment does not make a quick count slow.
    fn put(&self, key: Key, generation: i64, count: u64, took: Duration) {
        let (took, runs) = self
            .entries
            .get(&key)
            .map_or((took, 1), |e| (e.took.min(took), e.runs.saturating_add(1)));
        self.entries.insert(
            key,
            Entry {
                generation,
                count,
                took,
                runs,
            },
        );
    }

    /// The count for `key` as of `generation`, the generation its rows last changed at (read
    /// before counting): cached, stale while `count` runs in the background, or counted now.
    /// `count` owns what it uses, so that it can outlive the request that asked.
    pub async fn count<F>(self: &Arc<Self>, key: &str, generation: i64, count: F) -> ApiResult<u64>
    where
        F: Future<Output = ApiResult<u64>> + Send + 'static,
    {
        let key = digest(key);
        match self.lookup(&key, generation) {
            Lookup::Fresh(n) => Ok(n),
            Lookup::Stale(n) => {
                if let Ok(permit) = self.recount.clone().try_acquire_owned() {
                    let cache = self.clone();
                    tokio::spawn(async move {
                        let _permit = permit;
                        let started = Instant::now();
                        match count.await {
                            Ok(n) => {
                                cache.put(key, generation, n, started.elapsed());
                                cache.settled.fetch_add(1, Ordering::AcqRel);
                            }
                            Err(e) => tracing::warn!(error = ?e, "a background recount failed"),
                        }
                    });
                }
                Ok(n)
            }
            Lookup::Miss => {
                let made = self
                    .counting
                    .try_get_with((key, generation), async {
                        let started = Instant::now();
                        let n = count.await?;
                        self.put(key, generation, n, started.elapsed());
                        Ok::<_, ApiError>(n)
                    })
                    .await;
                made.map_err(ApiError::shared)
            }
        }
    }

    /// [`Self::count`] if it answers within `budget`; otherwise the count still going on in
    /// the background (shared with readers who miss meanwhile), so that a later reader finds
    /// it and this one may wait for it after all; a zero budget never waits. Only [`DETACHED`]
    /// counts go on at once; past that the reader waits for its count as with [`Self::count`].
    pub async fn count_within<F>(
        self: &Arc<Self>,
        key: &str,
        generation: i64,
        count: F,
        budget: Duration,
    ) -> ApiResult<Counting>
    where
        F: Future<Output = ApiResult<u64>> + Send + 'static,
    {
        if !matches!(self.lookup(&digest(key), generation), Lookup::Miss) {
            return self.count(key, generation, count).await.map(Counting::Done);
        }
        let Ok(permit) = self.detached.clone().try_acquire_owned() else {
            return self.count(key, generation, count).await.map(Counting::Done);
        };
        let cache = self.clone();
        let key = key.to_owned();
        let mut task = tokio::spawn(async move {
            let _permit = permit;
            cache.count(&key, generation, count).await
        });
        if budget.is_zero() {
            // No budget is no wait: a count that happened to finish before the first poll
            // would make the answer depend on how busy the machine is.
            return Ok(Counting::Going(task));
        }
        match tokio::time::timeout(budget, &mut task).await {
            Ok(Ok(counted)) => counted.map(Counting::Done),
            Ok(Err(stopped)) => Err(ApiError::Internal(stopped.into())),
            Err(_) => Ok(Counting::Going(task)),
        }
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
    fn a_new_generation_makes_quick_counts_stale_and_keeps_slow_ones_for_the_recount() {
        let c = CountCache::default();
        c.put(digest("quick"), 1, 7, Duration::from_millis(1));
        c.put(digest("once"), 1, 8, SLOW);
        for _ in 0..JUDGED_AFTER {
            c.put(digest("slow"), 1, 9, SLOW);
        }
        assert_eq!(c.lookup(&digest("quick"), 1), Lookup::Fresh(7));
        assert_eq!(c.lookup(&digest("quick"), 2), Lookup::Miss);
        assert_eq!(c.lookup(&digest("slow"), 2), Lookup::Stale(9));
        assert_eq!(
            c.lookup(&digest("once"), 2),
            Lookup::Miss,
            "one slow run may have been a busy moment"
        );
    }

    #[tokio::test]
    async fn a_stale_count_is_served_at_once_and_replaced_by_one_recount_at_a_time() {
        let c = Arc::new(CountCache::default());
        for _ in 0..JUDGED_AFTER {
            c.put(digest("k"), 1, 5, SLOW);
        }
        let runs = Arc::new(AtomicU64::new(0));
        for _ in 0..3 {
            let runs = runs.clone();
            let got = c
                .count("k", 2, async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok(6)
                })
                .await;
            assert_eq!(got.ok(), Some(5));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(c.settled(), 1);
        assert_eq!(c.lookup(&digest("k"), 2), Lookup::Fresh(6));
    }

    #[tokio::test]
    async fn a_shared_count_stopped_at_the_time_limit_is_that_for_every_reader() {
        let c = Arc::new(CountCache::default());
        let slow = || async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Err::<u64, _>(ApiError::QueryTooComplex("stopped".into()))
        };
        let (a, b) = tokio::join!(c.count("k", 1, slow()), c.count("k", 1, slow()));
        for r in [a, b] {
            assert!(matches!(r, Err(ApiError::QueryTooComplex(_))), "{r:?}");
        }
    }

    #[tokio::test]
    async fn readers_that_miss_at_once_share_one_count() {
        let c = Arc::new(CountCache::default());
        let runs = Arc::new(AtomicU64::new(0));
        let readers = (0..8).map(|_| {
            let (c, runs) = (c.clone(), runs.clone());
            tokio::spawn(async move {
                c.count("k", 1, async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok(7)
                })
                .await
                .ok()
            })
        });
        for r in readers.collect::<Vec<_>>() {
            assert_eq!(r.await.ok().flatten(), Some(7));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_cache_stays_bounded_whatever_is_searched() {
        let c = CountCache::default();
        let long = "x".repeat(500);
        for i in 0..(MAX_ENTRIES + 5_000) {
            c.put(digest(&format!("projects|{i}|{long}")), 0, i, Duration::ZERO);
        }
        assert!(c.len() <= MAX_ENTRIES, "{}", c.len());
    }
}
