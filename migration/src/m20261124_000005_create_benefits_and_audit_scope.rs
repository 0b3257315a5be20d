use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn stamps(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
        .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
}

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, "id").to_owned()
}

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
            .create_index(
                Index::create()
                    .name("ix_benefit_project")
                    .table("benefit")
                    .col("project_id")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_benefit_owner")
                    .table("benefit")
                    .col("owner_id")
                    .col("id")
                    .to_owned(),
            )
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
            .create_index(
                Index::create()
                    .name("ix_benefit_follow_up_project")
                    .table("benefit_follow_up")
                    .col("project_id")
                    .col("id")
                    .to_owned(),
            )
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
            .create_index(
                Index::create()
                    .name("ix_audit_event_scope")
                    .table("audit_event")
                    .col("scope_type")
                    .col("scope_id")
                    .col("id")
                    .to_owned(),
            )
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
            .create_index(
                Index::create()
                    .name("ix_project_next_tollgate")
                    .table("project")
                    .col("next_tollgate_due")
                    .to_owned(),
            )
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
