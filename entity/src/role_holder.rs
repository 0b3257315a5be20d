//! A person in a pm3 role, in their kommun's own register: named only to that kommun.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_holder")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub municipality_id: i32,
    pub display_name: String,
    /// The kommun's own key for the person (an employee number), never a personnummer.
    pub holder_key: Option<String>,
    /// Since when the person has held no role (none while they hold one): the retention of
    /// released role holders counts from it.
    pub released_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
