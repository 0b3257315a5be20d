//! The published catalogue as linked data: `GET /catalogue/{kommunkod}.jsonld` (schema.org)
//! and `GET /catalogue/{kommunkod}/cpsv.jsonld` (CPSV-AP). No token needed; the same for
//! every caller, so shared caches may keep it for a minute. `GET /catalogue/dcat?county=18`
//! is the county's DCAT-AP-SE catalogue for Sveriges dataportal (Turtle or JSON-LD by
//! `Accept`), and `GET /schema.graphql` the API's schema the catalogue points to.
use actix_web::{HttpRequest, HttpResponse, http::header, web};
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
    who.charge(state, super::boundary::CATALOGUE_COST).await?;
    let span = tracing::info_span!("catalogue", request_id = %who.request_id);
    let scope = state.services.scope(&who.caller, &who.request_id);
    match scope
        .publishing()
        .kommun_catalogue(code)
        .instrument(span.clone())
        .await
    {
        Ok((m, rows)) => Ok(HttpResponse::Ok()
            .content_type("application/ld+json")
            .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
            .insert_header(("x-request-id", who.request_id.as_str()))
            .body(build(&m, &rows).to_string())),
        Err(e) => Err(who.failed(&span, "catalogue", e)),
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

/// `GET /catalogue/dcat?county=18`: the county's catalogue as DCAT-AP-SE, Turtle when the
/// client accepts `text/turtle`, JSON-LD otherwise. `county` may be left out while the
/// service serves one county.
pub async fn dcat(
    req: HttpRequest,
    who: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Refusal> {
    let span = tracing::info_span!("catalogue", request_id = %who.request_id, format = "dcat");
    who.charge(&state, super::boundary::CATALOGUE_COST).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let reference = state.services.reference();
    let county = match pairs.iter().find(|(k, _)| k == "county") {
        Some((_, c)) => c.clone(),
        None => match reference.counties() {
            [only] => only.code.clone(),
            _ => {
                return Err(who.refusal(ApiError::input(
                    "county",
                    "name the county (länskod), e.g. county=18",
                )));
            }
        },
    };
    let scope = state.services.scope(&who.caller, &who.request_id);
    let (county, entries) = scope
        .publishing()
        .county_catalogue(&county)
        .instrument(span.clone())
        .await
        .map_err(|e| who.failed(&span, "catalogue", e))?;
    let base = public_base(&req, state.public_url.as_deref());
    let kommuner: Vec<_> = reference.kommuner_of(county.id).cloned().collect();
    let triples = crate::dcat::catalogue(
        &crate::dcat::Publication {
            base: &base,
            county: &county,
            kommuner: &kommuner,
            contact_email: state.catalogue_contact.as_deref(),
            truncated: entries.len() as u64 >= crate::service::catalogue::COUNTY_CATALOGUE_MAX,
        },
        &entries,
    );
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, content_type) = if accept.contains("text/turtle") {
        (crate::dcat::turtle(&triples), "text/turtle; charset=utf-8")
    } else {
        (crate::dcat::json_ld(&triples), "application/ld+json")
    };
    let body = body.map_err(|e| who.refusal(ApiError::Internal(e.into())))?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept"))
        .insert_header(("x-request-id", who.request_id.as_str()))
        .body(body))
}

/// The service's public address: the setting when there is one (behind a proxy), else what
/// the request was sent to, kept only if it makes a valid IRI.
fn public_base(req: &HttpRequest, setting: Option<&str>) -> String {
    if let Some(url) = setting {
        return url.trim_end_matches('/').to_owned();
    }
    let info = req.connection_info();
    let host = info.host();
    let base = format!("{}://{host}", info.scheme());
    if !host.contains(['#', '?', '/', '@', '\\']) && oxrdf::NamedNode::new(format!("{base}/")).is_ok() {
        base
    } else {
        "http://localhost".into()
    }
}

/// `GET /schema.graphql`: the API's schema, which the catalogue names as the service's
/// description.
pub async fn schema_sdl() -> HttpResponse {
    static SDL: std::sync::LazyLock<String> = std::sync::LazyLock::new(crate::graphql::sdl);
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(SDL.as_str())
}
