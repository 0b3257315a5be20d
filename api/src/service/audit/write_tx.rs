//! The write side of the audit trail.
//!
//! A [`WriteTx`] is the only writable transaction the service layer has, and its writes
//! ([`insert`](WriteTx::insert), [`update`](WriteTx::update), [`delete`](WriteTx::delete),
//! [`save`](WriteTx::save)) each record the change they make, in the record's audit form
//! ([`Audited`]), and each needs a [`Grant`]: the proof that the caller was authorized, which
//! only [`WriteTx::authorize`] makes (or [`Changeable`], a record loaded through the
//! visibility rule with the grant for one action on it). Outside these calls service code
//! holds the transaction as [`Reads`]. Each mutation writes exactly one event, in the same
//! transaction as its change.
use crate::domain::RecordKind;
use entity::{audit_event, audit_event_scope};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, Set, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{
    auth::Principal,
    domain::authz::{self, Action, Standing},
    error::{ApiError, ApiResult},
    service::audit::store::Reads,
};

use super::Parent;

/// Tells transactions apart, so that a grant serves only the mutation that was granted it.
static SERIAL: AtomicU64 = AtomicU64::new(1);

/// An open transaction of one mutation, with the audit events it will write.
pub struct WriteTx<'a> {
    tx: Reads<DatabaseTransaction>,
    serial: u64,
    parent: std::sync::OnceLock<Parent>,
    /// Further records the event names; readers must see these too.
    names: Vec<Parent>,
    principal: &'a Principal,
    request_id: &'a str,
    action: &'static str,
    events: Vec<Change>,
    /// Events of a change that spans counties, each in its own county's chain.
    elsewhere: Vec<Elsewhere>,
    announce: crate::service::events::Events,
    /// The reference data the mutation's projects are split under when their kept shares are
    /// rewritten at commit.
    reference: std::sync::Arc<crate::service::Reference>,
}

/// An event of the same change in another county's chain.
struct Elsewhere {
    county_id: i32,
    /// The kommun the event names as the actor's: one of that county.
    actor_municipality_id: i32,
    change: Change,
}

/// One event as its county's chain records it.
struct Entry {
    county_id: i32,
    actor_municipality_id: i32,
    record_type: RecordKind,
    record_id: i64,
    before: Option<String>,
    after: Option<String>,
    scope: Parent,
}

/// Proof that the caller of one mutation may perform an action where its kommun stands as the
/// mutation found: every audited write takes one. Only [`WriteTx::authorize`] makes one, so a
/// write path that skipped the check does not compile.
#[derive(Debug)]
pub struct Grant {
    serial: u64,
}

/// A record loaded for a change: it passed the visibility rule, it named the mutation's
/// parent, and the caller was authorized for one action on it. Made only by
/// `Scope::changeable`.
#[derive(Debug)]
pub struct Changeable<M> {
    record: M,
    grant: Grant,
}

impl<M> Changeable<M> {
    pub(in crate::service) fn new(record: M, grant: Grant) -> Self {
        Self { record, grant }
    }

    /// The record and its grant.
    pub fn into_parts(self) -> (M, Grant) {
        (self.record, self.grant)
    }
}

impl<M> std::ops::Deref for Changeable<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.record
    }
}

/// One record's change within a mutation.
struct Change {
    record_type: RecordKind,
    record_id: i64,
    before: Option<Value>,
    after: Option<Value>,
}

/// Folds a mutation's changes into its one event: the first change is the event's record;
/// further changes of the same record merge into it, changes of other records (a lead
/// participation, a tollgate decision) nest under `"Type:id"`.
fn fold(changes: Vec<Change>) -> Option<(RecordKind, i64, Option<Value>, Option<Value>)> {
    let mut it = changes.into_iter();
    let first = it.next()?;
    let (mut before, mut after) = (first.before, first.after);
    let put = |side: &mut Option<Value>, key: Option<String>, v: Option<Value>| {
        let Some(v) = v else { return };
        let target = side.get_or_insert_with(|| Value::Object(Map::new()));
        let (Value::Object(t), key) = (target, key) else {
            return;
        };
        match (key, v) {
            (Some(k), v) => {
                t.insert(k, v);
            }
            (None, Value::Object(m)) => {
                for (k, v) in m {
                    t.entry(k).or_insert(v);
                }
            }
            (None, _) => {}
        }
    };
    for c in it {
        let same = c.record_type == first.record_type && c.record_id == first.record_id;
        let key = (!same).then(|| format!("{}:{}", c.record_type, c.record_id));
        put(&mut before, key.clone(), c.before);
        if same {
            // The later state of the same record wins.
            if let (Some(Value::Object(a)), Some(Value::Object(m))) = (&mut after, c.after) {
                a.extend(m);
            }
        } else {
            put(&mut after, key, c.after);
        }
    }
    Some((first.record_type, first.record_id, before, after))
}

