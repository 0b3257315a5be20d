//! Population figures by reference year. SCB publishes a kommun's population on 31 December
//! every year; a per-capita cost split must not move when next year's figures arrive, so the
//! figures of every year are kept side by side and a project whose key was agreed (it left
//! PLANNING) names the year it was agreed under.
//!
//! The one figure a kommun had (`municipality.population`, of `population_year`) becomes its
//! figure of that year, and projects already past PLANNING are pinned to it: the split they
//! were agreed under is the one they keep. Replicas of the previous release read those
//! columns only when they start, so a rolling upgrade still works.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("population_figure")
                        .col(integer("municipality_id"))
                        .col(integer("year"))
                        .col(big_integer("population"))
                        .primary_key(Index::create().col("municipality_id").col("year"))
                        .foreign_key(&mut fk("population_figure", "municipality_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO population_figure (municipality_id, year, population) \
             SELECT id, population_year, population FROM municipality",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("project")
                    .add_column(integer_null("population_year"))
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "UPDATE project SET population_year = \
               (SELECT m.population_year FROM municipality m WHERE m.id = project.owner_id) \
             WHERE phase IN ('EXECUTION', 'CLOSING', 'BENEFIT_REALIZATION', 'CLOSED')",
        )
        .await?;
        for column in ["population_year", "population"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("municipality")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("municipality")
                    .add_column(big_integer("population").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("municipality")
                    .add_column(integer("population_year").default(0))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE municipality SET \
               population = COALESCE((SELECT f.population FROM population_figure f \
                 WHERE f.municipality_id = municipality.id ORDER BY f.year DESC LIMIT 1), 0), \
               population_year = COALESCE((SELECT MAX(f.year) FROM population_figure f \
                 WHERE f.municipality_id = municipality.id), 0)",
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("project")
                    .drop_column("population_year")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("population_figure").to_owned())
            .await
    }
}
