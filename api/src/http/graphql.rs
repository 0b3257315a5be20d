//! `/graphql`: content negotiation, the request's parameters from a body or a query string,
//! execution under the request's deadline, and the response in the negotiated media type.
use std::{ops::ControlFlow, sync::Arc, time::Instant};

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web::{self, Bytes},
};
use async_graphql::{
    Response, ServerError, Variables,
    parser::types::{ExecutableDocument, OperationType},
};
use serde_json::Value;
use tracing::Instrument;

use super::{
    AppState, Authenticated,
    cache::{self, ResponseCache},
    media::{JSON, Media, bad_request, negotiate, refuse},
    observe::Stage,
};
use crate::{error::ApiError, graphql::RequestContext, service::generation::PartsRead};

/// The GraphQL request parameters as sent: the document by text, by id, or both.
struct Sent {
    query: Option<String>,
    /// `documentId`, or Apollo's `extensions.persistedQuery.sha256Hash` as `sha256:<hex>`.
    document_id: Option<String>,
    operation_name: Option<String>,
    variables: Value,
    extensions: Value,
}

/// Apollo's automatic persisted queries name the document in the extensions.
fn apq_id(extensions: &Value) -> Result<Option<String>, (&'static str, &'static str)> {
    match extensions.get("persistedQuery").map(|p| p.get("sha256Hash")) {
        None => Ok(None),
        Some(Some(Value::String(h))) => Ok(Some(format!("sha256:{h}"))),
        Some(_) => Err((
            "extensions.persistedQuery.sha256Hash",
            "persistedQuery must carry sha256Hash as a string",
        )),
    }
}

/// One id from `documentId` and the APQ extension: they may not disagree.
fn one_id(
    document_id: Option<String>,
    apq: Option<String>,
) -> Result<Option<String>, (&'static str, &'static str)> {
    match (document_id, apq) {
        (Some(a), Some(b)) if a != b => Err((
            "documentId",
            "documentId and extensions.persistedQuery name different documents",
        )),
        (a, b) => Ok(a.or(b)),
    }
}

/// The GraphQL request parameters, the document's text found.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Value,
    extensions: Value,
}

fn params_from_json(v: Value) -> Result<Sent, (&'static str, &'static str)> {
    let Value::Object(mut m) = v else {
        return Err((
            "body",
            "the body must be a JSON object (batching is not supported)",
        ));
    };
    let query = match m.remove("query") {
        Some(Value::String(q)) => Some(q),
        None | Some(Value::Null) => None,
        Some(_) => return Err(("query", "query must be a string")),
    };
    let document_id = match m.remove("documentId") {
        Some(Value::String(q)) => Some(q),
        None | Some(Value::Null) => None,
        Some(_) => return Err(("documentId", "documentId must be a string")),
    };
    let operation_name = match m.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(("operationName", "operationName must be a string or null")),
    };
    let variables = match m.remove("variables") {
        None | Some(Value::Null) => Value::Null,
        Some(v @ Value::Object(_)) => v,
        Some(_) => return Err(("variables", "variables must be an object or null")),
    };
    let extensions = match m.remove("extensions") {
        None | Some(Value::Null) => Value::Null,
        Some(v @ Value::Object(_)) => v,
        Some(_) => return Err(("extensions", "extensions must be an object or null")),
    };
    let document_id = one_id(document_id, apq_id(&extensions)?)?;
    if query.is_none() && document_id.is_none() {
        return Err(("query", "the request has no query"));
    }
    Ok(Sent {
        query,
        document_id,
        operation_name,
        variables,
        extensions,
    })
}

/// Whether a document holds any operation but a query. GET runs queries only, whatever the
/// operation's name or the `operationName` asked for: a document that cannot be parsed is
/// left to the schema, which refuses it without running anything.
fn changes_anything(doc: Option<&ExecutableDocument>) -> bool {
    let Some(doc) = doc else {
        return false;
    };
    doc.operations
        .iter()
        .any(|(_, op)| op.node.ty != OperationType::Query)
}

