//! The data generation: a number in the database that every committed mutation raises by one
//! in its own transaction (`data_generation`, migration 000010).
//!
//! Every replica reads it at the start of a request; an answer computed after reading `g` is
//! at least as new as every change that committed before, so an answer kept under `g` may be
//! served to any later request that reads `g` too, and to none that reads anything else. One
//! primary-key read per request is the price of read-your-writes across replicas: a change
//! notification could arrive after a request that must already see the change has started.
use sea_orm::{ConnectionTrait, DbErr, Statement};

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

/// The data an answer is computed from: what a cached answer must match to be served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The data generation read before computing it.
    pub generation: i64,
    /// The background recounts of slow counts landed by then
    /// ([`CountCache::settled`](super::counts::CountCache::settled)).
    pub settled: u64,
}
