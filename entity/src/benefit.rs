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
    /// The project's county, owner and visibility, for the visibility rule (kept by
    /// `WriteTx::commit`, like the kept cost shares).
    pub county_id: i32,
    pub project_owner_id: i32,
    pub project_visibility: domain::Visibility,
    /// The owner's latest follow-up (by date, then by id), kept by `WriteTx::commit`.
    pub latest_e4: Option<i64>,
    pub latest_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
