//! Applying the retention of personal data to the audit trail (docs/domain.md, "Records that
//! last"): the actors of events older than the county's period are replaced by pseudonyms.
//! The chain covers the actor only through `actor_digest` (SHA-256 of a per-event salt and
//! the `sub`), so dropping the salt with the `sub` leaves every hash as it was and the chain
//! verifies; without the salt nobody can tell from the digest whose event it was.
use entity::audit_event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use crate::{
    domain::{
        RecordKind,
        authz::{Action, Standing},
    },
    error::{ApiError, ApiResult},
    service::{Scope, audit::Parent},
};

/// What applying the retention changes (or, in a dry run, would change).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionOutcome {
    pub county_id: i32,
    /// Events before this instant are past the period.
    pub cutoff: chrono::DateTime<chrono::Utc>,
    /// Events whose actor is (or would be) replaced.
    pub events: u64,
    /// Distinct people among them.
    pub people: u64,
    /// Whether anything was written.
    pub applied: bool,
}

impl Scope<'_> {
    /// Replaces the actor of every audit event of the caller's county older than `years` with
    /// a pseudonym (one per person and application), in one transaction audited as one event;
    /// with `apply` false only counts. The county's committee (`namnd`) applies it.
    pub async fn apply_audit_retention(&self, years: u32, apply: bool) -> ApiResult<RetentionOutcome> {
        self.refuse_early(Action::SetCountySettings)?;
        if !(1..=100).contains(&years) {
            return Err(ApiError::input("years", "years is 1–100"));
        }
        let county_id = self.principal()?.county_id;
        let cutoff = chrono::Utc::now() - chrono::TimeDelta::days(365 * i64::from(years));
        let mut tx = self.write("applyRetention").await?;
        let grant = tx.authorize(
            Action::SetCountySettings,
            Standing {
                county_shared: true,
                ..Default::default()
            },
        )?;
        tx.within(Parent::County(county_id));
        let aged = || {
            audit_event::Entity::find()
                .filter(audit_event::Column::CountyId.eq(county_id))
                .filter(audit_event::Column::OccurredAt.lt(cutoff))
                .filter(audit_event::Column::ActorSalt.is_not_null())
        };
        let people: Vec<String> = aged()
            .select_only()
            .column(audit_event::Column::ActorSub)
            .distinct()
            .into_tuple()
            .all(tx.conn())
            .await?;
        let mut events = 0;
        if apply {
            for sub in &people {
                let pseudonym = format!("pseudonym-{}", uuid::Uuid::new_v4().simple());
                events += tx
                    .pseudonymise_actor(&grant, county_id, cutoff, sub, &pseudonym)
                    .await?;
            }
        } else {
            use sea_orm::PaginatorTrait;
            events = aged().count(tx.conn()).await?;
        }
        let outcome = RetentionOutcome {
            county_id,
            cutoff,
            events,
            people: people.len() as u64,
            applied: apply,
        };
        if apply {
            tx.record(
                RecordKind::County,
                i64::from(county_id),
                None,
                Some(json!({"retention": {
                    "auditEventActorsPseudonymised": events,
                    "people": people.len(),
                    "before": cutoff.to_rfc3339(),
                    "years": years,
                }})),
            );
            tx.commit().await?;
        }
        Ok(outcome)
    }
}
