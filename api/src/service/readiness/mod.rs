//! The audit's questions answered from the records (docs/domain.md, "The audit's questions"):
//! governing documents (`documents`), each kommun's register of people in pm3 roles
//! (`people`), and the answers themselves with key-person risk and what kommuner pay for the
//! same product (`answers`). The rules are `domain::readiness`; this module reads the records
//! the caller may see and hands them over.

mod answers;
mod documents;
mod people;
mod thresholds;

pub use answers::{KommunKeyPersons, Readiness, at_risk, critical_of};
pub use documents::{DocumentFilter, DocumentSpec};
pub use people::{Named, Register, RoleRefs};
pub use thresholds::ThresholdChange;
