//! A county's retention periods for personal data, per kind of record (its information
//! management plan): how many years the people in them are kept before the retention replaces
//! them with pseudonyms.
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
                        .table("county_retention")
                        .col(big_pk_auto("id"))
                        .col(integer("county_id"))
                        .col(string_len("kind", 40))
                        .col(integer("years"))
                        .foreign_key(&mut fk("county_retention", "county_id", "county")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_county_retention_kind",
                "county_retention",
                &["county_id", "kind"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("county_retention").to_owned())
            .await
    }
}
