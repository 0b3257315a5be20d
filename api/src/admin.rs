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
        .inventory()
        .import_instances(csv)
        .await
        .map_err(failure)
}

/// Verifies the audit trail's hash chain of one county (länskod) or of every county: one line
/// per county (its events and head, or the first break and why) and whether all verified.
pub async fn verify_audit(
    db: &DatabaseConnection,
    county: Option<&str>,
) -> anyhow::Result<(Vec<String>, bool)> {
    use crate::service::audit::chain;
    let reference = Reference::load(db).await?;
    let counties: Vec<_> = match county {
        Some(code) => vec![
            reference
                .county_by_code(code)
                .ok_or_else(|| anyhow::anyhow!("--county {code}: no county with that code"))?
                .clone(),
        ],
        None => reference.counties().to_vec(),
    };
    let (mut lines, mut ok) = (Vec::new(), true);
    for c in counties {
        let check = chain::verify(db, c.id).await?;
        match &check.broken {
            None => lines.push(format!(
                "county {} ({}): {} events, head {} at place {}: intact",
                c.code, c.name, check.events, check.head_hash, check.head_seq
            )),
            Some(b) => {
                ok = false;
                lines.push(format!(
                    "county {} ({}): BROKEN at place {}{}: {} ({}); {} events verified before it",
                    c.code,
                    c.name,
                    b.seq,
                    b.event_id.map(|id| format!(", event {id}")).unwrap_or_default(),
                    b.reason.as_str(),
                    b.detail,
                    check.events
                ));
            }
        }
    }
    Ok((lines, ok))
}

/// A data subject's access request: every record naming the person with token subject `sub`,
/// or the person with register key `key` in kommun `kommun`, as pretty JSON.
pub async fn subject_access(
    db: &DatabaseConnection,
    sub: Option<&str>,
    kommun_and_key: Option<(&str, &str)>,
) -> anyhow::Result<String> {
    use crate::service::audit::subject;
    let found = match (sub, kommun_and_key) {
        (Some(sub), None) => subject::by_actor(db, sub).await?,
        (None, Some((kommun, key))) => {
            let reference = Reference::load(db).await?;
            let m = reference
                .municipality_by_code(kommun)
                .ok_or_else(|| anyhow::anyhow!("--kommun {kommun}: no kommun with that kommunkod"))?;
            subject::by_holder_key(db, m.id, key).await?.ok_or_else(|| {
                anyhow::anyhow!("kommun {kommun} has nobody with key '{key}' in its register")
            })?
        }
        _ => anyhow::bail!("give either --sub, or --kommun with --holder-key"),
    };
    Ok(serde_json::to_string_pretty(&found)?)
}

/// Applies the retention of personal data to county `county`: the actors of audit events
/// older than `years`, and the role holders released more than `holder_years` ago (each the
/// county's own period when `None`; a kind with neither is left alone), become stable
/// pseudonyms. A dry run (`apply` false) only counts. Run as the county's committee from the
/// command line (`cli:<user>`), each kind audited as one event.
pub async fn apply_retention(
    db: DatabaseConnection,
    county: &str,
    years: Option<u32>,
    holder_years: Option<u32>,
    apply: bool,
    user: &str,
) -> anyhow::Result<String> {
    let reference = Reference::load(&db).await?;
    let c = reference
        .county_by_code(county)
        .ok_or_else(|| anyhow::anyhow!("--county {county}: no county with that code"))?
        .clone();
    let kommun = reference
        .municipalities()
        .iter()
        .filter(|m| m.county_id == c.id)
        .min_by(|a, b| a.code.cmp(&b.code))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("county {county} has no kommun"))?;
    let caller = Caller::Principal(Principal::acting_for(&kommun, format!("cli:{user}"), Role::Namnd));
    let services = Services::new(db, Arc::new(reference));
    let request_id = format!("cli-{}", uuid::Uuid::new_v4().simple());
    let scope = services.scope(&caller, &request_id);
    let failed = |e: ApiError| anyhow::anyhow!("{}: {}", e.code(), e.message());
    let periods = scope.retention_periods(&c.code).await.map_err(failed)?;
    let set = |kind: crate::domain::chain::RetentionKind| periods.iter().any(|p| p.kind == kind);
    let mut lines = Vec::new();
    let outcome = |applied: bool, done: &str| {
        if applied {
            format!("now {done}")
        } else {
            format!("would {done} (dry run; --apply writes)")
        }
    };
    if years.is_some() || set(crate::domain::chain::RetentionKind::AuditEventActors) {
        let o = scope.apply_audit_retention(years, apply).await.map_err(failed)?;
        lines.push(format!(
            "county {} ({}): {} audit events of {} people before {} {}",
            c.code,
            c.name,
            o.events,
            o.people,
            o.cutoff.format("%Y-%m-%d"),
            outcome(o.applied, "name pseudonyms instead of their actors")
        ));
    }
    if let Some(o) = scope
        .apply_holder_retention(holder_years, apply)
        .await
        .map_err(failed)?
    {
        lines.push(format!(
            "county {} ({}): {} role holders released before {} {}",
            c.code,
            c.name,
            o.holders,
            o.released_before,
            outcome(o.applied, "have pseudonyms instead of their names and keys")
        ));
    }
    if lines.is_empty() {
        anyhow::bail!(
            "county {}: no retention period is set (setRetentionPeriod) and none was given \
             (--audit-actor-years, --role-holder-years)",
            c.code
        );
    }
    Ok(lines.join("\n"))
}

