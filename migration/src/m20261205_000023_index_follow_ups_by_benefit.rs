//! A benefit's latest follow-up by its owner as of a date, read through an index: the
//! committee report measures every benefit of the county by it (one probe per benefit, not a
//! read of every follow-up of the county's projects).
use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(
                "ix_benefit_follow_up_latest",
                "benefit_follow_up",
                &["benefit_id", "municipality_id", "measured_on", "id", "value_e4"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_benefit_follow_up_latest")
                    .table("benefit_follow_up")
                    .to_owned(),
            )
            .await
    }
}
