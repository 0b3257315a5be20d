//! What an abusive or careless client sends: documents built to cost more than their limits
//! admit, the standard introspection query of GraphQL tools, concurrent writers racing on
//! one version.
use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::{UPDATE, create, invite},
    helpers::TestApp,
};

/// graphql-js's `getIntrospectionQuery()` with descriptions, `specifiedByURL`,
/// `isRepeatable`, schema description and deprecated input values: what GraphiQL, Apollo
/// tooling and Python gql send.
const INTROSPECTION: &str = include_str!("../../fixtures/graphql-js-introspection.graphql");

fn corpus() -> Vec<(&'static str, String)> {
    let nested = "{ eServiceProjects(first: 100) { edges { node { participations { project { participations { project { participations { project { participations { project { title } } } } } } } } } } } }";
    let fragment_aliases = {
        let inner: String = (0..14).map(|i| format!("a{i}: sub ")).collect();
        let outer: String = (0..15).map(|i| format!("v{i}: viewer {{ ...F }} ")).collect();
        format!("{{ {outer} }} fragment F on Viewer {{ {inner} }}")
    };
    let wide: String = (0..25)
        .map(|i| format!("a{i}: eServiceProjects(first: 100) {{ edges {{ node {{ title participations {{ municipality {{ name }} }} }} }} }} "))
        .collect();
    let spreads = {
        let mut d = String::from("{ viewer { ...F0 } }");
        for i in 0..40 {
            d.push_str(&format!(" fragment F{i} on Viewer {{ sub ...F{} }}", i + 1));
        }
        d.push_str(" fragment F40 on Viewer { sub }");
        d
    };
    let circular =
        "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }";
    let node_fan_out = format!(
        "{{ nodes(ids: [{}]) {{ ... on EServiceProject {{ participations {{ project {{ participations {{ project {{ participations {{ municipality {{ name }} }} }} }} }} }} }} }} }}",
        (0..100)
            .map(|i| format!("\"x{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let copies: String = (0..4)
        .map(|i| format!("c{i}: {}", &nested[2..nested.len() - 2]))
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        ("nested participations", nested.to_owned()),
        ("four aliased copies", format!("{{ {copies} }}")),
        ("aliases through a fragment", fragment_aliases),
        ("wide aliased pages", format!("{{ {wide} }}")),
        ("fragment chain", spreads),
        ("circular introspection", circular.to_owned()),
        (
            "aliased copies of the schema",
            format!(
                "{{ {} }}",
                (0..31)
                    .map(|i| format!("s{i}: __schema {{ types {{ fields {{ name }} }} }}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ),
        ("node fan-out", node_fan_out),
    ]
}

async fn adversarial_documents_are_refused_before_any_sql(app: TestApp) {
    let viewer = app.as_kommun("1880").viewer();
    for (name, doc) in corpus() {
        let before = app.statements();
        let r = viewer.gql(&doc, json!({})).await;
        assert_eq!(r.code(), Some("QUERY_TOO_COMPLEX"), "{name}: {}", r.body);
        assert_eq!(r.status, 400, "{name}");
        assert_eq!(
            app.statements(),
            before,
            "{name} was refused before any database work"
        );
    }
}
both_backends!(adversarial_documents_are_refused_before_any_sql);

async fn tools_load_the_schema_with_the_standard_introspection_query(app: TestApp) {
    // Anonymous, as GraphiQL does before a token is set, and with a token.
    for caller in [app.anonymous(), app.as_kommun("1880").viewer()] {
        let d = caller.ok(INTROSPECTION, json!({})).await;
        let types: Vec<&str> = d["__schema"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(types.contains(&"EServiceProject"), "{types:?}");
        let project = d["__schema"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "EServiceProject")
            .unwrap();
        assert!(
            project["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["name"] == "participations")
        );
    }
    // Introspection mixed into a data query is held to the data query's limits.
    let r = app
        .as_kommun("1880")
        .viewer()
        .gql(
            &INTROSPECTION.replace("queryType { name }", "queryType { name } __typename"),
            json!({}),
        )
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
}
both_backends!(tools_load_the_schema_with_the_standard_introspection_query);

async fn per_row_parent_lookups_are_batched(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    for i in 0..30 {
        let (p, _) = create(&orebro, &format!("Projekt {i}"), "COUNTY", "100").await;
        invite(&orebro, &p, "1881", "PARTICIPANT").await;
    }
    let q = "{ eServiceProjects(first: 30) { edges { node { participations { project { title } } } } } }";
    let viewer = app.as_kommun("1880").viewer();
    let before = app.statements();
    let d = viewer.ok(q, json!({})).await;
    let used = app.statements() - before;
    assert_eq!(d["eServiceProjects"]["edges"].as_array().unwrap().len(), 30);
    assert!(
        used <= 6,
        "30 projects with their participations' projects took {used} statements"
    );
}
both_backends!(per_row_parent_lookups_are_batched);

async fn concurrent_writers_get_one_winner_and_conflicts_never_internal(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    for round in 0..20 {
        let (id, v) = create(&orebro, &format!("Kapplöpning {round}"), "COUNTY", "100").await;
        let attempts = (0..8).map(|i| {
            let orebro = &orebro;
            let id = id.clone();
            async move {
                orebro
                    .gql(
                        UPDATE,
                        json!({"input": {"id": id, "version": v, "title": format!("Vinnare {i}")}}),
                    )
                    .await
            }
        });
        let results = futures::future::join_all(attempts).await;
        let codes: Vec<Option<String>> = results.iter().map(|r| r.code().map(str::to_owned)).collect();
        let winners = codes.iter().filter(|c| c.is_none()).count();
        let conflicts = codes.iter().filter(|c| c.as_deref() == Some("CONFLICT")).count();
        assert_eq!((winners, conflicts), (1, 7), "round {round}: {codes:?}");
        let bodies: Vec<&Value> = results.iter().map(|r| &r.body).collect();
        assert!(
            bodies.iter().all(|b| !b.to_string().contains("INTERNAL")),
            "{bodies:?}"
        );
    }
}
both_backends!(concurrent_writers_get_one_winner_and_conflicts_never_internal);

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    use crate::helpers::Backend;
    let q = json!({"query": "{ publishedEServices { totalCount } }"});
    let status = |app: &TestApp, forwarded: &'static str| {
        app.post().header("x-forwarded-for", forwarded).json(&q).send()
    };
    let behind = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.limits.requests_per_minute = 2;
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    .unwrap();
    let mut seen = Vec::new();
    for client in ["203.0.113.7", "203.0.113.7", "203.0.113.7", "198.51.100.9"] {
        seen.push(status(&behind, client).await.unwrap().status().as_u16());
    }
    assert_eq!(
        seen,
        vec![200, 200, 429, 200],
        "each client behind the proxy has its own quota"
    );
    // A client cannot pick its quota by prepending addresses: the proxy appends the real one.
    let spoofed = status(&behind, "192.0.2.1, 203.0.113.7").await.unwrap();
    assert_eq!(spoofed.status().as_u16(), 429);

    let direct = TestApp::spawn_with(Backend::Sqlite, |s| s.limits.requests_per_minute = 2)
        .await
        .unwrap();
    let mut seen = Vec::new();
    for client in ["203.0.113.7", "198.51.100.9", "192.0.2.1"] {
        seen.push(status(&direct, client).await.unwrap().status().as_u16());
    }
    assert_eq!(
        seen,
        vec![200, 200, 429],
        "without a trusted proxy the header is ignored"
    );
}

/// Text no form would send: control characters, overlong, a megabyte, and Unicode that is
/// unusual but fine. Each with whether a one-line field and a running-text field may take it.
fn hostile_texts() -> Vec<(String, bool, bool)> {
    let mut v: Vec<(String, bool, bool)> = [
        "nul\u{0}byte",
        "bell\u{7}",
        "esc\u{1b}[31mred",
        "del\u{7f}",
        "vertical\u{b}tab",
        "carriage\rreturn",
    ]
    .iter()
    .map(|s| (s.to_string(), false, false))
    .collect();
    v.push(("line\nbreak\tand tab".into(), false, true));
    v.push(("x".repeat(201), false, true));
    v.push(("x".repeat(20_001), false, false));
    v.push(("%_\\".repeat(20_000), false, false));
    v.push(("x".repeat(1 << 20), false, false));
    // Fine, if unusual: emoji, combining accents, right-to-left marks, a BOM, zero-width joiners.
    v.push((
        "Ärende 🙂 e\u{301} \u{200f}עברית\u{200f} \u{feff}\u{200d}".to_string(),
        true,
        true,
    ));
    v
}

async fn hostile_text_gets_a_clean_refusal_and_writes_nothing(app: TestApp) {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(&app.database_url).await.unwrap();
    let events = || async {
        let r = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM audit_event",
            ))
            .await
            .unwrap()
            .unwrap();
        r.try_get::<i64>("", "n").unwrap()
    };
    let orebro = app.as_kommun("1880").editor_admin();
    let (project, _) = create(&orebro, "Fixtur", "COUNTY", "100").await;
    let d = orebro
        .ok(
            crate::docs::inventory::VENDOR,
            json!({"input": {"name": "Textleverantör AB", "orgNumber": "5566778899"}}),
        )
        .await;
    let vendor = d["createVendor"]["vendor"]["id"].as_str().unwrap().to_owned();
    let d = orebro
        .ok(
            crate::docs::inventory::PRODUCT,
            json!({"input": {"vendorId": vendor, "name": "Textprodukt", "category": "HR"}}),
        )
        .await;
    let product = d["createProduct"]["product"]["id"].as_str().unwrap().to_owned();

    type Input = fn(&str, &str, &str, &str, i64, usize) -> (&'static str, Value);
    let cases: Vec<(&str, bool, Input)> = vec![
        ("project title", false, |x, _, _, _, _, _| {
            (
                "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { __typename } }",
                json!({"title": x, "budget": "1"}),
            )
        }),
        ("project summary", true, |x, _, _, _, _, _| {
            (
                "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { __typename } }",
                json!({"title": "Titel", "summary": x, "budget": "1"}),
            )
        }),
        ("project description", true, |x, _, _, _, _, _| {
            (
                "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { __typename } }",
                json!({"title": "Titel", "description": x, "budget": "1"}),
            )
        }),
        ("new title", false, |x, p, _, _, v, _| {
            (
                "mutation($i: UpdateEServiceProjectInput!) { updateEServiceProject(input: $i) { __typename } }",
                json!({"id": p, "version": v, "title": x}),
            )
        }),
        ("status summary", true, |x, p, _, _, _, _| {
            (
                "mutation($i: AddStatusReportInput!) { addStatusReport(input: $i) { __typename } }",
                json!({"projectId": p, "date": "2026-11-20", "health": "GREEN", "summary": x}),
            )
        }),
        ("vendor name", false, |x, _, _, _, _, n| {
            (
                "mutation($i: CreateVendorInput!) { createVendor(input: $i) { __typename } }",
                json!({"name": x, "orgNumber": crate::mutations::org_number(n)}),
            )
        }),
        ("evaluation title", false, |x, _, _, _, _, _| {
            (
                "mutation($i: CreateSourcingEvaluationInput!) { createSourcingEvaluation(input: $i) { __typename } }",
                json!({"title": x, "informationClass": {"confidentiality": 0, "integrity": 0, "availability": 0}}),
            )
        }),
        ("initiative description", true, |x, _, v, _, _, _| {
            (
                "mutation($i: CreateVendorInitiativeInput!) { createVendorInitiative(input: $i) { __typename } }",
                json!({"title": "Titel", "description": x, "vendorId": v}),
            )
        }),
        ("system owner", false, |x, _, _, pr, _, _| {
            (
                "mutation($i: SystemInstanceInput!) { registerSystemInstance(input: $i) { __typename } }",
                json!({"productId": pr, "hosting": "CLOUD_SAAS", "dataLocation": "SWEDEN", "systemOwner": x}),
            )
        }),
        ("product standard", false, |x, _, v, _, _, n| {
            (
                "mutation($i: CreateProductInput!) { createProduct(input: $i) { __typename } }",
                json!({"vendorId": v, "name": format!("Produkt {n}"), "category": "HR", "standards": [x]}),
            )
        }),
        ("project search", false, |x, _, _, _, _, _| {
            (
                "query($i: String) { eServiceProjects(filter: {search: $i}) { totalCount } }",
                json!(x),
            )
        }),
        ("vendor search", false, |x, _, _, _, _, _| {
            (
                "query($i: String) { vendors(search: $i) { edges { node { id } } } }",
                json!(x),
            )
        }),
        ("audit actor", false, |x, _, _, _, _, _| {
            (
                "query($i: String) { auditEvents(filter: {actor: $i}) { totalCount } }",
                json!(x),
            )
        }),
    ];
    let mut n = 0;
    for (name, long, input) in &cases {
        for (text, line_ok, long_ok) in hostile_texts() {
            let fine = if *long { long_ok } else { line_ok };
            n += 1;
            let v = crate::docs::version(&orebro, &project).await;
            let (doc, vars) = input(&text, &project, &vendor, &product, v, n);
            let before = events().await;
            let r = orebro.gql(doc, json!({"i": vars})).await;
            let ok = r.body.get("errors").is_none() && r.status == 200;
            let shown: String = text.chars().take(20).collect();
            assert_ne!(r.status, 500, "{name} with {shown:?}: {}", r.body);
            if ok {
                assert!(fine, "{name} took {shown:?}");
            } else {
                assert!(
                    matches!(r.code(), Some("BAD_USER_INPUT")),
                    "{name} with {shown:?} ({} chars): {} {}",
                    text.chars().count(),
                    r.status,
                    r.body.to_string().chars().take(300).collect::<String>()
                );
                assert_eq!(events().await, before, "{name} with {shown:?} wrote something");
            }
        }
    }
}
both_backends!(hostile_text_gets_a_clean_refusal_and_writes_nothing);

/// A statement the database stops at its time limit is the request's deadline in other words:
/// `QUERY_TOO_COMPLEX`, never `INTERNAL`, and the connection serves the next request. On
/// PostgreSQL a lock held from outside keeps the project list waiting until the service's
/// `statement_timeout` (just inside the deadline) cancels it; on SQLite a write waits for the
/// write lock until the request's deadline. (Both answer before the lock goes, so neither can
/// have waited for it.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_stopped_at_the_time_limit_is_not_internal() {
    use sea_orm::{ConnectionTrait, Database, TransactionTrait};
    for backend in [crate::helpers::Backend::Sqlite, crate::helpers::Backend::Postgres] {
        let Some(app) = TestApp::spawn_with(backend, |s| s.limits.request_timeout_ms = 1_500).await else {
            eprintln!("skipped on PostgreSQL: SAMVERKAN_TEST_POSTGRES_URL is not set");
            continue;
        };
        let orebro = app.as_kommun("1880").editor();
        create(&orebro, "Före låset", "COUNTY", "1").await;
        let db = Database::connect(&app.database_url).await.unwrap();
        let lock = db.begin().await.unwrap();
        let (query, vars) = if app.database_url.starts_with("postgres") {
            lock.execute_unprepared("LOCK TABLE project IN ACCESS EXCLUSIVE MODE")
                .await
                .unwrap();
            (
                "{ eServiceProjects(first: 5) { edges { node { title } } } }",
                json!({}),
            )
        } else {
            lock.execute_unprepared("UPDATE project SET title = title")
                .await
                .unwrap();
            (
                crate::docs::CREATE,
                json!({"input": {"title": "Under låset", "budget": "1"}}),
            )
        };
        let r = orebro.gql(query, vars.clone()).await;
        let code = r.body["errors"][0]["extensions"]["code"].clone();
        assert_eq!(code, "QUERY_TOO_COMPLEX", "{}: {}", app.database_url, r.body);
        lock.rollback().await.unwrap();
        let r = orebro.gql(query, vars).await;
        assert!(r.body["errors"].is_null(), "after the lock: {}", r.body);
        db.close().await.unwrap();
    }
}

/// Heavy reads take turns: with one turn per replica, a second committee report while the first
/// is held up (a lock from outside keeps its statement waiting) waits its short while and is
/// `RATE_LIMITED` with `Retry-After`, an ordinary read meanwhile answers at once, and once the
/// first is done the second gets its report. (PostgreSQL only: SQLite readers cannot be held
/// up from outside, and the turns are the same code on both.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_reads_take_turns_and_a_refused_one_is_told_when_to_come_back() {
    use sea_orm::{ConnectionTrait, Database, TransactionTrait};
    let Some(app) = TestApp::spawn_with(crate::helpers::Backend::Postgres, |s| {
        s.limits.request_timeout_ms = 4_000;
        s.limits.max_concurrent_reports = 1;
        s.limits.heavy_wait_ms = 300;
    })
    .await
    else {
        eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set");
        return;
    };
    let orebro = app.as_kommun("1880").editor();
    create(&orebro, "Rapporterat", "COUNTY", "1").await;
    let report = r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") { projectsByPhase { phase count } } }"#;
    let db = Database::connect(&app.database_url).await.unwrap();
    let lock = db.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE project IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let first = tokio::spawn({
        let token =
            samverkan::auth::mint_dev_token(&app.secret, "gn", "1880", &["namnd".into()], 60).unwrap();
        let post = app.post();
        async move {
            post.bearer_auth(token)
                .json(&json!({"query": report}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let kumla = app.as_kommun("1881").viewer();
    let second = app
        .post()
        .bearer_auth(
            samverkan::auth::mint_dev_token(&app.secret, "k", "1881", &["viewer".into()], 60).unwrap(),
        )
        .json(&json!({"query": report}))
        .send()
        .await
        .unwrap();
    let retry = second.headers().get("retry-after").cloned();
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");
    assert!(
        body["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(retry.is_some(), "Retry-After is sent");
    // An ordinary read answers while the lock and the only turn are held (held up, it would run
    // into its deadline before the lock goes).
    kumla
        .ok("{ vendors(first: 5) { edges { node { name } } } }", json!({}))
        .await;
    lock.rollback().await.unwrap();
    let first = first.await.unwrap();
    assert!(
        first["errors"].is_null(),
        "the first report, once the lock is gone: {first}"
    );
    let again = kumla.ok(report, json!({})).await;
    assert!(again["committeeReport"]["projectsByPhase"].is_array());
    db.close().await.unwrap();
}

/// A new filter's first page does not wait for its count: a large count not done within the
/// count budget is given as its upper bound (the caller's projects without the filter, never a
/// figure about others' rows), flagged `totalCountExact: false`, and not kept by the response
/// cache; the count goes on, and the next reader has it exact. A small count is waited for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_filters_first_count_is_bounded_rather_than_waited_for() {
    for backend in [crate::helpers::Backend::Sqlite, crate::helpers::Backend::Postgres] {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.limits.count_budget_ms = 0;
            s.limits.count_estimate_from = 0;
        })
        .await
        else {
            eprintln!("skipped on PostgreSQL: SAMVERKAN_TEST_POSTGRES_URL is not set");
            continue;
        };
        let orebro = app.as_kommun("1880").editor();
        for n in 0..20 {
            for k in 0..3 {
                create(&orebro, &format!("Sök{n}x{k}"), "COUNTY", "1").await;
            }
        }
        let viewer = app.as_kommun("1881").viewer();
        let q = "query($s: String!) { eServiceProjects(first: 1, filter: {search: $s}) { totalCount totalCountExact edges { node { title } } } }";
        let mut estimated = None;
        for n in 0..20 {
            let s = format!("sök{n}x");
            let d = viewer.ok(q, json!({"s": s})).await;
            let c = &d["eServiceProjects"];
            assert_eq!(
                c["edges"].as_array().unwrap().len(),
                1,
                "the page is there at once"
            );
            if c["totalCountExact"] == false {
                // The bound: Kumla's view of the county without the filter, the 60 projects.
                assert_eq!(c["totalCount"], 60, "{d}");
                estimated = Some(s);
                break;
            }
            assert_eq!(c["totalCount"], 3, "{d}");
        }
        let s = estimated.expect("with no budget, a first count is bounded");
        // The count goes on in the background; how long it takes depends on how busy the
        // machine is (CI runs every test at once), so the test waits for it, generously.
        let mut exact = false;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            let d = viewer.ok(q, json!({"s": s})).await;
            if d["eServiceProjects"]["totalCountExact"] == true {
                assert_eq!(d["eServiceProjects"]["totalCount"], 3, "{d}");
                exact = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(exact, "the count went on and the next reader has it");
        // With the default threshold, a count the planner thinks small is waited for even past
        // the budget: only large counts are estimated.
        let waits = app.replica(|s| s.limits.count_budget_ms = 0).await;
        let d = waits
            .as_kommun("1881")
            .viewer()
            .ok(q, json!({"s": "sök19x"}))
            .await;
        assert_eq!(d["eServiceProjects"]["totalCountExact"], true, "{d}");
        assert_eq!(d["eServiceProjects"]["totalCount"], 3, "{d}");
    }
}

/// On PostgreSQL the committee report reads through connections of its own (named
/// `samverkan-heavy` in `pg_stat_activity`), so that it never takes the pool every other
/// request reads from: after a report, its statements are the heavy connections' last, and no
/// connection of the shared pool ran one.
#[tokio::test]
async fn the_committee_report_reads_on_connections_of_its_own() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let Some(app) = TestApp::spawn(crate::helpers::Backend::Postgres).await else {
        eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set");
        return;
    };
    let orebro = app.as_kommun("1880").editor();
    create(&orebro, "Rapporterat", "COUNTY", "1").await;
    let q = r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") {
      projectsByPhase { count } benefitsPerMunicipality { benefits } } }"#;
    let r = app.as_kommun("1881").viewer().ok(q, json!({})).await;
    assert_eq!(r["committeeReport"]["projectsByPhase"][0]["count"], 1);
    let db = Database::connect(&app.database_url).await.unwrap();
    let last = |name: &'static str| {
        let db = &db;
        async move {
            db.query_all_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
                [name.into()],
            ))
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<String>("", "query").unwrap())
            .collect::<Vec<_>>()
        }
    };
    let report_statement =
        |q: &String| q.contains(r#"FROM "benefit""#) || q.contains(r#"COUNT("project"."id")"#);
    let heavy = last(samverkan::startup::HEAVY_APPLICATION_NAME).await;
    assert!(heavy.iter().any(report_statement), "{heavy:?}");
    let shared = last(samverkan::startup::APPLICATION_NAME).await;
    assert!(!shared.is_empty(), "the shared pool is named too");
    assert!(!shared.iter().any(report_statement), "{shared:?}");
}
