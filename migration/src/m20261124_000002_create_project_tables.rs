use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A non-unique index (the shared helper's form; kept as a name for this file's many calls).
fn index(name: &'static str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    crate::helpers::index(name, table, cols, false)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("project")
                        .col(big_pk_auto("id"))
                        .col(string("title"))
                        .col(text("summary"))
                        .col(text("description"))
                        .col(text("tags"))
                        .col(string("target_group"))
                        .col(integer("owner_id"))
                        .col(integer("county_id"))
                        .col(string("visibility"))
                        .col(big_integer("budget_ore"))
                        .col(string("phase"))
                        .col(string("cost_key"))
                        .col(integer("mixed_equal_bp"))
                        .col(string_null("health"))
                        .col(integer("version"))
                        .foreign_key(&mut fk("project", "owner_id", "municipality"))
                        .foreign_key(&mut fk("project", "county_id", "county")),
                )
                .to_owned(),
            )
            .await?;
        // Keyset pages walk `id` (creation order) or `(title, id)`; the visibility rule looks
        // a project up by owner, by county and by participant.
        for i in [
            index("ix_project_owner", "project", &["owner_id", "id"]),
            index("ix_project_county", "project", &["county_id", "visibility", "id"]),
            index("ix_project_title", "project", &["title", "id"]),
            index("ix_project_phase", "project", &["phase", "id"]),
            index("ix_project_health", "project", &["health", "id"]),
        ] {
            manager.create_index(i).await?;
        }

        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("participation")
                        .col(big_pk_auto("id"))
                        .col(big_integer("project_id"))
                        .col(integer("municipality_id"))
                        .col(string("role"))
                        .col(string("state"))
                        .col(integer_null("custom_bp"))
                        .foreign_key(&mut fk("participation", "project_id", "project"))
                        .foreign_key(&mut fk("participation", "municipality_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_participation_project_municipality",
                    "participation",
                    &["project_id", "municipality_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_participation_municipality_project",
                "participation",
                &["municipality_id", "project_id"],
            ))
            .await?;

        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("decision")
                        .col(big_pk_auto("id"))
                        .col(big_integer("project_id"))
                        .col(string("from_phase"))
                        .col(string("to_phase"))
                        .col(date("decided_on"))
                        .col(string("deciding_body"))
                        .col(string("diarienummer"))
                        .col(text("summary"))
                        .col(integer("recorded_by_id"))
                        .foreign_key(&mut fk("decision", "project_id", "project"))
                        .foreign_key(&mut fk("decision", "recorded_by_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_decision_project", "decision", &["project_id", "id"]))
            .await?;

        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("status_report")
                        .col(big_pk_auto("id"))
                        .col(big_integer("project_id"))
                        .col(date("reported_on"))
                        .col(string("health"))
                        .col(text("summary"))
                        .col(integer("author_id"))
                        .foreign_key(&mut fk("status_report", "project_id", "project"))
                        .foreign_key(&mut fk("status_report", "author_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_status_report_project",
                "status_report",
                &["project_id", "id"],
            ))
            .await?;

        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("catalogue_entry")
                        .col(big_pk_auto("id"))
                        .col(big_integer("project_id"))
                        .col(integer("municipality_id"))
                        .col(string("name"))
                        .col(text("description"))
                        .col(string("url"))
                        .foreign_key(&mut fk("catalogue_entry", "project_id", "project"))
                        .foreign_key(&mut fk("catalogue_entry", "municipality_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_catalogue_entry_project_municipality",
                    "catalogue_entry",
                    &["project_id", "municipality_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_catalogue_entry_municipality",
                "catalogue_entry",
                &["municipality_id", "id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "catalogue_entry",
            "status_report",
            "decision",
            "participation",
            "project",
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
