//! Archive packages as files: `GET /archive/projects/{id}.zip`.
use actix_web::{HttpResponse, http::header, web};
use tracing::Instrument;

use super::{AppState, Authenticated, Refusal};
use crate::{domain::RecordKind, error::ApiError};

/// `GET /archive/projects/{id}.zip` (`id` is the project's GraphQL id): the closed project as
/// an E-ARK SIP (`crate::archive`), for the callers `Scope::archive_records` admits, with the
/// same bearer token as the API.
pub async fn project_package(
    who: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Refusal> {
    let rid = who.request_id.clone();
    who.signed_in("an archive package")?;
    who.charge(&state, state.limits.max_cost).await?;
    let id = match crate::graphql::ids::decode(
        "id",
        RecordKind::EServiceProject,
        &async_graphql::ID(path.into_inner()),
    ) {
        Ok(id) => id,
        Err(e) => return Err(who.refusal(e)),
    };
    let span = tracing::info_span!("archive_package", request_id = %rid, project = id);
    let scope = state.services.scope(&who.caller, &rid);
    let made = async {
        let records = scope.projects().archive_records(id).await?;
        crate::archive::package(&records, &state.services.reference()).map_err(ApiError::Internal)
    }
    .instrument(span.clone())
    .await;
    match made {
        Ok(p) => Ok(HttpResponse::Ok()
            .content_type("application/zip")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", p.file_name),
            ))
            .insert_header(("x-request-id", rid.as_str()))
            .body(p.zip)),
        Err(e) => Err(who.failed(&span, "archive package", e)),
    }
}
