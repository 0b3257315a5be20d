//! The audit trail's hash chains: appending (the head a writer locks) and verifying. The
//! canonical form itself is `domain::chain`.
//!
//! Serialisation: each county has one head row (`audit_chain_head`). A writer reads it
//! `FOR UPDATE` in its transaction just before writing its event and moves it on in the same
//! transaction, so writers of one county append one after another and a crash at any point
//! leaves either the whole event and the moved head or neither. On SQLite every write
//! transaction already holds the database's write lock from BEGIN (IMMEDIATE). A unique index on
//! (county, place) refuses a fork even if this rule were bypassed.
use entity::{audit_chain_head, audit_event};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::{
    domain::chain::{self, EventContent},
    error::{ApiError, ApiResult},
};

/// Locks county `county_id`'s head for this transaction and returns the last place and hash.
pub(super) async fn lock_head(tx: &DatabaseTransaction, county_id: i32) -> ApiResult<(i64, String)> {
    let find = || {
        audit_chain_head::Entity::find_by_id(county_id)
            .lock_exclusive()
            .one(tx)
    };
    if let Some(h) = find().await? {
        return Ok((h.seq, h.hash));
    }
    // The county's first event: make its head (a concurrent first writer's insert wins or
    // waits), then lock it as every writer does.
    audit_chain_head::Entity::insert(audit_chain_head::ActiveModel {
        county_id: Set(county_id),
        seq: Set(0),
        hash: Set(chain::GENESIS.to_owned()),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict_do_nothing_on([audit_chain_head::Column::CountyId])
    .exec(tx)
    .await?;
    let h = find()
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("county {county_id} has no chain head")))?;
    Ok((h.seq, h.hash))
}

/// Moves the locked head on to the event just written.
pub(super) async fn advance_head(
    tx: &DatabaseTransaction,
    county_id: i32,
    seq: i64,
    hash: String,
) -> ApiResult<()> {
    audit_chain_head::Entity::update_many()
        .col_expr(audit_chain_head::Column::Seq, seq.into())
        .col_expr(audit_chain_head::Column::Hash, hash.into())
        .col_expr(audit_chain_head::Column::UpdatedAt, chrono::Utc::now().into())
        .filter(audit_chain_head::Column::CountyId.eq(county_id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Why a chain does not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakReason {
    /// The event's content is not what its hash covers (an edit, a replaced actor).
    ContentChanged,
    /// One or more events are gone from the chain.
    EventMissing,
    /// Events stand in another order than they were written in.
    OrderChanged,
}

impl BreakReason {
    /// The stable name (CLI output, GraphQL enum).
    pub fn as_str(self) -> &'static str {
        match self {
            BreakReason::ContentChanged => "CONTENT_CHANGED",
            BreakReason::EventMissing => "EVENT_MISSING",
            BreakReason::OrderChanged => "ORDER_CHANGED",
        }
    }
}

/// The first place a chain breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// The event found broken; none when the events at that place are gone.
    pub event_id: Option<i64>,
    /// Its place in the chain (the first missing place for `EventMissing`).
    pub seq: i64,
    pub reason: BreakReason,
    /// In words, for the operator.
    pub detail: String,
}

/// What verifying a county's chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainCheck {
    pub county_id: i32,
    /// Events checked, in chain order.
    pub events: i64,
    /// The head as recorded: the last place and its hash.
    pub head_seq: i64,
    pub head_hash: String,
    /// The first break, if any.
    pub broken: Option<Broken>,
}

/// Events read per round: memory stays bounded by one page whatever the chain's length.
const PAGE: u64 = 10_000;

