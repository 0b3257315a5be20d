//! A system instance's annual cost (optional, in öre), so that joint procurement windows can
//! show what the kommuner spend together, and an index for the contract-end questions the
//! county asks (expiring contracts, procurement windows) per county.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("system_instance")
                    .add_column(big_integer_null("annual_cost_ore"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_system_instance_county_contract_end",
                "system_instance",
                &["county_id", "contract_end"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_system_instance_county_contract_end")
                    .table("system_instance")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("system_instance")
                    .drop_column("annual_cost_ore")
                    .to_owned(),
            )
            .await
    }
}
