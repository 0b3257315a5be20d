//! A kommun invited to score an evaluation together with its owner.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sourcing_coevaluator")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub evaluation_id: i64,
    pub municipality_id: i32,
    pub state: domain::ParticipationState,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
