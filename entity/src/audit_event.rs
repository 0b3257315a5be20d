//! An append-only audit event, written in the same transaction as the change it records.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_sub: String,
    pub actor_municipality_id: i32,
    pub actor_roles: String,
    pub action: String,
    pub record_type: domain::RecordKind,
    pub record_id: i64,
    /// JSON object of the changed fields before the change (null on creation).
    pub before: Option<String>,
    /// JSON object of the changed fields after the change.
    pub after: Option<String>,
    pub request_id: String,
    /// The parent record whose visibility governs who may read the event.
    pub scope_type: Option<domain::RecordKind>,
    pub scope_id: Option<i64>,
    /// The county whose hash chain holds the event (the actor's kommun's).
    pub county_id: Option<i32>,
    /// The event's place in its county's chain, from 1 without gaps.
    pub chain_seq: Option<i64>,
    /// The hash of the event before it in the chain (`domain::chain::GENESIS` for the first).
    pub prev_hash: Option<String>,
    /// The hash of this event's canonical form (`domain::chain`).
    pub hash: Option<String>,
    /// The canonical form's version.
    pub chain_form: Option<i16>,
    /// SHA-256 of `actor_salt` and `actor_sub`: what the hash covers of the actor.
    pub actor_digest: Option<String>,
    /// Kept while `actor_sub` is the real one; removed with it by the retention.
    pub actor_salt: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