/// `POST /graphql`.
pub async fn graphql_post(
    req: HttpRequest,
    who: Authenticated,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let rid = who.request_id.clone();
    let Some(media) = negotiate(&req) else {
        return refuse(
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            &rid,
            &ApiError::input(
                "Accept",
                "answers are application/graphql-response+json or application/json",
            ),
        );
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != JSON {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            &rid,
            &ApiError::input("Content-Type", "send the request as application/json"),
        );
    }
    // Read here rather than by actix's extractor, so an over-large body gets the same JSON
    // error as every other refusal (413 with a code), and reading stops at the bound.
    let limit = state.limits.max_body_bytes;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut payload).await {
        let Ok(chunk) = chunk else {
            return bad_request(media, &rid, "body", "the body could not be read");
        };
        if body.len() + chunk.len() > limit {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                media,
                &rid,
                &ApiError::input("body", format!("the body is larger than {limit} bytes")),
            );
        }
        body.extend_from_slice(&chunk);
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return bad_request(media, &rid, "body", "the body is not valid JSON"),
    };
    match params_from_json(value) {
        Ok(p) => execute(who, state, media, p, None).await,
        Err((field, msg)) => bad_request(media, &rid, field, msg),
    }
}

/// `GET /graphql`: the explorer for browsers, queries (never mutations) for clients.
pub async fn graphql_get(req: HttpRequest, who: Authenticated, state: web::Data<AppState>) -> HttpResponse {
    let rid = who.request_id.clone();
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_str(req.query_string()) {
        Ok(p) => p,
        Err(_) => {
            return bad_request(Media::Json, &rid, "query", "the query string cannot be decoded");
        }
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if get("query").is_none() && get("documentId").is_none() && accept.contains("text/html") {
        return super::explorer::page(&state);
    }
    let Some(media) = negotiate(&req) else {
        return refuse(
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            &rid,
            &ApiError::input(
                "Accept",
                "answers are application/graphql-response+json or application/json",
            ),
        );
    };
    let query = get("query");
    let parse_obj = |k: &str| -> Result<Value, ()> {
        match get(k) {
            None => Ok(Value::Null),
            Some(s) if s.is_empty() => Ok(Value::Null),
            Some(s) => match serde_json::from_str::<Value>(&s) {
                Ok(v @ (Value::Object(_) | Value::Null)) => Ok(v),
                _ => Err(()),
            },
        }
    };
    let Ok(variables) = parse_obj("variables") else {
        return bad_request(media, &rid, "variables", "variables must be a JSON object");
    };
    let Ok(extensions) = parse_obj("extensions") else {
        return bad_request(media, &rid, "extensions", "extensions must be a JSON object");
    };
    let document_id = match apq_id(&extensions).and_then(|apq| one_id(get("documentId"), apq)) {
        Ok(id) => id,
        Err((field, msg)) => return bad_request(media, &rid, field, msg),
    };
    if query.is_none() && document_id.is_none() {
        return bad_request(media, &rid, "query", "the request has no query");
    }
    let p = Sent {
        query,
        document_id,
        operation_name: get("operationName").filter(|s| !s.is_empty()),
        variables,
        extensions,
    };
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    execute(who, state, media, p, Some(Conditional { if_none_match })).await
}

/// A GET request's HTTP caching: it may be answered 304 when the client holds the answer.
struct Conditional {
    if_none_match: Option<String>,
}

/// How an answer may be cached: a GET query's answer gets an `ETag` (304 for a client that
/// holds it); an anonymous caller can only read the public catalogue, so its answers may be
/// kept by shared caches for a minute; anything read with a token is private.
struct Caching {
    get: Option<Conditional>,
    anonymous: bool,
}

impl Caching {
    const NONE: Caching = Caching {
        get: None,
        anonymous: false,
    };
}

async fn execute(
    who: Authenticated,
    state: web::Data<AppState>,
    media: Media,
    p: Sent,
    get: Option<Conditional>,
) -> HttpResponse {
    let mut operation = p.operation_name.clone();
    let mut res = run(who, state, media, p, get, &mut operation).await;
    res.extensions_mut().insert(super::observe::Operation(operation));
    res
}

/// Runs one stage of a request in its span, its time counted in the stage metrics.
async fn stage<T>(state: &AppState, stage: Stage, work: impl Future<Output = T>) -> T {
    let span = match stage {
        Stage::Admit => tracing::debug_span!("admit"),
        Stage::Cached => tracing::debug_span!("cached"),
        Stage::Plan => tracing::debug_span!("plan"),
        Stage::Execute => tracing::debug_span!("execute"),
        Stage::Respond => tracing::debug_span!("respond"),
    };
    let started = Instant::now();
    let out = work.instrument(span).await;
    state.metrics.stage(stage, started.elapsed());
    out
}

/// A request that may run: within the size limit, parsed (when it parses), and not a
/// mutation sent over GET.
struct Admitted {
    params: Params,
    document: Option<Arc<ExecutableDocument>>,
    /// Whether it runs a query: only such answers are looked up and kept.
    keepable: bool,
    caching: Caching,
}

/// The response cache's side of one query: its key, and the generation read for it.
#[derive(Default)]
struct Lookup<'s> {
    key: Option<(&'s ResponseCache, cache::Key)>,
    stamp: Option<cache::Stamp>,
    /// What the stamp read was of: `None` for the data generation, or the project count parts.
    stamped_by: Option<Option<Arc<[String]>>>,
    parts_read: PartsRead,
}

/// A request ready to execute: the document checked against the limits and the cost walk.
struct Planned {
    request: async_graphql::Request,
    document: Option<Arc<ExecutableDocument>>,
    operation: Option<String>,
    introspection: bool,
    /// The parts the answer's stamp follows: the caller's project count parts when it reads
    /// only projects, else its county's and the national scope; `None` without a county.
    stamp_parts: Option<Arc<[String]>>,
    /// Whether it runs a query, whose answer may be kept.
    keepable: bool,
    /// What it is charged: its cost walk's fields (nothing for reading the budget alone).
    cost: u64,
}

/// What an introspection-only document is charged: the cost walk leaves such documents to
/// their own rule (`cost::check_introspection`), which bounds them by nesting, not by fields.
const INTROSPECTION_COST: u64 = 100;

/// `operation` comes in as the name the request gave and leaves as the name of the
/// operation that ran, where the document names it (for the access log and the metrics).
///
/// A request goes through named stages, each in a span of its own (children of the
/// request's `graphql` span) with its time in `samverkan_graphql_stage_duration_seconds`:
/// admit → cached (queries only) → plan → execute → respond.
async fn run(
    who: Authenticated,
    state: web::Data<AppState>,
    media: Media,
    p: Sent,
    get: Option<Conditional>,
    operation_label: &mut Option<String>,
) -> HttpResponse {
    let Authenticated {
        caller,
        request_id: rid,
        trace_context,
        payer,
        ..
    } = who;
    let kommun = caller.principal().map(|p| p.kommun.clone()).unwrap_or_default();
    let span = tracing::info_span!(
        "graphql",
        request_id = %rid,
        kommun = %kommun,
        operation = tracing::field::Empty
    );
    if let (Some(parent), state) = trace_context {
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        let _ = span.set_parent(crate::telemetry::remote_context(Some(&parent), state.as_deref()));
    }
    async {
        let admitted = match stage(&state, Stage::Admit, async {
            admit(&state, &caller, media, &rid, p, get, operation_label)
        })
        .await
        {
            ControlFlow::Continue(a) => a,
            ControlFlow::Break(refused) => return refused,
        };
        if let Some(name) = operation_label.as_deref() {
            tracing::Span::current().record("operation", name);
        }
        let mut lookup = match stage(
            &state,
            Stage::Cached,
            cached(&state, &caller, (media, &rid), &payer, &admitted),
        )
        .await
        {
            Ok(l) => l,
            Err(hit) => {
                if let Some(operation) = hit.operation {
                    *operation_label = operation;
                }
                return hit.answer;
            }
        };
        let planned = match stage(&state, Stage::Plan, async {
            plan(
                &state,
                &caller,
                admitted.params,
                admitted.document,
                admitted.keepable,
                lookup.key.is_some(),
            )
        })
        .await
        {
            ControlFlow::Continue(p) => p,
            ControlFlow::Break(response) => {
                let budget = state.budgets.peek(&payer);
                return respond(media, &rid, response, usize::MAX, &Caching::NONE, &budget, None);
            }
        };
        let budget = match state.budgets.charge(&payer, planned.cost).await {
            Ok(budget) => budget,
            Err((e, budget)) => {
                state.metrics.rate_limited();
                return refuse_with_cost(StatusCode::TOO_MANY_REQUESTS, media, &rid, &e, &budget);
            }
        };
        let caching = admitted.caching;
        let ran = stage(
            &state,
            Stage::Execute,
            run_planned(
                &state,
                caller,
                (media, &rid),
                planned,
                &mut lookup,
                &caching,
                budget,
            ),
        )
        .await;
        match ran {
            Ran::Refused(answer) => answer,
            Ran::Shared(answer, operation) => {
                *operation_label = operation;
                answer
            }
            Ran::Executed(response, leader) => {
                stage(&state, Stage::Respond, async {
                    respond(
                        media,
                        &rid,
                        response,
                        state.limits.max_response_bytes,
                        &caching,
                        &budget,
                        leader.map(|leader| (leader, operation_label.clone())),
                    )
                })
                .await
            }
        }
    }
    .instrument(span)
    .await
}

/// Admit: the size limit, the document parsed (bounded cache by text), GET refusing any
/// operation but a query, the operation's name for the log.
fn admit(
    state: &AppState,
    caller: &crate::auth::Caller,
    media: Media,
    rid: &str,
    sent: Sent,
    get: Option<Conditional>,
    operation_label: &mut Option<String>,
) -> ControlFlow<HttpResponse, Admitted> {
    // The document by id, or the text checked against the client's manifest: before
    // parsing, so an unknown id or an untrusted text costs a hash (of at most a body) and a
    // lookup.
    let asked = super::trusted::Asked {
        query: sent.query,
        document_id: sent.document_id,
    };
    let query = match state.trusted.resolve(caller, asked) {
        Ok(q) => q,
        Err(e) => {
            let status = match e {
                ApiError::NotFound(_) => StatusCode::NOT_FOUND,
                ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::BAD_REQUEST,
            };
            return ControlFlow::Break(refuse(status, media, rid, &e));
        }
    };
    let p = Params {
        query,
        operation_name: sent.operation_name,
        variables: sent.variables,
        extensions: sent.extensions,
    };
    if p.query.len() > state.limits.max_query_chars {
        return ControlFlow::Break(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            rid,
            &ApiError::QueryTooComplex(format!(
                "the query is longer than {} characters",
                state.limits.max_query_chars
            )),
        ));
    }
    // A document that does not parse is left to the schema, which reports it in its own words.
    let document = state.documents.parse(&p.query);
    if get.is_some() && changes_anything(document.as_deref()) {
        return ControlFlow::Break(refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            rid,
            &ApiError::input("query", "mutations must be sent with POST"),
        ));
    }
    let keepable = document.as_deref().is_some_and(|doc| {
        cache::runs_a_query(doc, p.operation_name.as_deref()) && !cache::reads_live_state(doc)
    });
    if let Some(doc) = &document
        && operation_label.is_none()
        && let async_graphql::parser::types::DocumentOperations::Multiple(ops) = &doc.operations
        && ops.len() == 1
    {
        *operation_label = ops.keys().next().map(|n| n.to_string());
    }
    ControlFlow::Continue(Admitted {
        params: p,
        document,
        keepable,
        caching: Caching {
            get,
            anonymous: caller.principal().is_none(),
        },
    })
}

