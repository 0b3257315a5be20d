//! The kinds of record the service keeps. One name per kind serves as its GraphQL type name,
//! the prefix of its global id and its `record_type` in the audit trail, so the three cannot
//! drift apart.
use super::project::text_enum;

text_enum!(
    /// A kind of record.
    RecordKind {
        /// An entry of the audit trail.
        AuditEvent = "AuditEvent",
        /// A benefit a project expects.
        Benefit = "Benefit",
        /// A measurement of a benefit.
        BenefitFollowUp = "BenefitFollowUp",
        /// A kommun invited to score a sourcing evaluation.
        CoEvaluator = "CoEvaluator",
        /// A län.
        County = "County",
        /// A tollgate decision.
        Decision = "Decision",
        /// An e-service project.
        EServiceProject = "EServiceProject",
        /// A kommun's governing document (styrdokument).
        GoverningDocument = "GoverningDocument",
        /// A requirement of a vendor initiative.
        InitiativeRequirement = "InitiativeRequirement",
        /// A kommun's support of a vendor initiative.
        InitiativeSupporter = "InitiativeSupporter",
        /// A data flow between two systems.
        Integration = "Integration",
        /// A kommun.
        Municipality = "Municipality",
        /// A kommun's part in a project.
        Participation = "Participation",
        /// A vendor's product.
        Product = "Product",
        /// An e-service in the public catalogue.
        PublishedEService = "PublishedEService",
        /// A criterion of a sourcing evaluation.
        SourcingCriterion = "SourcingCriterion",
        /// A sourcing evaluation.
        SourcingEvaluation = "SourcingEvaluation",
        /// An option of a sourcing evaluation.
        SourcingOption = "SourcingOption",
        /// One kommun's score of one option on one criterion.
        SourcingScore = "SourcingScore",
        /// A county's retention period for the people in one kind of record.
        RetentionPeriod = "RetentionPeriod",
        /// A person in a pm3 role, in their kommun's register.
        RoleHolder = "RoleHolder",
        /// A project's status report.
        StatusReport = "StatusReport",
        /// A kommun's installation of a product.
        SystemInstance = "SystemInstance",
        /// A vendor.
        Vendor = "Vendor",
        /// A joint push on a vendor.
        VendorInitiative = "VendorInitiative",
        /// A vendor's answer to an initiative.
        VendorResponse = "VendorResponse",
    }
);
