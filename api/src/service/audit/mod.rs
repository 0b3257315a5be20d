//! The audit trail (loggning): every mutation writes its one event in its own transaction
//! (`write_tx`: [`WriteTx`], versioned saves), and callers read the events of records they may
//! see (`trail`).
pub mod chain;
pub(in crate::service) mod measures;
mod retention;
pub(in crate::service) mod shares;
pub mod store;
pub mod subject;
mod trail;
mod write_tx;

use crate::domain::RecordKind;
pub use trail::AuditFilter;
pub use write_tx::{Audited, Changeable, Grant, Versioned, WriteTx};
pub(crate) use write_tx::{audited, versioned};

use crate::{
    domain::authz::{Action, Standing},
    error::{ApiError, ApiResult},
    service::Scope,
};

/// A record a mutation may change, and how it is found for a change: through the visibility
/// rule, with its parent for the audit and the caller's standing towards it. Each area
/// implements it for its records; [`Scope::changeable`] is the one way to load one for a
/// change.
pub(in crate::service) trait Guarded: Sized + Send + Sync {
    /// Answered (`NOT_FOUND`) when the record does not exist or the caller may not see it.
    const MISSING: &'static str;

    /// The record with id `id` if the caller may see it, as the transaction sees it.
    fn load(
        scope: &Scope<'_>,
        tx: &WriteTx<'_>,
        id: i64,
    ) -> impl Future<Output = ApiResult<Option<Self>>> + Send;

    /// The record whose visibility governs who may read the change's event.
    fn parent(&self) -> Parent;

    /// The caller's kommun's relation to the record, as far as `action` asks.
    fn standing(
        &self,
        scope: &Scope<'_>,
        tx: &WriteTx<'_>,
        action: Action,
    ) -> impl Future<Output = ApiResult<Standing>> + Send;
}

impl Scope<'_> {
    /// Loads record `id` for `action`: visible to the caller (else `NOT_FOUND`, as for an id
    /// that never existed), named as the mutation's parent, and the caller authorized for
    /// `action` where its kommun stands (else `FORBIDDEN`).
    pub(in crate::service) async fn changeable<M: Guarded>(
        &self,
        tx: &WriteTx<'_>,
        id: i64,
        action: Action,
    ) -> ApiResult<Changeable<M>> {
        let record = M::load(self, tx, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(M::MISSING.into()))?;
        tx.within(record.parent());
        let standing = record.standing(self, tx, action).await?;
        let grant = tx.authorize(action, standing)?;
        Ok(Changeable::new(record, grant))
    }
}

/// The record whose visibility governs who may read a mutation's events: every change
/// belongs to a project or an evaluation (or to the record itself, for top-level records).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    Project(i64),
    SourcingEvaluation(i64),
    SystemInstance(i64),
    VendorInitiative(i64),
    /// Shared reference data: vendors and their products, visible to every kommun.
    Vendor(i64),
    GoverningDocument(i64),
    /// A kommun's register of people in pm3 roles, by municipality id: its events name people,
    /// so only that kommun reads them.
    RoleRegister(i32),
    /// A county's own settings, by county id: every caller of that county reads their events.
    County(i32),
}

impl Parent {
    /// The stored `scope_type` and `scope_id`.
    pub fn parts(self) -> (RecordKind, i64) {
        match self {
            Parent::Project(id) => (RecordKind::EServiceProject, id),
            Parent::SourcingEvaluation(id) => (RecordKind::SourcingEvaluation, id),
            Parent::SystemInstance(id) => (RecordKind::SystemInstance, id),
            Parent::VendorInitiative(id) => (RecordKind::VendorInitiative, id),
            Parent::Vendor(id) => (RecordKind::Vendor, id),
            Parent::GoverningDocument(id) => (RecordKind::GoverningDocument, id),
            Parent::RoleRegister(m) => (RecordKind::Municipality, i64::from(m)),
            Parent::County(c) => (RecordKind::County, i64::from(c)),
        }
    }
}
