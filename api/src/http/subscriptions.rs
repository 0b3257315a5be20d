//! Subscriptions: `GET /graphql` upgraded to a WebSocket speaking `graphql-transport-ws`.
//!
//! async-graphql's protocol engine runs the subscriptions; this layer does what a public
//! endpoint needs around it: the token comes in `connection_init` and is verified like a
//! bearer token (no token, no connection), the socket closes when the token expires (4401)
//! or when the replica drains (1001), only subscription operations are taken (queries and
//! mutations go over POST, with its limits), each subscription is charged its cost walk's
//! fields against the kommun's cost budget when it starts (its events are not charged again),
//! and both the subscriptions per connection and the connections per principal are bounded.
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{
    HttpRequest, HttpResponse,
    http::header::{self, HeaderValue},
    web,
};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use async_graphql::{
    Data,
    http::{WebSocketProtocols, WsMessage},
    parser::types::OperationType,
};
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::{AppState, media::request_id};
use crate::{auth::Caller, graphql::RequestContext};

const PROTOCOL: &str = "graphql-transport-ws";
/// A client that has not sent `connection_init` by then is closed (the protocol's 4408).
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Open connections by principal, each released when its connection ends.
#[derive(Default)]
pub struct Connections(Mutex<HashMap<String, usize>>);

struct Held {
    state: Arc<AppState>,
    key: String,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.state.connections.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// What `connection_init` settled: who is connected, until when.
#[derive(Default)]
struct Session {
    held: Option<Held>,
    expires_at: Option<i64>,
    /// The kommun's cost budget, which each `subscribe` is charged to.
    payer: Option<super::budget::Payer>,
}

/// `GET /graphql` with `Upgrade: websocket`.
pub async fn subscriptions(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let offered = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !offered.split(',').any(|p| p.trim() == PROTOCOL) {
        return Ok(HttpResponse::BadRequest()
            .content_type("text/plain; charset=utf-8")
            .body("subscriptions speak graphql-transport-ws: offer it in Sec-WebSocket-Protocol"));
    }
    if let Err(e) = super::boundary::limit_by_address(&state, &req) {
        let status = super::boundary::status_of(&e);
        return Ok(super::media::refuse(
            status,
            super::media::Media::Json,
            &request_id(&req),
            &e,
        ));
    }
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("this replica is shutting down; connect again"));
    }
    let (mut response, session, messages) = actix_ws::handle(&req, body)?;
    response
        .headers_mut()
        .insert(header::SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(PROTOCOL));
    let max = state.limits.max_body_bytes;
    let messages = messages
        .max_frame_size(max)
        .aggregate_continuations()
        .max_continuation_size(max);
    let rid = request_id(&req);
    actix_web::rt::spawn(serve(state.into_inner(), session, messages, rid));
    Ok(response)
}

/// A client message the engine should not see, answered here instead.
fn refused(id: &str, message: &str, code: &str) -> String {
    json!({"id": id, "type": "error", "payload": [{"message": message, "extensions": {"code": code}}]})
        .to_string()
}

/// What a `subscribe` payload costs (the fields of one event, charged once when it starts),
/// or why it is refused here: not a subscription (queries and mutations go over POST, with
/// its limits), or over the limits of what one document may cost, the same walk as over
/// HTTP (`graphql::cost`). A document that does not parse costs nothing and is left to the
/// engine, which answers it in its own words.
fn planned(state: &AppState, payload: &Value) -> Result<u64, (String, &'static str)> {
    let Some(query) = payload.get("query").and_then(|q| q.as_str()) else {
        return Ok(0);
    };
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return Ok(0);
    };
    let wanted = payload.get("operationName").and_then(|n| n.as_str());
    let Some(ty) = doc
        .operations
        .iter()
        .find(|(name, _)| wanted.is_none() || name.map(|n| n.as_str()) == wanted)
        .map(|(_, op)| op.node.ty)
    else {
        return Ok(0);
    };
    if ty != OperationType::Subscription {
        return Err((
            "only subscriptions over this socket; send queries and mutations with POST".into(),
            "BAD_USER_INPUT",
        ));
    }
    let variables =
        async_graphql::Variables::from_json(payload.get("variables").cloned().unwrap_or(Value::Null));
    let limits = &state.limits;
    state
        .cost
        .check(
            &doc,
            wanted,
            &variables,
            limits.max_cost,
            limits.max_aliases as u64,
            limits.max_depth,
        )
        .map(|cost| cost.fields)
        .map_err(|e| (e.message, "QUERY_TOO_COMPLEX"))
}

