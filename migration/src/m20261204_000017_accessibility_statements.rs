//! Every public e-service must publish an accessibility statement (DOS-lagen); the catalogue
//! records where each entry's statement is and what it declares. Existing entries have none
//! until their kommun sets it, and the catalogue says so.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("catalogue_entry")
                    .add_column(string_len_null("accessibility_statement_url", 2000))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("catalogue_entry")
                    .add_column(string_len_null("accessibility_conformance", 32))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["accessibility_conformance", "accessibility_statement_url"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("catalogue_entry")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
