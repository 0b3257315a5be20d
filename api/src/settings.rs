//! Typed settings: defaults, then an optional TOML file (`SAMVERKAN_CONFIG`), then
//! environment variables with the `SAMVERKAN_` prefix (and the conventional `DATABASE_URL`).
use std::{fmt, path::PathBuf};

use serde::Deserialize;

/// Whether the service runs for local development or in production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A local HS256 issuer mints tokens (`samverkan token`); demo data is loaded.
    Development,
    /// Only configured issuers are trusted; start-up refuses the development issuer.
    Production,
}

/// A value that must never be printed, such as a shared secret.
#[derive(Clone, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: String) -> Self {
        Self(s)
    }
    /// The secret itself; use only where it is needed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// One trusted token issuer (identity provider), with its algorithm pinned.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerSettings {
    /// The `iss` claim this issuer puts in its tokens.
    pub issuer: String,
    /// The `aud` claim tokens for this service must carry.
    pub audience: String,
    /// `HS256`, `RS256` or `ES256`.
    pub algorithm: String,
    /// HS256 only: the shared secret.
    #[serde(default)]
    pub secret: Option<Secret>,
    /// RS256/ES256: a PEM file with the public key.
    #[serde(default)]
    pub public_key_file: Option<PathBuf>,
    /// RS256/ES256: a JWKS document; the token's `kid` picks the key.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// RS256/ES256: where the issuer publishes its keys (a JWKS document), fetched at start,
    /// refreshed every `jwks_refresh_seconds` and when a token names a `kid` not yet known.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// RS256/ES256: find the JWKS URL by OIDC discovery at
    /// `{issuer}/.well-known/openid-configuration`.
    #[serde(default)]
    pub discovery: bool,
    /// How often fetched keys are refreshed (default 300 s).
    #[serde(default)]
    pub jwks_refresh_seconds: Option<u64>,
    /// The least time between two fetches caused by unknown `kid`s (default 30 s), so that
    /// made-up `kid`s cannot make the service hammer the identity provider.
    #[serde(default)]
    pub jwks_refetch_min_seconds: Option<u64>,
    /// Where the kommunkod is in the token, a claim name or a dotted path (default `kommun`).
    /// A token without it speaks for the issuer's kommun when `kommuner` names exactly one.
    #[serde(default)]
    pub kommun_claim: Option<String>,
    /// Where the roles are, e.g. `realm_access.roles` for Keycloak (default `roles`).
    #[serde(default)]
    pub roles_claim: Option<String>,
    /// The identity provider's role names and the role each grants here, e.g.
    /// `"Samverkan.Editor" = "editor"`. When set, roles it does not name are ignored (an
    /// identity provider's tokens carry roles for other systems); when empty, every role must
    /// be one of this service's and any other refuses the token.
    #[serde(default)]
    pub role_names: std::collections::BTreeMap<String, String>,
    /// The kommunkoder this issuer may speak for; `["*"]` for any.
    pub kommuner: Vec<String>,
}

