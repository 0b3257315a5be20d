//! People in pm3 roles are kept only as long as the county decided after they were released:
//! `role_holder.released_on` records when a holder last held no role (holders who hold none
//! when this runs are released today, the earliest date the service can vouch for), and
//! `pseudonym_key` holds each county's key for stable pseudonyms (the same person gets the
//! same pseudonym in every run of the retention; without the key nobody can tell whose it is).
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("role_holder")
                    .add_column(date_null("released_on"))
                    .to_owned(),
            )
            .await?;
        let held = |col: &str| format!("SELECT {col} FROM system_instance WHERE {col} IS NOT NULL");
        let today = chrono::Utc::now().date_naive();
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE role_holder SET released_on = '{today}' WHERE id NOT IN ({}) AND id NOT IN ({}) \
                 AND id NOT IN ({}) AND id NOT IN ({})",
                held("system_owner_id"),
                held("object_owner_id"),
                held("object_manager_business_id"),
                held("object_manager_it_id"),
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("pseudonym_key")
                    .col(integer("county_id").primary_key())
                    .col(string_len("secret", 64))
                    .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                    .foreign_key(&mut fk("pseudonym_key", "county_id", "county"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("pseudonym_key").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("role_holder")
                    .drop_column("released_on")
                    .to_owned(),
            )
            .await
    }
}
