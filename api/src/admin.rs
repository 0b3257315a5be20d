//! Operator commands that change data outside an HTTP request, such as importing a kommun's
//! inventory from the spreadsheet it already keeps. They go through the same services as the
//! API, so validation, visibility and the audit trail are the same; the actor is recorded as
//! `cli:<user>` with the `editor` role for the kommun named on the command line.
use std::sync::Arc;

use entity::system_instance;
use sea_orm::DatabaseConnection;

/// The columns an inventory import expects, in order (the first line of the file).
pub use crate::service::inventory::IMPORT_COLUMNS;
use crate::{
    auth::{Caller, Principal, Role},
    error::ApiError,
    service::{Reference, Services},
};

/// Why an import wrote nothing, in words for a terminal.
#[derive(Debug)]
pub struct ImportFailure(pub Vec<String>);

impl std::fmt::Display for ImportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for ImportFailure {}

fn failure(e: ApiError) -> ImportFailure {
    let mut lines = vec![format!("{}: {}", e.code(), e.message())];
    if !matches!(e, ApiError::ImportRows(_)) {
        lines[0].push_str("; nothing was written");
    }
    match e {
        ApiError::ImportRows(rows) => lines.extend(
            rows.into_iter()
                .map(|r| format!("  line {}, column {}: {}", r.line, r.column, r.reason)),
        ),
        ApiError::BadUserInput { field, .. } => lines.push(format!("  ({field})")),
        ApiError::Internal(inner) => lines.push(format!("  {inner:#}")),
        _ => {}
    }
    ImportFailure(lines)
}

/// An editor of kommun `kommun` acting from the command line as `cli:<user>`.
pub fn operator(reference: &Reference, kommun: &str, user: &str) -> Option<Caller> {
    let m = reference.municipality_by_code(kommun)?;
    Some(Caller::Principal(Principal::acting_for(
        m,
        format!("cli:{user}"),
        Role::Editor,
    )))
}

/// Imports a CSV inventory (the columns of `importSystemInstances`) for the kommun with
/// kommunkod `kommun`: all rows in one transaction, or none and every bad row reported.
pub async fn import_systems(
    db: DatabaseConnection,
    csv: &str,
    kommun: &str,
    user: &str,
) -> Result<Vec<system_instance::Model>, ImportFailure> {
    let reference = Reference::load(&db)
        .await
        .map_err(|e| failure(ApiError::Internal(e.into())))?;
    let caller = operator(&reference, kommun, user)
        .ok_or_else(|| ImportFailure(vec![format!("--kommun {kommun}: no kommun with that kommunkod")]))?;
    let services = Services::new(db, Arc::new(reference));
    let request_id = format!("cli-{}", uuid::Uuid::new_v4().simple());
    services
        .scope(&caller, &request_id)
        .import_instances(csv)
        .await
        .map_err(failure)
}
