//! The audit trail's table, append-only.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("audit_event")
                        .col(big_pk_auto("id"))
                        .col(timestamp_with_time_zone("occurred_at"))
                        .col(string("actor_sub"))
                        .col(integer("actor_municipality_id"))
                        .col(string("actor_roles"))
                        .col(string("action"))
                        .col(string("record_type"))
                        .col(big_integer("record_id"))
                        .col(text_null("before"))
                        .col(text_null("after"))
                        .col(string("request_id")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_audit_event_record",
                "audit_event",
                &["record_type", "record_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_audit_event_actor_municipality",
                "audit_event",
                &["actor_municipality_id", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("audit_event").to_owned())
            .await
    }
}
