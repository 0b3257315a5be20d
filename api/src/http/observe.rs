//! What operators see of the traffic: one access-log line per request at INFO, and the
//! Prometheus metrics served on their own listener (`metrics_bind`, loopback by default).
//!
//! Handlers say what they know through the request and response extensions: the boundary
//! puts the caller's kommun ([`Kommun`]) on the request, the GraphQL handler the operation
//! name ([`Operation`]) and every answer its first error code ([`Outcome`]) on the response;
//! the middleware reads them once the response is built. Tokens and bodies are never logged.
use std::{
    collections::HashSet,
    sync::{Mutex, atomic::AtomicU64},
    time::Instant,
};

use actix_web::{
    Error, HttpMessage, HttpResponse,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use super::AppState;

/// The kommun of the caller, as the boundary verified it.
#[derive(Clone)]
pub struct Kommun(pub String);

/// The name of the GraphQL operation that ran: as the request gave it, or as the document
/// names its only operation.
#[derive(Clone)]
pub struct Operation(pub Option<String>);

/// The first error code of an answer; none for a clean answer.
#[derive(Clone, Copy)]
pub struct Outcome(pub &'static str);

/// Operation names become label values only up to this many distinct ones (a client can
/// send any name; beyond it they count as `other`), so the metrics stay bounded.
const MAX_OPERATION_NAMES: usize = 200;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    operation: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageLabels {
    stage: &'static str,
}

/// The stages a GraphQL request goes through (`http::graphql`), in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Size, parse, GET refuses mutations.
    Admit,
    /// The response cache (queries only).
    Cached,
    /// Validation and the cost walk.
    Plan,
    /// The schema runs the operation under the deadline.
    Execute,
    /// The answer serialized, classified, kept.
    Respond,
}

impl Stage {
    /// Every stage, in order (and in the order of `Metrics::stages`).
    pub const ALL: [Stage; 5] = [
        Stage::Admit,
        Stage::Cached,
        Stage::Plan,
        Stage::Execute,
        Stage::Respond,
    ];

    /// The stage's name in spans and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Admit => "admit",
            Stage::Cached => "cached",
            Stage::Plan => "plan",
            Stage::Execute => "execute",
            Stage::Respond => "respond",
        }
    }
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    /// One histogram per stage, resolved once: observing is then a few atomic adds, with no
    /// lock or label hash on the request's path.
    stages: [Histogram; 5],
    rate_limited: Counter,
    pool_size: Gauge,
    pool_idle: Gauge,
    cache_hits: Counter,
    cache_misses: Counter,
    cache_shared: Counter,
    cache_bytes: Gauge,
    subscriptions: Gauge,
    operation_names: Mutex<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric under the `samverkan_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("samverkan");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests by route, GraphQL operation name and first error code (OK for none)",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time from the request's arrival to its response, by route",
            latency.clone(),
        );
        let stages = Family::<StageLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_005, 2.0, 20))
        });
        registry.register(
            "graphql_stage_duration_seconds",
            "Time a GraphQL request spent in each stage (admit, cached, plan, execute, respond)",
            stages.clone(),
        );
        let stages = Stage::ALL.map(|stage| {
            stages
                .get_or_create(&StageLabels {
                    stage: stage.as_str(),
                })
                .clone()
        });
        let rate_limited = Counter::default();
        registry.register(
            "rate_limited_requests",
            "Requests refused by the rate limit (per replica)",
            rate_limited.clone(),
        );
        let pool_size = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Open database connections not in use (in use = open - idle)",
            pool_idle.clone(),
        );
        let cache_hits = Counter::default();
        registry.register(
            "response_cache_hits",
            "Answers sent from the response cache",
            cache_hits.clone(),
        );
        let cache_misses = Counter::default();
        registry.register(
            "response_cache_misses",
            "Cacheable queries that had to run",
            cache_misses.clone(),
        );
        let cache_shared = Counter::default();
        registry.register(
            "response_cache_shared",
            "Misses answered by another request computing the same answer at the same time",
            cache_shared.clone(),
        );
        let cache_bytes = Gauge::default();
        registry.register(
            "response_cache_bytes",
            "Bytes held by the response cache",
            cache_bytes.clone(),
        );
        let subscriptions = Gauge::default();
        registry.register(
            "subscriptions_open",
            "Subscriptions running on this replica",
            subscriptions.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            stages,
            rate_limited,
            pool_size,
            pool_idle,
            cache_hits,
            cache_misses,
            cache_shared,
            cache_bytes,
            subscriptions,
            operation_names: Mutex::new(HashSet::new()),
        }
    }

    /// A subscription started.
    pub fn subscription_opened(&self) {
        self.subscriptions.inc();
    }

    /// A subscription ended.
    pub fn subscription_closed(&self) {
        self.subscriptions.dec();
    }

    /// Time a GraphQL request spent in one stage.
    pub fn stage(&self, stage: Stage, took: std::time::Duration) {
        self.stages[stage as usize].observe(took.as_secs_f64());
    }

    /// One more request refused by the rate limit.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return "anonymous".into();
        };
        let valid = name.len() <= 64
            && name.starts_with(|c: char| c == '_' || c.is_ascii_alphabetic())
            && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
        if !valid {
            return "other".into();
        }
        let mut seen = self.operation_names.lock().unwrap_or_else(|e| e.into_inner());
        if seen.contains(name) || (seen.len() < MAX_OPERATION_NAMES && seen.insert(name.to_owned())) {
            name.to_owned()
        } else {
            "other".into()
        }
    }

    /// The metrics in the Prometheus text format, with the gauges read now.
    pub fn render(&self, state: &AppState) -> String {
        if let Some((size, idle)) = state.services.pool_usage() {
            self.pool_size.set(i64::from(size));
            self.pool_idle.set(idle as i64);
        }
        if let Some(cache) = &state.cache {
            let s = cache.stats();
            catch_up(&self.cache_hits, s.hits);
            catch_up(&self.cache_misses, s.misses);
            catch_up(&self.cache_shared, s.shared);
            self.cache_bytes.set(s.bytes as i64);
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Raises a counter to a running total kept elsewhere.
fn catch_up(counter: &Counter<u64, AtomicU64>, total: u64) {
    let now = counter.get();
    if total > now {
        counter.inc_by(total - now);
    }
}

/// The access log and the request metrics, around every route of the service.
pub async fn access(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    let elapsed = started.elapsed();
    let status = res.status();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let kommun = res
        .request()
        .extensions()
        .get::<Kommun>()
        .map(|k| k.0.clone())
        .unwrap_or_default();
    let operation = res
        .response()
        .extensions()
        .get::<Operation>()
        .and_then(|o| o.0.clone());
    let code = res.response().extensions().get::<Outcome>().map_or("OK", |o| o.0);
    let request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    tracing::info!(
        target: "samverkan::access",
        method = %method,
        path = %path,
        status = status.as_u16(),
        latency_ms = (elapsed.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        request_id = %request_id,
        kommun = %kommun,
        operation = operation.as_deref().unwrap_or(""),
        code,
        "request"
    );
    if let Some(state) = state {
        let m = &state.metrics;
        m.requests
            .get_or_create(&RequestLabels {
                route: route.clone(),
                operation: m.operation_label(operation.as_deref()),
                code: code.to_owned(),
            })
            .inc();
        m.latency
            .get_or_create(&RouteLabels { route })
            .observe(elapsed.as_secs_f64());
    }
    Ok(res)
}

/// Marks an answer with its first error code, for the log and the metrics.
pub fn with_outcome(mut res: HttpResponse, code: Option<&'static str>) -> HttpResponse {
    if let Some(code) = code {
        res.extensions_mut().insert(Outcome(code));
    }
    res
}

/// `GET /metrics` on the metrics listener.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(&state))
}
