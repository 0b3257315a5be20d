//! The service layer: rules and queries, reached only through a [`Scope`] that carries the
//! caller. The database handle never leaves this module, so no resolver can read a row
//! without the visibility rule or write one without the audit trail.

pub mod audit;
pub mod benefits;
pub mod budget;
pub mod catalogue;
pub mod counts;
pub mod events;
pub mod generation;
pub mod initiatives;
pub mod inventory;
pub mod loaders;
pub mod pagination;
pub mod population;
pub mod procurement;
pub mod projects;
pub mod readiness;
/// The reference data lives below `auth`, which needs it; services use it from here too.
pub(crate) use crate::reference;
pub mod report;
pub mod sourcing;
pub mod visibility;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{Caller, Principal},
    domain::authz::{Action, Standing},
    error::{ApiError, ApiResult},
};
use audit::store::Reads;
pub use audit::{Grant, Parent, WriteTx};
pub use reference::Reference;

/// A text argument as the domain allows it (`domain::text`): bounded, trimmed, without control
/// characters; running text (over 200 characters allowed) may keep tabs and line breaks.
pub(crate) fn text(field: &str, value: &str, max: usize, required: bool) -> ApiResult<String> {
    use crate::domain::text::{Shape, parse};
    let shape = if max > 200 { Shape::Long } else { Shape::Line };
    parse(value, max, required, shape).map_err(|m| ApiError::input(field, format!("{field} {m}")))
}

/// Shared, process-wide handles of the service layer.
#[derive(Clone)]
pub struct Services {
    db: Reads<DatabaseConnection>,
    /// The heavy reads' own connections, when they have their own (`with_heavy_pool`).
    heavy_db: Option<Reads<DatabaseConnection>>,
    /// Replaced whole when reference data changes (a new year of figures), so that a
    /// request reads one version of it from start to end.
    reference: Arc<std::sync::RwLock<Arc<Reference>>>,
    /// Raised by each [`replace_reference`](Services::replace_reference).
    reference_version: Arc<std::sync::atomic::AtomicU64>,
    counts: Arc<counts::CountCache>,
    /// The report's figures per visibility part, shared by the callers who see that part.
    part_figures: Arc<report::PartFigures>,
    /// Which title searches an index narrows, as lately decided (`projects::search`).
    narrowing: Arc<projects::Narrowing>,
    events: events::Events,
    verifications: audit::chain::Verifications,
    heavy: Arc<Heavy>,
    /// Projects the committee report reads at a time (`report::portfolio`).
    report_chunk: u64,
    /// How long a list's first count may take before an upper bound stands in.
    count_budget: Option<std::time::Duration>,
    /// Below this bound (the part's projects without the filter) a slow count is waited for.
    count_estimate_from: u64,
    /// The cost budgets' shared ledger (PostgreSQL only).
    ledger: Option<budget::Ledger>,
}

/// Below this bound (the part's projects without the filter) a count past its budget is
/// waited for.
pub const COUNT_ESTIMATE_FROM: u64 = 10_000;

/// Projects the committee report reads at a time unless the settings say otherwise.
pub const REPORT_CHUNK: u64 = 1_000;

/// Threads for the CPU of heavy reads (`Scope::off_workers`): half the machine's cores, at
/// least one, so that they never take every core from the HTTP workers, and scheduled below
/// them ([`lower_priority`]). Made once, for the life of the process (a runtime may not be
/// dropped from async code); `None` if the system refused the threads, and then heavy reads
/// run where they are asked for.
fn heavy_threads() -> Option<&'static tokio::runtime::Handle> {
    static THREADS: std::sync::LazyLock<Option<tokio::runtime::Runtime>> = std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(crate::settings::half_the_cores())
            .thread_name("samverkan-heavy")
            .on_thread_start(lower_priority)
            .enable_all()
            .build()
            .inspect_err(
                |e| tracing::warn!(error = %e, "no threads for heavy reads; they run on the HTTP workers"),
            )
            .ok()
    });
    THREADS.as_ref().map(tokio::runtime::Runtime::handle)
}

