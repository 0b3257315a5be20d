//! Committed changes as they happen, for subscriptions: every mutation's one audit event,
//! named by its id and the record whose visibility governs it, never with data (subscribers
//! read what they may see).
//!
//! On SQLite a change is broadcast in-process after the commit. On PostgreSQL it is a
//! `NOTIFY` inside the mutation's own transaction, delivered by PostgreSQL on commit (never
//! for a rollback) to every replica's `LISTEN`, which broadcasts it to that replica's
//! subscribers, its own included. A replica that loses its listening connection reconnects;
//! changes committed meanwhile are not replayed (clients refetch on reconnect).
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::audit::store::Reads;
use tokio::sync::broadcast;

use crate::domain::RecordKind;

impl Change {
    /// Whether the change belongs to the record `kind`/`id`.
    pub fn is_of(&self, kind: RecordKind, id: i64) -> bool {
        self.scope_id == id && self.scope_type == kind.as_str()
    }
}

/// The PostgreSQL channel of changes.
const CHANNEL: &str = "samverkan_changes";
/// Changes a slow subscriber may fall behind by before it is told it missed some.
const BACKLOG: usize = 1024;

/// One committed change.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// The audit event the change wrote.
    pub event_id: i64,
    /// The kind of record whose visibility governs the event (`EServiceProject` for a
    /// project's participations too) and its id.
    pub scope_type: String,
    pub scope_id: i64,
    /// The mutation, e.g. `updateEServiceProject`.
    pub action: String,
}

/// The broadcast every subscription listens to.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<Change>,
    /// On PostgreSQL changes arrive through `LISTEN`, not from this process's commits.
    through_postgres: bool,
}

impl Events {
    pub(super) fn new(db: &Reads<DatabaseConnection>) -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        let pool = db.postgres_pool();
        let events = Self {
            sender,
            through_postgres: pool.is_some(),
        };
        if let Some(pool) = pool {
            events.listen(pool);
        }
        events
    }

    /// Changes from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    /// Inside the mutation's transaction: on PostgreSQL the notification that commits with it.
    pub(super) async fn announce<C: ConnectionTrait>(
        &self,
        tx: &C,
        change: &Change,
    ) -> Result<(), sea_orm::DbErr> {
        if !self.through_postgres {
            return Ok(());
        }
        let payload = serde_json::to_string(change).unwrap_or_default();
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        ))
        .await
        .map(|_| ())
    }

    /// After the commit: on SQLite the broadcast itself.
    pub(super) fn committed(&self, change: Change) {
        if !self.through_postgres {
            let _ = self.sender.send(change);
        }
    }

    fn listen(&self, pool: sea_orm::sqlx::PgPool) {
        let sender = self.sender.clone();
        // A listener holds its connection for good; taken from the request pool it would
        // leave requests one connection short, so it gets a pool of its own.
        let own = sea_orm::sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_lazy_with((*pool.connect_options()).clone());
        tokio::spawn(async move {
            loop {
                let mut listener = match sea_orm::sqlx::postgres::PgListener::connect_with(&own).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for changes; retrying in 1 s");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for changes; retrying in 1 s");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
                loop {
                    match listener.recv().await {
                        Ok(n) => match serde_json::from_str::<Change>(n.payload()) {
                            Ok(change) => {
                                let _ = sender.send(change);
                            }
                            Err(e) => tracing::warn!(error = %e, "unreadable change notification"),
                        },
                        Err(e) => {
                            if pool.is_closed() {
                                return;
                            }
                            tracing::warn!(error = %e, "the change listener lost its connection; reconnecting");
                            break;
                        }
                    }
                }
            }
        });
    }
}
