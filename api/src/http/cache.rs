//! The response cache: whole GraphQL answers, as the bytes sent, for repeated reads.
//!
//! **Whom an entry serves.** The key is a digest of everything an answer depends on besides
//! the data: the caller's whole scope (kommun, county, role set, and the user, which `viewer`
//! shows), the day (windows and due dates are counted from today), and the document, the
//! operation and the variables. Two callers who may see different things never share a key.
//!
//! **When an entry is served.** An entry remembers the data generation read before its
//! answer was computed ([`crate::service::generation`]) and is served only to a request that
//! reads the same generation, so on any replica an answer from before a committed change is
//! never served to a request that starts after it. An answer that reads only the project list
//! and what hangs off its projects (`graphql::cost::CostModel::reads_projects_only`) is
//! stamped instead with the newest generation of its caller's project count parts: every
//! mutation of a project moves the parts the project is or was in, in its transaction, so the
//! answer follows exactly the changes that can change it, and a change in one kommun's private
//! projects does not drop every other kommun's lists. Any other answer of a caller with a
//! county is stamped with the newer of its county's scope part and the national one
//! ([`county_scope`](crate::service::generation::county_scope)): every mutation moves the
//! scope of each county it records an event in (and the national one for vendors and
//! products), so a write in one county leaves every other county's answers cached; answers
//! without a caller's county (the anonymous catalogue) follow the data generation. It also remembers
//! [`counts_settled`](crate::service::Services::counts_settled), so an answer that carried a
//! count being recounted in the background is dropped when the recount lands.
//!
//! **Computed once.** Requests that miss with the same key at the same stamp while an answer
//! is being computed wait for that answer instead of computing it again
//! ([`ResponseCache::begin`]): it is exactly what a kept entry would serve them. After a
//! write, every caller's list misses at once, so concurrent misses are common; a request whose
//! leader fails, is cancelled or produces an answer that is not kept computes its own.
//!
//! **What is kept.** Successful answers of queries only: never a mutation (only a query's
//! answer is stored, and an entry is found only by the same document and operation), never an
//! answer with errors. The size is bounded in bytes (`moka`, by body size); hits and misses
//! are logged once a minute.
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use actix_web::web::Bytes;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::auth::Caller;
pub use crate::service::generation::Stamp;

/// A digest of everything an answer depends on besides the data.
pub type Key = [u8; 32];

/// An answer as it is kept.
pub struct Made {
    /// The body as sent, without its cost.
    pub body: Bytes,
    /// Its entity tag, quoted.
    pub etag: String,
    /// The name of the operation that ran.
    pub operation: Option<String>,
    /// What its document costs.
    pub cost: u64,
}

/// A kept answer.
pub struct Cached {
    stamp: Stamp,
    /// The body as sent.
    pub body: Bytes,
    /// Its entity tag, quoted.
    pub etag: String,
    /// The name of the operation that ran, for the access log and the metrics of a hit.
    pub operation: Option<String>,
    /// What its document costs, charged to each caller it is served to.
    pub cost: u64,
    /// The count parts whose newest generation the stamp is, for an answer that reads only
    /// projects; `None` for an answer stamped with the data generation.
    pub parts: Option<Arc<[String]>>,
}

/// An answer being computed, as those waiting for it see it: `None` until it is kept.
type Pending = watch::Receiver<Option<Arc<Cached>>>;

/// Whole answers by [`Key`], bounded in bytes.
pub struct ResponseCache {
    entries: moka::sync::Cache<Key, Arc<Cached>>,
    /// Answers being computed now; an entry lives as long as its leader's request.
    computing: Mutex<HashMap<(Key, Stamp), Pending>>,
    hits: AtomicU64,
    misses: AtomicU64,
    shared: AtomicU64,
}

/// What the cache has done since start and what it holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Answers served from an entry.
    pub hits: u64,
    /// Lookups that found no entry of the request's stamp.
    pub misses: u64,
    /// Misses answered by another request's computation of the same answer.
    pub shared: u64,
    /// Entries held.
    pub entries: u64,
    /// Bytes held, as weighed.
    pub bytes: u64,
}

