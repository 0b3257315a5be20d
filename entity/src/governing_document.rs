//! A governing document (styrdokument) of one kommun: an IT strategy, guidelines, a model.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "governing_document")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i32,
    pub county_id: i32,
    pub kind: domain::readiness::DocumentKind,
    pub title: String,
    pub adopting_body: String,
    pub body_kind: domain::readiness::BodyKind,
    /// In force from this date.
    pub decided_on: Date,
    pub diarienummer: String,
    pub next_review: Option<Date>,
    pub link: Option<String>,
    pub visibility: domain::Visibility,
    /// The document this one replaced.
    pub replaces_id: Option<i64>,
    /// The document that replaced this one, and from when (its decision date).
    pub replaced_by_id: Option<i64>,
    pub replaced_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
