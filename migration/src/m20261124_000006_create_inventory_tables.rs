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
                        .table("vendor")
                        .col(big_pk_auto("id"))
                        .col(string("name"))
                        .col(string_uniq("org_number"))
                        .col(string("website")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("product")
                        .col(big_pk_auto("id"))
                        .col(big_integer("vendor_id"))
                        .col(string("name"))
                        .col(string("category"))
                        .col(text("standards"))
                        .foreign_key(&mut fk("product", "vendor_id", "vendor")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_product_vendor_name",
                "product",
                &["vendor_id", "name"],
                true,
            ))
            .await?;
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("system_instance")
                        .col(big_pk_auto("id"))
                        .col(integer("owner_id"))
                        .col(integer("county_id"))
                        .col(big_integer("product_id"))
                        .col(string("product_version"))
                        .col(string("system_owner"))
                        .col(string("maintenance_object"))
                        .col(string("object_owner"))
                        .col(string("object_manager_business"))
                        .col(string("object_manager_it"))
                        .col(string("hosting"))
                        .col(string("data_location"))
                        .col(integer("confidentiality"))
                        .col(integer("integrity"))
                        .col(integer("availability"))
                        .col(date_null("contract_end"))
                        .col(string("visibility"))
                        .col(integer("version"))
                        .foreign_key(&mut fk("system_instance", "owner_id", "municipality"))
                        .foreign_key(&mut fk("system_instance", "county_id", "county"))
                        .foreign_key(&mut fk("system_instance", "product_id", "product")),
                )
                .to_owned(),
            )
            .await?;
        for i in [
            index(
                "ix_system_instance_owner",
                "system_instance",
                &["owner_id", "id"],
                false,
            ),
            index(
                "ix_system_instance_county",
                "system_instance",
                &["county_id", "visibility", "id"],
                false,
            ),
            index(
                "ix_system_instance_product",
                "system_instance",
                &["product_id", "owner_id"],
                false,
            ),
            index(
                "ix_system_instance_contract_end",
                "system_instance",
                &["contract_end"],
                false,
            ),
        ] {
            manager.create_index(i).await?;
        }
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("integration")
                        .col(big_pk_auto("id"))
                        .col(integer("owner_id"))
                        .col(big_integer("from_instance_id"))
                        .col(big_integer("to_instance_id"))
                        .col(string("protocol"))
                        .col(string("standard"))
                        .col(text("description"))
                        .foreign_key(&mut fk("integration", "owner_id", "municipality"))
                        .foreign_key(&mut fk("integration", "from_instance_id", "system_instance"))
                        .foreign_key(&mut fk("integration", "to_instance_id", "system_instance")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_integration_owner",
                "integration",
                &["owner_id", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["integration", "system_instance", "product", "vendor"] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