/// The archive package of closed project `project` (its number or GraphQL id), made as an
/// editor of its lead kommun acting from the command line (`cli:<user>`): the same records
/// and checks as `GET /archive/projects/{id}.zip`. Returns the file name and the ZIP.
pub async fn archive_package(
    db: DatabaseConnection,
    project: &str,
    user: &str,
) -> anyhow::Result<(String, Vec<u8>)> {
    use sea_orm::EntityTrait;
    let id = match project.parse::<i64>() {
        Ok(id) => id,
        Err(_) => crate::graphql::ids::decode(
            "--project",
            crate::domain::RecordKind::EServiceProject,
            &async_graphql::ID(project.to_owned()),
        )
        .map_err(|e| anyhow::anyhow!("--project {project}: {}", e.message()))?,
    };
    let owner = entity::project::Entity::find_by_id(id)
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("--project {project}: no e-service project with that id"))?
        .owner_id;
    let reference = Reference::load(&db).await?;
    let kommun = reference
        .municipality(owner)
        .ok_or_else(|| anyhow::anyhow!("the project's lead kommun is not in the reference data"))?
        .code
        .clone();
    let caller = operator(&reference, kommun.as_str(), user)
        .ok_or_else(|| anyhow::anyhow!("kommun {kommun} is not in the reference data"))?;
    let services = Services::new(db, Arc::new(reference));
    let request_id = format!("cli-{}", uuid::Uuid::new_v4().simple());
    let records = services
        .scope(&caller, &request_id)
        .projects()
        .archive_records(id)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {}", e.code(), e.message()))?;
    let package = crate::archive::package(&records, &services.reference())?;
    Ok((package.file_name, package.zip))
}

/// Imports SCB's population figures of 31 December `year` from `csv` as a new reference
/// year, run from the command line as `cli:<user>` with the committee's role of the first
/// county the file names; audited in every county it names. Returns a line per county.
pub async fn import_population(
    db: DatabaseConnection,
    year: i32,
    csv: &str,
    user: &str,
) -> Result<Vec<String>, ImportFailure> {
    let reference = Reference::load(&db)
        .await
        .map_err(|e| failure(ApiError::Internal(e.into())))?;
    let counties = crate::service::population::counties_in(&reference, csv).map_err(failure)?;
    let kommun = counties
        .first()
        .and_then(|c| {
            reference
                .municipalities()
                .iter()
                .filter(|m| m.county_id == *c)
                .min_by(|a, b| a.code.cmp(&b.code))
        })
        .cloned()
        .ok_or_else(|| {
            ImportFailure(vec![
                "the file names no kommun (a four-digit kommunkod); nothing was written".into(),
            ])
        })?;
    let caller = Caller::Principal(Principal::acting_for(&kommun, format!("cli:{user}"), Role::Namnd));
    let services = Services::new(db, Arc::new(reference));
    let request_id = format!("cli-{}", uuid::Uuid::new_v4().simple());
    let done = services
        .scope(&caller, &request_id)
        .import_population(year, csv)
        .await
        .map_err(failure)?;
    Ok(done
        .counties
        .iter()
        .map(|c| {
            format!(
                "county {} ({}): {} kommuner, population {} on 31 December {}",
                c.code, c.name, c.kommuner, c.total, done.year
            )
        })
        .collect())
}
