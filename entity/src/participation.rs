//! A kommun's part in a project: role, invitation state and custom cost share.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub municipality_id: i32,
    pub role: domain::ParticipationRole,
    pub state: domain::ParticipationState,
    /// Percentage under the CUSTOM key, in basis points.
    pub custom_bp: Option<domain::cost_sharing::BasisPoints>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
