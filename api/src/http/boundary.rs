//! The boundary every endpoint shares: who is calling (request id, bearer token, rate limit)
//! and how a request refused there is answered.
use super::*;

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};

use crate::{auth::Caller, error::ApiError};

/// Real identity providers' tokens stay well under this; anything longer is refused before
/// it is decoded.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The HTTP status of a request refused at the boundary with `e`.
pub(super) fn status_of(e: &ApiError) -> StatusCode {
    match e {
        ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// A request refused before it reaches a handler's work, answered in the GraphQL error shape
/// with the status its code calls for.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    media: Media,
    request_id: String,
    error: ApiError,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error.code(), self.error.message())
    }
}

impl actix_web::ResponseError for Refusal {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        refuse(self.status, self.media, &self.request_id, &self.error)
    }
}

/// Who is calling, settled once at the boundary of every endpoint (GraphQL and files): the
/// request id, the verified bearer token and the rate limit. A handler that takes this
/// cannot skip any of them.
/// What a catalogue document (JSON-LD, DCAT) is charged: about a page of the catalogue.
pub(super) const CATALOGUE_COST: u64 = 100;

pub struct Authenticated {
    pub caller: Caller,
    pub request_id: String,
    /// The W3C trace context the client sent (`traceparent`, `tracestate`), for the
    /// request's span to continue when spans are exported.
    pub trace_context: (Option<String>, Option<String>),
    /// The cost budget the request is charged to (its kommun's, or its address's).
    pub payer: super::budget::Payer,
    media: Media,
}

impl Refusal {
    /// A refusal with `error`, at the status its code calls for.
    fn new(error: ApiError, media: Media, request_id: &str) -> Self {
        Refusal {
            status: status_of(&error),
            media,
            request_id: request_id.to_owned(),
            error,
        }
    }
}

impl Authenticated {
    /// A refusal of this request with `error`, at the status its code calls for.
    pub(super) fn refusal(&self, error: ApiError) -> Refusal {
        Refusal::new(error, self.media, &self.request_id)
    }

    /// A refusal of a file endpoint's work that failed: a failure the caller cannot act on
    /// (`INTERNAL`, unavailable) is logged in `span` first, as `what` failed, so the request
    /// id the caller gets finds the line.
    pub(super) fn failed(&self, span: &tracing::Span, what: &str, error: ApiError) -> Refusal {
        if let ApiError::Internal(inner) | ApiError::Unavailable(inner) = &error {
            let _enter = span.enter();
            tracing::error!(error = %format!("{inner:#}"), "{what} failed");
        }
        self.refusal(error)
    }

    /// Charges a file endpoint's work to the caller's cost budget: a report or a package costs
    /// what the largest document may (`max_cost`), a catalogue document [`CATALOGUE_COST`].
    pub(super) async fn charge(&self, state: &AppState, cost: u64) -> Result<(), Refusal> {
        match state.budgets.charge(&self.payer, cost).await {
            Ok(_) => Ok(()),
            Err((e, _)) => {
                state.metrics.rate_limited();
                Err(self.refusal(e))
            }
        }
    }

    /// Refuses a caller without a token (`UNAUTHENTICATED`, saying that `what` needs one):
    /// the files are for signed-in callers only.
    pub(super) fn signed_in(&self, what: &str) -> Result<(), Refusal> {
        match self.caller.principal() {
            Some(_) => Ok(()),
            None => Err(self.refusal(ApiError::Unauthenticated {
                reason: None,
                message: format!("{what} needs a bearer token"),
            })),
        }
    }
}

impl actix_web::FromRequest for Authenticated {
    type Error = Refusal;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Refusal>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

/// Where the request comes from, for the rate limit of callers without a valid token: the
/// peer, or behind a trusted proxy the nearest address in `X-Forwarded-For` that is not one
/// of the trusted proxies (a client can prepend anything it likes, so the list is read from
/// the right).
fn client_address(state: &AppState, req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return String::new();
    };
    if !state.trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter_map(|a| a.parse::<std::net::IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .iter()
        .rev()
        .find(|a| !state.trusted_proxies.contains(a))
        .unwrap_or(&peer)
        .to_string()
}

async fn authenticate(req: &HttpRequest) -> Result<Authenticated, Refusal> {
    let request_id = request_id(req);
    let media = negotiate(req).unwrap_or(Media::Json);
    let fail = |error: ApiError| Refusal::new(error, media, &request_id);
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(fail(ApiError::Internal(anyhow::anyhow!(
            "the application state is missing"
        ))));
    };
    let verified = match bearer(req) {
        Ok(Some(token)) => state
            .verifier
            .verify(token, &state.services.reference())
            .await
            .map(Some),
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    };
    let caller = match verified {
        Ok(None) => Caller::Anonymous,
        Ok(Some(p)) => Caller::Principal(p),
        Err(e) => {
            tracing::info!(request_id = %request_id, code = e.code(), reason = %e.message(), "token refused");
            // Refused tokens count against the client address: guessing tokens is not free.
            rate_limit(state, &client_address(state, req)).map_err(fail)?;
            return Err(fail(e));
        }
    };
    if let Caller::Principal(p) = &caller {
        req.extensions_mut()
            .insert(super::observe::Kommun(p.kommun.clone()));
    }
    let key = match &caller {
        Caller::Principal(p) => format!("{}|{}", p.kommun, p.sub),
        Caller::Anonymous => client_address(state, req),
    };
    rate_limit(state, &key).map_err(fail)?;
    let payer = state.budgets.payer(&caller, &key);
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.len() <= 512)
            .map(str::to_owned)
    };
    Ok(Authenticated {
        caller,
        request_id,
        trace_context: (header("traceparent"), header("tracestate")),
        payer,
        media,
    })
}

/// The rate limit of a request that carries no bearer token in its headers (a WebSocket
/// upgrade, whose token comes later in `connection_init`), counted against its address.
pub(super) fn limit_by_address(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    rate_limit(state, &client_address(state, req))
}

impl AppState {
    /// Drops the rate limiter's keys that have their full quota back; run now and then so
    /// that the key store does not grow with every principal and address ever seen.
    pub fn prune(&self) {
        self.rate.retain_recent();
        self.rate.shrink_to_fit();
    }
}

fn rate_limit(state: &AppState, key: &str) -> Result<(), ApiError> {
    use std::hash::BuildHasher;
    let key = state.rate_keys.hash_one(key);
    state.rate.check_key(&key).map_err(|not_until| {
        state.metrics.rate_limited();
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        ApiError::RateLimited(wait.as_secs().max(1))
    })
}
pub(super) fn bearer(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(h) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let h = h.to_str().map_err(|_| {
        ApiError::token(
            crate::error::TokenRefusal::Malformed,
            "the Authorization header is not text",
        )
    })?;
    match h.split_once(' ') {
        Some((_, token)) if token.len() > MAX_TOKEN_BYTES => Err(ApiError::token(
            crate::error::TokenRefusal::TooLarge,
            format!("the bearer token is longer than {MAX_TOKEN_BYTES} bytes"),
        )),
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::token(
            crate::error::TokenRefusal::Malformed,
            "use Authorization: Bearer <token>",
        )),
    }
}