/// How far below the process the heavy reads' threads are scheduled: nice 10 gets about a
/// tenth of a core that a nice-0 thread also wants, so on a machine whose cores are busy with
/// reports a plain list's request is run first, while an idle core still goes to the reports.
#[cfg(target_os = "linux")]
const HEAVY_NICE: i32 = 10;

/// Lowers the calling thread's scheduling priority by [`HEAVY_NICE`] (on Linux the nice value
/// is the thread's own, and threads it starts inherit it: SQLite's connection threads opened
/// from here run at it too, `startup::connect_heavy`).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let me = Some(rustix::thread::gettid());
        let lowered =
            getpriority_process(me).and_then(|nice| setpriority_process(me, (nice + HEAVY_NICE).min(19)));
        if let Err(e) = lowered {
            tracing::warn!(error = %e, "heavy reads run at the process's priority");
        }
    }
}

/// Runs `work` on the heavy reads' threads ([`heavy_threads`]), or here if there are none:
/// what a heavy read's connections are opened by, so that they belong to those threads.
pub async fn on_heavy_threads<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    match heavy_threads() {
        Some(threads) => threads.spawn(work).await,
        None => Ok(work.await),
    }
}

/// Runs the blocking `work` on the heavy reads' threads (their blocking pool, at their
/// priority), or on this runtime's if there are none.
pub(in crate::service) async fn blocking_on_heavy_threads<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    match heavy_threads() {
        Some(threads) => threads.spawn_blocking(work).await,
        None => tokio::task::spawn_blocking(work).await,
    }
}

/// A spawned task that stops when its awaiting future is dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Turns for heavy reads on this replica: each holds one connection at a time for seconds, so
/// a few at once keep the rest of the pool for everything else.
struct Heavy {
    turns: tokio::sync::Semaphore,
    wait: std::time::Duration,
}

impl Default for Heavy {
    fn default() -> Self {
        let limits = crate::settings::Limits::default();
        Self {
            turns: tokio::sync::Semaphore::new(limits.max_concurrent_reports),
            wait: std::time::Duration::from_millis(limits.heavy_wait_ms),
        }
    }
}

impl Services {
    /// Heavy reads (`Scope::off_workers`) read through `db` rather than the pool every other
    /// request shares.
    pub fn with_heavy_pool(mut self, db: Option<DatabaseConnection>) -> Self {
        self.heavy_db = db.map(Reads::new);
        self
    }

    /// At most `at_once` heavy reads at a time, the others waiting up to `wait` for a turn.
    pub fn with_heavy_limit(mut self, at_once: usize, wait: std::time::Duration) -> Self {
        self.heavy = Arc::new(Heavy {
            turns: tokio::sync::Semaphore::new(at_once.max(1)),
            wait,
        });
        self
    }

    /// Wraps an open, migrated database and the loaded reference data.
    pub fn new(db: DatabaseConnection, reference: Arc<Reference>) -> Self {
        let ledger = budget::Ledger::shared(&db);
        let db = Reads::new(db);
        let events = events::Events::new(&db);
        Self {
            db,
            heavy_db: None,
            reference: Arc::new(std::sync::RwLock::new(reference)),
            reference_version: Arc::default(),
            counts: Arc::default(),
            part_figures: Arc::default(),
            narrowing: Arc::default(),
            events,
            verifications: audit::chain::Verifications::default(),
            heavy: Arc::default(),
            report_chunk: REPORT_CHUNK,
            count_budget: None,
            count_estimate_from: COUNT_ESTIMATE_FROM,
            ledger,
        }
    }

    /// The ledger the replicas share their cost budgets through; `None` where one process
    /// holds the database (SQLite) and keeps the budgets in memory.
    pub fn budget_ledger(&self) -> Option<budget::Ledger> {
        self.ledger.clone()
    }

