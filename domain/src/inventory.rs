//! The vocabulary of the systems inventory (IT-arkitektur, systemkarta).
use super::project::text_enum;

text_enum!(
    /// What a product is for.
    ProductCategory {
        /// E-tjänsteplattform.
        EServicePlatform = "E_SERVICE_PLATFORM",
        /// Ärendehantering.
        CaseManagement = "CASE_MANAGEMENT",
        /// Skola.
        School = "SCHOOL",
        /// Ekonomi.
        Finance = "FINANCE",
        /// Personal (HR).
        Hr = "HR",
        /// Annat.
        Other = "OTHER",
    }
);

text_enum!(
    /// Where a system runs (driftform).
    Hosting {
        /// Egen drift i kommunens datacenter.
        OwnDatacenter = "OWN_DATACENTER",
        /// Gemensam drift i länet.
        SharedCounty = "SHARED_COUNTY",
        /// Outsourcad drift.
        Outsourced = "OUTSOURCED",
        /// Molntjänst (SaaS).
        CloudSaas = "CLOUD_SAAS",
    }
);

text_enum!(
    /// Where a vendor-influence initiative stands.
    InitiativeState {
        /// Utkast.
        Draft = "DRAFT",
        /// Öppen för medundertecknare.
        OpenForSupport = "OPEN_FOR_SUPPORT",
        /// Överlämnad till leverantören.
        Submitted = "SUBMITTED",
        /// Leverantören har svarat.
        VendorResponded = "VENDOR_RESPONDED",
        /// Accepterad.
        Accepted = "ACCEPTED",
        /// Delvis accepterad.
        PartiallyAccepted = "PARTIALLY_ACCEPTED",
        /// Avvisad.
        Rejected = "REJECTED",
        /// Levererad.
        Delivered = "DELIVERED",
        /// Återkallad.
        Withdrawn = "WITHDRAWN",
    }
);

impl InitiativeState {
    /// The states a transition may move this one to.
    pub fn next_states(self) -> Vec<InitiativeState> {
        InitiativeState::ALL
            .iter()
            .copied()
            .filter(|t| self.may_become(*t))
            .collect()
    }

    /// The state and where it may go, for messages refusing a change.
    pub fn with_next(self) -> String {
        super::project::state_and_next(self, &self.next_states(), Self::as_str)
    }

    /// Whether the initiator may move an initiative from `self` to `to` by a transition.
    /// `VENDOR_RESPONDED` is reached by recording the vendor's response.
    pub fn may_become(self, to: InitiativeState) -> bool {
        use InitiativeState::*;
        matches!(
            (self, to),
            (Draft, OpenForSupport)
                | (OpenForSupport, Submitted)
                | (VendorResponded, Accepted | PartiallyAccepted | Rejected)
                | (Accepted | PartiallyAccepted, Delivered)
                | (Draft | OpenForSupport | Submitted | VendorResponded, Withdrawn)
        )
    }
}

text_enum!(
    /// How much a requirement weighs.
    RequirementPriority {
        /// Skall-krav.
        Must = "MUST",
        /// Bör-krav.
        Should = "SHOULD",
    }
);

text_enum!(
    /// What the vendor answered.
    ResponseOutcome {
        /// The vendor agreed to every requirement.
        Accepted = "ACCEPTED",
        /// The vendor agreed to some requirements.
        PartiallyAccepted = "PARTIALLY_ACCEPTED",
        /// The vendor agreed to none.
        Rejected = "REJECTED",
    }
);

#[cfg(test)]
mod tests {
    use super::InitiativeState::{self, *};

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        let allowed = [
            (Draft, OpenForSupport),
            (OpenForSupport, Submitted),
            (VendorResponded, Accepted),
            (VendorResponded, PartiallyAccepted),
            (VendorResponded, Rejected),
            (Accepted, Delivered),
            (PartiallyAccepted, Delivered),
            (Draft, Withdrawn),
            (OpenForSupport, Withdrawn),
            (Submitted, Withdrawn),
            (VendorResponded, Withdrawn),
        ];
        for from in InitiativeState::ALL {
            for to in InitiativeState::ALL {
                assert_eq!(
                    from.may_become(*to),
                    allowed.contains(&(*from, *to)),
                    "{from:?} → {to:?}"
                );
            }
        }
    }
}

text_enum!(
    /// A co-signer's standing on an initiative.
    SupporterState {
        /// Asked to co-sign (a joint procurement initiative invites the kommuner of its
        /// window); supporting makes it ACTIVE. Not counted as support.
        Invited = "INVITED",
        /// Supports the initiative.
        Active = "ACTIVE",
        /// Supported it once and no longer does.
        Withdrawn = "WITHDRAWN",
    }
);
