//! A live e-service published by one participating kommun for municipal portals.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalogue_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub municipality_id: i32,
    pub name: String,
    pub description: String,
    pub url: String,
    /// Where the e-service's accessibility statement (tillgänglighetsredogörelse) is published.
    pub accessibility_statement_url: Option<String>,
    /// What that statement declares; set together with the URL.
    pub accessibility_conformance: Option<domain::catalogue::AccessibilityConformance>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
