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