/// What a request that missed does: compute the answer (and keep it through its [`Leader`]),
/// or wait for the request already computing it.
pub enum Turn<'a> {
    /// Compute it.
    Lead(Leader<'a>),
    /// Wait for it ([`ResponseCache::wait`]).
    Wait(Pending),
}

/// The request computing an answer for a key and stamp. Dropping it without
/// [`keep`](Leader::keep) (an answer with errors, a cancelled request) lets those waiting
/// compute their own.
pub struct Leader<'a> {
    cache: &'a ResponseCache,
    key: Key,
    stamp: Stamp,
    /// What the stamp is of (see [`Cached::parts`]).
    parts: Option<Arc<[String]>>,
    sender: Option<watch::Sender<Option<Arc<Cached>>>>,
}

/// What the cache holds beyond an entry's body: its key, the stamp and the map's own share.
const ENTRY_OVERHEAD: usize = 160;

impl ResponseCache {
    /// A cache of at most `megabytes` MB, or none for 0.
    pub fn new(megabytes: u64) -> Option<Self> {
        (megabytes > 0).then(|| Self {
            entries: moka::sync::Cache::builder()
                .max_capacity(megabytes.saturating_mul(1024 * 1024))
                .weigher(|_, v: &Arc<Cached>| {
                    u32::try_from(
                        v.body.len()
                            + v.etag.len()
                            + v.operation.as_ref().map_or(0, String::len)
                            + v.parts.as_ref().map_or(0, |p| p.iter().map(String::len).sum())
                            + ENTRY_OVERHEAD,
                    )
                    .unwrap_or(u32::MAX)
                })
                .build(),
            computing: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            shared: AtomicU64::new(0),
        })
    }

    /// The key of a request: its caller's whole scope, today, and the request itself.
    pub fn key(
        caller: &Caller,
        today: chrono::NaiveDate,
        query: &str,
        operation: Option<&str>,
        variables: &serde_json::Value,
    ) -> Key {
        let mut h = Sha256::new();
        // Every part is length-prefixed, so no two different requests can run together into
        // the same bytes.
        let mut part = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        match caller.principal() {
            None => part(b"anonymous"),
            Some(p) => {
                part(b"principal");
                part(p.sub.as_bytes());
                part(p.name.as_deref().unwrap_or("").as_bytes());
                part(&[u8::from(p.name.is_some())]);
                part(&p.municipality_id.to_le_bytes());
                part(&p.county_id.to_le_bytes());
                part(p.kommun.as_bytes());
                part(p.roles_text().as_bytes());
            }
        }
        part(today.to_string().as_bytes());
        part(query.as_bytes());
        part(operation.unwrap_or("").as_bytes());
        part(&[u8::from(operation.is_some())]);
        part(variables.to_string().as_bytes());
        h.finalize().into()
    }

    /// What an answer kept for `key`, of whatever generation, is stamped with: `Some(None)`
    /// for the data generation, `Some(Some(parts))` for the newest generation of `parts`.
    pub fn stamped_by(&self, key: &Key) -> Option<Option<Arc<[String]>>> {
        self.entries.get(key).map(|c| c.parts.clone())
    }

    /// The answer kept for `key`, if it was computed from the data `now` stands for.
    pub fn get(&self, key: &Key, now: Stamp) -> Option<Arc<Cached>> {
        let hit = self.entries.get(key).filter(|c| c.stamp == now);
        let counter = if hit.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        hit
    }

    /// Keeps an answer computed from the data `stamp` stands for.
    pub fn put(&self, key: Key, stamp: Stamp, made: Made, parts: Option<Arc<[String]>>) -> Arc<Cached> {
        let Made {
            body,
            etag,
            operation,
            cost,
        } = made;
        let cached = Arc::new(Cached {
            stamp,
            body,
            etag,
            operation,
            cost,
            parts,
        });
        self.entries.insert(key, cached.clone());
        cached
    }

