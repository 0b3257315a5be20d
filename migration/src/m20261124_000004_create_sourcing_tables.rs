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
                        .table("sourcing_evaluation")
                        .col(big_pk_auto("id"))
                        .col(string("title"))
                        .col(big_integer_null("subject_project_id"))
                        .col(text("subject_text"))
                        .col(integer("owner_id"))
                        .col(integer("county_id"))
                        .col(string("visibility"))
                        .col(string("state"))
                        .col(integer("confidentiality"))
                        .col(integer("integrity"))
                        .col(integer("availability"))
                        .col(big_integer_null("chosen_option_id"))
                        .col(date_null("decided_on"))
                        .col(string_null("deciding_body"))
                        .col(string_null("diarienummer"))
                        .col(text_null("decision_summary"))
                        .col(text_null("justification"))
                        .col(integer("version"))
                        .foreign_key(&mut fk("sourcing_evaluation", "owner_id", "municipality"))
                        .foreign_key(&mut fk("sourcing_evaluation", "county_id", "county"))
                        .foreign_key(&mut fk("sourcing_evaluation", "subject_project_id", "project")),
                )
                .to_owned(),
            )
            .await?;
        for i in [
            index(
                "ix_sourcing_evaluation_owner",
                "sourcing_evaluation",
                &["owner_id", "id"],
                false,
            ),
            index(
                "ix_sourcing_evaluation_county",
                "sourcing_evaluation",
                &["county_id", "visibility", "id"],
                false,
            ),
            index(
                "ix_sourcing_evaluation_state",
                "sourcing_evaluation",
                &["state", "id"],
                false,
            ),
        ] {
            manager.create_index(i).await?;
        }
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("sourcing_option")
                        .col(big_pk_auto("id"))
                        .col(big_integer("evaluation_id"))
                        .col(string("kind"))
                        .col(text("description"))
                        .col(big_integer("one_off_ore"))
                        .col(big_integer("annual_ore"))
                        .col(integer("contract_years"))
                        .col(string("data_location"))
                        .col(text("exit_plan"))
                        .foreign_key(&mut fk("sourcing_option", "evaluation_id", "sourcing_evaluation")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_sourcing_option_evaluation",
                "sourcing_option",
                &["evaluation_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("sourcing_criterion")
                        .col(big_pk_auto("id"))
                        .col(big_integer("evaluation_id"))
                        .col(string("code"))
                        .col(string("name"))
                        .col(integer("weight"))
                        .col(integer("position"))
                        .foreign_key(&mut fk(
                            "sourcing_criterion",
                            "evaluation_id",
                            "sourcing_evaluation",
                        )),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_sourcing_criterion_evaluation",
                "sourcing_criterion",
                &["evaluation_id", "position"],
                false,
            ))
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("sourcing_coevaluator")
                        .col(big_pk_auto("id"))
                        .col(big_integer("evaluation_id"))
                        .col(integer("municipality_id"))
                        .col(string("state"))
                        .foreign_key(&mut fk(
                            "sourcing_coevaluator",
                            "evaluation_id",
                            "sourcing_evaluation",
                        ))
                        .foreign_key(&mut fk("sourcing_coevaluator", "municipality_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_sourcing_coevaluator",
                "sourcing_coevaluator",
                &["evaluation_id", "municipality_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_sourcing_coevaluator_municipality",
                "sourcing_coevaluator",
                &["municipality_id", "evaluation_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("sourcing_score")
                        .col(big_pk_auto("id"))
                        .col(big_integer("evaluation_id"))
                        .col(big_integer("option_id"))
                        .col(big_integer("criterion_id"))
                        .col(integer("municipality_id"))
                        .col(integer("score"))
                        .col(text("rationale"))
                        .foreign_key(&mut fk("sourcing_score", "evaluation_id", "sourcing_evaluation"))
                        .foreign_key(&mut fk("sourcing_score", "option_id", "sourcing_option"))
                        .foreign_key(&mut fk("sourcing_score", "criterion_id", "sourcing_criterion"))
                        .foreign_key(&mut fk("sourcing_score", "municipality_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_sourcing_score",
                "sourcing_score",
                &["option_id", "criterion_id", "municipality_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_sourcing_score_evaluation",
                "sourcing_score",
                &["evaluation_id", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "sourcing_score",
            "sourcing_coevaluator",
            "sourcing_criterion",
            "sourcing_option",
            "sourcing_evaluation",
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