/// Bounds on what one request may ask for; refused before any database work.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Most fields, with lists counted by their page size.
    pub max_complexity: usize,
    /// Most aliases in one document.
    pub max_aliases: usize,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Longest query text.
    pub max_query_chars: usize,
    /// Requests per minute for one principal (or one client address without a token).
    pub requests_per_minute: u32,
    /// Fields a document may resolve, lists multiplied out (`graphql::cost`).
    pub max_cost: u64,
    /// A kommun's cost budget per minute: every request of its callers is charged what its
    /// document costs (the walk that admits it); shared by every replica on PostgreSQL.
    pub cost_per_minute: u64,
    /// The same budget per client address for callers without a token.
    pub anonymous_cost_per_minute: u64,
    /// A request still running after this long is stopped (a statement timeout on PostgreSQL too).
    pub request_timeout_ms: u64,
    /// A statement that runs longer than this is logged (warning, target `sqlx::query`, the
    /// SQL without its values); 0 logs none.
    pub slow_statement_ms: u64,
    /// A response larger than this is not sent.
    pub max_response_bytes: usize,
    /// Subscriptions one WebSocket connection may run at once.
    pub max_subscriptions_per_connection: usize,
    /// Subscription connections one user (kommun and `sub`) may hold open on a replica.
    pub max_connections_per_principal: usize,
    /// Heavy reads (the committee report and its CSV, the audit's answers, archive packages)
    /// built at once on a replica; more wait their turn, up to `heavy_wait_ms`. By default half
    /// the cores, at least one: as many as the heavy reads' threads.
    pub max_concurrent_reports: usize,
    /// How long a heavy read waits for its turn before `RATE_LIMITED` with `Retry-After`.
    pub heavy_wait_ms: u64,
    /// PostgreSQL's parallel workers per statement of a heavy read (its own connections'
    /// `max_parallel_workers_per_gather`).
    pub heavy_parallel_workers: u32,
    /// Projects the committee report reads at a time with their children: its memory is
    /// bounded by this, not by the county.
    pub report_chunk: u64,
    /// How long a list's first `totalCount` may take before an upper bound stands in
    /// (`totalCountExact: false`) while the count goes on for the next reader.
    pub count_budget_ms: u64,
    /// Counts whose bound (the part's projects without the filter) is below this are waited
    /// for even past the budget: they are slow only at a busy moment.
    pub count_estimate_from: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 5_000,
            max_aliases: 30,
            max_body_bytes: 256 * 1024,
            max_query_chars: 32 * 1024,
            requests_per_minute: 6_000,
            max_cost: 25_000,
            cost_per_minute: 1_000_000,
            anonymous_cost_per_minute: 100_000,
            request_timeout_ms: 10_000,
            slow_statement_ms: 1_000,
            max_response_bytes: 8 * 1024 * 1024,
            max_subscriptions_per_connection: 20,
            max_connections_per_principal: 10,
            // On two cores a second report at once (its thread and its database backend)
            // left a plain list's p99 at 10-12 ms beside eight reports, one at a time 6-7 ms,
            // and the eight done as soon (PostgreSQL, 500,000 projects).
            max_concurrent_reports: half_the_cores(),
            heavy_wait_ms: 5_000,
            heavy_parallel_workers: 0,
            report_chunk: 1_000,
            count_budget_ms: 100,
            count_estimate_from: 10_000,
        }
    }
}

/// Half the machine's cores, at least one: the heavy reads' threads (`service::heavy_threads`)
/// and, by default, their turns.
pub fn half_the_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// What a client may send when a manifest of trusted documents applies to it.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TrustMode {
    /// The manifest is not consulted for this client (documents by id still resolve).
    Off,
    /// Documents by id or by text, listed or not.
    AllowUnlisted,
    /// Only the manifest's documents, by id or by identical text; anything else is refused
    /// before it is parsed.
    #[default]
    Enforce,
}

/// A client's trusted documents (persisted operations): its build's manifest and whom it
/// applies to.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedClient {
    /// The client's name, for the log.
    pub name: String,
    /// A JSON object from `sha256:<hex>` to the document's text (graphql-codegen's client
    /// preset with `persistedDocuments` writes it).
    pub manifest: PathBuf,
    /// Tokens of this issuer only (`iss`); unset: any issuer.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Tokens with any of these roles.
    #[serde(default = "integration_role")]
    pub roles: Vec<String>,
    /// Also callers without a token (a portal reading the public catalogue).
    #[serde(default)]
    pub anonymous: bool,
    /// What the client may send (default `enforce`).
    #[serde(default)]
    pub mode: TrustMode,
}

fn integration_role() -> Vec<String> {
    vec!["integration".into()]
}