    /// A list's `totalCount` not cached and not counted within `budget` is an upper bound,
    /// flagged, while the count goes on for the next reader.
    /// Counts whose bound is under `rows` are waited for even past the budget.
    pub fn with_count_budget(mut self, budget: std::time::Duration, rows: u64) -> Self {
        self.count_budget = Some(budget);
        self.count_estimate_from = rows;
        self
    }

    /// The committee report reads `projects` projects at a time (with their participations,
    /// benefits and follow-ups): its memory is bounded by that, not by the county.
    pub fn with_report_chunk(mut self, projects: u64) -> Self {
        self.report_chunk = projects.max(1);
        self
    }

    /// Committed changes as they happen (subscriptions).
    pub fn events(&self) -> &events::Events {
        &self.events
    }

    /// The county and kommun reference data as it stands now; a caller keeps this version
    /// for as long as it holds it (a document's renderer off the request's thread, too).
    pub fn reference(&self) -> Arc<Reference> {
        self.reference
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Puts newly loaded reference data in place for the requests that start from now on.
    pub fn replace_reference(&self, reference: Reference) {
        *self
            .reference
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(reference);
        self.reference_version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Loads the reference data again when its figures changed (another process imported a
    /// year), keeping only the counties `served`. Cheap when nothing changed: two counts.
    pub async fn refresh_reference(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        served: &crate::reference::Served,
    ) -> anyhow::Result<bool> {
        let now = crate::reference::Reference::marker(db).await?;
        if now == self.reference().loaded_marker() {
            return Ok(false);
        }
        let fresh = crate::reference::Reference::load(db).await?.serving(served);
        self.replace_reference(fresh);
        Ok(true)
    }

    /// Brings the kept cost shares (`project_share`) of every county this replica serves up
    /// to date: prices every project of a county not yet complete (a database from before
    /// the table, or one seeded outside the service), then the projects whose split followed
    /// another population year than the county's current one. Run at start and after new
    /// figures are loaded; returns how many projects it priced.
    pub async fn keep_shares(&self) -> ApiResult<u64> {
        use audit::shares::{Fill, complete, fill};
        let r = self.reference();
        let mut priced = 0;
        for county in r.counties() {
            let what = if complete(&self.db, county.id).await? {
                Fill::Stale
            } else {
                Fill::All
            };
            priced += fill(&self.db, &r, county.id, what).await?;
        }
        Ok(priced)
    }

    /// The names of the project count parts `caller` reads (none for a caller who reads no
    /// projects): an answer that reads only projects is as new as the newest of them.
    pub fn project_parts_of(caller: &Caller) -> Vec<String> {
        visibility::project_parts(caller)
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    /// The parts an answer for `caller` that reads more than projects is stamped with: its
    /// county's and the national one (`None` without a county: the data generation).
    pub fn scope_parts_of(caller: &Caller) -> Option<Vec<String>> {
        caller.principal().map(|p| {
            vec![
                generation::county_scope(p.county_id),
                generation::NATIONAL.to_owned(),
            ]
        })
    }

    /// The data now, read before a query runs; the response cache serves an answer only to
    /// requests that read the same. For an answer that reads only projects in `parts` (and
    /// reference data) it is the newest of their generations, which moves whenever one of them
    /// moves (a part moves to the generation its mutation raised, above every earlier one);
    /// for any other answer the data generation ([`generation`]).
    /// The generations of `parts` read here are kept in `read` for the request's counts.
    pub async fn stamp(
        &self,
        parts: Option<&[String]>,
        read: &generation::PartsRead,
    ) -> ApiResult<generation::Stamp> {
        let g = match parts {
            Some(parts) => read.read(&self.db, parts).await?.into_iter().max().unwrap_or(0),
            None => generation::read(&self.db).await?,
        };
        Ok(generation::Stamp {
            generation: g,
            settled: self.counts.settled(),
            reference: self.reference_version.load(std::sync::atomic::Ordering::Acquire),
        })
    }

    /// A handle for one request's caller.
    pub fn scope<'a>(&'a self, caller: &'a Caller, request_id: &'a str) -> Scope<'a> {
        Scope {
            svc: self,
            caller,
            request_id,
            reference: self.reference(),
        }
    }

    /// Loaders for one request and its caller (their caches must not outlive it).
    pub fn loaders(&self, caller: &Caller) -> loaders::Loaders {
        loaders::Loaders::new(self.db.clone(), caller.clone())
    }

    /// Whether the database answers and the migrations are applied.
    /// Open and idle connections of the pool, for the metrics.
    pub fn pool_usage(&self) -> Option<(u32, usize)> {
        self.db.pool_usage()
    }

    pub async fn ready(&self) -> bool {
        let check = self.db.migrated();
        match tokio::time::timeout(std::time::Duration::from_secs(2), check).await {
            Ok(Ok(migrated)) => migrated,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "not ready: the database does not answer");
                false
            }
            Err(_) => {
                tracing::warn!("not ready: the database did not answer within 2 s");
                false
            }
        }
    }
}