/// An answer sent without executing: a cached answer with the name of the operation it
/// answered, or (`operation: None`) a refusal.
struct Answered {
    answer: HttpResponse,
    operation: Option<Option<String>>,
}

/// Cached: a query's answer from the response cache, if one is kept at the generation read
/// now. The generation is read here only when an entry exists (a refused document never gets
/// one); otherwise once the query has passed the limits, just before it runs, so that
/// everything it reads is at least as new as the generation. Mutations never come here.
async fn cached<'s>(
    state: &'s AppState,
    caller: &crate::auth::Caller,
    (media, rid): (Media, &str),
    payer: &super::budget::Payer,
    admitted: &Admitted,
) -> Result<Lookup<'s>, Answered> {
    let mut lookup = Lookup::default();
    let Some(cache) = state.cache.as_ref().filter(|_| admitted.keepable) else {
        return Ok(lookup);
    };
    let p = &admitted.params;
    let key = ResponseCache::key(
        caller,
        chrono::Utc::now().date_naive(),
        &p.query,
        p.operation_name.as_deref(),
        &p.variables,
    );
    lookup.key = Some((cache, key));
    if let Some(parts) = cache.stamped_by(&key) {
        lookup.stamp = read_stamp(state, media, rid, parts.as_deref(), &lookup.parts_read)
            .await
            .map_err(|answer| Answered {
                answer,
                operation: None,
            })?;
        lookup.stamped_by = Some(parts);
        if let Some(hit) = lookup.stamp.and_then(|now| cache.get(&key, now)) {
            tracing::debug!(request_id = %rid, "answered from the response cache");
            let answer = match state.budgets.charge(payer, hit.cost).await {
                Ok(budget) => send(
                    StatusCode::OK,
                    media,
                    rid,
                    &hit.body,
                    Some(&hit.etag),
                    &admitted.caching,
                    &budget,
                ),
                Err((e, budget)) => {
                    state.metrics.rate_limited();
                    refuse_with_cost(StatusCode::TOO_MANY_REQUESTS, media, rid, &e, &budget)
                }
            };
            return Err(Answered {
                answer,
                operation: Some(hit.operation.clone()),
            });
        }
    }
    Ok(lookup)
}

