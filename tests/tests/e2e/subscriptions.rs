//! Subscriptions over `graphql-transport-ws`, as a browser client speaks it: the token in
//! `connection_init`, every event checked against the subscriber's visibility, the socket
//! closed when the token expires, bounds per connection and per user, and changes crossing
//! replicas (two processes on one PostgreSQL).
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

use crate::{
    both_backends,
    helpers::{Backend, Process, TestApp},
};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Ws {
    socket: Socket,
}

/// The WebSocket upgrade of `base`'s GraphQL URL, offering `graphql-transport-ws`.
fn upgrade(base: &str) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let url = format!("{}/graphql", base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    request
}

const WAIT: Duration = Duration::from_secs(10);

impl Ws {
    /// Opens a socket to `base` and sends `connection_init` with `token` (none if `None`).
    async fn open(base: &str, token: Option<&str>) -> Ws {
        let (socket, response) = tokio_tungstenite::connect_async(upgrade(base)).await.unwrap();
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        let mut ws = Ws { socket };
        let payload = token.map_or(json!({}), |t| json!({"Authorization": format!("Bearer {t}")}));
        ws.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        ws
    }

    /// A socket whose `connection_init` was acknowledged.
    async fn connect(base: &str, token: &str) -> Ws {
        let mut ws = Ws::open(base, Some(token)).await;
        let ack = ws.next().await.expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ws
    }

    async fn send(&mut self, v: Value) {
        self.socket.send(Message::text(v.to_string())).await.unwrap();
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(
            json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}),
        )
        .await;
    }

    /// The next protocol message, `None` when the socket closed first (or nothing came in
    /// `WAIT`).
    async fn next(&mut self) -> Option<Value> {
        self.next_within(WAIT).await
    }

    async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(wait, self.socket.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    if v["type"] == "ping" {
                        self.send(json!({"type": "pong"})).await;
                        continue;
                    }
                    return Some(v);
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                _ => return None,
            }
        }
    }

    /// The next `next` message for subscription `id` (others are kept out of the way).
    async fn data(&mut self, id: &str) -> Value {
        loop {
            let m = self.next().await.unwrap_or_else(|| panic!("no message for {id}"));
            if m["id"] == id {
                assert_eq!(m["type"], "next", "{m}");
                assert!(m["payload"].get("errors").is_none(), "{m}");
                return m["payload"]["data"].clone();
            }
        }
    }

    /// The close code, once the server closes the socket.
    async fn closed(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.socket.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(Some(Ok(_))) => continue,
                _ => return None,
            }
        }
    }
}

const CREATE: &str = "mutation($t: String!, $v: Visibility!) { createEServiceProject(input: {title: $t, budget: \"1000\", visibility: $v}) { project { id version } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $t: String, $vis: Visibility) { updateEServiceProject(input: {id: $id, version: $v, title: $t, visibility: $vis}) { project { version } } }";

