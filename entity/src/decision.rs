//! A recorded decision (beslut) at a tollgate or cancellation.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub from_phase: domain::Phase,
    pub to_phase: domain::Phase,
    pub decided_on: Date,
    pub deciding_body: String,
    pub diarienummer: String,
    pub summary: String,
    pub recorded_by_id: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
