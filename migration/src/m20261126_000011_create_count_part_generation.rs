//! The generation at which each part of the project counts last changed: a mutation of a
//! project sets the parts that project belongs to (its county's shared part, its owner's own
//! part, the taking-part part of every kommun with a participation in it) to the generation
//! it raised. A count of a part is valid until its part moves, so a write in one kommun does
//! not make every other kommun's counts be made again.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("count_part_generation")
                    .col(string_len("part", 64).primary_key())
                    .col(big_integer("generation"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("count_part_generation").to_owned())
            .await
    }
}
