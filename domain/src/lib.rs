//! Domain types and rules that need no database: codes, money, phases and cost shares.
//!
//! Input is parsed into these types at the edge so that the service layer can only hold
//! valid values.
#![deny(missing_docs)]
#![cfg_attr(test, expect(clippy::unwrap_used, reason = "tests unwrap what they set up"))]

pub mod authz;
pub mod benefits;
pub mod catalogue;
pub mod chain;
pub mod cost_sharing;
pub mod inventory;
/// Kommunkod: the four-digit code of a kommun.
pub mod kommunkod;
/// Money in öre, shown as kronor with two decimals.
pub mod money;
/// Organisationsnummer with its Luhn check digit.
pub mod org_number;
pub mod procurement;
pub mod project;
pub mod readiness;
pub mod record;
pub mod sourcing;
pub mod text;

pub use cost_sharing::{CostKey, Member, Share, compute_shares};
pub use kommunkod::Kommunkod;
pub use money::Sek;
pub use project::{Health, ParticipationRole, ParticipationState, Phase, TargetGroup, Visibility};
pub use record::RecordKind;
