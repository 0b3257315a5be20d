//! Cost budgets: every answer says what it cost and what is left (`extensions.cost`), a
//! kommun over its budget is refused with `RATE_LIMITED` and `Retry-After` while another
//! kommun is not, reading the budget spends none of it, and three replicas on one PostgreSQL
//! hold one budget between them.
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

const LIST: &str = "{ eServiceProjects(first: 5) { totalCount nodes { id title } } }";
const BUDGET: &str = "{ rateLimit { limit requested remaining resetAt } }";

fn cost(body: &Value) -> (i64, i64, i64, String) {
    let c = &body["extensions"]["cost"];
    (
        c["requested"]
            .as_i64()
            .unwrap_or_else(|| panic!("no extensions.cost: {body}")),
        c["remaining"].as_i64().unwrap_or(-1),
        c["limit"].as_i64().unwrap_or(-1),
        c["resetAt"].as_str().unwrap_or("").to_owned(),
    )
}

/// Waits for the next minute when less than `secs` seconds of this one are left, so that a
/// run of requests meets one budget.
async fn with_time_left(secs: u32) {
    use chrono::Timelike;
    let now = chrono::Utc::now();
    let left = 60 - now.second();
    if left < secs {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(left) * 1000 + 200)).await;
    }
}

async fn every_answer_says_its_cost(app: TestApp) {
    with_time_left(20).await;
    let viewer = app.as_kommun("1880").viewer();
    let first = viewer.gql(LIST, json!({})).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let (requested, remaining, limit, reset) = cost(&first.body);
    assert!(requested > 0, "{}", first.body);
    assert_eq!(limit, 1_000_000);
    assert!(reset.ends_with(":00Z"), "a budget resets at the minute: {reset}");

    // The same read again comes from the response cache, and is charged the same.
    let again = viewer.gql(LIST, json!({})).await;
    let (requested_again, remaining_again, _, _) = cost(&again.body);
    assert_eq!(requested_again, requested);
    assert!(
        remaining_again <= remaining - requested,
        "{remaining_again} after {remaining}"
    );
    assert_eq!(again.body["data"], first.body["data"]);

    // Reading the budget alone is free, and not kept by the cache.
    let b1 = viewer.gql(BUDGET, json!({})).await;
    let b2 = viewer.gql(BUDGET, json!({})).await;
    let (r1, left1, _, _) = cost(&b1.body);
    assert_eq!(r1, 0, "{}", b1.body);
    assert_eq!(b1.body["data"]["rateLimit"]["requested"], 0);
    assert_eq!(b1.body["data"]["rateLimit"]["remaining"].as_i64(), Some(left1));
    assert_eq!(b1.body["data"]["rateLimit"]["limit"], 1_000_000);
    assert_eq!(cost(&b2.body).1, left1, "reading the budget spent none of it");
    // With another field beside it, the request is charged and the field says so.
    let both = viewer
        .gql(
            "{ rateLimit { requested remaining } counties { code } }",
            json!({}),
        )
        .await;
    let (charged, _, _, _) = cost(&both.body);
    assert!(charged > 0);
    assert_eq!(
        both.body["data"]["rateLimit"]["requested"].as_i64(),
        Some(charged)
    );

    // A mutation, an error and an anonymous reader: each says its cost; an anonymous reader
    // has the budget of its address.
    let editor = app.as_kommun("1880").editor();
    let made = editor
        .gql(
            "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { project { id } } }",
            json!({"i": {"title": "Budgeted", "budget": "1000"}}),
        )
        .await;
    assert!(
        made.body["data"]["createEServiceProject"]["project"]["id"].is_string(),
        "{}",
        made.body
    );
    assert!(cost(&made.body).0 > 0, "{}", made.body);
    let refused = editor
        .gql("{ project(id: \"bm90LWFuLWlk\") { id } }", json!({}))
        .await;
    assert!(refused.body["extensions"]["cost"].is_object(), "{}", refused.body);
    let portal = app.anonymous().gql("{ counties { code } }", json!({})).await;
    assert_eq!(cost(&portal.body).2, 100_000, "{}", portal.body);

    // A GET keeps its tag and its 304 while each answer carries its own cost.
    let token = viewer_token(&app);
    let url = format!("/graphql?query={}", urlencode(LIST));
    let res = app.get(&url).bearer_auth(&token).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    assert!(cost(&body).0 > 0);
    let res = app
        .get(&url)
        .bearer_auth(&token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
}
crate::both_backends!(every_answer_says_its_cost);

fn viewer_token(app: &TestApp) -> String {
    samverkan::auth::mint_dev_token(&app.secret, "user-1880", "1880", &["viewer".to_owned()], 600).unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn over_budget(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.limits.cost_per_minute = 200).await else {
        eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set");
        return;
    };
    with_time_left(20).await;
    let orebro = app.as_kommun("1880").viewer();
    let mut spent = 0;
    let refusal = loop {
        let r = orebro.gql(LIST, json!({})).await;
        if r.status != 200 {
            break r;
        }
        spent += cost(&r.body).0;
        assert!(
            spent <= 200 + 50,
            "charged {spent} of a budget of 200 and still served"
        );
    };
    assert_eq!(refusal.status, 429, "{}", refusal.body);
    refusal.expect_code("RATE_LIMITED");
    let (requested, remaining, limit, _) = cost(&refusal.body);
    assert_eq!(limit, 200);
    assert!(
        requested > remaining,
        "refused while {requested} ≤ {remaining} left"
    );
    assert!(
        refusal.body["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap_or(0)
            >= 1
    );
    // Reading the budget still answers, and so does another kommun.
    let budget = orebro.gql(BUDGET, json!({})).await;
    assert_eq!(budget.status, 200, "{}", budget.body);
    assert_eq!(
        budget.body["data"]["rateLimit"]["remaining"].as_i64(),
        Some(remaining)
    );
    let kumla = app.as_kommun("1881").viewer().gql(LIST, json!({})).await;
    assert_eq!(kumla.status, 200, "{}", kumla.body);
    // The HTTP answer says when to come back.
    let res = app
        .post()
        .bearer_auth(viewer_token(&app))
        .json(&json!({"query": LIST}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kommun_over_its_budget_is_refused_sqlite() {
    over_budget(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kommun_over_its_budget_is_refused_postgres() {
    over_budget(Backend::Postgres).await;
}

/// Three replicas on one PostgreSQL, each asked by four clients at once until it refuses:
/// between them they serve the budget to within 10 %.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_hold_one_budget() {
    const BUDGET_PER_MINUTE: u64 = 3_000;
    let tweak = |s: &mut samverkan::settings::Settings| {
        s.limits.cost_per_minute = BUDGET_PER_MINUTE;
        s.response_cache_mb = 0;
    };
    let Some(first) = TestApp::spawn_with(Backend::Postgres, tweak).await else {
        eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set");
        return;
    };
    let second = first.replica(tweak).await;
    let third = first.replica(tweak).await;
    with_time_left(30).await;
    let runs = futures::future::join_all(
        [&first, &second, &third]
            .into_iter()
            .flat_map(|app| (0..4).map(move |_| until_refused(app))),
    )
    .await;
    let served: i64 = runs.iter().map(|r| r.0).sum();
    let requests: i64 = runs.iter().map(|r| r.2).sum();
    let resets: std::collections::BTreeSet<_> = runs.iter().flat_map(|r| r.1.iter().cloned()).collect();
    assert_eq!(resets.len(), 1, "the run stayed in one minute: {resets:?}");
    let share = served as f64 / BUDGET_PER_MINUTE as f64;
    eprintln!(
        "three replicas served {served} of {BUDGET_PER_MINUTE} in {requests} requests ({:.1} %)",
        share * 100.0
    );
    assert!(
        (0.9..=1.1).contains(&share),
        "three replicas served {served} of a budget of {BUDGET_PER_MINUTE} ({:.1} %)",
        share * 100.0
    );
}

/// Asks `app` for the list until it refuses: what was served, the minutes it was served in,
/// and the requests made.
async fn until_refused(app: &TestApp) -> (i64, std::collections::BTreeSet<String>, i64) {
    let viewer = app.as_kommun("1880").viewer();
    let (mut served, mut resets, mut requests) = (0i64, std::collections::BTreeSet::new(), 0);
    loop {
        requests += 1;
        assert!(requests < 5_000, "the replica never ran out of budget");
        let r = viewer.gql(LIST, json!({})).await;
        match r.status {
            200 => {
                let (requested, _, _, reset) = cost(&r.body);
                served += requested;
                resets.insert(reset);
            }
            429 => return (served, resets, requests),
            other => panic!("a replica answered {other}: {}", r.body),
        }
    }
}
