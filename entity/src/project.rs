//! An e-service project (e-tjänstprojekt) led by one kommun.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub description: String,
    /// Category tags, stored as a JSON array of strings.
    pub tags: String,
    pub target_group: domain::TargetGroup,
    pub owner_id: i32,
    /// The owner's county, kept on the row so the visibility filter needs no join.
    pub county_id: i32,
    pub visibility: domain::Visibility,
    pub budget_ore: i64,
    pub phase: domain::Phase,
    pub cost_key: domain::CostKey,
    /// For the MIXED key: the part split equally, in basis points (1/100 of a percent).
    pub mixed_equal_bp: domain::cost_sharing::BasisPoints,
    /// Health of the latest status report, kept on the row for filtering.
    pub health: Option<domain::Health>,
    /// When the next tollgate decision is planned.
    pub next_tollgate_due: Option<Date>,
    /// The year of the business plan (verksamhetsplan) the project belongs to.
    pub plan_year: Option<i32>,
    /// The reference year of the population figures its per-capita split uses, pinned when
    /// the key was agreed (the tollgate out of PLANNING); `None` follows the county's current
    /// year.
    pub population_year: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
