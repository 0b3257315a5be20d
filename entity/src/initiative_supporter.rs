//! A kommun co-signing an initiative.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_supporter")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub initiative_id: i64,
    pub municipality_id: i32,
    pub supported_on: Date,
    pub comment: String,
    /// `ACTIVE` or `WITHDRAWN`.
    pub state: domain::inventory::SupporterState,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