/// Plan: the request as the schema takes it, with its parsed document, checked by the cost
/// walk (or, for introspection alone, by its own rule) before any SQL; and for a cacheable
/// answer that reads only projects, the count parts it follows.
fn plan(
    state: &AppState,
    caller: &crate::auth::Caller,
    p: Params,
    document: Option<Arc<ExecutableDocument>>,
    keepable: bool,
    cached: bool,
) -> ControlFlow<Response, Planned> {
    let mut request = async_graphql::Request::new(p.query).variables(Variables::from_json(p.variables));
    if let Some(name) = p.operation_name {
        request = request.operation_name(name);
    }
    if let Value::Object(ext) = p.extensions {
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                request.extensions.insert(k, v);
            }
        }
    }
    let operation = request.operation_name.clone();
    let mut introspection = false;
    let mut stamp_parts: Option<Arc<[String]>> = None;
    // A document that does not parse runs nothing and is charged nothing.
    let mut charged = 0;
    if let Some(doc) = &document {
        request.set_parsed_query(ExecutableDocument::clone(doc));
        if cached && state.cost.reads_projects_only(doc, operation.as_deref()) {
            let names = crate::service::Services::project_parts_of(caller);
            stamp_parts = (!names.is_empty()).then(|| Arc::from(names));
        } else if cached && state.freshness_by_county {
            // Anything else a caller reads is of its county or national.
            stamp_parts = crate::service::Services::scope_parts_of(caller).map(Arc::from);
        }
        use crate::graphql::cost;
        introspection = cost::introspection_only(doc, operation.as_deref());
        let checked = if introspection {
            charged = INTROSPECTION_COST;
            cost::check_introspection(doc, operation.as_deref(), state.limits.max_aliases as u64)
        } else {
            state
                .cost
                .check(
                    doc,
                    operation.as_deref(),
                    &request.variables,
                    state.limits.max_cost,
                    state.limits.max_aliases as u64,
                    state.limits.max_depth,
                )
                .map(|c| {
                    charged = if cost::free_of_charge(doc, operation.as_deref()) {
                        0
                    } else {
                        c.fields
                    };
                })
        };
        if let Err(e) = checked {
            return ControlFlow::Break(Response::from_errors(vec![e]));
        }
    }
    ControlFlow::Continue(Planned {
        request,
        document,
        operation,
        introspection,
        stamp_parts,
        keepable,
        cost: charged,
    })
}

