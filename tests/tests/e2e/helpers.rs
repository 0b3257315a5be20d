//! `spawn_app` and a client that speaks like the domain: `app.as_kommun("1880").editor()`.
use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use samverkan::{
    settings::{IssuerSettings, Secret, Settings},
    startup::Application,
};
use serde_json::{Value, json};

/// The databases the suite runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The base URL of the throwaway PostgreSQL cluster, if the run has one.
///
/// Under CI (`CI=true`) a missing cluster is a failure, so PostgreSQL coverage cannot
/// silently disappear.
pub fn postgres_url() -> Option<String> {
    match std::env::var("SAMVERKAN_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI runs must set SAMVERKAN_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)"
            );
            None
        }
    }
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A running server with a fresh database of its own.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub secret: Secret,
    pub statements: Arc<AtomicU64>,
    /// The metrics listener's `/metrics` URL.
    pub metrics: Option<String>,
    pub database_url: String,
    data_dir: PathBuf,
    _dir: Option<TempDir>,
    _database: Option<DroppedDatabase>,
}

/// A PostgreSQL test database, dropped when the test ends (with its connections).
pub struct DroppedDatabase {
    base: String,
    name: String,
}

impl Drop for DroppedDatabase {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        // Drop runs outside async code; a thread of its own gets a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                use sea_orm::ConnectionTrait;
                let admin = sea_orm::Database::connect(&base).await.ok()?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        })
        .join();
    }
}

