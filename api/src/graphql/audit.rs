//! The audit trail (loggning), read-only.
use crate::domain::RecordKind;
use async_graphql::{Context, ID, InputObject, Json, Object, Result, connection::Connection};
use entity::audit_event;

use super::{
    connection, ids,
    reference::{Municipality, municipality},
    scope,
};
use crate::service::{audit::AuditFilter, pagination::PageArgs};

/// One change, as it was made: who, what, when, before and after. Events are never changed
/// or deleted.
pub struct AuditEvent(pub audit_event::Model);

fn json(s: &Option<String>) -> Result<Option<Json<serde_json::Value>>> {
    s.as_deref().map(|t| super::stored_json(t).map(Json)).transpose()
}

#[Object]
impl AuditEvent {
    async fn id(&self) -> ID {
        ids::encode(RecordKind::AuditEvent, self.0.id)
    }
    async fn occurred_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.occurred_at
    }
    /// The token subject of the caller.
    async fn actor_sub(&self) -> &str {
        &self.0.actor_sub
    }
    /// The kommun the caller acted for.
    async fn actor_municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.actor_municipality_id)
    }
    async fn actor_roles(&self) -> Vec<String> {
        self.0
            .actor_roles
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect()
    }
    /// The mutation, e.g. `advanceProjectPhase`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The GraphQL type of the changed record.
    async fn record_type(&self) -> &str {
        self.0.record_type.as_str()
    }
    /// The global id of the changed record.
    async fn record_id(&self) -> ID {
        ids::encode(self.0.record_type, self.0.record_id)
    }
    /// Changed fields before the change; null on creation.
    async fn before(&self) -> Result<Option<Json<serde_json::Value>>> {
        json(&self.0.before)
    }
    /// Changed fields after the change; null on removal.
    async fn after(&self) -> Result<Option<Json<serde_json::Value>>> {
        json(&self.0.after)
    }
    /// The request that made the change, as in the server log.
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
}

/// Filters on the audit trail.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// One record's history.
    record_id: Option<ID>,
    /// Changes by callers of this kommun (kommunkod).
    municipality: Option<String>,
    /// Changes by this token subject.
    actor: Option<String>,
    /// Changes by this mutation.
    action: Option<String>,
    from: Option<chrono::DateTime<chrono::Utc>>,
    /// Exclusive.
    to: Option<chrono::DateTime<chrono::Utc>>,
}

/// Extra fields of the audit connection.
pub struct AuditConnectionFields {
    filter: AuditFilter,
}

#[Object]
impl AuditConnectionFields {
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(scope(ctx).count_audit_events(&self.filter).await?)
    }
}

/// Queries on the audit trail.
#[derive(Default)]
pub struct AuditQuery;

/// Why a chain does not verify.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// An event's content is not what its hash covers (an edit, a replaced actor).
    ContentChanged,
    /// Events are gone from the chain.
    EventMissing,
    /// Events stand in another order than they were written in.
    OrderChanged,
}

/// Where a chain first breaks.
#[derive(async_graphql::SimpleObject)]
pub struct ChainBroken {
    /// The place in the chain (1 is the county's first event).
    place: i64,
    reason: ChainBreak,
}

/// One verification of a county's chain, from its first event to its head.
#[derive(async_graphql::SimpleObject)]
pub struct ChainVerification {
    /// When it finished.
    verified_at: chrono::DateTime<chrono::Utc>,
    /// Every event from place 1 to the head it found is where and what it was written as.
    intact: bool,
    /// Events checked in chain order (up to the first break).
    events_checked: i64,
    /// The head it checked against.
    head_place: i64,
    head_hash: String,
    /// The first break; `samverkan verify-audit` names the event.
    broken: Option<ChainBroken>,
}

/// A county's audit trail as a hash chain: each event carries the hash of the one before it
/// and of its own content, so an edit, a deletion or a reordering made behind the service's
/// back is found. State `headHash` in the minutes to anchor the chain outside the database.
#[derive(async_graphql::SimpleObject)]
pub struct AuditChain {
    /// Events in the chain; the head's place.
    event_count: i64,
    /// Hex SHA-256 of the newest event's canonical form.
    head_hash: String,
    /// The last verification on this server; null until the first has finished.
    verification: Option<ChainVerification>,
    /// A verification is running: ask again for its result. One starts whenever the chain
    /// has grown since the last or that is older than 15 minutes.
    verifying: bool,
}

