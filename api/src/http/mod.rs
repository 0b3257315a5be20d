//! The HTTP layer: `boundary` (what every request passes: request id, token, rate limit),
//! `graphql` (GraphQL over HTTP), `subscriptions` (over WebSocket), `explorer` (the bundled GraphiQL page), `media` (content negotiation and errors-only
//! answers), `health`, `reports` (the committee CSV), `archive` (archive packages), `catalogue` (the catalogue as linked data); `AppState` is what they share.
//!
//! async-graphql's actix integration answers 200 to everything and runs mutations over GET,
//! so `graphql` does the HTTP part itself around `Schema::execute`.
use std::{num::NonZeroU32, sync::Arc};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

mod archive;
mod boundary;
pub mod budget;
pub mod cache;
mod catalogue;
mod documents;
mod explorer;
mod graphql;
mod health;
mod media;
pub mod observe;
mod reports;
mod subscriptions;
pub mod trusted;

pub use archive::project_package as archive_package;
pub use boundary::{Authenticated, Refusal};
pub use catalogue::{
    cpsv_ap as catalogue_cpsv_ap, dcat as catalogue_dcat, schema_org as catalogue_schema_org, schema_sdl,
};
pub use explorer::asset as explorer_asset;
pub use graphql::{graphql_get, graphql_post};
pub use health::{healthz, readyz};
use media::{Media, negotiate, refuse, request_id};
pub use reports::{audit_readiness_csv, committee_csv, committee_pdf};
pub use subscriptions::subscriptions;

use crate::{auth::Verifier, graphql::SamverkanSchema, service::Services, settings::Limits};

/// Parsed documents kept, as estimated tree bytes: thousands of typical documents.
const DOCUMENT_CACHE_BYTES: u64 = 16 << 20;

/// Everything the HTTP handlers share.
pub struct AppState {
    pub schema: SamverkanSchema,
    /// The same schema for introspection-only documents, which `graphql::cost` bounds by its
    /// own rule instead of the depth limit of data queries.
    pub introspection: SamverkanSchema,
    cost: crate::graphql::cost::CostModel,
    pub services: Services,
    pub verifier: Arc<Verifier>,
    pub limits: Limits,
    /// Keyed by a hash of the principal or client address, so a key costs the same whatever
    /// the token's `sub`; `prune` drops keys that have recovered their full quota.
    pub rate: DefaultKeyedRateLimiter<u64>,
    rate_keys: std::hash::RandomState,
    /// Whether `GET /graphql` serves the explorer to browsers.
    pub explorer: bool,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The cost budgets per kommun and per client address.
    pub budgets: Arc<budget::Budgets>,
    /// The trusted documents of clients that run a fixed set of operations.
    pub trusted: trusted::Trusted,
    /// The service's public address for documents that name it (the DCAT catalogue); the
    /// request's own address when `None`.
    pub public_url: Option<String>,
    /// The contact point's e-mail in the DCAT catalogue.
    pub catalogue_contact: Option<String>,
    /// The county's own typst template for the committee's PDF; the shipped one when `None`.
    pub committee_template: Option<std::path::PathBuf>,
    /// Whole answers of repeated reads; `None` when turned off.
    pub cache: Option<cache::ResponseCache>,
    /// Whether a cached answer follows only its county's and the national changes (the
    /// default), or every change (`cache_freshness = "global"`, kept for comparison).
    pub freshness_by_county: bool,
    /// Parsed documents by their text.
    pub documents: documents::Documents,
    /// Request counts, latencies and the gauges served at `/metrics`.
    pub metrics: observe::Metrics,
    /// Set on SIGTERM: `/readyz` answers 503 so that load balancers stop sending requests
    /// while the ones under way finish.
    pub draining: std::sync::atomic::AtomicBool,
    /// Subscription connections by principal, for their bound.
    pub connections: subscriptions::Connections,
}

impl AppState {
    /// Assembles the shared state.
    pub fn new(
        schema: SamverkanSchema,
        introspection: SamverkanSchema,
        services: Services,
        verifier: Verifier,
        limits: Limits,
    ) -> Self {
        let budgets = budget::Budgets::new(
            limits.cost_per_minute,
            limits.anonymous_cost_per_minute,
            services.budget_ledger(),
        );
        let per_minute = NonZeroU32::new(limits.requests_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            schema,
            introspection,
            cost: crate::graphql::cost::CostModel::from_sdl(&crate::graphql::sdl()),
            services,
            verifier: Arc::new(verifier),
            limits,
            rate: RateLimiter::keyed(Quota::per_minute(per_minute)),
            rate_keys: std::hash::RandomState::new(),
            explorer: true,
            trusted_proxies: Vec::new(),
            cache: None,
            documents: documents::Documents::new(DOCUMENT_CACHE_BYTES),
            metrics: observe::Metrics::new(),
            draining: std::sync::atomic::AtomicBool::new(false),
            connections: subscriptions::Connections::default(),
            committee_template: None,
            budgets,
            trusted: trusted::Trusted::default(),
            public_url: None,
            catalogue_contact: None,
            freshness_by_county: true,
        }
    }
}
