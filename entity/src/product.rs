//! A vendor's product, shared reference data.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub vendor_id: i64,
    pub name: String,
    pub category: domain::inventory::ProductCategory,
    /// Standards it claims, a JSON array of strings (e.g. `["SS 12000"]`).
    pub standards: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
