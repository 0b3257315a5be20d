//! A county's key for stable pseudonyms: the retention names a person by a keyed hash of who
//! they were, so the same person is the same pseudonym in every run.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pseudonym_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_id: i32,
    /// 32 random bytes as hex.
    pub secret: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