/// What executing came to: a refusal, an answer another request computed (with the name
/// of the operation it answered), or the response to send with the cache's claim on keeping it.
enum Ran<'s> {
    Refused(HttpResponse),
    Shared(HttpResponse, Option<String>),
    Executed(Response, Option<cache::Leader<'s>>),
}

/// Execute: the generation read for the cache (again if the entry found was stamped otherwise
/// than this answer is), the answer claimed (or another request's computation of the same
/// answer awaited), then the schema runs it under the request's deadline.
async fn run_planned<'s>(
    state: &'s AppState,
    caller: crate::auth::Caller,
    (media, rid): (Media, &str),
    planned: Planned,
    lookup: &mut Lookup<'s>,
    caching: &Caching,
    budget: crate::graphql::budget::RateLimit,
) -> Ran<'s> {
    let Planned {
        request,
        document,
        operation,
        introspection,
        stamp_parts,
        keepable,
        cost: _,
    } = planned;
    // The generation is read for the cache alone (counts read the generations of their own
    // parts when they count), and again if an entry was stamped otherwise than this answer is.
    if lookup.stamped_by.as_ref() != Some(&stamp_parts) {
        lookup.stamp = None;
    }
    if keepable && lookup.key.is_some() && lookup.stamp.is_none() {
        lookup.stamp = match read_stamp(state, media, rid, stamp_parts.as_deref(), &lookup.parts_read).await {
            Ok(s) => s,
            Err(answer) => return Ran::Refused(answer),
        };
    }
    let deadline = std::time::Duration::from_millis(state.limits.request_timeout_ms);
    let mut leader = None;
    if keepable && let (Some((cache, key)), Some(now)) = (lookup.key, lookup.stamp) {
        leader = Some(match cache.begin(key, now, stamp_parts.clone()) {
            cache::Turn::Lead(leader) => leader,
            cache::Turn::Wait(pending) => {
                if let Some(answer) = cache.wait(pending, deadline).await {
                    tracing::debug!(request_id = %rid, "answered by a request computing the same answer");
                    return Ran::Shared(
                        send(
                            StatusCode::OK,
                            media,
                            rid,
                            &answer.body,
                            Some(&answer.etag),
                            caching,
                            &budget,
                        ),
                        answer.operation.clone(),
                    );
                }
                cache.alone(key, now, stamp_parts.clone())
            }
        });
    }
    let inexact_count = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let request = request
        .data(state.services.loaders(&caller))
        .data(std::mem::take(&mut lookup.parts_read))
        .data(budget)
        .data(RequestContext {
            caller,
            request_id: rid.to_owned(),
            inexact_count: inexact_count.clone(),
        });
    let started = Instant::now();
    let schema = if introspection {
        &state.introspection
    } else {
        &state.schema
    };
    let mut response = match tokio::time::timeout(deadline, schema.execute(request)).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(
                timeout_ms = state.limits.request_timeout_ms,
                "request stopped at its deadline"
            );
            return Ran::Refused(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                media,
                rid,
                &ApiError::QueryTooComplex(format!(
                    "the request ran longer than {} ms and was stopped; ask for less",
                    state.limits.request_timeout_ms
                )),
            ));
        }
    };
    if let Some(doc) = &document {
        crate::graphql::restore_field_order(doc, operation.as_deref(), &mut response.data);
    }
    if inexact_count.load(std::sync::atomic::Ordering::Relaxed) {
        // A bound stands in for a count still running: the next reader gets the count.
        leader = None;
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        errors = response.errors.len(),
        "executed"
    );
    Ran::Executed(response, leader)
}

