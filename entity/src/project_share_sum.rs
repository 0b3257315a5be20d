//! The kept cost shares (`project_share`) summed per what the visibility rule and the
//! committee report read of them: a county's sums per kommun are a read of a few hundred of
//! these rows, not of every share row of the county. Derived: every change to the share rows
//! adds its difference here in the same transaction.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_share_sum")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub owner_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub visibility: domain::Visibility,
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub committed: bool,
    /// The share rows' `floating_year`, with `0` for rows that follow no year (a key column
    /// cannot be NULL).
    #[sea_orm(primary_key, auto_increment = false)]
    pub floating_year: i32,
    pub amount_ore: i64,
    /// How many share rows (one per project) the sum holds; a key whose rows are gone is
    /// deleted, never kept at zero.
    pub projects: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
