//! One kommun's score (0–5) of one option on one criterion.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sourcing_score")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub evaluation_id: i64,
    pub option_id: i64,
    pub criterion_id: i64,
    pub municipality_id: i32,
    pub score: domain::sourcing::Score,
    pub rationale: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
