//! The shared ledger of the cost budgets (`cost_budget`, migration 19): on PostgreSQL every
//! replica takes its leases of a minute's budget from here. It is operational state, not a
//! record: the ledger's two statements are the only writes outside the audited transaction,
//! and they touch no other table.
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};

/// The budgets' table, shared by every replica on one database.
#[derive(Clone)]
pub struct Ledger {
    db: DatabaseConnection,
}

impl Ledger {
    /// A ledger on `db` when it can be shared (PostgreSQL); on SQLite one process holds the
    /// database and its budgets are kept in memory.
    pub(super) fn shared(db: &DatabaseConnection) -> Option<Self> {
        (db.get_database_backend() == DbBackend::Postgres).then(|| Self { db: db.clone() })
    }

    /// Takes `amount` more of `budget`'s `minute`, returning how much the replicas have taken
    /// of it in all, this lease included (it may pass the budget: the caller keeps only what
    /// was left before it).
    pub async fn take(&self, budget: &str, minute: i64, amount: u64) -> Result<u64, DbErr> {
        let amount = i64::try_from(amount).unwrap_or(i64::MAX);
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO cost_budget (budget, minute, taken) VALUES ($1, $2, $3) \
                 ON CONFLICT (budget, minute) DO UPDATE SET taken = cost_budget.taken + excluded.taken \
                 RETURNING taken",
                [Value::from(budget), Value::from(minute), Value::from(amount)],
            ))
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("cost_budget returned no row".into()))?;
        Ok(row.try_get::<i64>("", "taken")?.max(0) as u64)
    }

    /// Forgets the minutes before `minute`.
    pub async fn forget_before(&self, minute: i64) -> Result<u64, DbErr> {
        let done = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "DELETE FROM cost_budget WHERE minute < $1",
                [Value::from(minute)],
            ))
            .await?;
        Ok(done.rows_affected())
    }
}
