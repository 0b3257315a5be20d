//! The audit trail (loggning): every mutation writes its events in its own transaction.
//!
//! A [`WriteTx`] is the only way the service layer hands out a transaction, and committing
//! one that recorded no event is an error, so a new mutation cannot forget to audit.
use entity::audit_event;
use sea_orm::{DatabaseTransaction, EntityTrait, Set};
use serde_json::{Map, Value};

use crate::{
    auth::Principal,
    error::{ApiError, ApiResult},
};

/// An open transaction of one mutation, with the audit events it will write.
pub struct WriteTx<'a> {
    tx: DatabaseTransaction,
    principal: &'a Principal,
    request_id: &'a str,
    action: &'static str,
    events: Vec<audit_event::ActiveModel>,
}

impl<'a> WriteTx<'a> {
    pub(super) fn new(
        tx: DatabaseTransaction,
        principal: &'a Principal,
        request_id: &'a str,
        action: &'static str,
    ) -> Self {
        Self {
            tx,
            principal,
            request_id,
            action,
            events: Vec::new(),
        }
    }

    /// The transaction, for the statements of the change.
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// The caller making the change.
    pub fn principal(&self) -> &'a Principal {
        self.principal
    }

    /// Records a change of one record; only fields whose values differ are kept.
    pub fn record(
        &mut self,
        record_type: &'static str,
        record_id: i64,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        let (before, after) = changed_fields(before, after);
        let now = chrono::Utc::now();
        self.events.push(audit_event::ActiveModel {
            occurred_at: Set(now),
            actor_sub: Set(self.principal.sub.clone()),
            actor_municipality_id: Set(self.principal.municipality_id),
            actor_roles: Set(self.principal.roles_text()),
            action: Set(self.action.to_owned()),
            record_type: Set(record_type.to_owned()),
            record_id: Set(record_id),
            before: Set(before.map(|v| v.to_string())),
            after: Set(after.map(|v| v.to_string())),
            request_id: Set(self.request_id.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }

    /// Writes the audit events and commits; nothing is written if either fails.
    pub async fn commit(self) -> ApiResult<()> {
        if self.events.is_empty() {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "mutation {} recorded no audit event",
                self.action
            )));
        }
        audit_event::Entity::insert_many(self.events)
            .exec(&self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// Keeps only the fields that differ between `before` and `after` (both JSON objects).
fn changed_fields(before: Option<Value>, after: Option<Value>) -> (Option<Value>, Option<Value>) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut bo = Map::new();
            let mut ao = Map::new();
            for (k, av) in &a {
                if b.get(k) != Some(av) {
                    bo.insert(k.clone(), b.get(k).cloned().unwrap_or(Value::Null));
                    ao.insert(k.clone(), av.clone());
                }
            }
            for (k, bv) in &b {
                if !a.contains_key(k) {
                    bo.insert(k.clone(), bv.clone());
                }
            }
            (Some(Value::Object(bo)), Some(Value::Object(ao)))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_kept() {
        let (b, a) = changed_fields(
            Some(json!({"title": "A", "phase": "IDEA"})),
            Some(json!({"title": "B", "phase": "IDEA"})),
        );
        assert_eq!(b, Some(json!({"title": "A"})));
        assert_eq!(a, Some(json!({"title": "B"})));
    }
}
