//! A county's own thresholds for the audit's answers (`domain::readiness::Thresholds`, JSON).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "county_audit_threshold")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_id: i32,
    pub thresholds: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
