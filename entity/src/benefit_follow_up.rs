//! A measured value of a benefit (effektbokslut), recorded by one kommun.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_follow_up")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub benefit_id: i64,
    /// The benefit's project, kept on the row so follow-ups load per project.
    pub project_id: i64,
    pub measured_on: Date,
    pub value_e4: i64,
    pub comment: String,
    pub municipality_id: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