    /// After a miss at `stamp`: lead the computation of the answer, or wait for the request
    /// already leading it.
    pub fn begin(&self, key: Key, stamp: Stamp, parts: Option<Arc<[String]>>) -> Turn<'_> {
        let mut computing = self
            .computing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(pending) = computing.get(&(key, stamp)) {
            return Turn::Wait(pending.clone());
        }
        let (sender, pending) = watch::channel(None);
        computing.insert((key, stamp), pending);
        Turn::Lead(Leader {
            cache: self,
            key,
            stamp,
            parts,
            sender: Some(sender),
        })
    }

    /// The answer another request is computing, once it is kept; `None` if it was not kept
    /// or took longer than `patience`, and the caller computes its own.
    pub async fn wait(&self, mut pending: Pending, patience: std::time::Duration) -> Option<Arc<Cached>> {
        let answer = tokio::time::timeout(patience, pending.wait_for(Option::is_some))
            .await
            .ok()?
            .ok()?
            .clone();
        if answer.is_some() {
            self.shared.fetch_add(1, Ordering::Relaxed);
        }
        answer
    }

    /// A leader for a request that waited in vain: it keeps its answer but nobody waits for it.
    pub fn alone(&self, key: Key, stamp: Stamp, parts: Option<Arc<[String]>>) -> Leader<'_> {
        Leader {
            cache: self,
            key,
            stamp,
            parts,
            sender: None,
        }
    }

    /// The computation of `key` at `stamp` is over, kept or not.
    fn forget(&self, key: Key, stamp: Stamp) {
        self.computing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&(key, stamp));
    }

    /// What the cache has done since start and what it holds.
    pub fn stats(&self) -> Stats {
        self.entries.run_pending_tasks();
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            shared: self.shared.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
            bytes: self.entries.weighted_size(),
        }
    }
}

impl Leader<'_> {
    /// Keeps the answer and hands it to those waiting for it.
    pub fn keep(mut self, made: Made) {
        let parts = self.parts.take();
        let cached = self.cache.put(self.key, self.stamp, made, parts);
        if let Some(sender) = self.sender.take() {
            self.cache.forget(self.key, self.stamp);
            sender.send_replace(Some(cached));
        }
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        if self.sender.is_some() {
            self.cache.forget(self.key, self.stamp);
        }
    }
}

/// Whether the operation a request runs is a query (the only kind whose answer is kept).
pub fn runs_a_query(doc: &ExecutableDocument, operation: Option<&str>) -> bool {
    use async_graphql::parser::types::DocumentOperations;
    let ty = match (&doc.operations, operation) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    };
    ty == Some(OperationType::Query)
}

/// Fields whose answers follow state outside the database (a verification running in the
/// background, the caller's cost budget), which the data generation does not move: a document
/// naming one is never kept.
const LIVE_FIELDS: &[&str] = &["auditChain", "rateLimit"];

/// Whether a document names a field of [`LIVE_FIELDS`] anywhere (its operations or fragments).
pub fn reads_live_state(doc: &ExecutableDocument) -> bool {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn walk(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(f) => {
                LIVE_FIELDS.contains(&f.node.name.node.as_str()) || walk(&f.node.selection_set.node)
            }
            Selection::InlineFragment(i) => walk(&i.node.selection_set.node),
            Selection::FragmentSpread(_) => false,
        })
    }
    doc.operations
        .iter()
        .any(|(_, op)| walk(&op.node.selection_set.node))
        || doc.fragments.values().any(|f| walk(&f.node.selection_set.node))
}

