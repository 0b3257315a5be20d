//! The database as the service layer holds it: [`Reads`], a connection or transaction that
//! lets only reads through.
//!
//! Every handle a service module can name is a `Reads`: the pool (`Services`), the loaders'
//! copies of it, and the transaction inside a [`WriteTx`](super::WriteTx). `Reads` has no
//! `begin`, and the connection inside it is reachable only from `service::audit`, whose
//! [`WriteTx`](super::WriteTx) writes and records each change in one call. A write sent
//! through a `Reads` anyway (sea-orm's `insert`, `update` and `delete` take any connection)
//! is refused before it reaches the database: sea-query's access audit names the statement's
//! kind, and only `SELECT` passes. Hand-written statements must be reads (`SELECT` or `WITH`
//! without a data-changing word outside quotes).
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, Statement, StatementBuilder,
    sea_query::audit::AccessType,
};

/// A connection (or transaction) through which only reads pass.
#[derive(Clone, Debug)]
pub struct Reads<C>(C);

impl<C> Reads<C> {
    pub(in crate::service) fn new(conn: C) -> Self {
        Self(conn)
    }

    /// The connection itself, for the audited writes and the commit.
    pub(in crate::service::audit) fn writable(&self) -> &C {
        &self.0
    }

    pub(in crate::service::audit) fn into_inner(self) -> C {
        self.0
    }
}

impl Reads<sea_orm::DatabaseConnection> {
    /// The pool's open and idle connections.
    pub(in crate::service) fn pool_usage(&self) -> Option<(u32, usize)> {
        match self.0.get_database_backend() {
            DbBackend::Postgres => {
                let pool = self.0.get_postgres_connection_pool();
                Some((pool.size(), pool.num_idle()))
            }
            DbBackend::Sqlite => {
                let pool = self.0.get_sqlite_connection_pool();
                Some((pool.size(), pool.num_idle()))
            }
            _ => None,
        }
    }

    /// Whether every migration this build knows has been applied.
    pub(in crate::service) async fn migrated(&self) -> Result<bool, DbErr> {
        use migration::MigratorTrait;
        Ok(migration::Migrator::get_pending_migrations(&self.0)
            .await?
            .is_empty())
    }

    /// The PostgreSQL pool, for the one connection that listens for changes
    /// (`service::events`, which runs only `LISTEN` through it and watches it close).
    pub(in crate::service) fn postgres_pool(&self) -> Option<sea_orm::sqlx::PgPool> {
        (self.0.get_database_backend() == DbBackend::Postgres)
            .then(|| self.0.get_postgres_connection_pool().clone())
    }
}

/// Why a statement was refused.
fn refused(what: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("refused outside an audited write: {what}"))
}

/// Whether a typed statement only reads (sea-query's access audit of every table it touches).
fn typed_read<S: StatementBuilder>(stmt: &S) -> Result<(), DbErr> {
    let audit = stmt.audit().map_err(|e| refused(format!("{e:?}")))?;
    match audit
        .requests
        .iter()
        .find(|r| r.access_type != AccessType::Select)
    {
        None => Ok(()),
        Some(r) => Err(refused(format!(
            "{} on {:?}",
            r.access_type.as_str(),
            r.schema_table
        ))),
    }
}