/// Verifies county `county_id`'s chain from its first event to its head.
pub async fn verify<C: ConnectionTrait>(db: &C, county_id: i32) -> Result<ChainCheck, sea_orm::DbErr> {
    let head = audit_chain_head::Entity::find_by_id(county_id).one(db).await?;
    let (head_seq, head_hash) = head.map_or((0, chain::GENESIS.to_owned()), |h| (h.seq, h.hash));
    let mut check = ChainCheck {
        county_id,
        events: 0,
        head_seq,
        head_hash: head_hash.clone(),
        broken: None,
    };
    // An event of the county that has lost its place stands outside the walk below.
    let unchained = audit_event::Entity::find()
        .filter(audit_event::Column::CountyId.eq(county_id))
        .filter(audit_event::Column::ChainSeq.is_null())
        .order_by_asc(audit_event::Column::Id)
        .one(db)
        .await?;
    let (mut expected, mut prev, mut last_id) = (1i64, chain::GENESIS.to_owned(), 0i64);
    'pages: loop {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::CountyId.eq(county_id))
            .filter(audit_event::Column::ChainSeq.gte(expected))
            .order_by_asc(audit_event::Column::ChainSeq)
            .limit(PAGE)
            .all(db)
            .await?;
        if rows.is_empty() {
            break;
        }
        for e in &rows {
            // The query asked for a place, so every row has one.
            let seq = e.chain_seq.unwrap_or(expected);
            let broken = |reason, detail: String| Broken {
                event_id: Some(e.id),
                seq,
                reason,
                detail,
            };
            let (Some(stored), Some(prev_hash)) = (&e.hash, &e.prev_hash) else {
                check.broken = Some(broken(
                    BreakReason::ContentChanged,
                    format!("event {} has lost its hash or its predecessor's", e.id),
                ));
                break 'pages;
            };
            if seq > expected {
                check.broken = Some(Broken {
                    event_id: None,
                    seq: expected,
                    reason: BreakReason::EventMissing,
                    detail: format!("no event at places {expected}–{} of the chain", seq - 1),
                });
                break 'pages;
            }
            if *prev_hash != prev {
                let elsewhere = audit_event::Entity::find()
                    .filter(audit_event::Column::CountyId.eq(county_id))
                    .filter(audit_event::Column::Hash.eq(prev_hash.as_str()))
                    .one(db)
                    .await?;
                check.broken = Some(match elsewhere {
                    Some(o) => broken(
                        BreakReason::OrderChanged,
                        format!(
                            "event {} follows event {}, which now stands elsewhere in the chain",
                            e.id, o.id
                        ),
                    ),
                    None => broken(
                        BreakReason::EventMissing,
                        format!("the event that event {} follows is gone", e.id),
                    ),
                });
                break 'pages;
            }
            if e.id <= last_id {
                check.broken = Some(broken(
                    BreakReason::OrderChanged,
                    format!(
                        "event {} stands after event {last_id}, which was written later",
                        e.id
                    ),
                ));
                break 'pages;
            }
            if let Some(why) = content_fault(e, county_id, seq, prev_hash, stored) {
                check.broken = Some(broken(BreakReason::ContentChanged, why));
                break 'pages;
            }
            check.events += 1;
            expected = seq + 1;
            prev = stored.clone();
            last_id = e.id;
        }
    }
    if check.broken.is_none()
        && let Some(e) = unchained
    {
        check.broken = Some(Broken {
            event_id: Some(e.id),
            seq: e.chain_seq.unwrap_or(0),
            reason: BreakReason::ContentChanged,
            detail: format!("event {} has lost its place in the chain", e.id),
        });
    }
    if check.broken.is_none() && (check.events != head_seq || prev != head_hash) {
        check.broken = Some(if check.events < head_seq {
            Broken {
                event_id: None,
                seq: check.events + 1,
                reason: BreakReason::EventMissing,
                detail: format!(
                    "the head is at place {head_seq}, the last event found at {}",
                    check.events
                ),
            }
        } else {
            Broken {
                event_id: Some(last_id),
                seq: check.events,
                reason: BreakReason::ContentChanged,
                detail: format!("the head (place {head_seq}) does not name the last event"),
            }
        });
    }
    Ok(check)
}

/// Why an event's content is not what its hash covers, if it is not.
fn content_fault(
    e: &audit_event::Model,
    county_id: i32,
    seq: i64,
    prev_hash: &str,
    stored: &str,
) -> Option<String> {
    if e.chain_form != Some(chain::FORM) {
        return Some(format!(
            "event {} has an unknown canonical form {:?}",
            e.id, e.chain_form
        ));
    }
    let Some(digest) = e.actor_digest.as_deref() else {
        return Some(format!("event {} has lost its actor's digest", e.id));
    };
    if let Some(salt) = &e.actor_salt
        && chain::actor_digest(salt, &e.actor_sub) != digest
    {
        return Some(format!("event {}'s actor is not the one recorded", e.id));
    }
    let content = EventContent {
        county_id,
        seq,
        prev_hash,
        occurred_at: e.occurred_at,
        actor_digest: digest,
        actor_municipality_id: e.actor_municipality_id,
        actor_roles: &e.actor_roles,
        action: &e.action,
        record_type: e.record_type.as_str(),
        record_id: e.record_id,
        before: e.before.as_deref(),
        after: e.after.as_deref(),
        request_id: &e.request_id,
        scope_type: e.scope_type.map(|s| s.as_str()),
        scope_id: e.scope_id,
    };
    (content.hash() != stored).then(|| format!("event {}'s content is not what its hash covers", e.id))
}

/// The chain's last place and hash at an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainHead {
    pub county_id: i32,
    /// Events in the chain up to the instant (places are gapless from 1).
    pub events: i64,
    pub hash: String,
}