async fn subscribers_receive_only_what_they_may_see(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let kumla = app.as_kommun("1881").viewer();
    let token = |kommun: &str, roles: &[&str]| {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        samverkan::auth::mint_dev_token(&app.secret, "watcher", kommun, &roles, 600).unwrap()
    };
    let mut k = Ws::connect(&app.base, &token("1881", &["viewer"])).await;
    k.subscribe(
        "list",
        "subscription { eServiceProjectsChanged { projectId kind project { title visibility } } }",
        json!({}),
    )
    .await;
    let mut committee = Ws::connect(&app.base, &token("1880", &["namnd"])).await;
    committee
        .subscribe(
            "audit",
            "subscription { auditEventAdded { action recordType after } }",
            json!({}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    orebro.ok(CREATE, json!({"t": "Hemlig", "v": "PRIVATE"})).await;
    let shared = orebro.ok(CREATE, json!({"t": "Delad", "v": "COUNTY"})).await;
    let id = shared["createEServiceProject"]["project"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let got = k.data("list").await;
    assert_eq!(
        got["eServiceProjectsChanged"]["project"]["title"], "Delad",
        "a PRIVATE project never reaches others"
    );
    assert_eq!(got["eServiceProjectsChanged"]["kind"], "createEServiceProject");
    assert_eq!(got["eServiceProjectsChanged"]["projectId"], id.as_str());
    let seen = committee.data("audit").await;
    assert!(
        seen["auditEventAdded"]["after"].to_string().contains("Delad"),
        "{seen}"
    );

    k.subscribe(
        "one",
        "subscription($id: ID!) { eServiceProjectChanged(id: $id) { title version } }",
        json!({"id": id}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    orebro
        .ok(UPDATE, json!({"id": id, "v": 1, "t": "Delad, nytt namn"}))
        .await;
    let mut titles = Vec::new();
    for _ in 0..2 {
        let m = k.next().await.expect("both subscriptions hear the change");
        assert_eq!(m["type"], "next", "{m}");
        let d = &m["payload"]["data"];
        titles.push(
            d["eServiceProjectChanged"]["title"]
                .as_str()
                .or(d["eServiceProjectsChanged"]["project"]["title"].as_str())
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(titles, ["Delad, nytt namn", "Delad, nytt namn"]);
    assert!(committee.data("audit").await["auditEventAdded"]["action"] == "updateEServiceProject");

    // Turned PRIVATE: the change reaches neither of Kumla's subscriptions nor the committee,
    // and later changes to it do not either.
    orebro
        .ok(UPDATE, json!({"id": id, "v": 2, "vis": "PRIVATE"}))
        .await;
    orebro
        .ok(UPDATE, json!({"id": id, "v": 3, "t": "Hemlig nu"}))
        .await;
    let marker = orebro.ok(CREATE, json!({"t": "Markör", "v": "COUNTY"})).await;
    assert!(marker["createEServiceProject"]["project"]["id"].is_string());
    let next = k.next().await.unwrap();
    assert_eq!(next["id"], "list", "{next}");
    assert_eq!(
        next["payload"]["data"]["eServiceProjectsChanged"]["project"]["title"],
        "Markör"
    );
    assert!(
        k.next_within(Duration::from_millis(500)).await.is_none(),
        "nothing about the hidden project"
    );
    let audit = committee.data("audit").await;
    assert!(
        audit["auditEventAdded"]["after"].to_string().contains("Markör"),
        "{audit}"
    );

    // Kumla's viewer asked about a project it cannot see: NOT_FOUND at once.
    k.subscribe(
        "hidden",
        "subscription($id: ID!) { eServiceProjectChanged(id: $id) { title } }",
        json!({"id": id}),
    )
    .await;
    let m = k.next().await.unwrap();
    assert_eq!(m["id"], "hidden", "{m}");
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{m}"
    );
    assert_eq!(
        k.next().await.unwrap(),
        json!({"id": "hidden", "type": "complete"})
    );
    // The audit feed is the committee's.
    k.subscribe("audit", "subscription { auditEventAdded { action } }", json!({}))
        .await;
    let m = k.next().await.unwrap();
    assert_eq!(m["id"], "audit", "{m}");
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{m}"
    );
    drop(kumla);
}
both_backends!(subscribers_receive_only_what_they_may_see);

#[tokio::test]
async fn the_socket_needs_a_valid_token_and_closes_when_it_expires() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut none = Ws::open(&app.base, None).await;
    assert_eq!(none.closed().await, Some(4403), "no token, no connection");
    let mut forged = Ws::open(&app.base, Some("a.b.c")).await;
    assert_eq!(forged.closed().await, Some(4403));

    let short = samverkan::auth::mint_dev_token(&app.secret, "u", "1880", &["viewer".into()], 2).unwrap();
    let mut ws = Ws::connect(&app.base, &short).await;
    ws.subscribe(
        "list",
        "subscription { eServiceProjectsChanged { projectId } }",
        json!({}),
    )
    .await;
    assert_eq!(ws.closed().await, Some(4401), "closed when the token expires");
}

#[tokio::test]
async fn subscriptions_and_connections_are_bounded_and_only_subscriptions_run() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.limits.max_subscriptions_per_connection = 2;
        s.limits.max_connections_per_principal = 1;
        s.limits.max_cost = 50;
    })
    .await
    .unwrap();
    let token = samverkan::auth::mint_dev_token(&app.secret, "u", "1880", &["viewer".into()], 600).unwrap();
    let mut ws = Ws::connect(&app.base, &token).await;
    ws.subscribe("q", "{ viewer { sub } }", json!({})).await;
    let m = ws.next().await.unwrap();
    assert_eq!(
        (m["id"].as_str(), m["type"].as_str()),
        (Some("q"), Some("error")),
        "{m}"
    );
    assert!(
        m["payload"][0]["message"].as_str().unwrap().contains("POST"),
        "{m}"
    );
    // What one event may cost is bounded as over HTTP.
    ws.subscribe(
        "wide",
        "subscription { eServiceProjectsChanged { project { participations { municipality { name } } costShares { amount municipality { name } } } } }",
        json!({}),
    )
    .await;
    let m = ws.next().await.unwrap();
    assert_eq!(
        (m["id"].as_str(), m["type"].as_str()),
        (Some("wide"), Some("error")),
        "{m}"
    );
    assert_eq!(m["payload"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{m}");
    for id in ["a", "b", "c"] {
        ws.subscribe(
            id,
            "subscription { eServiceProjectsChanged { projectId } }",
            json!({}),
        )
        .await;
    }
    let m = ws.next().await.unwrap();
    assert_eq!(
        (m["id"].as_str(), m["type"].as_str()),
        (Some("c"), Some("error")),
        "{m}"
    );
    assert_eq!(m["payload"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");

    let mut second = Ws::open(&app.base, Some(&token)).await;
    assert_eq!(second.closed().await, Some(4403), "one connection per user here");
    drop(ws);
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ws::connect(&app.base, &token).await;
}

/// A mutation through one replica reaches a subscriber on another: this test process is one
/// replica, the service binary on the same PostgreSQL database the other.
#[tokio::test]
async fn a_change_on_one_replica_reaches_a_subscriber_on_another_process() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let dir = app.data_dir().display().to_string();
    let Some(other) = Process::start(&[
        ("DATABASE_URL", app.database_url.as_str()),
        ("SAMVERKAN_DATA_DIR", dir.as_str()),
    ]) else {
        return;
    };
    let token = samverkan::auth::mint_dev_token(&app.secret, "u", "1881", &["viewer".into()], 600).unwrap();
    let mut ws = Ws::connect(&other.base, &token).await;
    ws.subscribe(
        "list",
        "subscription { eServiceProjectsChanged { project { title } } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let orebro = app.as_kommun("1880").editor();
    for i in 0..3 {
        orebro
            .ok(CREATE, json!({"t": format!("Över repliker {i}"), "v": "COUNTY"}))
            .await;
        let got = ws.data("list").await;
        assert_eq!(
            got["eServiceProjectsChanged"]["project"]["title"],
            format!("Över repliker {i}")
        );
    }
}

/// On SIGTERM a replica tells its subscribers to go elsewhere (close 1001) and refuses new
/// sockets while it drains.
#[tokio::test]
async fn a_draining_replica_closes_its_sockets() {
    let Some(p) = Process::start(&[("SAMVERKAN_DRAIN_SECONDS", "3")]) else {
        return;
    };
    let token = p.token("1880", "viewer");
    let mut ws = Ws::connect(&p.base, &token).await;
    ws.subscribe(
        "list",
        "subscription { eServiceProjectsChanged { projectId } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    p.terminate();
    assert_eq!(ws.closed().await, Some(1001), "told to reconnect elsewhere");
    let refused = tokio_tungstenite::connect_async(upgrade(&p.base)).await;
    assert!(refused.is_err(), "no new sockets while draining");
}

/// Who may subscribe to what, role by role: portals (`integration`) to nothing, the audit
/// feed only with `namnd` among the roles, the project feeds with any reading role.
#[tokio::test]
async fn each_feed_answers_only_the_roles_that_may_read_it() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let feeds = [
        ("list", "subscription { eServiceProjectsChanged { projectId } }"),
        ("audit", "subscription { auditEventAdded { action } }"),
    ];
    let cases: [(&[&str], [bool; 2]); 6] = [
        (&["integration"], [false, false]),
        (&["viewer"], [true, false]),
        (&["editor", "admin"], [true, false]),
        (&["namnd"], [true, true]),
        (&["namnd", "viewer"], [true, true]),
        (&["integration", "namnd"], [true, true]),
    ];
    for (roles, allowed) in cases {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        let token = samverkan::auth::mint_dev_token(&app.secret, "u", "1880", &roles, 600).unwrap();
        let mut ws = Ws::connect(&app.base, &token).await;
        for ((id, query), may) in feeds.iter().zip(allowed) {
            ws.subscribe(id, query, json!({})).await;
            // A refusal comes at once; an allowed feed stays silent until something changes.
            let mut answer = None;
            while let Some(m) = ws.next_within(Duration::from_millis(500)).await {
                if m["id"] == *id && m["type"] != "complete" {
                    answer = Some(m);
                    break;
                }
            }
            let refused = answer
                .as_ref()
                .is_some_and(|m| m["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN");
            assert_eq!(!refused, may, "{roles:?} {id}: {answer:?}");
        }
    }
}

/// A subscription is charged to the kommun's cost budget when it starts: once the kommun has
/// spent its minute's budget over HTTP, a new subscription is refused with `RATE_LIMITED`
/// while another kommun's still starts.
#[tokio::test]
async fn a_subscription_is_charged_to_the_kommuns_budget() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.limits.cost_per_minute = 200)
        .await
        .unwrap();
    let orebro = samverkan::auth::mint_dev_token(&app.secret, "u", "1880", &["viewer".into()], 600).unwrap();
    let kumla = samverkan::auth::mint_dev_token(&app.secret, "k", "1881", &["viewer".into()], 600).unwrap();
    let changes = "subscription { eServiceProjectsChanged { projectId kind } }";
    // Spent at the start of a minute, so that the budget is not renewed halfway.
    use chrono::Timelike;
    let left = 60 - chrono::Utc::now().second();
    if left < 20 {
        tokio::time::sleep(Duration::from_millis(u64::from(left) * 1000 + 200)).await;
    }
    // Spent with the cheapest read there is, so that what is left is less than a
    // subscription's cost.
    let viewer = app.as_kommun("1880").viewer();
    let mut served = 0;
    while viewer.gql("{ viewer { sub } }", json!({})).await.status == 200 {
        served += 1;
        assert!(served < 200, "the budget of 200 never ran out");
    }
    let mut ws = Ws::connect(&app.base, &orebro).await;
    ws.subscribe("late", changes, json!({})).await;
    let m = ws.next().await.unwrap();
    assert_eq!(
        (m["id"].as_str(), m["type"].as_str()),
        (Some("late"), Some("error")),
        "{m}"
    );
    assert_eq!(m["payload"][0]["extensions"]["code"], "RATE_LIMITED", "{m}");
    let mut other = Ws::connect(&app.base, &kumla).await;
    other.subscribe("fine", changes, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let made = app
        .as_kommun("1881")
        .editor()
        .gql(
            "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { project { id } } }",
            json!({"i": {"title": "Kumla's own", "budget": "1000"}}),
        )
        .await;
    let id = made.body["data"]["createEServiceProject"]["project"]["id"].clone();
    assert!(id.is_string(), "{}", made.body);
    let event = other.data("fine").await;
    assert_eq!(event["eServiceProjectsChanged"]["projectId"], id, "{event}");
}

/// With two counties served, a subscriber of Västra Götaland hears nothing of Örebro län:
/// its list feed and its committee's audit feed get their own county's change first, though
/// Örebro län's came before it.
async fn another_countys_changes_never_reach_a_subscriber(app: TestApp) {
    let token = |kommun: &str, roles: &[&str]| {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        samverkan::auth::mint_dev_token(&app.secret, "watcher", kommun, &roles, 600).unwrap()
    };
    let mut viewer = Ws::connect(&app.base, &token("1480", &["viewer"])).await;
    viewer
        .subscribe(
            "list",
            "subscription { eServiceProjectsChanged { project { title } } }",
            json!({}),
        )
        .await;
    let mut committee = Ws::connect(&app.base, &token("1480", &["namnd"])).await;
    committee
        .subscribe(
            "audit",
            "subscription { auditEventAdded { action after } }",
            json!({}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.as_kommun("1880")
        .editor()
        .ok(CREATE, json!({"t": "Örebro läns", "v": "COUNTY"}))
        .await;
    app.as_kommun("1480")
        .editor()
        .ok(CREATE, json!({"t": "Västra Götalands", "v": "COUNTY"}))
        .await;
    let got = viewer.data("list").await;
    assert_eq!(
        got["eServiceProjectsChanged"]["project"]["title"],
        "Västra Götalands"
    );
    let seen = committee.data("audit").await;
    assert!(
        seen["auditEventAdded"]["after"]
            .to_string()
            .contains("Västra Götalands"),
        "{seen}"
    );
}

both_backends!(another_countys_changes_never_reach_a_subscriber, |s| s.counties =
    "14,18".into());
