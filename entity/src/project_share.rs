//! One paying kommun's share of one project's budget, kept beside the project (derived from
//! it, its participations and the population figures; rewritten whenever a mutation touches
//! the project) so that sums over a county are read, not computed per project.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_share")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub project_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: i32,
    pub amount_ore: i64,
    /// The project is past the PLANNING tollgate (EXECUTION or later).
    pub committed: bool,
    /// The project's county, owner and visibility, for the visibility rule.
    pub county_id: i32,
    pub owner_id: i32,
    pub visibility: domain::Visibility,
    /// The county's current population year the split followed, for a split that follows it
    /// (an unpinned PER_CAPITA or MIXED key); `-1` on the one row of a project whose split
    /// could not be computed, so readers compute it (and meet its error) themselves.
    pub floating_year: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