/// Whether hand-written SQL only reads: it starts with `SELECT` or `WITH` and names no
/// data-changing keyword outside quotes and strings (`FOR UPDATE`/`FOR SHARE` lock rows, which
/// reads may do).
fn sql_reads(sql: &str) -> bool {
    const WRITES: [&str; 10] = [
        "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE", "COPY", "GRANT",
    ];
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' || c == '`' => {
                quote = Some(c);
                words.push(std::mem::take(&mut word));
            }
            None if c.is_ascii_alphanumeric() || c == '_' => word.push(c.to_ascii_uppercase()),
            None => words.push(std::mem::take(&mut word)),
        }
    }
    words.push(word);
    let words: Vec<String> = words.into_iter().filter(|w| !w.is_empty()).collect();
    if !matches!(words.first().map(String::as_str), Some("SELECT" | "WITH")) {
        return false;
    }
    words
        .iter()
        .enumerate()
        .all(|(i, w)| !WRITES.contains(&w.as_str()) || (w == "UPDATE" && i > 0 && words[i - 1] == "FOR"))
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + Send> ConnectionTrait for Reads<C> {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        Err(refused(stmt.sql))
    }

    async fn execute<S: StatementBuilder>(&self, stmt: &S) -> Result<ExecResult, DbErr> {
        typed_read(stmt)?;
        self.0.execute(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        Err(refused(sql))
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        if !sql_reads(&stmt.sql) {
            return Err(refused(stmt.sql));
        }
        self.0.query_one_raw(stmt).await
    }

    async fn query_one<S: StatementBuilder>(&self, stmt: &S) -> Result<Option<QueryResult>, DbErr> {
        typed_read(stmt)?;
        self.0.query_one(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        if !sql_reads(&stmt.sql) {
            return Err(refused(stmt.sql));
        }
        self.0.query_all_raw(stmt).await
    }

    async fn query_all<S: StatementBuilder>(&self, stmt: &S) -> Result<Vec<QueryResult>, DbErr> {
        typed_read(stmt)?;
        self.0.query_all(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.0.support_returning()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::project;
    use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

    #[test]
    fn hand_written_sql_passes_only_when_it_reads() {
        for sql in [
            "SELECT value FROM data_generation WHERE id = 1",
            "with recursive o(id) as (select 1) select id from o",
            "SELECT id FROM project WHERE id = 1 FOR UPDATE",
            "SELECT \"updated_at\", 'DELETE' FROM \"update\"",
        ] {
            assert!(sql_reads(sql), "{sql}");
        }
        for sql in [
            "UPDATE data_generation SET value = value + 1 WHERE id = 1 RETURNING value",
            "WITH x AS (DELETE FROM project RETURNING id) SELECT id FROM x",
            "SELECT 1; DROP TABLE project",
            "INSERT INTO project DEFAULT VALUES",
            "  select pg_notify('a', 'b'); insert into audit_event default values",
            "",
        ] {
            assert!(!sql_reads(sql), "{sql}");
        }
    }

    /// The compiler keeps a writable connection out of service modules (no `begin` on
    /// `Reads`, the connection private to `service::audit`); this shows that a write sent
    /// through the read handle anyway reaches nothing.
    #[tokio::test]
    async fn a_write_through_the_read_handle_is_refused_and_writes_nothing() {
        let db = Reads::new(crate::startup::in_memory_database().await);
        let now = chrono::Utc::now();
        let row = project::ActiveModel {
            title: Set("Smuggled".into()),
            summary: Set(String::new()),
            description: Set(String::new()),
            tags: Set("[]".into()),
            target_group: Set(crate::domain::TargetGroup::Citizens),
            owner_id: Set(1),
            county_id: Set(1),
            visibility: Set(crate::domain::Visibility::Public),
            budget_ore: Set(0),
            phase: Set(crate::domain::Phase::Idea),
            cost_key: Set(crate::domain::CostKey::Equal),
            mixed_equal_bp: Set(crate::domain::cost_sharing::BasisPoints::MIN),
            health: Set(None),
            next_tollgate_due: Set(None),
            plan_year: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let err = row.insert(&db).await.expect_err("an insert through Reads");
        assert!(
            err.to_string().contains("refused outside an audited write"),
            "{err}"
        );
        let err = project::Entity::delete_many()
            .exec(&db)
            .await
            .expect_err("a delete");
        assert!(err.to_string().contains("delete"), "{err}");
        let err = db
            .execute_unprepared("DELETE FROM project")
            .await
            .expect_err("raw SQL");
        assert!(err.to_string().contains("refused"), "{err}");
        assert_eq!(project::Entity::find().count(&db).await.expect("a count"), 0);
    }
}
