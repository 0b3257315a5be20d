//! Benefits and their follow-ups; the audit event's scope (the record whose visibility
//! governs who reads it); and, despite the name, `project.next_tollgate_due` with its index
//! for the committee's upcoming tollgates.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("benefit")
                        .col(big_pk_auto("id"))
                        .col(big_integer("project_id"))
                        .col(text("description"))
                        .col(string("category"))
                        .col(string("kind"))
                        .col(integer("owner_id"))
                        .col(string("metric"))
                        .col(string("unit"))
                        .col(big_integer("baseline_e4"))
                        .col(big_integer("target_e4"))
                        .col(date_null("target_date"))
                        .foreign_key(&mut fk("benefit", "project_id", "project"))
                        .foreign_key(&mut fk("benefit", "owner_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_benefit_project",
                "benefit",
                &["project_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index("ix_benefit_owner", "benefit", &["owner_id", "id"], false))
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("benefit_follow_up")
                        .col(big_pk_auto("id"))
                        .col(big_integer("benefit_id"))
                        .col(big_integer("project_id"))
                        .col(date("measured_on"))
                        .col(big_integer("value_e4"))
                        .col(text("comment"))
                        .col(integer("municipality_id"))
                        .foreign_key(&mut fk("benefit_follow_up", "benefit_id", "benefit"))
                        .foreign_key(&mut fk("benefit_follow_up", "project_id", "project"))
                        .foreign_key(&mut fk("benefit_follow_up", "municipality_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_benefit_follow_up_project",
                "benefit_follow_up",
                &["project_id", "id"],
                false,
            ))
            .await?;
        // The record an event belongs to for visibility: the project or evaluation it hangs off.
        manager
            .alter_table(
                Table::alter()
                    .table("audit_event")
                    .add_column(string_null("scope_type"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("audit_event")
                    .add_column(big_integer_null("scope_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_audit_event_scope",
                "audit_event",
                &["scope_type", "scope_id", "id"],
                false,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("project")
                    .add_column(date_null("next_tollgate_due"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_project_next_tollgate",
                "project",
                &["next_tollgate_due"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_project_next_tollgate")
                    .table("project")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("project")
                    .drop_column("next_tollgate_due")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_audit_event_scope")
                    .table("audit_event")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("audit_event")
                    .drop_column("scope_id")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("audit_event")
                    .drop_column("scope_type")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("benefit_follow_up").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("benefit").to_owned())
            .await
    }
}