/// One request's view of the services: every read is narrowed to what the caller may see,
/// every write goes through an audited transaction.
#[derive(Clone)]
pub struct Scope<'a> {
    svc: &'a Services,
    caller: &'a Caller,
    request_id: &'a str,
    reference: Arc<Reference>,
}

/// The areas' handles: `scope.sourcing()` and the like. An area's operations are methods of
/// its handle, so a helper that is private to the area's module is not offered on `Scope`
/// to every other area (or on another area's handle); what every area needs (the caller,
/// the write transaction, `changeable`) stays on `Scope`, which each handle derefs to.
macro_rules! areas {
    ($($(#[$m:meta])* $method:ident => $handle:ident,)+) => {$(
        $(#[$m])*
        #[derive(Clone, Copy)]
        pub struct $handle<'s, 'a>(&'s Scope<'a>);

        impl<'a> std::ops::Deref for $handle<'_, 'a> {
            type Target = Scope<'a>;
            fn deref(&self) -> &Scope<'a> {
                self.0
            }
        }

        impl<'a> Scope<'a> {
            $(#[$m])*
            pub fn $method(&self) -> $handle<'_, 'a> {
                $handle(self)
            }
        }
    )+};
}

areas! {
    /// Sourcing evaluations: options, criteria, co-evaluators, scores and the decision.
    sourcing => Sourcing,
    /// E-service projects: the register, participations, cost sharing, tollgates, benefits
    /// and the archive package.
    projects => Projects,
    /// The systems inventory: vendors, products, system instances, integrations.
    inventory => Inventory,
    /// Joint procurement windows and the joint work started from them.
    procurement => Procurement,
    /// Vendor-influence initiatives and their supporters.
    influence => Influence,
    /// The audit's questions: answers, documents, role holders and thresholds.
    readiness => Readiness,
    /// The published e-service catalogue and its accessibility statements.
    publishing => Publishing,
    /// The joint committee's report.
    report => Report,
}

impl<'a> Scope<'a> {
    /// The caller of this request.
    pub fn caller(&self) -> &'a Caller {
        self.caller
    }

    /// The reference data.
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    fn db(&self) -> &Reads<DatabaseConnection> {
        &self.svc.db
    }

    fn verifications(&self) -> &audit::chain::Verifications {
        &self.svc.verifications
    }

    /// The principal, or `UNAUTHENTICATED` for an anonymous caller.
    pub fn principal(&self) -> ApiResult<&'a Principal> {
        self.caller.principal().ok_or_else(|| ApiError::Unauthenticated {
            reason: None,
            message: "this needs a bearer token".into(),
        })
    }

    /// The principal if it may read beyond the published catalogue: a kommun's roles or the
    /// committee's. A portal (`integration` alone) reads the catalogue and nothing else.
    pub fn reader(&self) -> ApiResult<&'a Principal> {
        let p = self.principal()?;
        if p.reads_as_kommun() || p.is_namnd() {
            Ok(p)
        } else {
            Err(ApiError::Forbidden(
                "the integration role reads the published e-service catalogue only".into(),
            ))
        }
    }

    /// A turn for a heavy read, held while it runs: `RATE_LIMITED` (with the seconds to wait)
    /// when none comes free within the wait the settings allow.
    pub(in crate::service) async fn heavy_turn(&self) -> ApiResult<tokio::sync::SemaphorePermit<'a>> {
        let heavy = &self.svc.heavy;
        match tokio::time::timeout(heavy.wait, heavy.turns.acquire()).await {
            Ok(Ok(turn)) => Ok(turn),
            Ok(Err(_)) | Err(_) => Err(ApiError::RateLimited(heavy.wait.as_secs().max(1))),
        }
    }

    /// Runs `work` with this request's scope on the heavy-read threads ([`heavy_threads`])
    /// rather than on the HTTP workers, which every other request shares: a report decodes and
    /// measures tens of thousands of rows between two awaits, and on a worker that is that long
    /// for every request queued behind it. Dropping the returned future (the request's
    /// deadline, a client gone) stops the work.
    pub(in crate::service) async fn off_workers<T, W>(&self, work: W) -> ApiResult<T>
    where
        T: Send + 'static,
        W: for<'s> FnOnce(&'s Scope<'s>) -> futures_util::future::BoxFuture<'s, ApiResult<T>>
            + Send
            + 'static,
    {
        use tracing::Instrument;
        let Some(threads) = heavy_threads() else {
            return work(self).await;
        };
        let mut svc = self.svc.clone();
        if let Some(heavy) = &svc.heavy_db {
            svc.db = heavy.clone();
        }
        let caller = self.caller.clone();
        let (request_id, reference) = (self.request_id.to_owned(), self.reference.clone());
        let task = threads.spawn(
            async move {
                let scope = Scope {
                    svc: &svc,
                    caller: &caller,
                    request_id: &request_id,
                    reference,
                };
                work(&scope).await
            }
            .instrument(tracing::Span::current()),
        );
        let mut task = AbortOnDrop(task);
        (&mut task.0)
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("a heavy read stopped: {e}")))?
    }

    /// Refuses at once a caller whom no standing could grant `action` (a viewer creating a
    /// record), before any work; the mutation still takes its [`Grant`] in its transaction.
    pub(in crate::service) fn refuse_early(&self, action: Action) -> ApiResult<()> {
        let p = self.principal()?;
        let best = Standing {
            owner: true,
            member: true,
            own_invitation: true,
            county_shared: true,
        };
        if crate::domain::authz::may(&p.roles, action, best) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(action.refusal().into()))
        }
    }

    /// The id of the caller's own county, named by its länskod: a county's settings and its
    /// audit chain are its own callers' (`FORBIDDEN` for another county, `BAD_USER_INPUT`
    /// naming `county` for a code the service does not know).
    pub(in crate::service) fn own_county(&self, code: &str) -> ApiResult<i32> {
        let mine = self.principal()?.county_id;
        let c = self.known_county(code)?;
        if c.id == mine {
            Ok(c.id)
        } else {
            Err(ApiError::Forbidden(format!(
                "county {code}'s settings and audit chain are its own kommuner's and committee's"
            )))
        }
    }

    /// The county a request names by its länskod; `BAD_USER_INPUT` naming `county` for a code
    /// the service does not know.
    pub(in crate::service) fn known_county(&self, code: &str) -> ApiResult<entity::county::Model> {
        self.reference()
            .county_by_code(code)
            .cloned()
            .ok_or_else(|| ApiError::input("county", format!("county {code} is not known to this service")))
    }

    /// Starts the audited transaction of one mutation.
    pub(in crate::service) async fn write(&self, action: &'static str) -> ApiResult<WriteTx<'a>> {
        WriteTx::begin(
            self.db(),
            self.principal()?,
            self.request_id,
            action,
            self.svc.events.clone(),
            self.reference.clone(),
        )
        .await
    }
}
