//! The data generation: a number in the database that every committed mutation raises by one
//! in its own transaction (`data_generation`, migration 000010).
//!
//! Every replica reads it at the start of a request; an answer computed after reading `g` is
//! at least as new as every change that committed before, so an answer kept under `g` may be
//! served to any later request that reads `g` too, and to none that reads anything else. One
//! primary-key read per request is the price of read-your-writes across replicas: a change
//! notification could arrive after a request that must already see the change has started.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

use super::visibility::{COUNTY_OWNER_PART, COUNTY_PART, OWN_PART, TAKING_PART};
use crate::domain::Visibility;

const READ: &str = "SELECT value FROM data_generation WHERE id = 1";
const BUMP: &str = "UPDATE data_generation SET value = value + 1 WHERE id = 1 RETURNING value";

async fn one(db: &impl ConnectionTrait, sql: &str) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("data_generation has no row".into()))?;
    row.try_get::<i64>("", "value")
}

/// The generation committed now.
pub async fn read(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    one(db, READ).await
}

/// Raises the generation within a writing transaction; the row stays locked until it ends,
/// so generations follow commit order.
pub async fn bump(tx: &impl ConnectionTrait) -> Result<i64, DbErr> {
    one(tx, BUMP).await
}

/// Moves the count parts that the projects `ids` belong to, as they stand in the
/// transaction, to `generation`; `moved` are those among them whose visibility this mutation
/// changed, which may have left parts too. Owner and county never change and participations
/// are never deleted, so no other part can have lost a project. A project's parts:
/// - its county's shared part while it is COUNTY or PUBLIC, and that part's slice of its
///   owner;
/// - its owner's own part while it is not;
/// - the taking-part part of every other kommun with a participation while it is
///   PARTICIPANTS (the owner's own lead participation is never in one).
pub async fn touch_project_parts(
    tx: &impl ConnectionTrait,
    ids: &[i64],
    moved: &[i64],
    generation: i64,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = |ids: &[i64]| {
        if ids.is_empty() {
            // No project has a negative id; `IN ()` is not SQL.
            "-1".to_owned()
        } else {
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        }
    };
    let (ids, moved) = (list(ids), list(moved));
    let (county, public, participants) = (
        Visibility::County.as_str(),
        Visibility::Public.as_str(),
        Visibility::Participants.as_str(),
    );
    // The SELECT of an upsert needs a WHERE on SQLite, which otherwise reads ON as a join's.
    let sql = format!(
        "INSERT INTO count_part_generation (part, generation) \
         SELECT part, {generation} FROM ( \
           SELECT '{COUNTY_PART}' || county_id AS part FROM project WHERE id IN ({ids}) \
             AND (visibility IN ('{county}', '{public}') OR id IN ({moved})) \
           UNION SELECT '{COUNTY_OWNER_PART}' || county_id || ':' || owner_id FROM project \
             WHERE id IN ({ids}) AND (visibility IN ('{county}', '{public}') OR id IN ({moved})) \
           UNION SELECT '{OWN_PART}' || owner_id FROM project WHERE id IN ({ids}) \
             AND (visibility NOT IN ('{county}', '{public}') OR id IN ({moved})) \
           UNION SELECT '{TAKING_PART}' || pa.municipality_id \
             FROM participation pa JOIN project p ON p.id = pa.project_id \
             WHERE p.id IN ({ids}) AND pa.municipality_id <> p.owner_id \
             AND (p.visibility = '{participants}' OR p.id IN ({moved})) \
         ) AS parts WHERE TRUE \
         ON CONFLICT (part) DO UPDATE SET generation = excluded.generation"
    );
    tx.execute_raw(Statement::from_string(tx.get_database_backend(), sql))
        .await
        .map(|_| ())
}

/// The part every committed change of a county's records moves (`scope:county:<id>`): an
/// answer that reads one county's records and national data is as new as the newer of this
/// and [`NATIONAL`], so a write in another county leaves it cached.
pub fn county_scope(county_id: i32) -> String {
    format!("scope:county:{county_id}")
}

/// The part changes of national data move: vendors, products, and anything written past the
/// audited mutations (seeding), which every county's answers may read.
pub const NATIONAL: &str = "scope:national";