/// The data now (`Services::stamp`). A database that cannot be reached is the answer at once;
/// any other failure to read it is ours, logged, and leaves the answer neither looked up nor
/// kept (`Ok(None)`), while executing reports what is wrong.
async fn read_stamp(
    state: &AppState,
    media: Media,
    request_id: &str,
    parts: Option<&[String]>,
    read: &PartsRead,
) -> Result<Option<cache::Stamp>, HttpResponse> {
    match state.services.stamp(parts, read).await {
        Ok(now) => Ok(Some(now)),
        Err(e @ ApiError::Unavailable(_)) => {
            Err(refuse(StatusCode::SERVICE_UNAVAILABLE, media, request_id, &e))
        }
        Err(e) => {
            tracing::error!(request_id, error = ?e, "the data generation could not be read");
            Ok(None)
        }
    }
}

/// Gives every error a stable code; errors raised before execution (parse, validation,
/// limits) carry none from async-graphql and no path.
fn classify(e: &mut ServerError, request_id: &str) {
    let ext = e.extensions.get_or_insert_with(Default::default);
    let code = match ext.get("code") {
        Some(async_graphql::Value::String(c)) => c.clone(),
        _ => {
            let m = e.message.to_ascii_lowercase();
            let code = if m.contains("too deep")
                || m.contains("too complex")
                || m.contains("recursive")
                || m.contains("directives")
            {
                "QUERY_TOO_COMPLEX"
            } else {
                "BAD_USER_INPUT"
            };
            ext.set("code", code);
            code.to_owned()
        }
    };
    if code == "INTERNAL" {
        ext.set("requestId", request_id);
    }
}

