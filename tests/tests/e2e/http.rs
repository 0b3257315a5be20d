//! GraphQL over HTTP: media types, status codes, GET rules, limits, CORS and health.
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::{Backend, TestApp},
};

const GQL_RESPONSE: &str = "application/graphql-response+json";

async fn post_raw(
    app: &TestApp,
    accept: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, String, Value) {
    let r = app
        .post()
        .header("accept", accept)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = r.text().await.unwrap();
    (status, ct, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn requests_that_produce_no_data_get_4xx_and_the_negotiated_media_type() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (s, ct, body) = post_raw(
        &app,
        GQL_RESPONSE,
        "application/json",
        r#"{"query": "{ viewer { "}"#,
    )
    .await;
    assert_eq!((s, ct.as_str()), (400, GQL_RESPONSE));
    assert!(body.get("data").is_none());
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    // Legacy application/json clients get 200 for GraphQL errors, as the specification says.
    let (s, ct, _) = post_raw(
        &app,
        "application/json",
        "application/json",
        r#"{"query": "{ nope }"}"#,
    )
    .await;
    assert_eq!((s, ct.as_str()), (200, "application/json"));

    for (body, field) in [
        ("{not json", "body"),
        ("[]", "body"),
        (r#"{"variables": {}}"#, "query"),
        (r#"{"query": 1}"#, "query"),
        (
            r#"{"query": "{ viewer { sub } }", "variables": [1]}"#,
            "variables",
        ),
    ] {
        let (s, _, b) = post_raw(&app, GQL_RESPONSE, "application/json", body).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(b["errors"][0]["extensions"]["field"], field, "{body}: {b}");
    }
    let (s, _, _) = post_raw(&app, GQL_RESPONSE, "text/plain", "{ viewer { sub } }").await;
    assert_eq!(s, 415);
    let (s, _, _) = post_raw(
        &app,
        "text/html",
        "application/json",
        r#"{"query": "{ viewer { sub } }"}"#,
    )
    .await;
    assert_eq!(s, 406);
    let (s, ct, b) = post_raw(
        &app,
        "*/*",
        "application/json; charset=utf-8",
        r#"{"query": "{ viewer { sub } }"}"#,
    )
    .await;
    assert_eq!((s, ct.as_str()), (200, "application/json"));
    assert!(b["data"]["viewer"].is_null());
}

#[tokio::test]
async fn get_runs_queries_but_never_mutations_and_browsers_get_the_explorer() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = samverkan::auth::mint_dev_token(&app.secret, "u", "1880", &["viewer".into()], 60).unwrap();
    let r = app
        .get("/graphql")
        .query(&[("query", "{ viewer { municipality { name } } }")])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["data"]["viewer"]["municipality"]["name"], "Örebro");

    let m = "mutation { createEServiceProject(input: {title: \"x\", budget: \"1\"}) { project { id } } }";
    let r = app
        .get("/graphql")
        .query(&[("query", m)])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");

    let r = app
        .get("/graphql")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("graphiql"));

    assert_eq!(app.get("/healthz").send().await.unwrap().status(), 200);
    assert_eq!(app.get("/readyz").send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.cors_origins = vec!["https://portal.example".into()]
    })
    .await
    .unwrap();
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let ok = preflight("https://portal.example").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://portal.example"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

async fn over_limit_queries_are_refused_before_touching_the_database(app: TestApp) {
    let c = app.as_kommun("1880").viewer();
    let deep = format!(
        "{{ viewer {} }}",
        "{ municipality { county { municipalities ".repeat(4) + "{ name }" + &" } } }".repeat(4)
    );
    let wide = (0..12).map(|i| format!("a{i}: eServiceProjects(first: 100) {{ edges {{ node {{ participations {{ municipality {{ county {{ name }} }} }} }} }} }}")).collect::<Vec<_>>().join(" ");
    let aliases = (0..31)
        .map(|i| format!("v{i}: viewer {{ sub }}"))
        .collect::<Vec<_>>()
        .join(" ");
    for q in [deep, format!("{{ {wide} }}"), format!("{{ {aliases} }}")] {
        let before = app.statements();
        let r = c.gql(&q, json!({})).await;
        assert_eq!(r.status, 400, "{}", r.body);
        r.expect_code("QUERY_TOO_COMPLEX");
        assert_eq!(app.statements(), before, "refused before any database work");
    }
    let r = c
        .gql("{ eServiceProjects(first: 101) { totalCount } }", json!({}))
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "first");

    let long = format!("{{ viewer {{ sub }} }} #{}", "x".repeat(40_000));
    let r = c.gql(&long, json!({})).await;
    assert_eq!(r.status, 413);
    r.expect_code("QUERY_TOO_COMPLEX");
    let huge = json!({"query": "{ viewer { sub } }", "variables": {"pad": "x".repeat(300_000)}}).to_string();
    let r = app
        .post()
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}
both_backends!(over_limit_queries_are_refused_before_touching_the_database);