async fn serve(
    state: Arc<AppState>,
    mut session: actix_ws::Session,
    mut messages: actix_ws::AggregatedMessageStream,
    request_id: String,
) {
    let settled = Arc::new(Mutex::new(Session::default()));
    let (to_engine, from_client) = tokio::sync::mpsc::channel::<String>(64);
    let init = {
        let (state, settled, request_id) = (state.clone(), settled.clone(), request_id.clone());
        move |payload: Value| async move { connection_init(&state, &settled, payload, request_id).await }
    };
    let engine = async_graphql::http::WebSocket::new(
        state.schema.clone(),
        tokio_stream_of(from_client),
        WebSocketProtocols::GraphQLWS,
    )
    .on_connection_init(init);
    let mut engine = Box::pin(engine);
    let mut active: HashSet<String> = HashSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let opened = std::time::Instant::now();
    let max_subscriptions = state.limits.max_subscriptions_per_connection;
    // A close frame's reason holds at most 123 bytes.
    let close = |code: u16, why: &str| {
        let mut end = why.len().min(123);
        while !why.is_char_boundary(end) {
            end -= 1;
        }
        Some(CloseReason {
            code: CloseCode::from(code),
            description: Some(why[..end].to_owned()),
        })
    };
    let reason = loop {
        tokio::select! {
            message = messages.next() => match message {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    let id = parsed.get("id").and_then(|i| i.as_str()).unwrap_or("").to_owned();
                    match parsed.get("type").and_then(|t| t.as_str()) {
                        Some("subscribe") => {
                            let payload = parsed.get("payload").cloned().unwrap_or(Value::Null);
                            let cost = match planned(&state, &payload) {
                                Ok(cost) => cost,
                                Err((message, code)) => {
                                    if session.text(refused(&id, &message, code)).await.is_err() { break None; }
                                    continue;
                                }
                            };
                            let payer = settled.lock().unwrap_or_else(|e| e.into_inner()).payer.clone();
                            if let Some(payer) = payer
                                && let Err((e, _)) = state.budgets.charge(&payer, cost).await
                            {
                                state.metrics.rate_limited();
                                if session.text(refused(&id, &e.message(), e.code())).await.is_err() { break None; }
                                continue;
                            }
                            if !active.contains(&id) && active.len() >= max_subscriptions {
                                let m = refused(&id, &format!("at most {max_subscriptions} subscriptions per connection"), "QUERY_TOO_COMPLEX");
                                if session.text(m).await.is_err() { break None; }
                                continue;
                            }
                            if active.insert(id) {
                                state.metrics.subscription_opened();
                            }
                        }
                        Some("complete") if active.remove(&id) => state.metrics.subscription_closed(),
                        _ => {}
                    }
                    // Never awaited: the engine is polled by this same loop, so waiting for
                    // room here could wait forever. A client that runs this far ahead is
                    // closed instead.
                    match to_engine.try_send(text.to_string()) {
                        Ok(()) => {}
                        Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => {
                            break close(4429, "too many messages at once");
                        }
                        Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => break None,
                    }
                }
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() { break None; }
                }
                Some(Ok(AggregatedMessage::Binary(_))) => {
                    break close(4400, "graphql-transport-ws messages are text");
                }
                Some(Ok(AggregatedMessage::Pong(_))) => {}
                Some(Ok(AggregatedMessage::Close(_))) | Some(Err(_)) | None => break None,
            },
            out = engine.next() => match out {
                Some(WsMessage::Text(text)) => {
                    if let Ok(v) = serde_json::from_str::<Value>(&text)
                        && matches!(v.get("type").and_then(|t| t.as_str()), Some("complete" | "error"))
                        && let Some(id) = v.get("id").and_then(|i| i.as_str())
                        && active.remove(id)
                    {
                        state.metrics.subscription_closed();
                    }
                    if session.text(text).await.is_err() { break None; }
                }
                Some(WsMessage::Close(code, why)) => {
                    // The engine closes a refused `connection_init` with 1002; the protocol
                    // asks for 4403 Forbidden.
                    let refused_init = code == 1002
                        && settled.lock().unwrap_or_else(|e| e.into_inner()).held.is_none();
                    break close(if refused_init { 4403 } else { code }, &why);
                }
                None => break None,
            },
            _ = tick.tick() => {
                if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
                    break close(1001, "the server is restarting; connect again");
                }
                let (initialized, expires_at) = {
                    let s = settled.lock().unwrap_or_else(|e| e.into_inner());
                    (s.held.is_some(), s.expires_at)
                };
                if !initialized && opened.elapsed() > INIT_TIMEOUT {
                    break close(4408, "connection initialisation timeout");
                }
                if expires_at.is_some_and(|exp| chrono::Utc::now().timestamp() >= exp) {
                    break close(4401, "the token has expired");
                }
            }
        }
    };
    for _ in active.drain() {
        state.metrics.subscription_closed();
    }
    let _ = session.close(reason).await;
    // Releases the principal's connection.
    settled.lock().unwrap_or_else(|e| e.into_inner()).held = None;
}

