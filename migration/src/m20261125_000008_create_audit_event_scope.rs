//! Further records an audit event names besides its parent (an integration names the system
//! it leads to). The event is shown only to callers who may see every one of them; events
//! already written for integrations get the rows they would have had.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("audit_event_scope")
                        .col(big_pk_auto("id"))
                        .col(big_integer("event_id"))
                        .col(string("scope_type"))
                        .col(big_integer("scope_id")),
                )
                .foreign_key(&mut fk("audit_event_scope", "event_id", "audit_event"))
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_audit_event_scope_event",
                "audit_event_scope",
                &["event_id", "scope_type", "scope_id"],
                false,
            ))
            .await?;
        let to = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "COALESCE((after::json->>'to')::bigint, (before::json->>'to')::bigint)"
            }
            _ => "COALESCE(json_extract(after, '$.to'), json_extract(before, '$.to'))",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO audit_event_scope (event_id, scope_type, scope_id) \
                 SELECT id, 'SystemInstance', {to} FROM audit_event \
                 WHERE record_type = 'Integration' AND {to} IS NOT NULL"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("audit_event_scope").to_owned())
            .await
    }
}
