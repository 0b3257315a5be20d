use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::stamps;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("county")
                        .col(pk_auto("id"))
                        .col(string_uniq("code"))
                        .col(string("name")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("municipality")
                        .col(pk_auto("id"))
                        .col(string_uniq("code"))
                        .col(string("name"))
                        .col(integer("county_id"))
                        .col(big_integer("population"))
                        .col(integer("population_year"))
                        .foreign_key(
                            ForeignKey::create()
                                .from("municipality", "county_id")
                                .to("county", "id"),
                        ),
                )
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("municipality").to_owned())
            .await?;
        manager.drop_table(Table::drop().table("county").to_owned()).await
    }
}