/// A strong entity tag of a body.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let tag = crate::domain::text::hex(&digest[..16]);
    format!("\"{tag}\"")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::auth::{Principal, Role};

    fn made(body: &'static [u8]) -> Made {
        Made {
            body: Bytes::from_static(body),
            etag: etag(body),
            operation: None,
            cost: 0,
        }
    }

    fn caller(kommun: &str, roles: &[Role], sub: &str) -> Caller {
        Caller::Principal(Principal {
            sub: sub.into(),
            name: None,
            municipality_id: kommun.parse::<i32>().unwrap_or(0),
            kommun: kommun.into(),
            county_id: 1,
            roles: roles.iter().copied().collect::<BTreeSet<_>>(),
            expires_at: None,
            issuer: None,
        })
    }

    fn key(c: &Caller, q: &str) -> Key {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        ResponseCache::key(c, day, q, None, &serde_json::Value::Null)
    }

    #[test]
    fn callers_who_may_see_different_things_never_share_a_key() {
        let q = "{ eServiceProjects { totalCount } }";
        let keys = [
            key(&Caller::Anonymous, q),
            key(&caller("1880", &[Role::Viewer], "u"), q),
            key(&caller("1881", &[Role::Viewer], "u"), q),
            key(&caller("1880", &[Role::Viewer, Role::Namnd], "u"), q),
            key(&caller("1880", &[Role::Namnd], "u"), q),
            key(&caller("1880", &[Role::Viewer], "v"), q),
        ];
        let distinct: BTreeSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        assert_eq!(keys[1], key(&caller("1880", &[Role::Viewer], "u"), q));
    }

    #[test]
    fn an_entry_serves_only_the_generation_it_was_computed_at() {
        let Some(c) = ResponseCache::new(1) else {
            panic!("a cache of 1 MB");
        };
        let k = key(&Caller::Anonymous, "{ a }");
        let at = |generation| Stamp {
            generation,
            settled: 0,
            ..Default::default()
        };
        c.put(k, at(3), made(b"{}"), None);
        assert!(c.get(&k, at(3)).is_some());
        assert!(c.get(&k, at(4)).is_none());
        assert!(
            c.get(
                &k,
                Stamp {
                    generation: 3,
                    settled: 1,
                    ..Default::default()
                }
            )
            .is_none()
        );
        let stats = c.stats();
        assert_eq!((stats.hits, stats.misses), (1, 2));
    }

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let Some(c) = ResponseCache::new(1) else {
            panic!("a cache of 1 MB");
        };
        let body = Bytes::from(vec![b'x'; 10_000]);
        for i in 0..1_000 {
            let k = key(&Caller::Anonymous, &format!("{{ a{i} }}"));
            c.put(
                k,
                Stamp {
                    generation: 0,
                    settled: 0,
                    ..Default::default()
                },
                Made {
                    body: body.clone(),
                    etag: etag(&body),
                    operation: None,
                    cost: 0,
                },
                None,
            );
        }
        let bytes = c.stats().bytes;
        assert!(bytes <= 1024 * 1024, "{bytes}");
    }

    #[tokio::test]
    async fn a_miss_being_computed_is_computed_once_and_a_failed_leader_lets_others_compute() {
        let Some(c) = ResponseCache::new(1) else {
            panic!("a cache of 1 MB");
        };
        let k = key(&Caller::Anonymous, "{ a }");
        let at = |generation| Stamp {
            generation,
            settled: 0,
            ..Default::default()
        };
        let patience = std::time::Duration::from_secs(5);
        let Turn::Lead(leader) = c.begin(k, at(1), None) else {
            panic!("the first miss leads");
        };
        let Turn::Wait(same) = c.begin(k, at(1), None) else {
            panic!("the same answer is waited for");
        };
        // Another stamp is another answer, never shared.
        let Turn::Lead(other) = c.begin(k, at(2), None) else {
            panic!("a newer stamp leads on its own");
        };
        let (answer, ()) = tokio::join!(c.wait(same, patience), async {
            tokio::task::yield_now().await;
            leader.keep(made(b"{}"));
        });
        assert_eq!(answer.map(|a| a.body.clone()).as_deref(), Some(&b"{}"[..]));
        assert_eq!(c.stats().shared, 1);

        // A leader dropped without an answer (errors, cancelled) lets the waiter compute.
        let Turn::Wait(pending) = c.begin(k, at(2), None) else {
            panic!("stamp 2 is still being computed");
        };
        drop(other);
        assert!(c.wait(pending, patience).await.is_none());
        assert!(
            matches!(c.begin(k, at(2), None), Turn::Lead(_)),
            "nothing is left computing"
        );
        assert!(c.computing.lock().map(|m| m.is_empty()).unwrap_or(false));
    }

    #[test]
    fn only_queries_are_kept() {
        let parse = |s: &str| async_graphql::parser::parse_query(s).unwrap_or_else(|e| panic!("{e}"));
        assert!(runs_a_query(&parse("{ a }"), None));
        assert!(!runs_a_query(&parse("mutation { a }"), None));
        let two = parse("query A { a } mutation B { b }");
        assert!(runs_a_query(&two, Some("A")));
        assert!(!runs_a_query(&two, Some("B")));
        assert!(!runs_a_query(&two, None));
    }
}
