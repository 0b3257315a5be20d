//! Every project's cost split, kept as rows beside the project: one row per paying kommun with
//! its share in öre, and the project's county, owner, visibility and whether it is committed
//! copied onto it, so that the committee report's sums per kommun are one grouped read of
//! these rows (an index range of the county) instead of a split computed for every project of
//! the county at every report (2.5 s at 500,000 projects).
//!
//! The rows are derived data: `WriteTx::commit` rewrites a project's rows whenever a mutation
//! touched it, and the service fills the table when it starts, once, for databases that
//! existed before this migration (`derived_state` records that it is complete). A split that
//! follows its county's current population year names that year (`floating_year`), so a
//! reader whose reference data has moved on recomputes those projects rather than trusting
//! their rows.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("project_share")
                    .col(big_integer("project_id"))
                    .col(integer("municipality_id"))
                    .col(big_integer("amount_ore"))
                    .col(boolean("committed"))
                    .col(integer("county_id"))
                    .col(integer("owner_id"))
                    .col(string_len("visibility", 16))
                    .col(integer_null("floating_year"))
                    .primary_key(Index::create().col("project_id").col("municipality_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("project_share", "project_id")
                            .to("project", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The committee's sums read the county's shared rows from the index alone.
        manager
            .create_index(index(
                "project_share_by_county",
                "project_share",
                &[
                    "county_id",
                    "visibility",
                    "municipality_id",
                    "committed",
                    "amount_ore",
                    "floating_year",
                ],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "project_share_by_owner",
                "project_share",
                &["owner_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("derived_state")
                    .col(string_len("name", 64).primary_key())
                    .col(boolean("complete"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("derived_state").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("project_share").to_owned())
            .await
    }
}
