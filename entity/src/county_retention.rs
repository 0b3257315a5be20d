//! A county's retention period for the people in one kind of record, in years.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "county_retention")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub county_id: i32,
    pub kind: domain::chain::RetentionKind,
    pub years: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
