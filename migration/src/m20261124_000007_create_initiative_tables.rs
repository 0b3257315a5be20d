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
                        .table("vendor_initiative")
                        .col(big_pk_auto("id"))
                        .col(string("title"))
                        .col(text("description"))
                        .col(big_integer("vendor_id"))
                        .col(big_integer_null("product_id"))
                        .col(integer("owner_id"))
                        .col(integer("county_id"))
                        .col(date_null("deadline"))
                        .col(string("visibility"))
                        .col(string("state"))
                        .col(integer("version"))
                        .foreign_key(&mut fk("vendor_initiative", "vendor_id", "vendor"))
                        .foreign_key(&mut fk("vendor_initiative", "product_id", "product"))
                        .foreign_key(&mut fk("vendor_initiative", "owner_id", "municipality"))
                        .foreign_key(&mut fk("vendor_initiative", "county_id", "county")),
                )
                .to_owned(),
            )
            .await?;
        for i in [
            index(
                "ix_vendor_initiative_owner",
                "vendor_initiative",
                &["owner_id", "id"],
                false,
            ),
            index(
                "ix_vendor_initiative_county",
                "vendor_initiative",
                &["county_id", "visibility", "id"],
                false,
            ),
            index(
                "ix_vendor_initiative_state",
                "vendor_initiative",
                &["state", "id"],
                false,
            ),
            index(
                "ix_vendor_initiative_vendor",
                "vendor_initiative",
                &["vendor_id", "id"],
                false,
            ),
        ] {
            manager.create_index(i).await?;
        }
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("initiative_requirement")
                        .col(big_pk_auto("id"))
                        .col(big_integer("initiative_id"))
                        .col(text("text"))
                        .col(string("priority"))
                        .col(integer("position"))
                        .foreign_key(&mut fk(
                            "initiative_requirement",
                            "initiative_id",
                            "vendor_initiative",
                        )),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_initiative_requirement",
                "initiative_requirement",
                &["initiative_id", "position"],
                false,
            ))
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("initiative_supporter")
                        .col(big_pk_auto("id"))
                        .col(big_integer("initiative_id"))
                        .col(integer("municipality_id"))
                        .col(date("supported_on"))
                        .col(text("comment"))
                        .col(string("state"))
                        .foreign_key(&mut fk(
                            "initiative_supporter",
                            "initiative_id",
                            "vendor_initiative",
                        ))
                        .foreign_key(&mut fk("initiative_supporter", "municipality_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_initiative_supporter",
                "initiative_supporter",
                &["initiative_id", "municipality_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_initiative_supporter_municipality",
                "initiative_supporter",
                &["municipality_id", "initiative_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("vendor_response")
                        .col(big_pk_auto("id"))
                        .col(big_integer("initiative_id"))
                        .col(date("responded_on"))
                        .col(text("summary"))
                        .col(text("commitment"))
                        .col(date_null("promised_delivery"))
                        .col(string("outcome"))
                        .foreign_key(&mut fk("vendor_response", "initiative_id", "vendor_initiative")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_vendor_response",
                "vendor_response",
                &["initiative_id", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "vendor_response",
            "initiative_supporter",
            "initiative_requirement",
            "vendor_initiative",
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
