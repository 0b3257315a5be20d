//! The committee report lists the tollgate decisions taken in its period; this index reads
//! them by date without a walk over every decision of the county.
use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(
                "ix_decision_decided_on",
                "decision",
                &["decided_on", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_decision_decided_on")
                    .table("decision")
                    .to_owned(),
            )
            .await
    }
}
