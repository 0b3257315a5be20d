//! Domain types and rules that need no database: codes, money, phases and cost shares.
//!
//! Input is parsed into these types at the edge so that the service layer can only hold
//! valid values.
#![deny(missing_docs)]
#![cfg_attr(test, expect(clippy::unwrap_used, reason = "tests unwrap what they set up"))]

/// A whole number within a range, kept in an integer column: made only by `new`, which checks
/// the range, so a value held is one a client may set. (The column is trusted on read: only
/// the audited writes, which take these types, write it.)
macro_rules! bounded_int {
    ($(#[$m:meta])* $name:ident, $min:literal ..= $max:literal, $refusal:literal) => {
        $(#[$m])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
            sea_orm::DeriveValueType, serde::Serialize,
        )]
        #[serde(transparent)]
        pub struct $name(i32);

        impl $name {
            /// The smallest value.
            pub const MIN: $name = $name($min);
            /// The largest value.
            pub const MAX: $name = $name($max);

            /// The value, or why a client's number is not one.
            pub fn new(v: i64) -> Result<Self, &'static str> {
                i32::try_from(v)
                    .ok()
                    .filter(|v| ($min..=$max).contains(v))
                    .map(Self)
                    .ok_or($refusal)
            }

            /// A value written in the source: out of range, a constant made with it does not
            /// compile (for anything else, `new`).
            pub const fn of(v: i32) -> Self {
                assert!($min <= v && v <= $max, concat!(stringify!($name), " out of range"));
                Self(v)
            }

            /// The number.
            pub fn get(self) -> i32 {
                self.0
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                v.0.into()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

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
