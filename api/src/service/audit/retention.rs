//! Applying the retention of personal data to the audit trail (docs/domain.md, "Records that
//! last"): the actors of events older than the county's period are replaced by pseudonyms.
//! The chain covers the actor only through `actor_digest` (SHA-256 of a per-event salt and
//! the `sub`), so dropping the salt with the `sub` leaves every hash as it was and the chain
//! verifies; without the salt nobody can tell from the digest whose event it was.
use entity::{audit_event, county_retention};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

use crate::{
    domain::{
        RecordKind,
        authz::{Action, Standing},
        chain::RetentionKind,
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

crate::service::audit::audited!(
    county_retention,
    RecordKind::RetentionPeriod,
    "the retention period",
    |m| json!({"county": m.county_id, "kind": m.kind, "years": m.years})
);

/// What applying the retention to released role holders changes (or would change).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolderRetentionOutcome {
    pub county_id: i32,
    /// Holders released before this day are past the period.
    pub released_before: chrono::NaiveDate,
    /// Holders whose name is (or would be) replaced.
    pub holders: u64,
    pub applied: bool,
}

/// A stable pseudonym for `who` under the county's key: the same person gets the same one in
/// every run, and without the key nobody can tell whose it is.
fn pseudonym(secret: &str, who: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(who.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex = crate::domain::text::hex(&digest[..12]);
    format!("pseudonym-{hex}")
}

/// The longest retention period a county may set, in years.
const MAX_YEARS: i32 = 100;

impl Scope<'_> {
    /// The retention periods of county `code` (any reader of that county), by kind.
    pub async fn retention_periods(&self, code: &str) -> ApiResult<Vec<county_retention::Model>> {
        self.reader()?;
        let county = self.own_county(code)?;
        Ok(county_retention::Entity::find()
            .filter(county_retention::Column::CountyId.eq(county))
            .order_by_asc(county_retention::Column::Kind)
            .all(self.db())
            .await?)
    }

    /// Sets the county's retention period for one kind of record (its joint committee),
    /// audited like every change.
    pub async fn set_retention_period(
        &self,
        code: &str,
        kind: RetentionKind,
        years: i32,
    ) -> ApiResult<county_retention::Model> {
        self.refuse_early(Action::SetCountySettings)?;
        if !(1..=MAX_YEARS).contains(&years) {
            return Err(ApiError::input("years", format!("years is 1–{MAX_YEARS}")));
        }
        let county = self.own_county(code)?;
        let mut tx = self.write("setRetentionPeriod").await?;
        let grant = tx.authorize(
            Action::SetCountySettings,
            Standing {
                county_shared: county == tx.principal().county_id,
                ..Default::default()
            },
        )?;
        tx.within(Parent::County(county));
        let now = chrono::Utc::now();
        let before = county_retention::Entity::find()
            .filter(county_retention::Column::CountyId.eq(county))
            .filter(county_retention::Column::Kind.eq(kind))
            .one(tx.conn())
            .await?;
        let saved = match before {
            Some(b) => {
                let after = county_retention::Model {
                    years,
                    updated_at: now,
                    ..b.clone()
                };
                tx.update(&grant, &b, after).await?
            }
            None => {
                tx.insert(
                    &grant,
                    county_retention::ActiveModel {
                        county_id: Set(county),
                        kind: Set(kind),
                        years: Set(years),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    },
                )
                .await?
            }
        };
        tx.commit().await?;
        Ok(saved)
    }

    /// The transaction an application of the retention writes in, as the county's committee,
    /// its events under the county, with the county's key for pseudonyms.
    async fn retention_tx(
        &self,
        county_id: i32,
    ) -> ApiResult<(crate::service::WriteTx<'_>, crate::service::Grant, String)> {
        let mut tx = self.write("applyRetention").await?;
        let grant = tx.authorize(
            Action::SetCountySettings,
            Standing {
                county_shared: true,
                ..Default::default()
            },
        )?;
        tx.within(Parent::County(county_id));
        let secret = tx.pseudonym_secret(&grant, county_id).await?;
        Ok((tx, grant, secret))
    }

    /// The county's period for `kind` in years, if its committee set one.
    async fn period(&self, county_id: i32, kind: RetentionKind) -> ApiResult<Option<u32>> {
        Ok(county_retention::Entity::find()
            .filter(county_retention::Column::CountyId.eq(county_id))
            .filter(county_retention::Column::Kind.eq(kind))
            .one(self.db())
            .await?
            .map(|r| r.years as u32))
    }

    /// Replaces the name of every role holder of the caller's county's kommuner released more
    /// than `years` ago (the county's period for released role holders when `None`) with a
    /// stable pseudonym and drops their key, in one transaction audited as one event that
    /// carries no name; with `apply` false only counts. `None` when no period is set or given.
    pub async fn apply_holder_retention(
        &self,
        years: Option<u32>,
        apply: bool,
    ) -> ApiResult<Option<HolderRetentionOutcome>> {
        use entity::role_holder;
        use sea_orm::sea_query::{ExprTrait, Query};
        self.refuse_early(Action::SetCountySettings)?;
        let county_id = self.principal()?.county_id;
        let years = match years {
            Some(y) => y,
            None => match self.period(county_id, RetentionKind::ReleasedRoleHolders).await? {
                Some(y) => y,
                None => return Ok(None),
            },
        };
        if !(1..=MAX_YEARS as u32).contains(&years) {
            return Err(ApiError::input("years", format!("years is 1–{MAX_YEARS}")));
        }
        let today = chrono::Utc::now().date_naive();
        let released_before = today
            .checked_sub_months(chrono::Months::new(12 * years))
            .unwrap_or(today);
        let kommuner = Query::select()
            .column(entity::municipality::Column::Id)
            .from(entity::municipality::Entity)
            .and_where(entity::municipality::Column::CountyId.eq(county_id))
            .to_owned();
        let aged = || {
            role_holder::Entity::find()
                .filter(role_holder::Column::MunicipalityId.in_subquery(kommuner.clone()))
                .filter(role_holder::Column::ReleasedOn.lt(released_before))
                .filter(
                    sea_orm::sea_query::Expr::col(role_holder::Column::DisplayName)
                        .like("pseudonym-%")
                        .not(),
                )
        };
        let mut outcome = HolderRetentionOutcome {
            county_id,
            released_before,
            holders: 0,
            applied: apply,
        };
        if !apply {
            use sea_orm::PaginatorTrait;
            outcome.holders = aged().count(self.db()).await?;
            return Ok(Some(outcome));
        }
        let (mut tx, grant, secret) = self.retention_tx(county_id).await?;
        let holders = aged().all(tx.conn()).await?;
        for h in &holders {
            let name = pseudonym(&secret, &format!("holder:{}", h.id));
            tx.pseudonymise_holder(&grant, h, &name).await?;
        }
        outcome.holders = holders.len() as u64;
        tx.record(
            RecordKind::County,
            i64::from(county_id),
            None,
            Some(json!({"retention": {
                "releasedRoleHoldersPseudonymised": outcome.holders,
                "releasedBefore": released_before.to_string(),
                "years": years,
            }})),
        );
        tx.commit().await?;
        Ok(Some(outcome))
    }

    /// Replaces the actor of every audit event of the caller's county older than `years` (the
    /// county's period for audit events' actors when `None`) with
    /// a pseudonym (one per person and application), in one transaction audited as one event;
    /// with `apply` false only counts. The county's committee (`namnd`) applies it.
    pub async fn apply_audit_retention(
        &self,
        years: Option<u32>,
        apply: bool,
    ) -> ApiResult<RetentionOutcome> {
        self.refuse_early(Action::SetCountySettings)?;
        let county_id = self.principal()?.county_id;
        let years = match years {
            Some(y) => y,
            None => self
                .period(county_id, RetentionKind::AuditEventActors)
                .await?
                .ok_or_else(|| {
                    ApiError::input(
                        "years",
                        "years: the county has set no retention period for audit events' actors \
                         (setRetentionPeriod), and none was given",
                    )
                })?,
        };
        if !(1..=MAX_YEARS as u32).contains(&years) {
            return Err(ApiError::input("years", format!("years is 1–{MAX_YEARS}")));
        }
        let cutoff = chrono::Utc::now() - chrono::TimeDelta::days(365 * i64::from(years));
        let aged = || {
            audit_event::Entity::find()
                .filter(audit_event::Column::CountyId.eq(county_id))
                .filter(audit_event::Column::OccurredAt.lt(cutoff))
                .filter(audit_event::Column::ActorSalt.is_not_null())
        };
        let people_of = |rows: sea_orm::Select<audit_event::Entity>| {
            rows.select_only()
                .column(audit_event::Column::ActorSub)
                .distinct()
                .into_tuple::<String>()
        };
        let mut outcome = RetentionOutcome {
            county_id,
            cutoff,
            events: 0,
            people: 0,
            applied: apply,
        };
        if !apply {
            // A dry run only reads, outside any write transaction.
            use sea_orm::PaginatorTrait;
            outcome.events = aged().count(self.db()).await?;
            outcome.people = people_of(aged()).count(self.db()).await?;
            return Ok(outcome);
        }
        let (mut tx, grant, secret) = self.retention_tx(county_id).await?;
        let people = people_of(aged()).all(tx.conn()).await?;
        for sub in &people {
            let pseudonym = pseudonym(&secret, &format!("actor:{sub}"));
            outcome.events += tx
                .pseudonymise_actor(&grant, county_id, cutoff, sub, &pseudonym)
                .await?;
        }
        outcome.people = people.len() as u64;
        tx.record(
            RecordKind::County,
            i64::from(county_id),
            None,
            Some(json!({"retention": {
                "auditEventActorsPseudonymised": outcome.events,
                "people": outcome.people,
                "before": cutoff.to_rfc3339(),
                "years": years,
            }})),
        );
        tx.commit().await?;
        Ok(outcome)
    }
}