/// A transaction that writes derived data only (the kept cost shares, `shares::fill`) and so
/// records no event. It takes the generation row's lock first, the lock every mutation's
/// commit holds before it rewrites the same rows, so the two never interleave.
pub(super) async fn derived(db: &DatabaseConnection) -> ApiResult<DatabaseTransaction> {
    use sea_orm::ConnectionTrait;
    let tx = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    tx.execute_unprepared("UPDATE data_generation SET value = value WHERE id = 1")
        .await?;
    Ok(tx)
}

impl<'a> WriteTx<'a> {
    /// Starts the audited transaction of one mutation.
    pub(in crate::service) async fn begin(
        db: &Reads<DatabaseConnection>,
        principal: &'a Principal,
        request_id: &'a str,
        action: &'static str,
        announce: crate::service::events::Events,
        reference: std::sync::Arc<crate::service::Reference>,
    ) -> ApiResult<Self> {
        // On SQLite a deferred transaction that reads and then writes fails at once with
        // SQLITE_BUSY when another writer committed in between; taking the write lock at BEGIN
        // makes concurrent writers wait their turn (busy timeout) instead. PostgreSQL ignores it.
        let tx = db
            .writable()
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(Self {
            tx: Reads::new(tx),
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
            principal,
            request_id,
            action,
            parent: std::sync::OnceLock::new(),
            names: Vec::new(),
            events: Vec::new(),
            elsewhere: Vec::new(),
            announce,
            reference,
        })
    }

    /// The transaction, for the reads of the change.
    pub(in crate::service) fn conn(&self) -> &Reads<DatabaseTransaction> {
        &self.tx
    }

    /// The one authorization check of every mutation: a grant if the caller may perform
    /// `action` where its kommun has `standing` (`domain::authz::may`, roles by union).
    pub fn authorize(&self, action: Action, standing: Standing) -> ApiResult<Grant> {
        if authz::may(&self.principal.roles, action, standing) {
            Ok(Grant { serial: self.serial })
        } else {
            Err(ApiError::Forbidden(action.refusal().into()))
        }
    }

    /// The transaction to write through, once `grant` is shown to be this mutation's.
    fn writer(&self, grant: &Grant) -> ApiResult<&DatabaseTransaction> {
        if grant.serial == self.serial {
            Ok(self.tx.writable())
        } else {
            Err(ApiError::Internal(anyhow::anyhow!(
                "mutation {} wrote with another mutation's grant",
                self.action
            )))
        }
    }

