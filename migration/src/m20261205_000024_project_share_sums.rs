//! The kept cost shares summed per what a reader of them filters on (county, owner,
//! visibility), per kommun, committed or planned and population year: the committee's sums
//! per kommun read a few hundred of these rows instead of every share row of the county
//! (280 ms for the committee at 500,000 projects). `shares::reprice` keeps them: it adds the
//! difference between a project's old rows and its new ones in the same transaction.
//!
//! Filled here from the share rows as they stand, so a database that already has its shares
//! needs no refill.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("project_share_sum")
                    .col(integer("county_id"))
                    .col(integer("owner_id"))
                    .col(string_len("visibility", 16))
                    .col(integer("municipality_id"))
                    .col(boolean("committed"))
                    // 0 for rows that follow no population year: a key column is never NULL.
                    .col(integer("floating_year"))
                    .col(big_integer("amount_ore"))
                    .col(big_integer("projects"))
                    .primary_key(
                        Index::create()
                            .col("county_id")
                            .col("owner_id")
                            .col("visibility")
                            .col("municipality_id")
                            .col("committed")
                            .col("floating_year"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO project_share_sum (county_id, owner_id, visibility, municipality_id, \
                 committed, floating_year, amount_ore, projects) \
                 SELECT county_id, owner_id, visibility, municipality_id, committed, \
                 COALESCE(floating_year, 0), SUM(amount_ore), COUNT(*) FROM project_share \
                 GROUP BY county_id, owner_id, visibility, municipality_id, committed, \
                 COALESCE(floating_year, 0)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("project_share_sum").to_owned())
            .await
    }
}