/// Everything the service reads at start-up.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Folder for the embedded database and the development signing secret.
    pub data_dir: PathBuf,
    /// Development (dev issuer, demo data) or production.
    pub mode: Mode,
    /// Issuers trusted besides the development issuer.
    pub issuers: Vec<IssuerSettings>,
    /// Origins allowed by CORS; `*` allows any.
    pub cors_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the rate limit of
    /// callers without a valid token); from anyone else the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Answer introspection queries.
    pub introspection: bool,
    /// Serve the explorer at `GET /graphql`; unset means on in development, off in production.
    pub explorer: Option<bool>,
    /// Load a few demo projects into an empty database.
    pub demo_data: bool,
    /// HTTP worker threads; defaults to the number of cores.
    pub workers: Option<usize>,
    /// Maximum database connections in the pool; unset means 16 on PostgreSQL and 8 on SQLite
    /// ([`Settings::pool_size`]).
    pub db_max_connections: Option<u32>,
    /// `pretty` or `json` log lines.
    pub log_format: String,
    /// Bound of the response cache in MB; 0 turns it off.
    pub response_cache_mb: u64,
    /// Where Prometheus metrics are served (`/metrics`); `off` turns them off.
    pub metrics_bind: String,
    /// On SIGTERM, how long `/readyz` answers 503 while requests are still served, before
    /// the listener closes.
    pub drain_seconds: u64,
    /// Where spans go as OTLP over HTTP (JSON), e.g. `http://collector:4318/v1/traces`;
    /// unset (the default) exports nothing.
    pub otlp_endpoint: Option<String>,
    /// A county's own typst template for the committee's PDF (read at each request; it reads
    /// the report from `/data.json` as the shipped `api/src/papers/committee.typ` does).
    pub committee_template: Option<PathBuf>,
    /// Clients that run trusted documents, each with its manifest (first match wins).
    pub trusted_documents: Vec<TrustedClient>,
    /// The service's public address (`https://samverkan.region.example`) for the documents
    /// that name it, such as the DCAT catalogue; unset means the address each request used.
    pub public_url: Option<String>,
    /// The e-mail the DCAT catalogue gives as the API's and the e-services' contact point.
    pub catalogue_contact: Option<String>,
    /// The counties this deployment serves: länskoder separated by commas (`18`, `14,18`), or
    /// `*` for all 21. Tokens of kommuner elsewhere are refused and lists show only these.
    pub counties: String,
    /// What a cached answer follows: `county` (its county's and the national changes; the
    /// default) or `global` (every change, as before per-county freshness; for comparison).
    pub cache_freshness: String,
    /// Bounds on one request.
    pub limits: Limits,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: String::new(),
            data_dir: PathBuf::from("data"),
            mode: Mode::Development,
            issuers: Vec::new(),
            cors_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            introspection: true,
            explorer: None,
            demo_data: true,
            workers: None,
            db_max_connections: None,
            log_format: "pretty".into(),
            response_cache_mb: 64,
            metrics_bind: "127.0.0.1:9464".into(),
            drain_seconds: 5,
            otlp_endpoint: None,
            committee_template: None,
            trusted_documents: Vec::new(),
            public_url: None,
            catalogue_contact: None,
            counties: "18".into(),
            cache_freshness: "county".into(),
            limits: Limits::default(),
        }
    }
}

impl Settings {
    /// The counties served (`counties`, checked when the settings were read).
    pub fn served(&self) -> crate::reference::Served {
        crate::reference::Served::parse(&self.counties).unwrap_or(crate::reference::Served::All)
    }

    /// Whether the explorer is served: as set, else only in development.
    pub fn explorer_enabled(&self) -> bool {
        self.explorer.unwrap_or(self.mode == Mode::Development)
    }
}

/// A setting that could not be used, named so the operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {reason}")]
pub struct SettingsError {
    /// The setting, as the environment spells it.
    pub name: String,
    /// Why it was refused.
    pub reason: String,
}

fn bad(name: &str, reason: impl Into<String>) -> SettingsError {
    SettingsError {
        name: name.into(),
        reason: reason.into(),
    }
}

