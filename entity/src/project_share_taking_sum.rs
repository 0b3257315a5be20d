//! The kept cost shares of the projects each kommun reads by taking part in them
//! (`project_taker`), summed per kommun paying, committed or planned and population year: a
//! kommun's part of others' PARTICIPANTS projects in its report is a read of a few dozen rows,
//! not of the share rows of every project it takes part in. Derived: every change to the
//! share rows or the takers adds its difference here in the same transaction.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_share_taking_sum")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_id: i32,
    /// The kommun that takes part (the reader of the sum).
    #[sea_orm(primary_key, auto_increment = false)]
    pub taker_id: i32,
    /// The kommun whose share it is.
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub committed: bool,
    /// As `project_share_sum.floating_year`: `0` for rows that follow no year.
    #[sea_orm(primary_key, auto_increment = false)]
    pub floating_year: i32,
    pub amount_ore: i64,
    /// How many share rows the sum holds; a key whose rows are gone is deleted.
    pub projects: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
