//! One requirement of an initiative, MUST or SHOULD.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_requirement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub initiative_id: i64,
    pub text: String,
    pub priority: domain::inventory::RequirementPriority,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
