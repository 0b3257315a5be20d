//! A sourcing evaluation (sourcingutvärdering) owned by one kommun.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sourcing_evaluation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// The project being evaluated, when the subject is one.
    pub subject_project_id: Option<i64>,
    /// Free-text subject (always set; for a project, its description).
    pub subject_text: String,
    pub owner_id: i32,
    pub county_id: i32,
    pub visibility: domain::Visibility,
    pub state: domain::sourcing::SourcingState,
    pub confidentiality: domain::sourcing::KlassaLevel,
    pub integrity: domain::sourcing::KlassaLevel,
    pub availability: domain::sourcing::KlassaLevel,
    pub chosen_option_id: Option<i64>,
    pub decided_on: Option<Date>,
    pub deciding_body: Option<String>,
    pub diarienummer: Option<String>,
    pub decision_summary: Option<String>,
    /// Why a flagged option was chosen anyway.
    pub justification: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