/// County `county_id`'s head as it stood just before `until` (the last event written before
/// it), read from the index on (county, time) in one statement.
pub async fn head_before<C: ConnectionTrait>(
    db: &C,
    county_id: i32,
    until: chrono::DateTime<chrono::Utc>,
) -> Result<ChainHead, sea_orm::DbErr> {
    let last = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::ChainSeq)
        .column(audit_event::Column::Hash)
        .filter(audit_event::Column::CountyId.eq(county_id))
        .filter(audit_event::Column::OccurredAt.lt(until))
        .order_by_desc(audit_event::Column::OccurredAt)
        .order_by_desc(audit_event::Column::ChainSeq)
        .into_tuple::<(Option<i64>, Option<String>)>()
        .one(db)
        .await?;
    let (events, hash) = match last {
        Some((Some(seq), Some(hash))) => (seq, hash),
        _ => (0, chain::GENESIS.to_owned()),
    };
    Ok(ChainHead {
        county_id,
        events,
        hash,
    })
}

/// The last verification of each county's chain on this replica, made in the background so
/// that no request waits for a chain of millions of events: a request reads the last result
/// and, when the chain has grown or the result is older than [`FRESH`], starts one
/// verification (one at a time per replica, whatever the number of counties or callers).
#[derive(Clone, Default)]
pub struct Verifications {
    state: std::sync::Arc<std::sync::Mutex<VerificationState>>,
}

#[derive(Default)]
struct VerificationState {
    last: std::collections::HashMap<i32, (ChainCheck, chrono::DateTime<chrono::Utc>)>,
    running: bool,
}

/// How long a verification's result stands for a chain that has not grown.
const FRESH: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

impl Verifications {
    /// The last result for `county_id` and whether one is running; starts one if the last is
    /// missing, older than [`FRESH`] or short of `head_seq`.
    pub fn last_or_start<C>(
        &self,
        db: &C,
        county_id: i32,
        head_seq: i64,
    ) -> (Option<(ChainCheck, chrono::DateTime<chrono::Utc>)>, bool)
    where
        C: ConnectionTrait + Clone + Send + Sync + 'static,
    {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let last = s.last.get(&county_id).cloned();
        let stale = last
            .as_ref()
            .is_none_or(|(c, at)| c.head_seq < head_seq || chrono::Utc::now() - *at > FRESH);
        if stale && !s.running {
            s.running = true;
            let (db, me) = (db.clone(), self.clone());
            tokio::spawn(async move {
                let result = verify(&db, county_id).await;
                let mut s = me.state.lock().unwrap_or_else(|p| p.into_inner());
                s.running = false;
                match result {
                    Ok(check) => {
                        s.last.insert(county_id, (check, chrono::Utc::now()));
                    }
                    Err(e) => tracing::warn!(county_id, error = %e, "audit chain verification failed to run"),
                }
            });
        }
        let running = s.running;
        (last, running)
    }
}

/// Whether `p` reads its county's chain (its head, its count, its verification): the
/// committee and the auditors. The count covers every kommun's events, PRIVATE ones too, so a
/// kommun's other roles do not.
pub(in crate::service) fn reads_the_chain(p: &crate::auth::Principal) -> bool {
    use crate::domain::authz::Role;
    p.roles.contains(&Role::Namnd) || p.roles.contains(&Role::Revisor)
}

/// A county's chain as the committee and the auditors see it: its head, and the last
/// verification of it on this replica.
#[derive(Clone, Debug)]
pub struct ChainStatus {
    pub county_id: i32,
    pub head_seq: i64,
    pub head_hash: String,
    /// The last verification and when it finished; none before the first has finished.
    pub verified: Option<(ChainCheck, chrono::DateTime<chrono::Utc>)>,
    /// A verification is running on this replica.
    pub verifying: bool,
}

impl crate::service::Scope<'_> {
    /// County `code`'s chain, for its joint committee (`namnd`) and auditors (`revisor`).
    pub async fn audit_chain(&self, code: &str) -> ApiResult<ChainStatus> {
        if !reads_the_chain(self.reader()?) {
            return Err(ApiError::Forbidden(
                "the chain is verified for the joint committee (namnd) and the auditors (revisor)".into(),
            ));
        }
        let county = self.own_county(code)?;
        let head = audit_chain_head::Entity::find_by_id(county)
            .one(self.db())
            .await?;
        let (head_seq, head_hash) = head.map_or((0, chain::GENESIS.to_owned()), |h| (h.seq, h.hash));
        let (verified, verifying) = self.verifications().last_or_start(self.db(), county, head_seq);
        Ok(ChainStatus {
            county_id: county,
            head_seq,
            head_hash,
            verified,
            verifying,
        })
    }
}
