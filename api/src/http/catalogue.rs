//! The published catalogue as linked data: `GET /catalogue/{kommunkod}.jsonld` (schema.org)
//! and `GET /catalogue/{kommunkod}/cpsv.jsonld` (CPSV-AP). No token needed; the same for
//! every caller, so shared caches may keep it for a minute.
use actix_web::{HttpResponse, http::header, web};
use serde_json::Value;
use tracing::Instrument;

use super::{AppState, Authenticated, Refusal};
use crate::{error::ApiError, linked_data};

async fn document(
    who: Authenticated,
    code: &str,
    state: &AppState,
    build: fn(
        &entity::municipality::Model,
        &[(entity::catalogue_entry::Model, crate::domain::TargetGroup)],
    ) -> Value,
) -> Result<HttpResponse, Refusal> {
    let span = tracing::info_span!("catalogue", request_id = %who.request_id);
    let scope = state.services.scope(&who.caller, &who.request_id);
    match scope.kommun_catalogue(code).instrument(span.clone()).await {
        Ok((m, rows)) => Ok(HttpResponse::Ok()
            .content_type("application/ld+json")
            .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
            .insert_header(("x-request-id", who.request_id.as_str()))
            .body(build(&m, &rows).to_string())),
        Err(e) => {
            if let ApiError::Internal(inner) | ApiError::Unavailable(inner) = &e {
                let _enter = span.enter();
                tracing::error!(error = %format!("{inner:#}"), "catalogue failed");
            }
            Err(who.refusal(e))
        }
    }
}

/// `GET /catalogue/{kommunkod}.jsonld`: schema.org `GovernmentService`s.
pub async fn schema_org(
    who: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Refusal> {
    document(who, &path, &state, linked_data::schema_org).await
}

/// `GET /catalogue/{kommunkod}/cpsv.jsonld`: CPSV-AP `PublicService`s.
pub async fn cpsv_ap(
    who: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Refusal> {
    document(who, &path, &state, linked_data::cpsv_ap).await
}
