//! A county's thresholds for the audit's answers: docs/domain.md's until the county's joint
//! committee sets its own, which is audited like every change.
use entity::county_audit_threshold;
use sea_orm::{EntityTrait, Set};
use serde_json::json;

use crate::{
    domain::{
        RecordKind,
        authz::{Action, Standing},
        readiness::Thresholds,
    },
    error::{ApiError, ApiResult},
    service::{Readiness, audit::Parent},
};

/// The stored row is keyed by its county, so its audit form is written by hand rather than
/// with `audited!` (which expects an `id` column).
impl crate::service::audit::Audited for county_audit_threshold::Model {
    const TYPE: RecordKind = RecordKind::County;
    const NOUN: &'static str = "the county's thresholds";
    fn id_column() -> county_audit_threshold::Column {
        county_audit_threshold::Column::CountyId
    }
    fn id(&self) -> i64 {
        i64::from(self.county_id)
    }
    fn audit_json(&self) -> serde_json::Value {
        json!({ "auditThresholds": stored(&self.thresholds) })
    }
}

/// The thresholds a row holds; a row that no longer parses reads as the defaults, as the
/// answers read it.
fn stored(text: &str) -> Thresholds {
    serde_json::from_str(text).unwrap_or_default()
}

/// A change to some of a county's thresholds; `None` keeps the current figure.
#[derive(Clone, Debug, Default)]
pub struct ThresholdChange {
    pub maintenance_object: Option<u32>,
    pub reviewed: Option<u32>,
    pub review_months: Option<u32>,
    pub roles_meets: Option<u32>,
    pub roles_partly: Option<u32>,
    pub share_meets: Option<u32>,
    pub share_partly: Option<u32>,
    pub sourcing: Option<u32>,
    pub cooperation: Option<u32>,
    pub key_person_systems: Option<u32>,
    pub key_person_availability: Option<i32>,
    /// Back to docs/domain.md's figures before the change applies.
    pub reset: bool,
}

impl ThresholdChange {
    fn apply(&self, mut t: Thresholds) -> Thresholds {
        if self.reset {
            t = Thresholds::default();
        }
        let set = |slot: &mut u32, v: Option<u32>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut t.maintenance_object, self.maintenance_object);
        set(&mut t.reviewed, self.reviewed);
        set(&mut t.review_months, self.review_months);
        set(&mut t.roles_meets, self.roles_meets);
        set(&mut t.roles_partly, self.roles_partly);
        set(&mut t.share_meets, self.share_meets);
        set(&mut t.share_partly, self.share_partly);
        set(&mut t.sourcing, self.sourcing);
        set(&mut t.cooperation, self.cooperation);
        set(&mut t.key_person_systems, self.key_person_systems);
        if let Some(v) = self.key_person_availability {
            t.key_person_availability = v;
        }
        t
    }
}

impl Readiness<'_, '_> {
    /// The thresholds of the county with code `county` (any reader of that county).
    pub async fn county_thresholds(&self, county: &str) -> ApiResult<Thresholds> {
        self.reader()?;
        let id = self.own_county(county)?;
        self.audit_thresholds(id).await
    }

    /// Sets the county's thresholds (its joint committee): every figure checked before
    /// anything is written; the event records the figures before and after.
    pub async fn set_audit_thresholds(&self, county: &str, change: ThresholdChange) -> ApiResult<Thresholds> {
        self.refuse_early(Action::SetCountySettings)?;
        let county_id = self.own_county(county)?;
        let mut tx = self.write("setAuditThresholds").await?;
        let standing = Standing {
            county_shared: county_id == tx.principal().county_id,
            ..Default::default()
        };
        let grant = tx.authorize(Action::SetCountySettings, standing)?;
        tx.within(Parent::County(county_id));
        let before = county_audit_threshold::Entity::find_by_id(county_id)
            .one(tx.conn())
            .await?;
        let current = before.as_ref().map(|b| stored(&b.thresholds)).unwrap_or_default();
        let next = change.apply(current);
        next.check()
            .map_err(|(field, message)| ApiError::input(field, message))?;
        let text = serde_json::to_string(&next).map_err(|e| ApiError::Internal(e.into()))?;
        let now = chrono::Utc::now();
        match before {
            Some(b) => {
                let after = county_audit_threshold::Model {
                    thresholds: text,
                    updated_at: now,
                    ..b.clone()
                };
                tx.update(&grant, &b, after).await?;
            }
            None => {
                tx.insert(
                    &grant,
                    county_audit_threshold::ActiveModel {
                        county_id: Set(county_id),
                        thresholds: Set(text),
                        created_at: Set(now),
                        updated_at: Set(now),
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(next)
    }
}