/// The name of the migrated template on `base`, made once per cluster and schema: every
/// test database is a copy of it, which is much faster than migrating each one.
async fn template(base: &str) -> String {
    use migration::MigratorTrait;
    use sea_orm::ConnectionTrait;
    static TEMPLATES: tokio::sync::Mutex<Vec<(String, String)>> = tokio::sync::Mutex::const_new(Vec::new());
    let mut made = TEMPLATES.lock().await;
    if let Some((_, name)) = made.iter().find(|(b, _)| b == base) {
        return name.clone();
    }
    let names: Vec<String> = migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let digest = names.join(",").bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    let name = format!("samverkan_tpl_{digest:016x}");
    let admin = sea_orm::Database::connect(base)
        .await
        .expect("connect to the test cluster");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 AS x FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("look up the template")
        .is_some();
    if !exists {
        let building = format!("{name}_building_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        let (prefix, _) = base.rsplit_once('/').expect("postgres url has a database");
        let settings = Settings::from_sources(&[
            ("DATABASE_URL".into(), format!("{prefix}/{building}")),
            ("SAMVERKAN_DEMO_DATA".into(), "false".into()),
        ])
        .expect("template settings");
        let db = samverkan::startup::connect(&settings, None)
            .await
            .expect("connect to the template");
        samverkan::startup::prepare_database(&db, &settings)
            .await
            .expect("migrate the template");
        db.close().await.ok();
        // Renamed only when complete, so a template that exists is a whole one.
        let renamed = admin
            .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await;
        if renamed.is_err() {
            // Another test process made it meanwhile.
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE {building} WITH (FORCE)"))
                .await;
        }
    }
    admin.close().await.ok();
    made.push((base.to_owned(), name.clone()));
    name
}

/// A folder removed when the test ends.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Issuer names of the extra issuers every test app trusts.
pub const OREBRO_IDP: &str = "https://idp.orebro.example";
pub const COUNTY_IDP: &str = "https://idp.region.example";
pub const ES_IDP: &str = "https://idp.es.example";

/// The shared secret of the HS256 test issuer that may speak for Örebro (1880) only.
pub const OREBRO_SECRET: &str = "orebro-idp-test-secret-0123456789abcdef";

impl TestApp {
    /// Starts the application on port 0 with a fresh database on `backend`.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like `spawn`, with settings adjusted by `tweak`.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        let base = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(postgres_url()?),
        };
        Some(Self::spawn_on(base, tweak).await)
    }

    /// Starts the application on a fresh database of the PostgreSQL cluster at `base`, or on
    /// SQLite when `base` is `None`.
    pub async fn spawn_on(base: Option<String>, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        if std::env::var_os("TEST_LOG").is_some() {
            // `TEST_LOG=1 cargo test … -- --nocapture` shows the servers' logs (RUST_LOG filters).
            let _logs = samverkan::telemetry::init("pretty", None);
        }
        let dir = std::env::temp_dir().join(format!("samverkan-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut dropped = None;
        let database_url = match base {
            None => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
            Some(base) => {
                let template = template(&base).await;
                let name = format!("t_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(&base)
                    .await
                    .expect("connect to the test cluster");
                use sea_orm::ConnectionTrait;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .await
                    .expect("create database");
                admin.close().await.ok();
                dropped = Some(DroppedDatabase {
                    base: base.clone(),
                    name: name.clone(),
                });
                let (prefix, _) = base.rsplit_once('/').expect("postgres url has a database");
                format!("{prefix}/{name}")
            }
        };
        let mut app = Self::start(&database_url, &dir, tweak).await;
        app._dir = Some(TempDir(dir));
        app._database = dropped;
        app
    }

    /// Another server on this app's database and signing secret, with settings adjusted by
    /// `tweak`: a second replica, with caches of its own.
    pub async fn replica(&self, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        Self::start(&self.database_url, &self.data_dir, tweak).await
    }

    async fn start(database_url: &str, dir: &std::path::Path, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = Settings::from_sources(&[
            ("SAMVERKAN_BIND".into(), "127.0.0.1:0".into()),
            ("DATABASE_URL".into(), database_url.to_owned()),
            ("SAMVERKAN_DATA_DIR".into(), dir.display().to_string()),
            ("SAMVERKAN_DEMO_DATA".into(), "false".into()),
            ("SAMVERKAN_WORKERS".into(), "2".into()),
            ("SAMVERKAN_DB_MAX_CONNECTIONS".into(), "5".into()),
            // Tests assert exact counts on a loaded machine; the estimate that stands in for a
            // slow first count has its own test (abuse.rs), with no budget at all.
            ("SAMVERKAN_COUNT_BUDGET_MS".into(), "60000".into()),
            ("SAMVERKAN_METRICS_BIND".into(), "127.0.0.1:0".into()),
        ])
        .expect("test settings");
        settings.issuers = vec![
            IssuerSettings {
                issuer: OREBRO_IDP.into(),
                audience: "samverkan".into(),
                algorithm: "HS256".into(),
                secret: Some(Secret::new(OREBRO_SECRET.into())),
                kommuner: vec!["1880".into()],
                ..IssuerSettings::default()
            },
            IssuerSettings {
                issuer: COUNTY_IDP.into(),
                audience: "samverkan".into(),
                algorithm: "RS256".into(),
                jwks_file: Some(fixture("rs256-jwks.json")),
                kommuner: vec!["*".into()],
                ..IssuerSettings::default()
            },
            IssuerSettings {
                issuer: ES_IDP.into(),
                audience: "samverkan".into(),
                algorithm: "ES256".into(),
                public_key_file: Some(fixture("es256-public.pem")),
                kommuner: vec!["1881".into(), "1880".into()],
                ..IssuerSettings::default()
            },
        ];
        tweak(&mut settings);
        let data_dir = settings.data_dir.clone();
        let app = Application::build(settings).await.expect("application builds");
        let port = app.port();
        let metrics = app
            .metrics_port()
            .map(|p| format!("http://127.0.0.1:{p}/metrics"));
        let statements = app.statement_counter();
        tokio::spawn(app.run_until_stopped());
        let secret = samverkan::auth::dev_secret(&data_dir).expect("dev secret");
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            client: http_client(),
            secret,
            statements,
            metrics,
            database_url: database_url.to_owned(),
            data_dir,
            _dir: None,
            _database: None,
        }
    }

    /// A caller acting for `kommun`, with no roles until one is added.
    pub fn as_kommun(&self, kommun: &str) -> Actor<'_> {
        Actor {
            app: self,
            kommun: kommun.into(),
            roles: Vec::new(),
            sub: format!("user-{kommun}"),
        }
    }

    /// A caller without a token.
    pub fn anonymous(&self) -> Caller<'_> {
        Caller {
            app: self,
            token: None,
        }
    }

    /// A caller with exactly this bearer token.
    pub fn with_token(&self, token: impl Into<String>) -> Caller<'_> {
        Caller {
            app: self,
            token: Some(token.into()),
        }
    }

    /// SQL statements run so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::SeqCst)
    }

    /// Signs development-issuer claims with the app's secret.
    pub fn sign_dev(&self, claims: &Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(self.secret.expose().as_bytes()),
        )
        .expect("sign")
    }

    /// Valid development claims for `kommun` with `roles`.
    pub fn dev_claims(&self, kommun: &str, roles: &[&str]) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({"iss": "samverkan-dev", "aud": "samverkan", "sub": format!("user-{kommun}"), "exp": now + 600, "iat": now, "kommun": kommun, "roles": roles})
    }

    /// A raw HTTP POST to /graphql.
    pub fn post(&self) -> reqwest::RequestBuilder {
        self.client.post(format!("{}/graphql", self.base))
    }

    /// A raw HTTP GET of `path`.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}{path}", self.base))
    }
}

/// A caller of one kommun being given roles.
pub struct Actor<'a> {
    app: &'a TestApp,
    kommun: String,
    roles: Vec<String>,
    sub: String,
}