    /// The caller making the change.
    pub fn principal(&self) -> &'a Principal {
        self.principal
    }

    /// Names the record the change belongs to; the loaders of parent records call it, so a
    /// mutation names it by loading what it changes.
    pub fn within(&self, parent: Parent) {
        let _ = self.parent.set(parent);
    }

    /// Names a further record the change involves (the system an integration leads to): the
    /// event is then shown only to callers who may also see that record.
    pub fn names(&mut self, record: Parent) {
        if !self.names.contains(&record) {
            self.names.push(record);
        }
    }

    /// Records a change of one record; only fields whose values differ are kept.
    pub fn record(
        &mut self,
        record_type: RecordKind,
        record_id: i64,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        let (before, after) = changed_fields(before, after);
        self.events.push(Change {
            record_type,
            record_id,
            before,
            after,
        });
    }

    /// Records the change's event in county `county_id`'s own chain too, for a change of
    /// reference data that spans counties (a year of population figures): every county's
    /// trail then shows what changed in it. The event is the county's (scope `County`) and
    /// names `actor_municipality_id`, a kommun of that county, beside the actor.
    pub(in crate::service) fn record_in_county(
        &mut self,
        county_id: i32,
        actor_municipality_id: i32,
        record_id: i64,
        after: Value,
    ) {
        self.elsewhere.push(Elsewhere {
            county_id,
            actor_municipality_id,
            change: Change {
                record_type: RecordKind::County,
                record_id,
                before: None,
                after: Some(after),
            },
        });
    }

    /// Appends one event to its county's chain (under the chain head's lock, taken here and
    /// held to the end of the transaction).
    async fn append(&self, e: Entry) -> ApiResult<audit_event::Model> {
        let tx = self.tx.writable();
        let (seq, prev_hash) = super::chain::lock_head(tx, e.county_id).await?;
        // Taken under the head's lock, so that times rise along each county's chain.
        let now = crate::domain::chain::instant(chrono::Utc::now());
        let salt = uuid::Uuid::new_v4().simple().to_string();
        let digest = crate::domain::chain::actor_digest(&salt, &self.principal.sub);
        let roles = self.principal.roles_text();
        let (scope_type, scope_id) = e.scope.parts();
        let hash = crate::domain::chain::EventContent {
            county_id: e.county_id,
            seq: seq + 1,
            prev_hash: &prev_hash,
            occurred_at: now,
            actor_digest: &digest,
            actor_municipality_id: e.actor_municipality_id,
            actor_roles: &roles,
            action: self.action,
            record_type: e.record_type.as_str(),
            record_id: e.record_id,
            before: e.before.as_deref(),
            after: e.after.as_deref(),
            request_id: self.request_id,
            scope_type: Some(scope_type.as_str()),
            scope_id: Some(scope_id),
        }
        .hash();
        let event = audit_event::ActiveModel {
            occurred_at: Set(now),
            actor_sub: Set(self.principal.sub.clone()),
            actor_municipality_id: Set(e.actor_municipality_id),
            actor_roles: Set(roles),
            action: Set(self.action.to_owned()),
            record_type: Set(e.record_type),
            record_id: Set(e.record_id),
            before: Set(e.before),
            after: Set(e.after),
            request_id: Set(self.request_id.to_owned()),
            scope_type: Set(Some(scope_type)),
            scope_id: Set(Some(scope_id)),
            county_id: Set(Some(e.county_id)),
            chain_seq: Set(Some(seq + 1)),
            prev_hash: Set(Some(prev_hash)),
            hash: Set(Some(hash.clone())),
            chain_form: Set(Some(crate::domain::chain::FORM)),
            actor_digest: Set(Some(digest)),
            actor_salt: Set(Some(salt)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        super::chain::advance_head(tx, e.county_id, seq + 1, hash).await?;
        Ok(event)
    }

    /// The projects this mutation may have changed the counts of (its parent and the records
    /// it names when they are projects, every project it recorded a change of, the project of
    /// every participation it recorded a change of), and those whose visibility it changed.
    async fn projects_changed(&self, parent: Parent) -> ApiResult<(Vec<i64>, Vec<i64>)> {
        let mut projects = Vec::new();
        let mut moved = Vec::new();
        let mut participations = Vec::new();
        for named in std::iter::once(&parent).chain(&self.names) {
            if let Parent::Project(id) = named {
                projects.push(*id);
            }
        }
        for c in &self.events {
            match c.record_type {
                RecordKind::EServiceProject => {
                    projects.push(c.record_id);
                    // `before` holds the fields that changed (a new project has none).
                    if c.before.as_ref().is_some_and(|b| b.get("visibility").is_some()) {
                        moved.push(c.record_id);
                    }
                }
                RecordKind::Participation => participations.push(c.record_id),
                _ => {}
            }
        }
        if !participations.is_empty() {
            use sea_orm::QuerySelect;
            let of: Vec<i64> = entity::participation::Entity::find()
                .select_only()
                .column(entity::participation::Column::ProjectId)
                .filter(entity::participation::Column::Id.is_in(participations))
                .into_tuple()
                .all(self.tx.writable())
                .await?;
            projects.extend(of);
        }
        projects.sort_unstable();
        projects.dedup();
        Ok((projects, moved))
    }

    /// The benefits and the follow-ups this mutation wrote.
    fn benefits_changed(&self) -> (Vec<i64>, Vec<i64>) {
        let of = |kind: RecordKind| {
            self.events
                .iter()
                .filter(|c| c.record_type == kind)
                .map(|c| c.record_id)
                .collect::<Vec<_>>()
        };
        (of(RecordKind::Benefit), of(RecordKind::BenefitFollowUp))
    }

    /// Writes the audit events and commits; nothing is written if either fails.
    pub async fn commit(mut self) -> ApiResult<()> {
        let action = self.action;
        let Some(parent) = self.parent.get().copied() else {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "mutation {action} did not name the record it changes"
            )));
        };
        let (projects, moved) = self.projects_changed(parent).await?;
        let (benefits, follow_ups) = self.benefits_changed();
        // Vendors and products are every county's to read.
        let national = self
            .events
            .iter()
            .any(|c| matches!(c.record_type, RecordKind::Vendor | RecordKind::Product));
        let mut counties: Vec<i32> = std::iter::once(self.principal.county_id)
            .chain(self.elsewhere.iter().map(|e| e.county_id))
            .collect();
        counties.sort_unstable();
        counties.dedup();
        let Some((record_type, record_id, before, after)) = fold(std::mem::take(&mut self.events)) else {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "mutation {action} recorded no audit event"
            )));
        };
        let (scope_type, scope_id) = parent.parts();
        let event = self
            .append(Entry {
                county_id: self.principal.county_id,
                actor_municipality_id: self.principal.municipality_id,
                record_type,
                record_id,
                before: before.map(|v| v.to_string()),
                after: after.map(|v| v.to_string()),
                scope: parent,
            })
            .await?;
        let mut elsewhere: Vec<&Elsewhere> = self.elsewhere.iter().collect();
        // Heads are locked in county order, so two such changes cannot wait on each other.
        elsewhere.sort_by_key(|e| e.county_id);
        for e in elsewhere {
            let record_id = e.change.record_id;
            self.append(Entry {
                county_id: e.county_id,
                actor_municipality_id: e.actor_municipality_id,
                record_type: e.change.record_type,
                record_id,
                before: None,
                after: e.change.after.as_ref().map(Value::to_string),
                scope: Parent::County(e.county_id),
            })
            .await?;
        }
        let now = event.created_at;
        if !self.names.is_empty() {
            audit_event_scope::Entity::insert_many(self.names.iter().map(|n| {
                let (scope_type, scope_id) = n.parts();
                audit_event_scope::ActiveModel {
                    event_id: Set(event.id),
                    scope_type: Set(scope_type),
                    scope_id: Set(scope_id),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            }))
            .exec(self.tx.writable())
            .await?;
        }
        let tx = self.tx.into_inner();
        let generation = crate::service::generation::bump(&tx).await?;
        crate::service::generation::touch_project_parts(&tx, &projects, &moved, generation).await?;
        // After the bump, whose row lock orders this with every other writer of these rows.
        super::shares::reprice(&tx, &self.reference, &projects).await?;
        super::measures::refresh(&tx, &benefits, &follow_ups, &moved).await?;
        crate::service::generation::touch_scopes(&tx, &counties, national, generation).await?;
        let change = crate::service::events::Change {
            event_id: event.id,
            scope_type: scope_type.as_str().to_owned(),
            scope_id,
            action: action.to_owned(),
        };
        self.announce.announce(&tx, &change).await?;
        tx.commit().await?;
        self.announce.committed(change);
        Ok(())
    }
}