fn respond(
    media: Media,
    request_id: &str,
    mut response: Response,
    max_bytes: usize,
    caching: &Caching,
    budget: &crate::graphql::budget::RateLimit,
    keep: Option<(cache::Leader<'_>, Option<String>)>,
) -> HttpResponse {
    for e in &mut response.errors {
        classify(e, request_id);
    }
    let no_data = matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if no_data && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    // Serialized straight from the response: its objects keep the order of the query's
    // selections (a detour through serde_json::Value would sort the keys), and no second copy
    // of the tree is built.
    #[derive(serde::Serialize)]
    struct Body<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<&'a async_graphql::Value>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        errors: &'a [ServerError],
        #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
    }
    let body = serde_json::to_vec(&Body {
        data: (!no_data).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    })
    .unwrap_or_else(|_| {
        br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.to_vec()
    });
    if body.len() > max_bytes {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            request_id,
            &ApiError::QueryTooComplex(format!(
                "the response would be larger than {max_bytes} bytes; ask for smaller pages or fewer fields"
            )),
        );
    }
    let body = Bytes::from(body);
    let first_code =
        response
            .errors
            .first()
            .map(|e| match e.extensions.as_ref().and_then(|x| x.get("code")) {
                Some(async_graphql::Value::String(c)) => crate::error::code_named(c),
                _ => "INTERNAL",
            });
    // Answers are kept without their cost, which `send` adds for each caller: the cost walk's
    // figure with the caller's own budget. The rare answer with extensions of its own is
    // neither kept nor given a tag.
    let cacheable = status == StatusCode::OK && response.errors.is_empty() && response.extensions.is_empty();
    let etag = (cacheable && (caching.get.is_some() || keep.is_some())).then(|| cache::etag(&body));
    if let (true, Some((leader, operation)), Some(etag)) = (cacheable, keep, &etag) {
        leader.keep(cache::Made {
            body: body.clone(),
            etag: etag.clone(),
            operation,
            cost: u64::try_from(budget.requested).unwrap_or(0),
        });
    }
    let body = if response.extensions.is_empty() {
        body
    } else {
        response.extensions.insert(
            "cost".into(),
            async_graphql::Value::from_json(super::budget::extension(budget)).unwrap_or_default(),
        );
        Bytes::from(
            serde_json::to_vec(&Body {
                data: (!no_data).then_some(&response.data),
                errors: &response.errors,
                extensions: &response.extensions,
            })
            .unwrap_or_default(),
        )
    };
    // A turn refused to a heavy read says when to come back, as the rate limit does.
    let retry_after = response.errors.iter().find_map(|e| {
        match e.extensions.as_ref().and_then(|x| x.get("retryAfterSeconds")) {
            Some(async_graphql::Value::Number(n)) => n.as_u64(),
            _ => None,
        }
    });
    let mut answer = if response.extensions.is_empty() {
        send(status, media, request_id, &body, etag.as_deref(), caching, budget)
    } else {
        send_as_is(status, media, request_id, body, etag.as_deref(), caching)
    };
    if let Some(secs) = retry_after {
        answer
            .headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, secs.into());
    }
    super::observe::with_outcome(answer, first_code)
}