/// Verifies the token of `connection_init` (`{"Authorization": "Bearer …"}`, any case of
/// the key, or `{"token": "…"}`) and counts the connection against its principal.
async fn connection_init(
    state: &Arc<AppState>,
    settled: &Mutex<Session>,
    payload: Value,
    request_id: String,
) -> async_graphql::Result<Data> {
    let header = payload
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")))
        .and_then(|(_, v)| v.as_str());
    let token = match (header, payload.get("token").and_then(|t| t.as_str())) {
        (Some(h), _) => h
            .strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
            .ok_or_else(|| {
                async_graphql::Error::new("connection_init: Authorization must be 'Bearer <token>'")
            })?,
        (None, Some(t)) => t,
        (None, None) => {
            return Err(async_graphql::Error::new(
                "connection_init needs the token: {\"Authorization\": \"Bearer <token>\"}",
            ));
        }
    };
    let principal = state
        .verifier
        .verify(token, &state.services.reference())
        .await
        .map_err(|e| async_graphql::Error::new(format!("the token is refused: {}", e.message())))?;
    let key = format!("{}|{}", principal.kommun, principal.sub);
    {
        let mut open = state.connections.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key.clone()).or_insert(0);
        if *n >= state.limits.max_connections_per_principal {
            return Err(async_graphql::Error::new(format!(
                "at most {} subscription connections per user",
                state.limits.max_connections_per_principal
            )));
        }
        *n += 1;
    }
    {
        let mut s = settled.lock().unwrap_or_else(|e| e.into_inner());
        s.held = Some(Held {
            state: state.clone(),
            key,
        });
        s.expires_at = principal.expires_at;
    }
    let caller = Caller::Principal(principal);
    let payer = state.budgets.payer(&caller, "");
    settled.lock().unwrap_or_else(|e| e.into_inner()).payer = Some(payer);
    let mut data = Data::default();
    data.insert(state.services.loaders(&caller));
    data.insert(RequestContext {
        caller,
        request_id,
        inexact_count: Default::default(),
    });
    Ok(data)
}

/// The client's messages as the engine reads them.
fn tokio_stream_of(mut rx: tokio::sync::mpsc::Receiver<String>) -> impl futures_util::Stream<Item = String> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
