//! One row counting committed changes: every mutation adds one in its own transaction, and
//! every replica reads it before answering from its response cache. The row lock makes the
//! numbers follow commit order, which a sequence or `max(audit_event.id)` does not (a later id
//! can commit first), so an answer stored under generation `g` never hides a change that
//! committed before `g` was read.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("data_generation")
                    .col(integer("id").primary_key())
                    .col(big_integer("value"))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("data_generation")
                    .columns(["id", "value"])
                    .values_panic([1.into(), 0i64.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("data_generation").to_owned())
            .await
    }
}