/// Moves the scope parts of `counties` (and [`NATIONAL`] when `national`) to `generation`,
/// within the writing transaction that raised it.
pub async fn touch_scopes(
    tx: &impl ConnectionTrait,
    counties: &[i32],
    national: bool,
    generation: i64,
) -> Result<(), DbErr> {
    let mut parts: Vec<String> = counties.iter().map(|c| county_scope(*c)).collect();
    if national {
        parts.push(NATIONAL.to_owned());
    }
    if parts.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = parts.iter().map(|p| format!("('{p}', {generation})")).collect();
    let sql = format!(
        "INSERT INTO count_part_generation (part, generation) VALUES {} \
         ON CONFLICT (part) DO UPDATE SET generation = excluded.generation",
        rows.join(", ")
    );
    tx.execute_raw(Statement::from_string(tx.get_database_backend(), sql))
        .await
        .map(|_| ())
}

/// Raises the generation for a write made past the audited mutations (seeding): every
/// cached answer, of every county, is then stale.
pub async fn bump_everywhere(tx: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let g = bump(tx).await?;
    touch_scopes(tx, &[], true, g).await?;
    Ok(g)
}

/// The generation each of `parts` last moved at; 0 for a part no mutation has moved.
pub(in crate::service) async fn read_parts(
    db: &impl ConnectionTrait,
    parts: &[String],
) -> Result<Vec<i64>, DbErr> {
    let backend = db.get_database_backend();
    let marks: Vec<String> = (1..=parts.len())
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect();
    let sql = format!(
        "SELECT part, generation FROM count_part_generation WHERE part IN ({})",
        marks.join(",")
    );
    let values: Vec<Value> = parts.iter().map(|p| p.clone().into()).collect();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut found = std::collections::HashMap::new();
    for row in rows {
        found.insert(
            row.try_get::<String>("", "part")?,
            row.try_get::<i64>("", "generation")?,
        );
    }
    Ok(parts.iter().map(|p| found.get(p).copied().unwrap_or(0)).collect())
}

/// The generations of count parts as one request read them, each part once: a request's
/// counts are then of the generations its response-cache stamp was read at, and an answer
/// that misses the cache reads them once rather than twice (stamp, then count). Made per
/// HTTP request and never kept longer; a subscription reads afresh for every event.
#[derive(Default)]
pub struct PartsRead(std::sync::Mutex<Vec<(String, i64)>>);

impl PartsRead {
    /// The generation of each of `parts`, read from the database only where this request has
    /// not read it yet; a part read twice concurrently keeps its first reading.
    pub async fn read(&self, db: &impl ConnectionTrait, parts: &[String]) -> Result<Vec<i64>, DbErr> {
        if let Some(known) = self.known(parts) {
            return Ok(known);
        }
        let read = read_parts(db, parts).await?;
        let mut seen = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(parts
            .iter()
            .zip(read)
            .map(|(part, generation)| match seen.iter().find(|(p, _)| p == part) {
                Some(&(_, first)) => first,
                None => {
                    seen.push((part.clone(), generation));
                    generation
                }
            })
            .collect())
    }

    fn known(&self, parts: &[String]) -> Option<Vec<i64>> {
        let seen = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        parts
            .iter()
            .map(|part| seen.iter().find(|(p, _)| p == part).map(|(_, g)| *g))
            .collect()
    }
}

/// The data an answer is computed from: what a cached answer must match to be served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Stamp {
    /// The data generation read before computing it.
    pub generation: i64,
    /// The background recounts of slow counts landed by then
    /// ([`CountCache::settled`](super::counts::CountCache::settled)).
    pub settled: u64,
    /// The version of the reference data in memory (a new year of population figures moves
    /// cost shares without moving any project).
    pub reference: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_reads_each_part_once_and_counts_at_that_reading() {
        let db = crate::startup::in_memory_database().await;
        let set = |g: i64| {
            Statement::from_string(
                db.get_database_backend(),
                format!(
                    "INSERT INTO count_part_generation (part, generation) VALUES ('county:1', {g}) \
                     ON CONFLICT (part) DO UPDATE SET generation = excluded.generation"
                ),
            )
        };
        db.execute_raw(set(5)).await.unwrap();
        let (county, own) = ("county:1".to_owned(), "own:7".to_owned());

        let request = PartsRead::default();
        assert_eq!(
            request.read(&db, std::slice::from_ref(&county)).await.unwrap(),
            vec![5]
        );
        db.execute_raw(set(6)).await.unwrap();
        // Within the request: the part it read keeps its reading, a new part is read now.
        assert_eq!(
            request.read(&db, &[county.clone(), own.clone()]).await.unwrap(),
            vec![5, 0]
        );
        // The next request reads what is committed.
        assert_eq!(
            PartsRead::default().read(&db, &[own, county]).await.unwrap(),
            vec![0, 6]
        );
    }
}
