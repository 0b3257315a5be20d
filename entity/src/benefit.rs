//! A benefit (nytta) of a project, part of its nyttokalkyl, owned by one kommun.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub description: String,
    pub category: domain::benefits::BenefitCategory,
    pub kind: domain::benefits::BenefitKind,
    /// The benefit owner kommun (nyttoägare).
    pub owner_id: i32,
    pub metric: String,
    pub unit: String,
    /// Values are stored in ten-thousandths so that they stay exact.
    pub baseline_e4: i64,
    pub target_e4: i64,
    pub target_date: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
