//! The vendor's answer to an initiative.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vendor_response")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub initiative_id: i64,
    pub responded_on: Date,
    pub summary: String,
    pub commitment: String,
    pub promised_delivery: Option<Date>,
    pub outcome: domain::inventory::ResponseOutcome,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
