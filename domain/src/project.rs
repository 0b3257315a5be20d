//! The vocabulary of e-service projects, stored as the enum names in text columns.

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            async_graphql::Enum, sea_orm::DeriveValueType,
        )]
        #[sea_orm(value_type = "String", from_str = "Self::from_stored")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            fn from_stored(s: &str) -> Result<Self, $crate::project::UnknownValue> {
                s.parse().map_err($crate::project::UnknownValue)
            }
        }

        // A key column's type must say how an inserted row's id would be read; a text value
        // is never such an id (so the value can be part of a composite key).
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
                Err(sea_orm::DbErr::ConvertFromU64(stringify!($name)))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Audit snapshots record the stored name, the same text as the column.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {} '{}'", stringify!($name), other)),
                }
            }
        }
    };
}
pub(crate) use text_enum;

/// "X (next: A or B)" / "X (final)": how a refused state change names where the record is and
/// where it may go, so the caller knows what would be accepted.
pub fn state_and_next<T: Copy>(state: T, next: &[T], name: impl Fn(T) -> &'static str) -> String {
    if next.is_empty() {
        format!("{} (final: it changes no more)", name(state))
    } else {
        let names: Vec<&str> = next.iter().map(|n| name(*n)).collect();
        format!("{} (next: {})", name(state), names.join(" or "))
    }
}

/// A stored text that names no value of its enum: the database holds something this version
/// of the code does not know.
#[derive(Debug)]
pub struct UnknownValue(pub String);

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UnknownValue {}

/// Whether a participation pays its share: accepted LEAD and PARTICIPANT kommuner do,
/// observers never (docs/domain.md, "Cost sharing").
pub fn pays(role: ParticipationRole, state: ParticipationState) -> bool {
    state == ParticipationState::Accepted && role != ParticipationRole::Observer
}

text_enum!(
    /// Project phase after the usual municipal project models (PROJEKTiL).
    Phase {
        /// Idé.
        Idea = "IDEA",
        /// Förstudie.
        PreStudy = "PRE_STUDY",
        /// Planering.
        Planning = "PLANNING",
        /// Genomförande.
        Execution = "EXECUTION",
        /// Avslut.
        Closing = "CLOSING",
        /// Effekthemtagning.
        BenefitRealization = "BENEFIT_REALIZATION",
        /// Stängd.
        Closed = "CLOSED",
        /// Avbruten.
        Cancelled = "CANCELLED",
    }
);

impl Phase {
    /// The only phase a tollgate may move to from this one, if any.
    pub fn next(self) -> Option<Phase> {
        use Phase::*;
        match self {
            Idea => Some(PreStudy),
            PreStudy => Some(Planning),
            Planning => Some(Execution),
            Execution => Some(Closing),
            Closing => Some(BenefitRealization),
            BenefitRealization => Some(Closed),
            Closed | Cancelled => None,
        }
    }

    /// The phases a decision may move this one to: the next tollgate, or cancellation.
    pub fn next_states(self) -> Vec<Phase> {
        self.next()
            .into_iter()
            .chain(self.is_open().then_some(Phase::Cancelled))
            .collect()
    }

    /// The state and where it may go, for messages refusing a change.
    pub fn with_next(self) -> String {
        super::project::state_and_next(self, &self.next_states(), Self::as_str)
    }

    /// Open phases accept changes; closed and cancelled projects are history.
    pub fn is_open(self) -> bool {
        !matches!(self, Phase::Closed | Phase::Cancelled)
    }

    /// Whether the e-service may have gone live: execution or later, not cancelled.
    pub fn may_be_live(self) -> bool {
        self >= Phase::Execution && self != Phase::Cancelled
    }
}

text_enum!(
    /// Who may see a record (see DOMAIN.md, "Visibility").
    Visibility {
        /// The owning kommun only.
        Private = "PRIVATE",
        /// The owner and the kommuner invited to or taking part in it.
        Participants = "PARTICIPANTS",
        /// Every kommun of the county and its joint committee.
        County = "COUNTY",
        /// As COUNTY; a published e-service also reaches the anonymous catalogue.
        Public = "PUBLIC",
    }
);

text_enum!(
    /// Whom an e-service is for.
    TargetGroup {
        /// Invånare.
        Citizens = "CITIZENS",
        /// Företag.
        Businesses = "BUSINESSES",
        /// The kommun's own staff.
        Internal = "INTERNAL",
    }
);

text_enum!(
    /// Red/amber/green health from a status report.
    Health {
        /// On track.
        Green = "GREEN",
        /// At risk; the report says why.
        Amber = "AMBER",
        /// Off track; needs a decision.
        Red = "RED",
    }
);

text_enum!(
    /// A kommun's role in a project.
    ParticipationRole {
        /// Runs the project; there is exactly one.
        Lead = "LEAD",
        /// Takes part and pays its share.
        Participant = "PARTICIPANT",
        /// Follows the project; never pays.
        Observer = "OBSERVER",
    }
);

text_enum!(
    /// Where an invitation stands.
    ParticipationState {
        /// Asked to join; not answered yet.
        Invited = "INVITED",
        /// Takes part.
        Accepted = "ACCEPTED",
        /// Said no.
        Declined = "DECLINED",
        /// Took part and left, or the invitation was taken back.
        Withdrawn = "WITHDRAWN",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_move_forward_one_step_and_stop_at_closed() {
        let mut p = Phase::Idea;
        let mut steps = 0;
        while let Some(n) = p.next() {
            assert!(n > p);
            p = n;
            steps += 1;
        }
        assert_eq!((p, steps), (Phase::Closed, 6));
        assert_eq!(Phase::Cancelled.next(), None);
    }

    #[test]
    fn names_round_trip() {
        for p in Phase::ALL {
            assert_eq!(p.as_str().parse::<Phase>(), Ok(*p));
        }
        assert!("idea".parse::<Phase>().is_err());
    }
}
