//! The audit trail (loggning): every mutation writes its one event in its own transaction
//! (`write_tx`: [`WriteTx`], versioned saves), and callers read the events of records they may
//! see (`trail`).
mod trail;
mod write_tx;

use crate::domain::RecordKind;
pub use trail::AuditFilter;
pub(crate) use write_tx::versioned;
pub use write_tx::{Versioned, WriteTx};

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
        }
    }
}
