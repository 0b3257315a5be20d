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

#[Object]
impl AuditQuery {
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
                .map(|c| s.municipality_id("filter.municipality", c))
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