impl<'a> Actor<'a> {
    fn role(mut self, r: &str) -> Self {
        self.roles.push(r.into());
        self
    }
    pub fn viewer(self) -> Caller<'a> {
        self.role("viewer").done()
    }
    pub fn editor(self) -> Caller<'a> {
        self.role("editor").done()
    }
    pub fn admin(self) -> Caller<'a> {
        self.role("admin").done()
    }
    pub fn editor_admin(self) -> Caller<'a> {
        self.role("editor").role("admin").done()
    }
    pub fn namnd(self) -> Caller<'a> {
        self.role("namnd").done()
    }
    pub fn integration(self) -> Caller<'a> {
        self.role("integration").done()
    }
    pub fn revisor(self) -> Caller<'a> {
        self.role("revisor").done()
    }
    pub fn revisor_namnd(self) -> Caller<'a> {
        self.role("revisor").role("namnd").done()
    }
    fn done(self) -> Caller<'a> {
        let token =
            samverkan::auth::mint_dev_token(&self.app.secret, &self.sub, &self.kommun, &self.roles, 600)
                .expect("token");
        Caller {
            app: self.app,
            token: Some(token),
        }
    }
}

/// The tests' HTTP client. Its idle connections are dropped after 2 s, before the server's
/// 5 s keep-alive and first-request timeouts: hyper may open a connection it then does not use,
/// the server answers such a connection 408 (empty body) after 5 s and closes it, and a request
/// sent on it at that moment reads the 408 as its own answer (a CI run met exactly this).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .expect("http client")
}

/// Someone who sends GraphQL requests.
pub struct Caller<'a> {
    app: &'a TestApp,
    token: Option<String>,
}

impl Caller<'_> {
    /// Sends a query with variables; returns the status and the JSON body.
    pub async fn gql(&self, query: &str, variables: Value) -> Gql {
        let mut req = self
            .app
            .post()
            .header("accept", "application/graphql-response+json, application/json")
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = format!("{:?}", res.headers());
        let text = res.text().await.expect("body");
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("not a JSON body ({e}): status {status}, headers {headers}, body {text:?}")
        });
        Gql { status, body }
    }

    /// Sends a query and insists it succeeded without errors.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let r = self.gql(query, variables).await;
        assert!(r.body.get("errors").is_none(), "unexpected errors: {}", r.body);
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["data"].clone()
    }
}

/// An answer's text without its `extensions.cost`, which is each request's own (it is always
/// the answer's last member).
pub fn without_cost(text: &str) -> String {
    match text.rfind(r#","extensions":{"cost":"#) {
        Some(at) => format!("{}}}", &text[..at]),
        None => text.to_owned(),
    }
}

/// An answer without its `extensions.cost`.
pub fn data_of(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(o) = body.as_object_mut() {
        o.remove("extensions");
    }
    body
}

/// A GraphQL answer.
#[derive(Debug)]
pub struct Gql {
    pub status: u16,
    pub body: Value,
}

impl Gql {
    /// The first error's `extensions.code`.
    pub fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }
    /// The first error's `extensions.reason`.
    pub fn reason(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["reason"].as_str()
    }
    /// Asserts the first error has `code`.
    #[track_caller]
    pub fn expect_code(&self, code: &str) -> &Self {
        assert_eq!(self.code(), Some(code), "expected {code}: {}", self.body);
        if let Some(field) = self.body["errors"][0]["extensions"]["field"].as_str() {
            let message = self.body["errors"][0]["message"].as_str().unwrap_or("");
            assert!(
                message.starts_with(field),
                "a message names its subject first ('{field}: …'): {message}"
            );
        }
        self
    }
    /// Asserts a refused state change as docs/domain.md settles it: BAD_USER_INPUT naming `field`,
    /// with a message that contains each of `words` (the state and where it may go).
    #[track_caller]
    pub fn expect_refused_state(&self, field: &str, words: &[&str]) -> &Self {
        self.expect_code("BAD_USER_INPUT");
        let e = &self.body["errors"][0];
        assert_eq!(e["extensions"]["field"], field, "{}", self.body);
        let message = e["message"].as_str().unwrap_or("");
        for w in words {
            assert!(message.contains(w), "'{w}' missing from: {message}");
        }
        self
    }
}

/// Runs a test body on SQLite and on PostgreSQL as two tests: `both_backends!(name)` over a
/// plain `async fn name(app: TestApp)`, which rustfmt formats like any other function.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("sqlite app");
                super::$name(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await {
                    Some(app) => super::$name(app).await,
                    None => eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set"),
                }
            }
        }
    };
    // The same with settings of its own, e.g. `both_backends!(name, |s| s.counties = "14,18".into())`.
    ($name:ident, $tweak:expr) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Sqlite, $tweak)
                    .await
                    .expect("sqlite app");
                super::$name(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Postgres, $tweak).await {
                    Some(app) => super::$name(app).await,
                    None => eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set"),
                }
            }
        }
    };
}