/// Sends an answer with the headers of its caching: an `ETag` for a successful GET (304 for
/// a client that holds it), public for anonymous GETs, private otherwise.
fn send(
    status: StatusCode,
    media: Media,
    request_id: &str,
    body: &[u8],
    etag: Option<&str>,
    caching: &Caching,
    budget: &crate::graphql::budget::RateLimit,
) -> HttpResponse {
    send_as_is(
        status,
        media,
        request_id,
        super::budget::with_cost(body, budget),
        etag,
        caching,
    )
}

/// [`send`] for a body that already says its cost.
fn send_as_is(
    status: StatusCode,
    media: Media,
    request_id: &str,
    body: Bytes,
    etag: Option<&str>,
    caching: &Caching,
) -> HttpResponse {
    let cacheable = status == StatusCode::OK && etag.is_some();
    let cache_control = if cacheable && caching.anonymous && caching.get.is_some() {
        "public, max-age=60"
    } else {
        "private, no-cache"
    };
    let mut b = HttpResponse::build(status);
    b.insert_header((header::CONTENT_TYPE, media.as_str()))
        .insert_header(("x-request-id", request_id))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::VARY, "Authorization, Accept"));
    if let (Some(etag), Some(get)) = (etag, &caching.get) {
        let held = get.if_none_match.as_deref().is_some_and(|h| {
            h.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        });
        // Weak: the answer's data is what the tag stands for, while the cost it carries is
        // each request's own.
        b.insert_header((header::ETAG, format!("W/{etag}")));
        if held {
            return b.status(StatusCode::NOT_MODIFIED).finish();
        }
    }
    b.body(body)
}

/// A refusal that says the budget as it stands (`extensions.cost`).
fn refuse_with_cost(
    status: StatusCode,
    media: Media,
    rid: &str,
    e: &ApiError,
    budget: &crate::graphql::budget::RateLimit,
) -> HttpResponse {
    super::media::refuse_with(status, media, rid, e, Some(super::budget::extension(budget)))
}