impl WriteTx<'_> {
    /// Replaces actor `sub` of county `county_id`'s events before `cutoff` with `pseudonym` and
    /// drops their salts (the retention); the hashes cover the salted digest, not the `sub`,
    /// so the chain is untouched. Returns the number of events changed.
    pub(in crate::service) async fn pseudonymise_actor(
        &mut self,
        grant: &Grant,
        county_id: i32,
        cutoff: chrono::DateTime<chrono::Utc>,
        sub: &str,
        pseudonym: &str,
    ) -> ApiResult<u64> {
        let res = audit_event::Entity::update_many()
            .col_expr(audit_event::Column::ActorSub, pseudonym.into())
            .col_expr(
                audit_event::Column::ActorSalt,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(audit_event::Column::CountyId.eq(county_id))
            .filter(audit_event::Column::OccurredAt.lt(cutoff))
            .filter(audit_event::Column::ActorSub.eq(sub))
            .filter(audit_event::Column::ActorSalt.is_not_null())
            .exec(self.writer(grant)?)
            .await?;
        Ok(res.rows_affected)
    }
    /// County `county_id`'s key for stable pseudonyms, made (32 random bytes) the first time
    /// it is needed. Written here, not through the audited writes: the key must never stand in
    /// an audit event.
    pub(in crate::service) async fn pseudonym_secret(
        &mut self,
        grant: &Grant,
        county_id: i32,
    ) -> ApiResult<String> {
        use entity::pseudonym_key;
        use sea_orm::ActiveModelTrait;
        if let Some(k) = pseudonym_key::Entity::find_by_id(county_id)
            .one(self.writer(grant)?)
            .await?
        {
            return Ok(k.secret);
        }
        let secret: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
        pseudonym_key::ActiveModel {
            county_id: sea_orm::Set(county_id),
            secret: sea_orm::Set(secret.clone()),
            created_at: sea_orm::Set(chrono::Utc::now()),
        }
        .insert(self.writer(grant)?)
        .await?;
        Ok(secret)
    }

    /// Inserts a year of population figures (reference data, one row per kommun). The events
    /// are the import's to record: one per county, not one per figure.
    pub(in crate::service) async fn insert_figures(
        &mut self,
        grant: &Grant,
        rows: Vec<entity::population_figure::ActiveModel>,
    ) -> ApiResult<()> {
        for chunk in rows.chunks(100) {
            entity::population_figure::Entity::insert_many(chunk.to_vec())
                .exec(self.writer(grant)?)
                .await?;
        }
        Ok(())
    }

    /// Replaces a released role holder's name with `pseudonym` and drops their key, recording
    /// only that it happened: the event must not carry the name it removes.
    pub(in crate::service) async fn pseudonymise_holder(
        &mut self,
        grant: &Grant,
        holder: &entity::role_holder::Model,
        pseudonym: &str,
    ) -> ApiResult<()> {
        use entity::role_holder;
        role_holder::Entity::update_many()
            .col_expr(role_holder::Column::DisplayName, pseudonym.into())
            .col_expr(
                role_holder::Column::HolderKey,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(role_holder::Column::Id.eq(holder.id))
            .exec(self.writer(grant)?)
            .await?;
        self.names(Parent::RoleRegister(holder.municipality_id));
        self.record(
            RecordKind::RoleHolder,
            holder.id,
            None,
            Some(serde_json::json!({"pseudonymised": true, "releasedOn": holder.released_on})),
        );
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

/// A record the audit trail names: its kind, its id and the fields its events compare.
pub trait Audited:
    ModelTrait + Clone + Send + Sync + IntoActiveModel<<Self::Entity as EntityTrait>::ActiveModel>
{
    /// The record's type as the audit trail and the API name it.
    const TYPE: RecordKind;
    /// How an error message names it ("the project").
    const NOUN: &'static str;
    fn id_column() -> <Self::Entity as EntityTrait>::Column;
    fn id(&self) -> i64;
    /// The fields the audit trail compares before and after.
    fn audit_json(&self) -> Value;
}

/// A record clients update under optimistic concurrency: they send back the `version` they
/// read, and a write against any other version is a `CONFLICT`.
pub trait Versioned: Audited {
    fn version_column() -> <Self::Entity as EntityTrait>::Column;
    fn version(&self) -> i32;
    /// Sets the new version and the time of the change.
    fn touch(&mut self, version: i32, at: chrono::DateTime<chrono::Utc>);
}

/// Implements [`Audited`] for an entity with an `id` column, its audit form written once:
/// `audited!(benefit, RecordKind::Benefit, "the benefit", |m| json!({...}))`.
macro_rules! audited {
    ($entity:ident, $type:expr, $noun:literal, |$m:ident| $json:expr) => {
        impl $crate::service::audit::Audited for entity::$entity::Model {
            const TYPE: $crate::domain::RecordKind = $type;
            const NOUN: &'static str = $noun;
            fn id_column() -> entity::$entity::Column {
                entity::$entity::Column::Id
            }
            fn id(&self) -> i64 {
                self.id
            }
            fn audit_json(&self) -> serde_json::Value {
                let $m = self;
                $json
            }
        }
    };
}
pub(crate) use audited;

/// Implements [`Audited`] and [`Versioned`] for an entity with `id`, `version` and
/// `updated_at` columns: `versioned!(project, RecordKind::EServiceProject, "the project", |m| json!({...}))`.
macro_rules! versioned {
    ($entity:ident, $type:expr, $noun:literal, |$m:ident| $json:expr) => {
        $crate::service::audit::audited!($entity, $type, $noun, |$m| $json);
        impl $crate::service::audit::Versioned for entity::$entity::Model {
            fn version_column() -> entity::$entity::Column {
                entity::$entity::Column::Version
            }
            fn version(&self) -> i32 {
                self.version
            }
            fn touch(&mut self, version: i32, at: chrono::DateTime<chrono::Utc>) {
                self.version = version;
                self.updated_at = at;
            }
        }
    };
}
pub(crate) use versioned;

impl WriteTx<'_> {
    /// Inserts a record and records its creation.
    pub async fn insert<A>(&mut self, grant: &Grant, row: A) -> ApiResult<<A::Entity as EntityTrait>::Model>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: Audited + IntoActiveModel<A>,
    {
        let m = row.insert(self.writer(grant)?).await?;
        self.record(
            <<A::Entity as EntityTrait>::Model as Audited>::TYPE,
            m.id(),
            None,
            Some(m.audit_json()),
        );
        Ok(m)
    }

    /// Writes `after` over `before` and records the fields that changed.
    pub async fn update<M: Audited>(&mut self, grant: &Grant, before: &M, after: M) -> ApiResult<M> {
        self.update_where(grant, before, after, Condition::all()).await
    }

    /// Writes `after` over `before` if the row still meets `guard` (a state it must still be
    /// in, a version), else `CONFLICT`; records the fields that changed.
    pub async fn update_where<M: Audited>(
        &mut self,
        grant: &Grant,
        before: &M,
        after: M,
        guard: Condition,
    ) -> ApiResult<M> {
        let res = M::Entity::update_many()
            .set(after.clone().into_active_model().reset_all())
            .filter(M::id_column().eq(before.id()))
            .filter(guard)
            .exec(self.writer(grant)?)
            .await?;
        if res.rows_affected != 1 {
            return Err(ApiError::Conflict(format!(
                "{} changed meanwhile; reload and try again",
                M::NOUN
            )));
        }
        self.record(
            M::TYPE,
            before.id(),
            Some(before.audit_json()),
            Some(after.audit_json()),
        );
        Ok(after)
    }

    /// Deletes a record and records what it held.
    pub async fn delete<M: Audited>(&mut self, grant: &Grant, m: &M) -> ApiResult<()> {
        M::Entity::delete_many()
            .filter(M::id_column().eq(m.id()))
            .exec(self.writer(grant)?)
            .await?;
        self.record(M::TYPE, m.id(), Some(m.audit_json()), None);
        Ok(())
    }

    /// Writes `after` over `before` if nobody changed it since `version`, bumping the version
    /// and recording the change. The version check is repeated in the UPDATE's WHERE so that
    /// two replicas racing on the same row cannot both win.
    pub async fn save<M: Versioned>(
        &mut self,
        grant: &Grant,
        before: &M,
        mut after: M,
        version: i32,
    ) -> ApiResult<M> {
        let noun = M::NOUN;
        if before.version() != version {
            return Err(ApiError::Conflict(format!(
                "{noun} changed since version {version} (now {}); reload and try again",
                before.version()
            )));
        }
        after.touch(version + 1, chrono::Utc::now());
        self.update_where(
            grant,
            before,
            after,
            Condition::all().add(M::version_column().eq(version)),
        )
        .await
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
