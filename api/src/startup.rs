//! Builds the application from settings: database, migrations, reference data, HTTP server.
use std::{
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use actix_cors::Cors;
use actix_web::{App, HttpServer, dev::Server, http::header, web};
use anyhow::Context;
use migration::MigratorTrait;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

use crate::{
    auth::{self, Verifier},
    graphql,
    http::{self, AppState},
    service::{Services, reference},
    settings::{Mode, Settings},
};

/// A running application: its port and the future that serves until stopped.
pub struct Application {
    port: u16,
    server: Server,
    statements: Arc<AtomicU64>,
    metrics: Option<(u16, Server)>,
    state: web::Data<AppState>,
    drain: Duration,
}

/// Opens the database named in the settings, counting statements into `counter`.
pub async fn connect(
    settings: &Settings,
    counter: Option<Arc<AtomicU64>>,
) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = settings.database_url.strip_prefix("sqlite://")
        && let Some(parent) = std::path::Path::new(path.split('?').next().unwrap_or(path)).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).with_context(|| format!("Failed to create {}", parent.display()))?;
    }
    open(settings, settings.pool_size(), None, counter).await
}

/// The heavy reads' own connections (`Services::with_heavy_pool`): two per report turn (a
/// report reads on two lanes), so that they never take the pool the other requests read from,
/// opened on the heavy reads' threads so that SQLite's connection threads run at their lower
/// priority (`service::on_heavy_threads`). On PostgreSQL with `heavy_parallel_workers` parallel
/// workers per statement: several reports at once, each statement with two workers, had
/// ordinary reads waiting for the cores (a plain list's p99 74 ms with eight reports asked for
/// at once on two cores, 27 ms without). `None` for an in-memory SQLite database, which
/// another pool would not share.
pub async fn connect_heavy(
    settings: &Settings,
    counter: Option<Arc<AtomicU64>>,
) -> anyhow::Result<Option<DatabaseConnection>> {
    let url = &settings.database_url;
    if !settings.is_postgres() && (url.contains(":memory:") || url.contains("mode=memory")) {
        return Ok(None);
    }
    let size = 2 * settings.limits.max_concurrent_reports as u32;
    let workers = settings
        .is_postgres()
        .then_some(settings.limits.heavy_parallel_workers);
    let settings = settings.clone();
    crate::service::on_heavy_threads(async move { open(&settings, size, workers, counter).await })
        .await?
        .map(Some)
}

/// How the service's connections name themselves to PostgreSQL (`pg_stat_activity`).
pub const APPLICATION_NAME: &str = "samverkan";
/// How the heavy reads' own connections name themselves.
pub const HEAVY_APPLICATION_NAME: &str = "samverkan-heavy";

