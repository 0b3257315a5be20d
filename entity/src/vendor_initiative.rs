//! A vendor-influence initiative (leverantörspåverkan): kommuner pushing a vendor together.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vendor_initiative")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub description: String,
    pub vendor_id: i64,
    pub product_id: Option<i64>,
    /// The initiating kommun.
    pub owner_id: i32,
    pub county_id: i32,
    pub deadline: Option<Date>,
    pub visibility: domain::Visibility,
    pub state: domain::inventory::InitiativeState,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
