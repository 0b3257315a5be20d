//! One kommun's use of a product: a system in its inventory (systemkarta).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "system_instance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i32,
    pub county_id: i32,
    pub product_id: i64,
    pub product_version: String,
    pub maintenance_object: String,
    /// The pm3 roles, as holders in the kommun's register (`role_holder`): systemägare,
    /// objektägare, förvaltningsledare (verksamhet) and IT-förvaltningsledare.
    pub system_owner_id: Option<i64>,
    pub object_owner_id: Option<i64>,
    pub object_manager_business_id: Option<i64>,
    pub object_manager_it_id: Option<i64>,
    /// When the kommun last reviewed the entry.
    pub last_reviewed: Option<Date>,
    pub hosting: domain::inventory::Hosting,
    pub data_location: domain::sourcing::DataLocation,
    pub confidentiality: domain::sourcing::KlassaLevel,
    pub integrity: domain::sourcing::KlassaLevel,
    pub availability: domain::sourcing::KlassaLevel,
    pub contract_end: Option<Date>,
    /// What the kommun pays for it per year, in öre, where known.
    pub annual_cost_ore: Option<i64>,
    pub visibility: domain::Visibility,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
