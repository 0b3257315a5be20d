//! What every answer of the service shares: the media type negotiated from `Accept`, the
//! request id, and the errors-only body of a refused request.
use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
};
use serde_json::{Value, json};

use crate::error::ApiError;

pub(super) const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
pub(super) const JSON: &str = "application/json";

/// The media type to answer with, from the client's `Accept`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Media::GraphqlResponse => GRAPHQL_RESPONSE,
            Media::Json => JSON,
        }
    }
}

pub(super) fn negotiate(req: &HttpRequest) -> Option<Media> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim().is_empty() {
        return Some(Media::Json);
    }
    let types: Vec<&str> = accept
        .split(',')
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .collect();
    if types.contains(&GRAPHQL_RESPONSE) {
        Some(Media::GraphqlResponse)
    } else if types
        .iter()
        .any(|t| *t == JSON || *t == "*/*" || *t == "application/*")
    {
        Some(Media::Json)
    } else {
        None
    }
}

pub(super) fn request_id(req: &HttpRequest) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// A response carrying only errors, for requests refused before execution.
pub(super) fn refuse(status: StatusCode, media: Media, request_id: &str, err: &ApiError) -> HttpResponse {
    refuse_with(status, media, request_id, err, None)
}

/// [`refuse`] saying the request's cost budget (`extensions.cost`) too.
pub(super) fn refuse_with(
    status: StatusCode,
    media: Media,
    request_id: &str,
    err: &ApiError,
    cost: Option<Value>,
) -> HttpResponse {
    let retry_after = match err {
        ApiError::RateLimited(secs) => Some(*secs),
        _ => None,
    };
    let gql: async_graphql::Error = err.into();
    let mut ext = gql
        .extensions
        .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
        .unwrap_or(json!({}));
    if let Value::Object(m) = &mut ext {
        m.insert("requestId".into(), json!(request_id));
    }
    let mut b = HttpResponse::build(status);
    b.insert_header((header::CONTENT_TYPE, media.as_str()))
        .insert_header(("x-request-id", request_id));
    if status == StatusCode::UNAUTHORIZED {
        b.insert_header((header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\""));
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        b.insert_header((header::ALLOW, "POST"));
    }
    if let Some(secs) = retry_after {
        b.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    let mut body = json!({ "errors": [{ "message": gql.message, "extensions": ext }] });
    if let Some(cost) = cost {
        body["extensions"] = json!({ "cost": cost });
    }
    let res = b.body(body.to_string());
    super::observe::with_outcome(res, Some(err.code()))
}

pub(super) fn bad_request(media: Media, request_id: &str, field: &str, message: &str) -> HttpResponse {
    refuse(
        StatusCode::BAD_REQUEST,
        media,
        request_id,
        &ApiError::input(field, message),
    )
}