impl Settings {
    /// Reads the settings from the file named by `SAMVERKAN_CONFIG` (if any) and the
    /// environment.
    pub fn load() -> Result<Self, SettingsError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::from_sources(&vars)
    }

    /// Builds settings from explicit environment pairs; `load` passes the process environment.
    pub fn from_sources(vars: &[(String, String)]) -> Result<Self, SettingsError> {
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let mut s = match get("SAMVERKAN_CONFIG") {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| bad("SAMVERKAN_CONFIG", format!("cannot read {path}: {e}")))?;
                toml::from_str(&text).map_err(|e| bad("SAMVERKAN_CONFIG", e.message().to_string()))?
            }
            None => Settings::default(),
        };
        if let Some(v) = get("SAMVERKAN_BIND") {
            s.bind = v;
        }
        if let Some(v) = get("DATABASE_URL").or_else(|| get("SAMVERKAN_DATABASE_URL")) {
            s.database_url = v;
        }
        if let Some(v) = get("SAMVERKAN_DATA_DIR") {
            s.data_dir = v.into();
        }
        if let Some(v) = get("SAMVERKAN_MODE") {
            s.mode = match v.as_str() {
                "development" => Mode::Development,
                "production" => Mode::Production,
                _ => return Err(bad("SAMVERKAN_MODE", "expected development or production")),
            };
        }
        if let Some(v) = get("SAMVERKAN_CORS_ORIGINS") {
            s.cors_origins = v
                .split(',')
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect();
        }
        let flag = |name: &str, v: String| match v.as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(bad(name, "expected true or false")),
        };
        if let Some(v) = get("SAMVERKAN_INTROSPECTION") {
            s.introspection = flag("SAMVERKAN_INTROSPECTION", v)?;
        }
        if let Some(v) = get("SAMVERKAN_TRUSTED_PROXIES") {
            s.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse()
                        .map_err(|_| bad("SAMVERKAN_TRUSTED_PROXIES", format!("'{p}' is not an IP address")))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = get("SAMVERKAN_OTLP_ENDPOINT") {
            let v = v.trim();
            if !(v.is_empty() || v.starts_with("http://") || v.starts_with("https://")) {
                return Err(bad("SAMVERKAN_OTLP_ENDPOINT", "expected an http(s) address"));
            }
            s.otlp_endpoint = (!v.is_empty()).then(|| v.to_owned());
        }
        if let Some(v) = get("SAMVERKAN_EXPLORER") {
            s.explorer = Some(flag("SAMVERKAN_EXPLORER", v)?);
        }
        if let Some(v) = get("SAMVERKAN_DEMO_DATA") {
            s.demo_data = flag("SAMVERKAN_DEMO_DATA", v)?;
        }
        let number = |name: &str, v: String| {
            v.parse::<usize>()
                .map_err(|_| bad(name, "expected a whole number"))
        };
        if let Some(v) = get("SAMVERKAN_WORKERS") {
            s.workers = Some(number("SAMVERKAN_WORKERS", v)?.max(1));
        }
        if let Some(v) = get("SAMVERKAN_DB_MAX_CONNECTIONS") {
            s.db_max_connections = Some(number("SAMVERKAN_DB_MAX_CONNECTIONS", v)?.max(1) as u32);
        }
        if let Some(v) = get("SAMVERKAN_MAX_DEPTH") {
            s.limits.max_depth = number("SAMVERKAN_MAX_DEPTH", v)?;
        }
        if let Some(v) = get("SAMVERKAN_MAX_COMPLEXITY") {
            s.limits.max_complexity = number("SAMVERKAN_MAX_COMPLEXITY", v)?;
        }
        if let Some(v) = get("SAMVERKAN_MAX_ALIASES") {
            s.limits.max_aliases = number("SAMVERKAN_MAX_ALIASES", v)?;
        }
        if let Some(v) = get("SAMVERKAN_MAX_BODY_BYTES") {
            s.limits.max_body_bytes = number("SAMVERKAN_MAX_BODY_BYTES", v)?;
        }
        if let Some(v) = get("SAMVERKAN_MAX_QUERY_CHARS") {
            s.limits.max_query_chars = number("SAMVERKAN_MAX_QUERY_CHARS", v)?;
        }
        if let Some(v) = get("SAMVERKAN_MAX_COST") {
            s.limits.max_cost = number("SAMVERKAN_MAX_COST", v)? as u64;
        }
        if let Some(v) = get("SAMVERKAN_COST_PER_MINUTE") {
            s.limits.cost_per_minute = (number("SAMVERKAN_COST_PER_MINUTE", v)? as u64).max(1);
        }
        if let Some(v) = get("SAMVERKAN_ANONYMOUS_COST_PER_MINUTE") {
            s.limits.anonymous_cost_per_minute =
                (number("SAMVERKAN_ANONYMOUS_COST_PER_MINUTE", v)? as u64).max(1);
        }
        if let Some(v) = get("SAMVERKAN_REQUEST_TIMEOUT_MS") {
            s.limits.request_timeout_ms = (number("SAMVERKAN_REQUEST_TIMEOUT_MS", v)? as u64).max(100);
        }
        if let Some(v) = get("SAMVERKAN_SLOW_STATEMENT_MS") {
            s.limits.slow_statement_ms = number("SAMVERKAN_SLOW_STATEMENT_MS", v)? as u64;
        }
        if let Some(v) = get("SAMVERKAN_MAX_CONCURRENT_REPORTS") {
            s.limits.max_concurrent_reports = number("SAMVERKAN_MAX_CONCURRENT_REPORTS", v)?.max(1);
        }
        if let Some(v) = get("SAMVERKAN_HEAVY_WAIT_MS") {
            s.limits.heavy_wait_ms = number("SAMVERKAN_HEAVY_WAIT_MS", v)? as u64;
        }
        if let Some(v) = get("SAMVERKAN_HEAVY_PARALLEL_WORKERS") {
            s.limits.heavy_parallel_workers = number("SAMVERKAN_HEAVY_PARALLEL_WORKERS", v)? as u32;
        }
        if let Some(v) = get("SAMVERKAN_COUNT_BUDGET_MS") {
            s.limits.count_budget_ms = number("SAMVERKAN_COUNT_BUDGET_MS", v)? as u64;
        }
        if let Some(v) = get("SAMVERKAN_COUNT_ESTIMATE_FROM") {
            s.limits.count_estimate_from = number("SAMVERKAN_COUNT_ESTIMATE_FROM", v)? as u64;
        }
        if let Some(v) = get("SAMVERKAN_REPORT_CHUNK") {
            s.limits.report_chunk = (number("SAMVERKAN_REPORT_CHUNK", v)? as u64).max(1);
        }
        if let Some(v) = get("SAMVERKAN_MAX_RESPONSE_BYTES") {
            s.limits.max_response_bytes = number("SAMVERKAN_MAX_RESPONSE_BYTES", v)?;
        }
        if let Some(v) = get("SAMVERKAN_MAX_SUBSCRIPTIONS_PER_CONNECTION") {
            s.limits.max_subscriptions_per_connection =
                number("SAMVERKAN_MAX_SUBSCRIPTIONS_PER_CONNECTION", v)?;
        }
        if let Some(v) = get("SAMVERKAN_MAX_CONNECTIONS_PER_PRINCIPAL") {
            s.limits.max_connections_per_principal = number("SAMVERKAN_MAX_CONNECTIONS_PER_PRINCIPAL", v)?;
        }
        if let Some(v) = get("SAMVERKAN_RATE_LIMIT_PER_MINUTE") {
            s.limits.requests_per_minute = number("SAMVERKAN_RATE_LIMIT_PER_MINUTE", v)? as u32;
        }
        if let Some(v) = get("SAMVERKAN_RESPONSE_CACHE_MB") {
            s.response_cache_mb = number("SAMVERKAN_RESPONSE_CACHE_MB", v)? as u64;
        }
        if let Some(v) = get("SAMVERKAN_METRICS_BIND") {
            s.metrics_bind = v;
        }
        if let Some(v) = get("SAMVERKAN_DRAIN_SECONDS") {
            s.drain_seconds = number("SAMVERKAN_DRAIN_SECONDS", v)? as u64;
        }
        if let Some(v) = get("SAMVERKAN_TRUSTED_DOCUMENTS") {
            let mode = match get("SAMVERKAN_TRUSTED_DOCUMENTS_MODE").as_deref() {
                None | Some("enforce") => TrustMode::Enforce,
                Some("allow-unlisted") => TrustMode::AllowUnlisted,
                Some("off") => TrustMode::Off,
                Some(other) => {
                    return Err(bad(
                        "SAMVERKAN_TRUSTED_DOCUMENTS_MODE",
                        format!("'{other}': expected enforce, allow-unlisted or off"),
                    ));
                }
            };
            s.trusted_documents.push(TrustedClient {
                name: "portal".into(),
                manifest: PathBuf::from(v),
                issuer: None,
                roles: integration_role(),
                anonymous: false,
                mode,
            });
        }
        if let Some(v) = get("SAMVERKAN_PUBLIC_URL") {
            s.public_url = Some(v);
        }
        if let Some(v) = get("SAMVERKAN_CATALOGUE_CONTACT") {
            s.catalogue_contact = Some(v);
        }
        if let Some(v) = get("SAMVERKAN_COUNTIES") {
            s.counties = v;
        }
        if let Some(v) = get("SAMVERKAN_CACHE_FRESHNESS") {
            s.cache_freshness = v;
        }
        if let Some(v) = get("SAMVERKAN_COMMITTEE_TEMPLATE") {
            s.committee_template = Some(PathBuf::from(v));
        }
        if let Some(v) = get("SAMVERKAN_LOG_FORMAT") {
            s.log_format = v;
        }
        s.validate()?;
        Ok(s)
    }

    fn validate(&mut self) -> Result<(), SettingsError> {
        crate::reference::Served::parse(&self.counties).map_err(|m| bad("SAMVERKAN_COUNTIES", m))?;
        if !matches!(self.cache_freshness.as_str(), "county" | "global") {
            return Err(bad(
                "SAMVERKAN_CACHE_FRESHNESS",
                format!("'{}': expected county or global", self.cache_freshness),
            ));
        }
        for (i, client) in self.trusted_documents.iter().enumerate() {
            for role in &client.roles {
                if role.parse::<crate::auth::Role>().is_err() {
                    return Err(bad(
                        &format!("trusted_documents[{i}].roles"),
                        format!("unknown role '{role}'"),
                    ));
                }
            }
        }
        if let Some(url) = &self.public_url {
            let url = url.trim_end_matches('/');
            if !(url.starts_with("https://") || url.starts_with("http://"))
                || url.contains(char::is_whitespace)
                || url.contains(['?', '#', '<', '>', '"'])
            {
                return Err(bad(
                    "SAMVERKAN_PUBLIC_URL",
                    format!("'{url}' is not an http(s) address without query"),
                ));
            }
        }
        match &self.catalogue_contact {
            Some(email) => {
                let ok = email
                    .split_once('@')
                    .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                    && !email.contains(char::is_whitespace)
                    && !email.contains(['<', '>', '"']);
                if !ok {
                    return Err(bad(
                        "SAMVERKAN_CATALOGUE_CONTACT",
                        format!("'{email}' is not an e-mail address"),
                    ));
                }
            }
            // The demo's catalogue has a contact point too, at a reserved example domain.
            None if self.mode == Mode::Development => {
                self.catalogue_contact = Some("e-tjanster@samverkan.example".into());
            }
            None => {}
        }
        if self.bind.parse::<std::net::SocketAddr>().is_err() && !self.bind.contains(':') {
            return Err(bad("SAMVERKAN_BIND", format!("'{}' is not host:port", self.bind)));
        }
        if self.database_url.is_empty() {
            let file = self.data_dir.join("samverkan.db");
            self.database_url = format!("sqlite://{}?mode=rwc", file.display());
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(bad("DATABASE_URL", "expected a sqlite:// or postgres:// URL"));
        }
        if !matches!(self.log_format.as_str(), "pretty" | "json") {
            return Err(bad("SAMVERKAN_LOG_FORMAT", "expected pretty or json"));
        }
        for (i, iss) in self.issuers.iter().enumerate() {
            let name = format!("issuers[{i}]");
            if !matches!(iss.algorithm.as_str(), "HS256" | "RS256" | "ES256") {
                return Err(bad(
                    &name,
                    format!("algorithm {} is not one of HS256, RS256, ES256", iss.algorithm),
                ));
            }
            if iss.kommuner.is_empty() {
                return Err(bad(
                    &name,
                    "kommuner is empty: list the kommunkoder it may speak for, or \"*\"",
                ));
            }
            if self.mode == Mode::Production && iss.algorithm == "HS256" {
                return Err(bad(
                    &name,
                    "HS256 shared secrets are for development; production needs RS256 or ES256",
                ));
            }
        }
        if self.mode == Mode::Production && self.issuers.is_empty() {
            return Err(bad(
                "issuers",
                "production mode needs at least one configured issuer",
            ));
        }
        Ok(())
    }

    /// Whether the configured database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }

    /// The database pool's size. SQLite's default is half PostgreSQL's: its connections each
    /// run on a thread of their own with their own page cache and allocator heap (about 7 MB
    /// each under the mixed load at 500,000 projects: peak RSS 169 MB with 16, 113 MB with 8),
    /// and one writer at a time gains nothing from more of them.
    pub fn pool_size(&self) -> u32 {
        self.db_max_connections
            .unwrap_or(if self.is_postgres() { 16 } else { 8 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// README's settings table names every variable the code reads and every key of the
    /// TOML file, so a new setting cannot go undocumented.
    #[test]
    fn the_readme_documents_every_setting() {
        let readme = include_str!("../../README.md");
        let start = readme.find("## Settings").expect("README has a Settings section");
        let table = &readme[start..];
        let table = &table[..table[3..].find("\n## ").map_or(table.len(), |i| i + 3)];
        let code = include_str!("settings.rs");
        let mut missing = Vec::new();
        for var in code.split("get(\"").skip(1).filter_map(|t| t.split('"').next()) {
            if var != "SAMVERKAN_CONFIG" && !table.contains(&format!("`{var}`")) {
                missing.push(var.to_owned());
            }
        }
        let fields = |strukt: &str, prefix: &str| -> Vec<String> {
            let body = &code[code.find(&format!("pub struct {strukt} {{")).unwrap()..];
            let body = &body[..body.find("\n}").unwrap()];
            body.lines()
                .filter_map(|l| l.trim().strip_prefix("pub "))
                .filter_map(|l| l.split(':').next())
                .filter(|f| !f.contains(' '))
                .map(|f| format!("{prefix}{f}"))
                .collect()
        };
        for key in fields("IssuerSettings", "") {
            if !table.contains(&format!("`{key}`")) {
                missing.push(format!("[[issuers]] {key}"));
            }
        }
        for key in fields("Settings", "")
            .into_iter()
            .chain(fields("Limits", "[limits] "))
        {
            let documented = table.contains(&format!("`{key}`"))
                || (key == "issuers" && table.contains("`[[issuers]]`"))
                || key == "limits";
            if !documented {
                missing.push(key);
            }
        }
        assert!(missing.is_empty(), "README's settings table lacks {missing:?}");
    }

    /// The configurations README and `deploy/` offer to copy (Keycloak, Entra ID, key files) are read
    /// by the same rules as an operator's file, so a key in them cannot be mistyped.
    #[test]
    fn the_readme_configurations_are_valid_settings() {
        let readme = include_str!("../../README.md");
        let blocks: Vec<&str> = readme
            .split("```toml\n")
            .skip(1)
            .filter_map(|b| b.split("```").next())
            .collect();
        assert!(!blocks.is_empty());
        let production = include_str!("../../deploy/samverkan.production.toml");
        for block in blocks.into_iter().chain([production]) {
            let s: Settings = toml::from_str(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
            for issuer in &s.issuers {
                for role in issuer.role_names.values() {
                    assert!(role.parse::<crate::auth::Role>().is_ok(), "{role}");
                }
            }
        }
    }

    #[test]
    fn defaults_run_on_a_local_sqlite_file() {
        let s = Settings::from_sources(&[]).expect("defaults are valid");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert!(s.database_url.starts_with("sqlite://data/samverkan.db"));
    }

    #[test]
    fn a_bad_setting_is_named() {
        let e = Settings::from_sources(&vars(&[("SAMVERKAN_MODE", "prod")])).unwrap_err();
        assert!(e.to_string().contains("SAMVERKAN_MODE"));
        let e = Settings::from_sources(&vars(&[("DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(e.to_string().contains("DATABASE_URL"));
        let e = Settings::from_sources(&vars(&[("SAMVERKAN_MODE", "production")])).unwrap_err();
        assert!(e.to_string().contains("issuers"));
    }

    #[test]
    fn the_explorer_is_on_in_development_and_off_in_production_unless_asked_for() {
        let mut s = Settings::default();
        assert!(s.explorer_enabled());
        s.mode = Mode::Production;
        assert!(!s.explorer_enabled());
        s.explorer = Some(true);
        assert!(s.explorer_enabled());
        let s = Settings::from_sources(&vars(&[("SAMVERKAN_EXPLORER", "false")])).unwrap();
        assert!(!s.explorer_enabled());
    }

    #[test]
    fn a_mistyped_key_in_the_file_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("samverkan-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("samverkan.toml");
        std::fs::write(&file, "[limits]\nrate_limit_per_minute = 2\n").unwrap();
        let e = Settings::from_sources(&vars(&[("SAMVERKAN_CONFIG", file.to_str().unwrap())])).unwrap_err();
        assert!(e.to_string().contains("rate_limit_per_minute"), "{e}");
        std::fs::write(&file, "[limits]\nrequests_per_minute = 2\n").unwrap();
        let s = Settings::from_sources(&vars(&[("SAMVERKAN_CONFIG", file.to_str().unwrap())])).unwrap();
        assert_eq!(s.limits.requests_per_minute, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