/// The service binary as a child process (what a container runs), on a fresh SQLite database
/// unless `env` names another; `env` comes last, so it overrides.
pub struct Process {
    pub child: std::process::Child,
    pub base: String,
    pub dir: PathBuf,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `target/debug/samverkan`, built with the workspace's tests (the tests live in
/// `target/debug/deps`).
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("samverkan")
}

impl Process {
    /// A development token this process accepts (it signs with its data folder's secret).
    pub fn token(&self, kommun: &str, roles: &str) -> String {
        let out = std::process::Command::new(binary())
            .args(["token", "--kommun", kommun, "--roles", roles])
            .env("SAMVERKAN_DATA_DIR", &self.dir)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// Sends SIGTERM, as a container runtime stopping the replica does.
    pub fn terminate(&self) {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    pub fn start(env: &[(&str, &str)]) -> Option<Process> {
        use std::io::BufRead;
        let bin = binary();
        if !bin.exists() {
            // scripts/test.sh builds it; under CI a missing binary must fail, not skip.
            assert!(
                std::env::var("CI").is_err(),
                "{} is not built (cargo build -p samverkan)",
                bin.display()
            );
            eprintln!("skipped: {} is not built", bin.display());
            return None;
        }
        let dir = std::env::temp_dir().join(format!("samverkan-proc-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = std::process::Command::new(&bin);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SAMVERKAN_BIND", "127.0.0.1:0")
            .env("SAMVERKAN_METRICS_BIND", "off")
            .env("SAMVERKAN_DATA_DIR", &dir)
            .env("SAMVERKAN_DEMO_DATA", "false")
            .env("SAMVERKAN_WORKERS", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let base = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("Samverkan listening on ").map(str::to_owned))
            .expect("the service says where it listens");
        // Keeps reading, so that later lines never meet a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Some(Process { child, base, dir })
    }
}

impl TestApp {
    /// The data folder (the development signing secret), for a second process that must
    /// accept the same tokens.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }
}

/// The hash of a stored audit event (a `SELECT *` row) at place `seq` after `prev`, at `at`
/// (its own time when `None`), computed apart from the service from `domain::chain`'s form.
pub fn row_hash(
    r: &sea_orm::QueryResult,
    seq: i64,
    prev: &str,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    let get = |c: &str| r.try_get::<Option<String>>("", c).unwrap();
    let text = |c: &str| get(c).unwrap_or_default();
    let (digest, roles, action, kind, request) = (
        text("actor_digest"),
        text("actor_roles"),
        text("action"),
        text("record_type"),
        text("request_id"),
    );
    let (before, after, scope) = (get("before"), get("after"), get("scope_type"));
    samverkan::domain::chain::EventContent {
        county_id: r.try_get("", "county_id").unwrap(),
        seq,
        prev_hash: prev,
        occurred_at: at.unwrap_or_else(|| r.try_get("", "occurred_at").unwrap()),
        actor_digest: &digest,
        actor_municipality_id: r.try_get("", "actor_municipality_id").unwrap(),
        actor_roles: &roles,
        action: &action,
        record_type: &kind,
        record_id: r.try_get("", "record_id").unwrap(),
        before: before.as_deref(),
        after: after.as_deref(),
        request_id: &request,
        scope_type: scope.as_deref(),
        scope_id: r.try_get("", "scope_id").unwrap(),
    }
    .hash()
}

impl TestApp {
    /// `GET path` with a development token of `kommun` with `roles`: the answer's text,
    /// after checking it is a 200.
    pub async fn file(&self, path: &str, kommun: &str, roles: &[&str]) -> String {
        let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
        let token =
            samverkan::auth::mint_dev_token(&self.secret, "files", kommun, &roles, 60).expect("token");
        let res = self.get(path).bearer_auth(token).send().await.expect("request");
        assert_eq!(res.status(), 200, "{path}");
        res.text().await.expect("text")
    }
}

/// The committee CSV's records (BOM dropped; `;`-separated).
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// The rows of the CSV section titled `title`: after its title and header, up to an empty line.
pub fn csv_section(records: &[Vec<String>], title: &str) -> Vec<Vec<String>> {
    let start = records
        .iter()
        .position(|r| r.first().is_some_and(|c| c == title))
        .unwrap_or_else(|| panic!("the CSV has no section {title}"));
    records[start + 2..]
        .iter()
        .take_while(|r| !(r.len() == 1 && r[0].is_empty()))
        .cloned()
        .collect()
}
