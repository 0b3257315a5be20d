//! The cost budgets every replica shares on PostgreSQL: per budget (a kommun, or a client
//! address's digest) and per minute, how much of the minute's budget the replicas have taken
//! between them. A replica takes budget in small leases and charges requests against its lease
//! in memory, so no request waits on this table; rows of past minutes are deleted as the
//! minutes pass.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("cost_budget")
                    .col(string_len("budget", 80))
                    .col(big_integer("minute"))
                    .col(big_integer("taken"))
                    .primary_key(Index::create().col("budget").col("minute"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("cost_budget").to_owned())
            .await
    }
}