#[tokio::test]
async fn a_principal_over_its_rate_is_told_to_wait() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.limits.requests_per_minute = 3)
        .await
        .unwrap();
    let c = app.as_kommun("1880").viewer();
    for _ in 0..3 {
        c.ok("{ viewer { sub } }", json!({})).await;
    }
    let r = c.gql("{ viewer { sub } }", json!({})).await;
    assert_eq!(r.status, 429);
    r.expect_code("RATE_LIMITED");
    // Another kommun's budget is its own.
    app.as_kommun("1881")
        .viewer()
        .ok("{ viewer { sub } }", json!({}))
        .await;
}

/// The raw text of a POSTed query's answer, and where a key first appears in it.
async fn answer_text(app: &TestApp, token: &str, q: &str) -> String {
    app.post()
        .bearer_auth(token)
        .json(&json!({ "query": q }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn key_at(text: &str, k: &str) -> usize {
    text.find(&format!("\"{k}\""))
        .unwrap_or_else(|| panic!("{k} in {text}"))
}

#[tokio::test]
async fn response_keys_keep_the_order_of_the_query() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = samverkan::auth::mint_dev_token(&app.secret, "u", "1880", &["viewer".into()], 60).unwrap();
    let text = answer_text(
        &app,
        &token,
        "{ viewer { sub roles } eServiceProjects(first: 1) { totalCount edges { cursor } pageInfo { hasNextPage } } }",
    )
    .await;
    let at = |k: &str| key_at(&text, k);
    assert!(at("viewer") < at("eServiceProjects"), "{text}");
    assert!(at("sub") < at("roles"), "{text}");
    // async-graphql's Connection appends its additional fields (totalCount) after its own.
    assert!(at("edges") < at("pageInfo"), "{text}");

    // A field that waits on a DataLoader keeps its place too (async-graphql assembles an
    // object's fields as they complete; the server puts them back in the query's order).
    let shared = crate::mutations::shared_fixture(&app).await;
    crate::docs::inventory::register(
        &app.as_kommun("1880").editor(),
        shared["product"].as_str().unwrap(),
        json!({}),
    )
    .await;
    let text = answer_text(
        &app,
        &token,
        "{ systemInstances(first: 1) { edges { node { product { name } hosting } } } }",
    )
    .await;
    assert!(key_at(&text, "product") < key_at(&text, "hosting"), "{text}");
}

/// HTTP caching of GET queries: an `ETag`, 304 for a client that holds the answer, a fresh
/// answer (never the old one) once something changed; private with a token, public for the
/// anonymous catalogue; POST answers carry no `ETag`.
async fn get_queries_carry_an_etag_and_answer_304_until_the_data_changes(app: TestApp) {
    let editor = app.as_kommun("1880").editor();
    let (p, v) = crate::docs::create(&editor, "Cachad", "COUNTY", "1").await;
    let token = samverkan::auth::mint_dev_token(&app.secret, "u", "1880", &["viewer".into()], 60).unwrap();
    let q = "{ eServiceProjects { totalCount edges { node { title } } } }";
    let get = |tag: Option<&str>| {
        let mut r = app.get("/graphql").query(&[("query", q)]).bearer_auth(&token);
        if let Some(t) = tag {
            r = r.header("if-none-match", t);
        }
        r.send()
    };
    let first = get(None).await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["cache-control"], "private, no-cache");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = get(Some(&etag)).await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());

    // A change: the same tag now gets the new answer with a new tag.
    editor
        .ok(
            crate::docs::UPDATE,
            json!({"input": {"id": p, "version": v, "title": "Ändrad"}}),
        )
        .await;
    let changed = get(Some(&etag)).await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"], etag.as_str());
    let b: Value = changed.json().await.unwrap();
    assert_eq!(
        b["data"]["eServiceProjects"]["edges"][0]["node"]["title"],
        "Ändrad"
    );

    // The anonymous catalogue may be kept by shared caches; POST answers carry no tag.
    let anon = app
        .get("/graphql")
        .query(&[("query", "{ publishedEServices { totalCount } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 200);
    assert_eq!(anon.headers()["cache-control"], "public, max-age=60");
    assert!(anon.headers().contains_key("etag"));
    let post = app
        .post()
        .bearer_auth(&token)
        .json(&json!({ "query": q }))
        .send()
        .await
        .unwrap();
    assert!(!post.headers().contains_key("etag"));
    assert_eq!(post.headers()["cache-control"], "private, no-cache");
}
both_backends!(get_queries_carry_an_etag_and_answer_304_until_the_data_changes);
