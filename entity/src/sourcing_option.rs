//! One way of running the evaluated service.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sourcing_option")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub evaluation_id: i64,
    pub kind: domain::sourcing::OptionKind,
    pub description: String,
    pub one_off_ore: i64,
    pub annual_ore: i64,
    pub contract_years: i32,
    pub data_location: domain::sourcing::DataLocation,
    pub exit_plan: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
