//! The kept cost shares of others' PARTICIPANTS projects summed per kommun that takes part in
//! them: a kommun's report read the share rows of every such project (0.8-1.2 s of a
//! kommun viewer's report on SQLite at 500,000 projects, 90-140 ms on PostgreSQL), where a
//! read of its few dozen kept sums does. `project_taker` holds who took part when a project
//! was last priced, so that `shares::reprice` can move the sums by the difference.
//!
//! Filled here from the participations and share rows as they stand (every mutation priced
//! its project's shares under its participations), so a database that already has its
//! shares needs no refill.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("project_taker")
                    .col(big_integer("project_id"))
                    .col(integer("municipality_id"))
                    .primary_key(Index::create().col("project_id").col("municipality_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("project_share_taking_sum")
                    .col(integer("county_id"))
                    .col(integer("taker_id"))
                    .col(integer("municipality_id"))
                    .col(boolean("committed"))
                    .col(integer("floating_year"))
                    .col(big_integer("amount_ore"))
                    .col(big_integer("projects"))
                    .primary_key(
                        Index::create()
                            .col("county_id")
                            .col("taker_id")
                            .col("municipality_id")
                            .col("committed")
                            .col("floating_year"),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO project_taker (project_id, municipality_id) \
             SELECT DISTINCT pa.project_id, pa.municipality_id FROM participation pa \
             JOIN project p ON p.id = pa.project_id \
             WHERE p.visibility = 'PARTICIPANTS' AND p.phase <> 'CANCELLED' \
             AND pa.municipality_id <> p.owner_id AND pa.state IN ('INVITED', 'ACCEPTED')",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO project_share_taking_sum (county_id, taker_id, municipality_id, \
             committed, floating_year, amount_ore, projects) \
             SELECT s.county_id, t.municipality_id, s.municipality_id, s.committed, \
             COALESCE(s.floating_year, 0), SUM(s.amount_ore), COUNT(*) FROM project_share s \
             JOIN project_taker t ON t.project_id = s.project_id \
             GROUP BY s.county_id, t.municipality_id, s.municipality_id, s.committed, \
             COALESCE(s.floating_year, 0)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("project_share_taking_sum").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("project_taker").to_owned())
            .await
    }
}