impl From<crate::service::audit::chain::ChainStatus> for AuditChain {
    fn from(s: crate::service::audit::chain::ChainStatus) -> Self {
        use crate::service::audit::chain::BreakReason;
        Self {
            event_count: s.head_seq,
            head_hash: s.head_hash,
            verification: s.verified.map(|(c, at)| ChainVerification {
                verified_at: at,
                intact: c.broken.is_none(),
                events_checked: c.events,
                head_place: c.head_seq,
                head_hash: c.head_hash,
                broken: c.broken.map(|b| ChainBroken {
                    place: b.seq,
                    reason: match b.reason {
                        BreakReason::ContentChanged => ChainBreak::ContentChanged,
                        BreakReason::EventMissing => ChainBreak::EventMissing,
                        BreakReason::OrderChanged => ChainBreak::OrderChanged,
                    },
                }),
            }),
            verifying: s.verifying,
        }
    }
}

/// How long a county keeps the people in one kind of record before the retention replaces
/// them with pseudonyms (`samverkan apply-retention`).
#[derive(async_graphql::SimpleObject)]
pub struct RetentionPeriod {
    kind: crate::domain::chain::RetentionKind,
    years: i32,
}

impl From<entity::county_retention::Model> for RetentionPeriod {
    fn from(m: entity::county_retention::Model) -> Self {
        Self {
            kind: m.kind,
            years: m.years,
        }
    }
}

/// A retention period for the caller's county.
#[derive(InputObject)]
pub struct SetRetentionPeriodInput {
    /// The county (länskod), the caller's own.
    county: String,
    kind: crate::domain::chain::RetentionKind,
    /// 1–100.
    years: i32,
}

/// The period as it now stands.
#[derive(async_graphql::SimpleObject)]
pub struct SetRetentionPeriodPayload {
    retention_period: RetentionPeriod,
}

/// Changes to the county's records management.
#[derive(Default)]
pub struct AuditMutation;

#[Object]
impl AuditMutation {
    /// Sets how long the county keeps the people in one kind of record (its joint committee,
    /// `namnd`, as its information management plan says).
    async fn set_retention_period(
        &self,
        ctx: &Context<'_>,
        input: SetRetentionPeriodInput,
    ) -> Result<SetRetentionPeriodPayload> {
        let m = scope(ctx)
            .set_retention_period(&input.county, input.kind, input.years)
            .await?;
        Ok(SetRetentionPeriodPayload {
            retention_period: m.into(),
        })
    }
}

#[Object]
impl AuditQuery {
    /// The county's retention periods (`county`: länskod, the caller's own); a kind not listed
    /// has none set, and nothing of it is pseudonymised.
    async fn retention_periods(&self, ctx: &Context<'_>, county: String) -> Result<Vec<RetentionPeriod>> {
        Ok(scope(ctx)
            .retention_periods(&county)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The county's audit chain and its last verification, for its joint committee (`namnd`)
    /// and auditors (`revisor`); `county` is the länskod, the caller's own.
    async fn audit_chain(&self, ctx: &Context<'_>, county: String) -> Result<AuditChain> {
        Ok(scope(ctx).audit_chain(&county).await?.into())
    }

    /// The history of records the caller may see, newest first; the committee (`namnd`) sees
    /// the county's shared records.
    #[graphql(complexity = "(first.or(last).unwrap_or(20).clamp(0, 100) as usize) * child_complexity + 1")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditEventFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<String, AuditEvent, AuditConnectionFields>> {
        let f = filter.unwrap_or_default();
        let s = scope(ctx);
        let filter = AuditFilter {
            record: f.record_id.as_ref().and_then(ids::decode_any),
            municipality: f
                .municipality
                .as_deref()
                .map(|c| s.projects().municipality_id("filter.municipality", c))
                .transpose()?,
            actor: f.actor,
            action: f.action,
            from: f.from,
            to: f.to,
        };
        if f.record_id.is_some() && filter.record.is_none() {
            return Err(crate::error::ApiError::input(
                "filter.recordId",
                "is not an id this service handed out",
            )
            .into());
        }
        let page = s
            .audit_events(
                &filter,
                &PageArgs {
                    first,
                    after,
                    last,
                    before,
                },
            )
            .await?;
        Ok(connection(
            page,
            AuditConnectionFields { filter },
            |_| None,
            |e| e.id,
            AuditEvent,
        ))
    }
}