/// A pool of `size` connections to the database of the settings; on PostgreSQL with
/// `parallel_workers` per statement when given, else the server's own setting.
async fn open(
    settings: &Settings,
    size: u32,
    parallel_workers: Option<u32>,
    counter: Option<Arc<AtomicU64>>,
) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.max_connections(size)
        .min_connections(1)
        // Fail fast when the database is away: a request answers within about two seconds
        // and /readyz flips, instead of every request queueing for a connection.
        .connect_timeout(Duration::from_secs(2))
        .acquire_timeout(Duration::from_secs(2));
    // Not every statement is logged: only those slower than the setting (SQL text, no values).
    let slow = settings.limits.slow_statement_ms;
    opts.sqlx_logging(slow > 0)
        .sqlx_logging_level(log::LevelFilter::Off)
        .sqlx_slow_statements_logging_settings(log::LevelFilter::Warn, Duration::from_millis(slow));
    if settings.is_postgres() {
        // A statement never outlives the request that runs it: the database stops it a little
        // before the request's deadline, so the request answers the clean QUERY_TOO_COMPLEX
        // of a statement stopped at its limit (`error::stopped_at_time_limit`) and the
        // connection is free again, rather than the deadline dropping a request whose
        // statement still runs.
        let timeout = format!("{}ms", statement_timeout_ms(settings.limits.request_timeout_ms));
        // The heavy reads' connections name themselves in `pg_stat_activity`.
        let workers = parallel_workers.map(|n| n.to_string());
        opts.map_sqlx_postgres_opts(move |o| {
            let o = o.options([("statement_timeout", timeout.as_str())]);
            match &workers {
                Some(n) => o
                    .options([("max_parallel_workers_per_gather", n.as_str())])
                    .application_name(HEAVY_APPLICATION_NAME),
                None => o.application_name(APPLICATION_NAME),
            }
        });
    } else {
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    }
    let mut db = Database::connect(opts)
        .await
        .context("Failed to connect to DATABASE_URL")?;
    if let Some(counter) = counter {
        // The cost budgets' leases are taken in the background, not by the request whose work
        // the tests count.
        db.set_metric_callback(move |info| {
            if !info.statement.sql.contains("cost_budget") {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    Ok(db)
}

/// Applies pending migrations and seeds the reference data (and demo data when asked): on
/// PostgreSQL on a connection of its own, under the start-up lock and without a statement
/// timeout; on SQLite on `db`.
pub async fn prepare_database(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<()> {
    if !settings.is_postgres() {
        return prepare(db, settings).await;
    }
    // Replicas started at once take turns: a session-level advisory lock on a connection of
    // its own is held while one migrates and seeds, and the others then find nothing to do
    // (several at once fail on each other's CREATE TABLE). Closing the connection releases
    // the lock even if preparing fails. The work is done on that connection too, which has no
    // statement timeout: the requests' (90 % of their deadline, 9 s by default) would stop an
    // index built over a large county (migration 000031 takes 9 s at 500,000 projects), and
    // with it the start.
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.max_connections(1)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(2))
        .sqlx_logging(false);
    let lock = Database::connect(opts)
        .await
        .context("Failed to connect to DATABASE_URL")?;
    lock.execute_unprepared(&format!("SELECT pg_advisory_lock({STARTUP_LOCK})"))
        .await
        .context("Failed to take the start-up lock")?;
    let prepared = prepare(&lock, settings).await;
    let _ = lock
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({STARTUP_LOCK})"))
        .await;
    let _ = lock.close().await;
    prepared
}

/// How often a replica looks for new reference data (two counts).
const REFERENCE_POLL: Duration = Duration::from_secs(2);

/// The advisory lock key of start-up work ("samverka" in ASCII).
const STARTUP_LOCK: i64 = 0x7361_6d76_6572_6b61;

async fn prepare(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<()> {
    migration::Migrator::up(db, None)
        .await
        .context("Failed to apply migrations")?;
    reference::seed(db)
        .await
        .context("Failed to seed reference data")?;
    if settings.demo_data && settings.mode == Mode::Development {
        crate::demo::load(db).await.context("Failed to load demo data")?;
        crate::demo::load_inventory(db)
            .await
            .context("Failed to load the demo inventory")?;
    }
    Ok(())
}

impl Application {
    /// Connects, migrates, seeds and binds; the server starts serving when run.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let statements = Arc::new(AtomicU64::new(0));
        let db = connect(&settings, Some(statements.clone())).await?;
        prepare_database(&db, &settings).await?;
        let reference = Arc::new(serving(reference::Reference::load(&db).await?, &settings)?);
        let dev_secret = match settings.mode {
            Mode::Development => Some(auth::dev_secret(&settings.data_dir)?),
            Mode::Production => None,
        };
        let verifier = Verifier::from_settings(&settings, dev_secret.as_ref())?;
        let heavy = connect_heavy(&settings, Some(statements.clone())).await?;
        let services = Services::new(db, reference)
            .with_heavy_pool(heavy)
            .with_heavy_limit(
                settings.limits.max_concurrent_reports,
                Duration::from_millis(settings.limits.heavy_wait_ms),
            )
            .with_report_chunk(settings.limits.report_chunk)
            .with_count_budget(
                Duration::from_millis(settings.limits.count_budget_ms),
                settings.limits.count_estimate_from,
            );
        // The committee report's sums read the kept shares; a county is priced whole once
        // (after the upgrade that brought the table: 38 s at 500,000 projects); otherwise only
        // the stale splits are looked for (one read, 183 ms at that size).
        let started = std::time::Instant::now();
        let priced = services
            .keep_shares()
            .await
            .map_err(|e| anyhow::anyhow!("Failed to price the projects' cost shares: {e:?}"))?;
        if priced > 0 {
            tracing::info!(
                projects = priced,
                took_ms = started.elapsed().as_millis() as u64,
                "cost shares kept"
            );
        }
        // Serve once the largest counts and the reports' first figures are made, or after a
        // bounded wait while they go on in the background (readers then share them): a replica
        // joining a rolling restart should not make its first readers wait for a county's
        // count or its committee's first report for every benefit of the county.
        let warming = services.clone();
        // A failure is logged by the task itself: one past the wait has no one else to say it.
        let warm = tokio::spawn(async move {
            let warmed = async {
                warming.warm_project_counts().await?;
                warming.warm_report_figures().await
            };
            if let Err(e) = warmed.await {
                tracing::warn!(error = ?e, "could not count projects or measure report figures ahead; the first reads do");
            }
        });
        match tokio::time::timeout(std::time::Duration::from_secs(3), warm).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "counting and measuring ahead stopped"),
            Err(_) => tracing::info!("still counting and measuring ahead after 3 s; serving meanwhile"),
        }
        let schema = graphql::build_schema(Some(services.clone()), &settings.limits, settings.introspection);
        // Introspection-only documents are bounded by their own rule (graphql::cost), not by
        // the depth of data queries that the standard introspection query of tools exceeds.
        let mut introspection_limits = settings.limits.clone();
        introspection_limits.max_depth = 40;
        introspection_limits.max_complexity = usize::MAX / 2;
        let introspection = graphql::build_schema(
            Some(services.clone()),
            &introspection_limits,
            settings.introspection,
        );
        let mut state = AppState::new(schema, introspection, services, verifier, settings.limits.clone());
        state.explorer = settings.explorer_enabled();
        state.trusted_proxies = settings.trusted_proxies.clone();
        state.committee_template = settings.committee_template.clone();
        state.trusted = crate::http::trusted::Trusted::new(&settings.trusted_documents)
            .map_err(|e| anyhow::anyhow!("invalid setting trusted_documents: {e}"))?;
        state.public_url = settings.public_url.clone();
        state.catalogue_contact = settings.catalogue_contact.clone();
        state.freshness_by_county = settings.cache_freshness == "county";
        if state.catalogue_contact.is_none() {
            tracing::warn!("SAMVERKAN_CATALOGUE_CONTACT is unset: the DCAT catalogue names no contact point");
        }
        state.cache = crate::http::cache::ResponseCache::new(settings.response_cache_mb);
        state.verifier.start_key_refresh().await;
        let state = web::Data::new(state);
        // SIGHUP reloads the trusted documents' manifests: a portal's new build is trusted
        // without a restart; a manifest that fails its check leaves the previous in use.
        #[cfg(unix)]
        if !settings.trusted_documents.is_empty() {
            let reloaded = state.clone();
            let clients = settings.trusted_documents.clone();
            tokio::spawn(async move {
                use tokio::signal::unix::{SignalKind, signal};
                let Ok(mut hangups) = signal(SignalKind::hangup()) else {
                    tracing::warn!("cannot listen for SIGHUP; trusted documents reload only on restart");
                    return;
                };
                while hangups.recv().await.is_some() {
                    match reloaded.trusted.reload(&clients) {
                        Ok(n) => tracing::info!(documents = n, "trusted documents reloaded"),
                        Err(e) => {
                            tracing::error!(error = %e, "trusted documents not reloaded; the previous stay in use")
                        }
                    }
                }
            });
        }
        // A year of figures imported by `samverkan import-population` (another process) reaches
        // every replica within REFERENCE_POLL; answers cached before it are not served after.
        // On a connection of its own, outside the statement count that tests read.
        let refreshed = state.services.clone();
        let served = settings.served();
        let poll_db = connect(&settings, None).await?;
        tokio::spawn(async move {
            let mut every = tokio::time::interval(REFERENCE_POLL);
            loop {
                every.tick().await;
                match refreshed.refresh_reference(&poll_db, &served).await {
                    Ok(true) => {
                        tracing::info!("reference data reloaded (new population figures)");
                        // Splits that followed the previous current year are priced again.
                        if let Err(e) = refreshed.keep_shares().await {
                            tracing::warn!(error = ?e, "cost shares not priced again; reports split those projects themselves");
                        }
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "reference data not reloaded; the loaded stays in use")
                    }
                }
            }
        });
        let pruned = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            let mut logged = (0, 0);
            loop {
                every.tick().await;
                pruned.prune();
                pruned.budgets.forget_past().await;
                if let Some(cache) = &pruned.cache {
                    let s = cache.stats();
                    if (s.hits, s.misses) != logged {
                        tracing::info!(
                            hits = s.hits,
                            misses = s.misses,
                            shared = s.shared,
                            entries = s.entries,
                            bytes = s.bytes,
                            "response cache"
                        );
                        logged = (s.hits, s.misses);
                    }
                }
            }
        });

        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("invalid setting SAMVERKAN_BIND: cannot bind {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let origins = settings.cors_origins.clone();
        let body_limit = settings.limits.max_body_bytes;
        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            let cors = origins.iter().fold(
                Cors::default()
                    .allowed_methods(["GET", "POST"])
                    .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
                    .allowed_header("x-request-id")
                    .expose_headers(["x-request-id"])
                    .max_age(3600),
                |c, o| {
                    if o == "*" {
                        c.allow_any_origin()
                    } else {
                        c.allowed_origin(o)
                    }
                },
            );
            App::new()
                .app_data(app_state.clone())
                .app_data(web::PayloadConfig::new(body_limit))
                .wrap(cors)
                .wrap(actix_web::middleware::from_fn(http::observe::access))
                .route("/graphql", web::post().to(http::graphql_post))
                .route(
                    "/graphql",
                    web::get()
                        .guard(actix_web::guard::Header("upgrade", "websocket"))
                        .to(http::subscriptions),
                )
                .route("/graphql", web::get().to(http::graphql_get))
                .route("/explorer/{file}", web::get().to(http::explorer_asset))
                .route(
                    "/reports/{county}/committee.csv",
                    web::get().to(http::committee_csv),
                )
                .route(
                    "/reports/{county}/committee.pdf",
                    web::get().to(http::committee_pdf),
                )
                .route(
                    "/reports/audit/{kommun}.csv",
                    web::get().to(http::audit_readiness_csv),
                )
                .route("/archive/projects/{id}.zip", web::get().to(http::archive_package))
                .route("/catalogue/dcat", web::get().to(http::catalogue_dcat))
                .route("/schema.graphql", web::get().to(http::schema_sdl))
                .route(
                    "/catalogue/{kommun}.jsonld",
                    web::get().to(http::catalogue_schema_org),
                )
                .route(
                    "/catalogue/{kommun}/cpsv.jsonld",
                    web::get().to(http::catalogue_cpsv_ap),
                )
                .route("/healthz", web::get().to(http::healthz))
                .route("/readyz", web::get().to(http::readyz))
        })
        .shutdown_timeout(20)
        // SIGTERM is handled in `run_until_stopped`: readiness goes first, then the server.
        .disable_signals()
        .listen(listener)?;
        if let Some(w) = settings.workers {
            server = server.workers(w);
        }
        let metrics = match settings.metrics_bind.as_str() {
            "off" => None,
            bind => {
                let listener = TcpListener::bind(bind).with_context(|| {
                    format!("invalid setting SAMVERKAN_METRICS_BIND: cannot bind {bind} (\"off\" turns the metrics listener off)")
                })?;
                let port = listener.local_addr()?.port();
                let metrics_state = state.clone();
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(metrics_state.clone())
                        .route("/metrics", web::get().to(http::observe::metrics))
                })
                .workers(1)
                .disable_signals()
                .listen(listener)?
                .run();
                Some((port, server))
            }
        };
        Ok(Self {
            port,
            server: server.run(),
            statements,
            metrics,
            state,
            drain: Duration::from_secs(settings.drain_seconds),
        })
    }

    /// The port of the metrics listener, if it is on.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A counter of SQL statements run so far, for tests that check query counts.
    pub fn statement_counter(&self) -> Arc<AtomicU64> {
        self.statements.clone()
    }

    /// Serves until SIGTERM or SIGINT, then drains: `/readyz` answers 503 for
    /// `drain_seconds` while requests are still served (a load balancer's health check
    /// takes the replica out meanwhile), then the listener closes and the requests under way
    /// finish (up to 20 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let metrics_handle = self.metrics.as_ref().map(|(_, s)| s.handle());
        let (state, drain) = (self.state.clone(), self.drain);
        tokio::spawn(async move {
            stop_signal().await;
            tracing::info!(
                drain_seconds = drain.as_secs(),
                "stopping: /readyz answers 503, requests are still served while load balancers notice"
            );
            state.draining.store(true, Ordering::Relaxed);
            tokio::time::sleep(drain).await;
            tracing::info!("stopping: no new connections; waiting for requests under way");
            handle.stop(true).await;
            if let Some(m) = metrics_handle {
                m.stop(true).await;
            }
        });
        if let Some((_, metrics)) = self.metrics {
            tokio::spawn(metrics);
        }
        let served = self.server.await;
        tracing::info!("stopped");
        served
    }
}

/// SIGTERM (what process supervisors and container runtimes send) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// An empty, migrated in-memory SQLite database on one connection, for unit tests that need
/// real SQL.
#[cfg(test)]
pub(crate) async fn in_memory_database() -> DatabaseConnection {
    let settings = Settings::from_sources(&[
        ("DATABASE_URL".into(), "sqlite::memory:".into()),
        ("SAMVERKAN_DB_MAX_CONNECTIONS".into(), "1".into()),
        ("SAMVERKAN_DEMO_DATA".into(), "false".into()),
    ])
    .expect("in-memory settings");
    let db = connect(&settings, None).await.expect("in-memory database");
    prepare_database(&db, &settings).await.expect("migrations");
    db
}

/// PostgreSQL's `statement_timeout` for a request deadline of `request_ms`: 90 % of it, so the
/// database stops a statement before the deadline stops the request.
pub fn statement_timeout_ms(request_ms: u64) -> u64 {
    (request_ms * 9 / 10).max(1)
}

/// The reference data of the counties `settings` serve; a county code that names no county
/// stops the start.
fn serving(all: reference::Reference, settings: &Settings) -> anyhow::Result<reference::Reference> {
    let served = settings.served();
    if let reference::Served::Counties(codes) = &served {
        for code in codes {
            anyhow::ensure!(
                all.county_by_code(code).is_some(),
                "invalid setting SAMVERKAN_COUNTIES: there is no county {code} (länskoder are 01 to 25)"
            );
        }
    }
    Ok(all.serving(&served))
}
