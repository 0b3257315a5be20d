//! Every mutation of the schema as one table: what must exist before it runs, its input, and
//! who may run it (README.md, "Who may do what"). The authorization matrix (`authz.rs`) and the
//! audit test (`audit.rs`) both run from it, so a new mutation adds one `Case` here and both
//! check it; each fails while a mutation of the schema is missing.
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::{
    docs::decision,
    helpers::{Caller, TestApp},
};

/// The caller's kommun's relation to the record. The fixture owner is Örebro; Kumla takes
/// part (accepted participant, co-evaluator or supporter), Laxå is invited, Hallsberg has
/// nothing to do with it. All four are in Örebro län, so county-shared records are theirs to
/// see; Göteborg is of another county (Västra Götaland), to which nothing of Örebro län's is
/// visible, shared or not (the matrix serves both counties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rel {
    Own,
    Member,
    Invited,
    Other,
    Elsewhere,
}

impl Rel {
    pub fn kommun(self) -> &'static str {
        match self {
            Rel::Own => "1880",
            Rel::Member => "1881",
            Rel::Invited => "1860",
            Rel::Other => "1861",
            Rel::Elsewhere => "1480",
        }
    }
}

pub const ALL_RELS: &[Rel] = &[Rel::Own, Rel::Member, Rel::Invited, Rel::Other, Rel::Elsewhere];

/// What a case needs to exist before it is tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    /// Nothing: the mutation creates a record of the caller's kommun.
    Nothing,
    /// A project (IDEA) with a participant, an invitation and a benefit of the participant.
    Project,
    /// The same project moved to EXECUTION, so that its e-service can be published.
    LiveProject,
    /// The same project under a PER_CAPITA key moved to EXECUTION: its split is agreed under
    /// the county's current figures, 2030's (`counties::import_second_year`, which the
    /// matrix and the audit test run first), and the county has 2023's too.
    AgreedProject,
    /// An evaluation (DRAFT) with two options, two criteria, a co-evaluator and an invitation.
    Evaluation,
    /// The same evaluation in SCORING.
    ScoringEvaluation,
    /// Two systems of the owner with an integration between them.
    Systems,
    /// An initiative OPEN_FOR_SUPPORT, supported by the member kommun where it can see it.
    Initiative,
    /// The same initiative SUBMITTED to the vendor.
    SubmittedInitiative,
    /// A governing document of the owner, decided on 2025-01-01.
    Document,
    /// A person in the owner's register who holds no role.
    Holder,
    /// Systems of one product whose contracts end two and four months from now: the owner's
    /// first, then the member's, so the owner sees one procurement window at either visibility.
    Window,
}

/// One mutation as the matrix tries it.
pub struct Case {
    pub field: &'static str,
    pub input_type: &'static str,
    pub setup: Setup,
    pub visibilities: &'static [&'static str],
    pub rels: &'static [Rel],
    /// The input, from the fixture's ids and a number unique to the attempt.
    pub input: fn(&Fixture, usize) -> Value,
    /// What one role alone may do (README.md, "Who may do what").
    pub single: fn(&str, Rel, &str) -> bool,
}

pub type Fixture = BTreeMap<&'static str, Value>;

fn editing(role: &str) -> bool {
    role == "editor" || role == "admin"
}

fn county_shared(vis: &str) -> bool {
    vis == "COUNTY" || vis == "PUBLIC"
}

/// A valid organisationsnummer (Luhn) that no other attempt uses.
pub fn org_number(n: usize) -> String {
    let body = format!("55{:07}", 1_000_000 + n);
    let sum: u32 = body
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap();
            let d = if i % 2 == 0 { d * 2 } else { d };
            d / 10 + d % 10
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

const IMPORT_CSV: &str = "vendor_org_number;product;version;system_owner;maintenance_object;object_owner;object_manager_business;object_manager_it;hosting;data_location;confidentiality;integrity;availability;contract_end;visibility\n556677-8899;Matrisprodukt;1;;;;;;OWN_DATACENTER;SWEDEN;1;1;1;;COUNTY\n";

const PROJECT_VIS: &[&str] = &["PRIVATE", "PARTICIPANTS", "COUNTY", "PUBLIC"];
const EVAL_VIS: &[&str] = &["PRIVATE", "PARTICIPANTS", "COUNTY"];
const SYSTEM_VIS: &[&str] = &["PRIVATE", "COUNTY"];
const INITIATIVE_VIS: &[&str] = &["PRIVATE", "COUNTY"];
const ANY: &[&str] = &["-"];
const DOCUMENT_VIS: &[&str] = &["PRIVATE", "COUNTY"];

pub fn cases() -> Vec<Case> {
    let own = |r: &str, rel: Rel, _: &str| editing(r) && rel == Rel::Own;
    let editor_anywhere = |r: &str, _: Rel, _: &str| editing(r);
    let decide = |r: &str, rel: Rel, vis: &str| {
        (editing(r) && rel == Rel::Own) || (r == "namnd" && county_shared(vis) && rel != Rel::Elsewhere)
    };
    vec![
        // E-service projects.
        Case {
            field: "createEServiceProject",
            input_type: "CreateEServiceProjectInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |_, _| json!({"title": "Nytt", "budget": "10"}),
            single: editor_anywhere,
        },
        Case {
            field: "updateEServiceProject",
            input_type: "UpdateEServiceProjectInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["project"], "version": f["version"], "title": "Kapad"}),
            single: own,
        },
        Case {
            field: "advanceProjectPhase",
            input_type: "AdvanceProjectPhaseInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["project"], "version": f["version"], "toPhase": "PRE_STUDY", "decision": decision("Förstudie")}),
            single: decide,
        },
        Case {
            field: "cancelEServiceProject",
            input_type: "CancelEServiceProjectInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["project"], "version": f["version"], "decision": decision("Avbryts")}),
            single: decide,
        },
        Case {
            field: "inviteMunicipality",
            input_type: "InviteMunicipalityInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"projectId": f["project"], "municipalityCode": "1862"}),
            single: |r, rel, vis| editing(r) && rel == Rel::Own && vis != "PRIVATE",
        },
        Case {
            field: "respondToInvitation",
            input_type: "RespondToInvitationInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"participationId": f["invitation"], "accept": true}),
            single: |r, rel, vis| r == "admin" && rel == Rel::Invited && vis != "PRIVATE",
        },
        Case {
            field: "withdrawFromProject",
            input_type: "WithdrawFromProjectInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"projectId": f["project"]}),
            single: |r, rel, vis| r == "admin" && rel == Rel::Member && vis != "PRIVATE",
        },
        Case {
            field: "setCostSharing",
            input_type: "SetCostSharingInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"projectId": f["project"], "version": f["version"], "key": "PER_CAPITA"}),
            single: own,
        },
        Case {
            field: "movePopulationYear",
            input_type: "MovePopulationYearInput",
            setup: Setup::AgreedProject,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"projectId": f["project"], "version": f["version"], "year": 2023}),
            single: decide,
        },
        Case {
            field: "addStatusReport",
            input_type: "AddStatusReportInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"projectId": f["project"], "date": "2026-11-20", "health": "RED", "summary": "Kapad"}),
            single: own,
        },
        Case {
            field: "addBenefit",
            input_type: "AddBenefitInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"projectId": f["project"], "description": "Nytta", "category": "QUALITY", "kind": "QUALITATIVE", "ownerCode": "1880"}),
            single: own,
        },
        Case {
            field: "recordBenefitFollowUp",
            input_type: "RecordBenefitFollowUpInput",
            setup: Setup::Project,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"benefitId": f["benefit"], "date": "2026-11-20", "value": "1"}),
            // The benefit belongs to the participant, or to the owner where there is none.
            single: |r, rel, vis| editing(r) && rel == if vis == "PRIVATE" { Rel::Own } else { Rel::Member },
        },
        Case {
            field: "publishEService",
            input_type: "PublishEServiceInput",
            setup: Setup::LiveProject,
            visibilities: PROJECT_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"projectId": f["project"], "name": "Tjänsten", "url": "https://example.se/tjanst"}),
            single: |r, rel, vis| editing(r) && matches!(rel, Rel::Own | Rel::Member) && vis == "PUBLIC",
        },
        Case {
            field: "setAccessibilityStatement",
            input_type: "SetAccessibilityStatementInput",
            setup: Setup::LiveProject,
            // Only a PUBLIC project's e-service is listed, so only it has an entry.
            visibilities: &["PUBLIC"],
            rels: ALL_RELS,
            input: |f, _| json!({"publishedEServiceId": f["entry"], "url": "https://example.se/tillganglighet", "conformance": "FULLY_COMPLIANT"}),
            // The kommun that published the entry (the owner), not the other participants.
            single: |r, rel, _| editing(r) && rel == Rel::Own,
        },
        // Sourcing evaluations.
        Case {
            field: "createSourcingEvaluation",
            input_type: "CreateSourcingEvaluationInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |_, _| json!({"title": "Drift", "informationClass": {"confidentiality": 1, "integrity": 1, "availability": 1}}),
            single: editor_anywhere,
        },
        Case {
            field: "updateSourcingEvaluation",
            input_type: "UpdateSourcingEvaluationInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["evaluation"], "version": f["version"], "title": "Kapad"}),
            single: own,
        },
        Case {
            field: "addSourcingOption",
            input_type: "AddSourcingOptionInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"evaluationId": f["evaluation"], "kind": "OUTSOURCED", "oneOffCost": "1", "annualCost": "1", "contractYears": 1}),
            single: own,
        },
        Case {
            field: "updateSourcingOption",
            input_type: "UpdateSourcingOptionInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["option"], "description": "Kapad"}),
            single: own,
        },
        Case {
            field: "removeSourcingOption",
            input_type: "RemoveSourcingOptionInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["option"]}),
            single: own,
        },
        Case {
            field: "setSourcingCriteria",
            input_type: "SetSourcingCriteriaInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"evaluationId": f["evaluation"], "version": f["version"], "criteria": [{"name": "Allt", "weight": 100}]}),
            single: own,
        },
        Case {
            field: "inviteCoEvaluator",
            input_type: "InviteCoEvaluatorInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"evaluationId": f["evaluation"], "municipalityCode": "1862"}),
            single: |r, rel, vis| editing(r) && rel == Rel::Own && vis != "PRIVATE",
        },
        Case {
            field: "respondToCoEvaluation",
            input_type: "RespondToCoEvaluationInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"evaluationId": f["evaluation"], "accept": true}),
            single: |r, rel, vis| r == "admin" && rel == Rel::Invited && vis != "PRIVATE",
        },
        Case {
            field: "startScoring",
            input_type: "SourcingTransitionInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["evaluation"], "version": f["version"]}),
            single: own,
        },
        Case {
            field: "cancelSourcingEvaluation",
            input_type: "SourcingTransitionInput",
            setup: Setup::Evaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["evaluation"], "version": f["version"]}),
            single: own,
        },
        Case {
            field: "scoreSourcingOption",
            input_type: "ScoreSourcingOptionInput",
            setup: Setup::ScoringEvaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"optionId": f["option"], "criterionId": f["criterion"], "score": 3}),
            single: |r, rel, vis| editing(r) && (rel == Rel::Own || (rel == Rel::Member && vis != "PRIVATE")),
        },
        Case {
            field: "decideSourcingEvaluation",
            input_type: "DecideSourcingEvaluationInput",
            setup: Setup::ScoringEvaluation,
            visibilities: EVAL_VIS,
            rels: ALL_RELS,
            input: |f, _| json!({"id": f["evaluation"], "version": f["version"], "optionId": f["option"], "decision": decision("Egen drift"), "justification": "Beslutat"}),
            single: own,
        },
        // Inventory.
        Case {
            field: "createVendor",
            input_type: "CreateVendorInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |_, n| json!({"name": format!("Leverantör {n}"), "orgNumber": org_number(n)}),
            single: editor_anywhere,
        },
        Case {
            field: "createProduct",
            input_type: "CreateProductInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |f, n| json!({"vendorId": f["vendor"], "name": format!("Produkt {n}"), "category": "HR"}),
            single: editor_anywhere,
        },
        Case {
            field: "registerSystemInstance",
            input_type: "SystemInstanceInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |f, _| json!({"productId": f["product"], "hosting": "CLOUD_SAAS", "dataLocation": "SWEDEN"}),
            single: editor_anywhere,
        },
        Case {
            field: "importSystemInstances",
            input_type: "ImportSystemInstancesInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |_, _| json!({"csv": IMPORT_CSV}),
            single: editor_anywhere,
        },
        Case {
            field: "updateSystemInstance",
            input_type: "UpdateSystemInstanceInput",
            setup: Setup::Systems,
            visibilities: SYSTEM_VIS,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"id": f["system"], "version": 1, "system": {"productId": f["product"], "hosting": "OUTSOURCED", "dataLocation": "SWEDEN", "visibility": f["visibility"]}}),
            single: own,
        },
        Case {
            field: "addIntegration",
            input_type: "AddIntegrationInput",
            setup: Setup::Systems,
            visibilities: SYSTEM_VIS,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"fromInstanceId": f["system2"], "toInstanceId": f["system"], "protocol": "SFTP"}),
            single: own,
        },
        Case {
            field: "removeIntegration",
            input_type: "RemoveIntegrationInput",
            setup: Setup::Systems,
            visibilities: SYSTEM_VIS,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"id": f["integration"]}),
            single: own,
        },
        // Vendor initiatives.
        Case {
            field: "createVendorInitiative",
            input_type: "CreateVendorInitiativeInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |f, _| json!({"title": "Öppet API", "vendorId": f["vendor"]}),
            single: editor_anywhere,
        },
        Case {
            field: "updateVendorInitiative",
            input_type: "UpdateVendorInitiativeInput",
            setup: Setup::Initiative,
            visibilities: INITIATIVE_VIS,
            rels: &[Rel::Own, Rel::Member, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"id": f["initiative"], "version": f["version"], "title": "Kapad"}),
            single: own,
        },
        Case {
            field: "transitionVendorInitiative",
            input_type: "TransitionVendorInitiativeInput",
            setup: Setup::Initiative,
            visibilities: INITIATIVE_VIS,
            rels: &[Rel::Own, Rel::Member, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"id": f["initiative"], "version": f["version"], "to": "SUBMITTED"}),
            single: own,
        },
        Case {
            field: "supportVendorInitiative",
            input_type: "SupportVendorInitiativeInput",
            setup: Setup::Initiative,
            visibilities: INITIATIVE_VIS,
            rels: &[Rel::Own, Rel::Member, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"initiativeId": f["initiative"]}),
            // Any kommun that sees the open initiative co-signs it, once.
            single: |r, rel, vis| editing(r) && (rel == Rel::Own || (rel == Rel::Other && vis == "COUNTY")),
        },
        Case {
            field: "withdrawSupport",
            input_type: "WithdrawSupportInput",
            setup: Setup::Initiative,
            visibilities: INITIATIVE_VIS,
            rels: &[Rel::Own, Rel::Member, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"initiativeId": f["initiative"]}),
            single: |r, rel, vis| editing(r) && rel == Rel::Member && vis == "COUNTY",
        },
        Case {
            field: "startJointProcurementInitiative",
            input_type: "StartJointProcurementInitiativeInput",
            setup: Setup::Window,
            visibilities: SYSTEM_VIS,
            rels: &[Rel::Own, Rel::Member, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"windowId": f["window"], "title": "Gemensam upphandling"}),
            // Whoever sees the window may start joint work from it.
            single: |r, rel, vis| {
                editing(r) && (rel == Rel::Own || (vis == "COUNTY" && rel != Rel::Elsewhere))
            },
        },
        Case {
            field: "recordVendorResponse",
            input_type: "RecordVendorResponseInput",
            setup: Setup::SubmittedInitiative,
            visibilities: INITIATIVE_VIS,
            rels: &[Rel::Own, Rel::Member, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"initiativeId": f["initiative"], "date": "2027-01-01", "summary": "Ja", "outcome": "ACCEPTED"}),
            single: own,
        },
        // The audit's records: governing documents and the register of people in pm3 roles.
        Case {
            field: "createGoverningDocument",
            input_type: "GoverningDocumentInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |_, _| json!({"kind": "IT_STRATEGY", "title": "IT-strategi", "adoptingBody": "KF", "bodyKind": "ELECTED", "decidedOn": "2025-03-01"}),
            single: editor_anywhere,
        },
        Case {
            field: "updateGoverningDocument",
            input_type: "UpdateGoverningDocumentInput",
            setup: Setup::Document,
            visibilities: DOCUMENT_VIS,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"id": f["document"], "version": 1, "title": "Kapad"}),
            single: own,
        },
        Case {
            field: "replaceGoverningDocument",
            input_type: "ReplaceGoverningDocumentInput",
            setup: Setup::Document,
            visibilities: DOCUMENT_VIS,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"id": f["document"], "version": 1, "document": {"title": "Ny strategi", "adoptingBody": "KF", "bodyKind": "ELECTED", "decidedOn": "2026-01-01"}}),
            single: own,
        },
        Case {
            field: "createRoleHolder",
            input_type: "CreateRoleHolderInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Other],
            input: |_, n| json!({"displayName": format!("Person {n}")}),
            single: editor_anywhere,
        },
        Case {
            field: "updateRoleHolder",
            input_type: "UpdateRoleHolderInput",
            setup: Setup::Holder,
            visibilities: ANY,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"id": f["holder"], "version": 1, "displayName": "Omdöpt"}),
            single: own,
        },
        Case {
            field: "deleteRoleHolder",
            input_type: "DeleteRoleHolderInput",
            setup: Setup::Holder,
            visibilities: ANY,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |f, _| json!({"id": f["holder"]}),
            single: own,
        },
        // County settings: the committee of the county, whichever kommun its token names.
        Case {
            field: "setAuditThresholds",
            input_type: "SetAuditThresholdsInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |_, n| json!({"county": "18", "shareMeets": 70 + (n % 20) as i64}),
            single: |r, rel, _| r == "namnd" && rel != Rel::Elsewhere,
        },
        Case {
            field: "setRetentionPeriod",
            input_type: "SetRetentionPeriodInput",
            setup: Setup::Nothing,
            visibilities: ANY,
            rels: &[Rel::Own, Rel::Other, Rel::Elsewhere],
            input: |_, n| json!({"county": "18", "kind": "AUDIT_EVENT_ACTORS", "years": 5 + (n % 20) as i64}),
            single: |r, rel, _| r == "namnd" && rel != Rel::Elsewhere,
        },
    ]
}

pub fn id(v: &Value, path: &[&str]) -> Value {
    let v = path.iter().fold(v, |v, k| match k.parse::<usize>() {
        Ok(i) => &v[i],
        Err(_) => &v[*k],
    });
    assert!(v.is_string() || v.is_number(), "no {path:?} in the answer");
    v.clone()
}

/// Builds the records a case needs at `vis`, as their owners would through the API.
pub async fn build(app: &TestApp, setup: Setup, vis: &str, shared: &Fixture) -> Fixture {
    let owner = app.as_kommun("1880").editor_admin();
    let member = app.as_kommun("1881").editor_admin();
    let mut f = shared.clone();
    f.insert("visibility", json!(vis));
    let widened = vis != "PRIVATE";
    match setup {
        Setup::Nothing => {}
        Setup::Project | Setup::LiveProject | Setup::AgreedProject => {
            let d = owner
                .ok(
                    "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { project { id version participations { id } } } }",
                    json!({"i": {"title": "Fixtur", "visibility": vis, "budget": "1000"}}),
                )
                .await;
            let project = id(&d, &["createEServiceProject", "project", "id"]);
            let lead = id(
                &d,
                &["createEServiceProject", "project", "participations", "0", "id"],
            );
            f.insert("invitation", lead);
            let mut benefit_owner = "1880";
            if widened {
                let inv = |code: &str| json!({"i": {"projectId": project, "municipalityCode": code}});
                let doc = "mutation($i: InviteMunicipalityInput!) { inviteMunicipality(input: $i) { participation { id } } }";
                let part = id(
                    &owner.ok(doc, inv("1881")).await,
                    &["inviteMunicipality", "participation", "id"],
                );
                member
                    .ok(
                        "mutation($i: RespondToInvitationInput!) { respondToInvitation(input: $i) { __typename } }",
                        json!({"i": {"participationId": part, "accept": true}}),
                    )
                    .await;
                let invited = id(
                    &owner.ok(doc, inv("1860")).await,
                    &["inviteMunicipality", "participation", "id"],
                );
                f.insert("invitation", invited);
                benefit_owner = "1881";
            }
            let d = owner
                .ok(
                    "mutation($i: AddBenefitInput!) { addBenefit(input: $i) { benefit { id } } }",
                    json!({"i": {"projectId": project, "description": "Nytta", "category": "QUALITY", "kind": "QUALITATIVE", "ownerCode": benefit_owner}}),
                )
                .await;
            f.insert("benefit", id(&d, &["addBenefit", "benefit", "id"]));
            let mut version = 1;
            if setup == Setup::AgreedProject {
                let d = owner
                    .ok(
                        "mutation($i: SetCostSharingInput!) { setCostSharing(input: $i) { project { version } } }",
                        json!({"i": {"projectId": project, "version": version, "key": "PER_CAPITA"}}),
                    )
                    .await;
                version = d["setCostSharing"]["project"]["version"].as_i64().unwrap();
            }
            if setup == Setup::LiveProject || setup == Setup::AgreedProject {
                for to in ["PRE_STUDY", "PLANNING", "EXECUTION"] {
                    let d = owner
                        .ok(
                            "mutation($i: AdvanceProjectPhaseInput!) { advanceProjectPhase(input: $i) { project { version } } }",
                            json!({"i": {"id": project, "version": version, "toPhase": to, "decision": decision(to)}}),
                        )
                        .await;
                    version = d["advanceProjectPhase"]["project"]["version"].as_i64().unwrap();
                }
            }
            if setup == Setup::LiveProject && vis == "PUBLIC" {
                let d = owner
                    .ok(
                        "mutation($i: PublishEServiceInput!) { publishEService(input: $i) { publishedEService { id } } }",
                        json!({"i": {"projectId": project, "name": "Fixturtjänst", "url": "https://example.se/fixtur"}}),
                    )
                    .await;
                f.insert("entry", id(&d, &["publishEService", "publishedEService", "id"]));
            }
            f.insert("project", project);
            f.insert("version", json!(version));
        }
        Setup::Evaluation | Setup::ScoringEvaluation => {
            let d = owner
                .ok(
                    "mutation($i: CreateSourcingEvaluationInput!) { createSourcingEvaluation(input: $i) { evaluation { id criteria { id } } } }",
                    json!({"i": {"title": "Fixtur", "visibility": vis, "informationClass": {"confidentiality": 1, "integrity": 1, "availability": 1},
                        "criteria": [{"name": "Kostnad", "weight": 60}, {"name": "Säkerhet", "weight": 40}]}}),
                )
                .await;
            let e = id(&d, &["createSourcingEvaluation", "evaluation", "id"]);
            f.insert(
                "criterion",
                id(
                    &d,
                    &["createSourcingEvaluation", "evaluation", "criteria", "0", "id"],
                ),
            );
            let mut version = 1;
            for kind in ["IN_HOUSE", "CLOUD_SAAS"] {
                let d = owner
                    .ok(
                        "mutation($i: AddSourcingOptionInput!) { addSourcingOption(input: $i) { option { id } evaluation { version } } }",
                        json!({"i": {"evaluationId": e, "kind": kind, "oneOffCost": "0", "annualCost": "100", "contractYears": 3, "exitPlan": "Export"}}),
                    )
                    .await;
                f.insert("option", id(&d, &["addSourcingOption", "option", "id"]));
                version = d["addSourcingOption"]["evaluation"]["version"].as_i64().unwrap();
            }
            if widened {
                let doc =
                    "mutation($i: InviteCoEvaluatorInput!) { inviteCoEvaluator(input: $i) { __typename } }";
                owner
                    .ok(doc, json!({"i": {"evaluationId": e, "municipalityCode": "1881"}}))
                    .await;
                member
                    .ok(
                        "mutation($i: RespondToCoEvaluationInput!) { respondToCoEvaluation(input: $i) { __typename } }",
                        json!({"i": {"evaluationId": e, "accept": true}}),
                    )
                    .await;
                owner
                    .ok(doc, json!({"i": {"evaluationId": e, "municipalityCode": "1860"}}))
                    .await;
            }
            let read = "query($id: ID!) { node(id: $id) { ... on SourcingEvaluation { version } } }";
            version = owner.ok(read, json!({"id": e})).await["node"]["version"]
                .as_i64()
                .unwrap_or(version);
            if setup == Setup::ScoringEvaluation {
                let d = owner
                    .ok(
                        "mutation($i: SourcingTransitionInput!) { startScoring(input: $i) { evaluation { version } } }",
                        json!({"i": {"id": e, "version": version}}),
                    )
                    .await;
                version = d["startScoring"]["evaluation"]["version"].as_i64().unwrap();
            }
            f.insert("evaluation", e);
            f.insert("version", json!(version));
        }
        Setup::Window => {
            // A product of its own, so that no other fixture's contracts share its windows.
            let d = owner
                .ok(
                    crate::docs::inventory::PRODUCT,
                    json!({"input": {"vendorId": f["vendor"], "name": format!("Fönster {}", uuid::Uuid::new_v4()), "category": "HR"}}),
                )
                .await;
            f.insert("product", id(&d, &["createProduct", "product", "id"]));
            let today = chrono::Utc::now().date_naive();
            for (who, months) in [(&owner, 2), (&member, 4)] {
                let end = today + chrono::Months::new(months);
                who.ok(
                    "mutation($i: SystemInstanceInput!) { registerSystemInstance(input: $i) { __typename } }",
                    json!({"i": {"productId": f["product"], "hosting": "CLOUD_SAAS", "dataLocation": "SWEDEN",
                        "visibility": vis, "contractEnd": end.to_string(), "annualCost": "1000"}}),
                )
                .await;
            }
            let d = owner
                .ok(
                    "{ procurementWindows(minKommuner: 1) { id product { id } } }",
                    json!({}),
                )
                .await;
            let window = d["procurementWindows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|w| w["product"]["id"] == f["product"])
                .expect("the owner sees the window of its product")["id"]
                .clone();
            f.insert("window", window);
        }
        Setup::Systems => {
            let doc = "mutation($i: SystemInstanceInput!) { registerSystemInstance(input: $i) { systemInstance { id } } }";
            let mut ids = Vec::new();
            for _ in 0..2 {
                let d = owner
                    .ok(doc, json!({"i": {"productId": f["product"], "hosting": "OWN_DATACENTER", "dataLocation": "SWEDEN", "visibility": vis}}))
                    .await;
                ids.push(id(&d, &["registerSystemInstance", "systemInstance", "id"]));
            }
            let d = owner
                .ok(
                    "mutation($i: AddIntegrationInput!) { addIntegration(input: $i) { integration { id } } }",
                    json!({"i": {"fromInstanceId": ids[0], "toInstanceId": ids[1], "protocol": "REST"}}),
                )
                .await;
            f.insert("integration", id(&d, &["addIntegration", "integration", "id"]));
            f.insert("system", ids[0].clone());
            f.insert("system2", ids[1].clone());
        }
        Setup::Document => {
            let d = owner
                .ok(
                    "mutation($i: GoverningDocumentInput!) { createGoverningDocument(input: $i) { document { id } } }",
                    json!({"i": {"kind": "IT_STRATEGY", "title": "Fixtur", "adoptingBody": "KF", "bodyKind": "ELECTED", "decidedOn": "2025-01-01", "visibility": vis}}),
                )
                .await;
            f.insert("document", id(&d, &["createGoverningDocument", "document", "id"]));
        }
        Setup::Holder => {
            let d = owner
                .ok(
                    "mutation($i: CreateRoleHolderInput!) { createRoleHolder(input: $i) { person { id } } }",
                    json!({"i": {"displayName": "Fixturperson"}}),
                )
                .await;
            f.insert("holder", id(&d, &["createRoleHolder", "person", "id"]));
        }
        Setup::Initiative | Setup::SubmittedInitiative => {
            let d = owner
                .ok(
                    "mutation($i: CreateVendorInitiativeInput!) { createVendorInitiative(input: $i) { initiative { id } } }",
                    json!({"i": {"title": "Fixtur", "vendorId": f["vendor"], "visibility": vis}}),
                )
                .await;
            let i = id(&d, &["createVendorInitiative", "initiative", "id"]);
            let transition = "mutation($i: TransitionVendorInitiativeInput!) { transitionVendorInitiative(input: $i) { initiative { version } } }";
            let d = owner
                .ok(
                    transition,
                    json!({"i": {"id": i, "version": 1, "to": "OPEN_FOR_SUPPORT"}}),
                )
                .await;
            let mut version = d["transitionVendorInitiative"]["initiative"]["version"]
                .as_i64()
                .unwrap();
            if vis == "COUNTY" {
                member
                    .ok(
                        "mutation($i: SupportVendorInitiativeInput!) { supportVendorInitiative(input: $i) { __typename } }",
                        json!({"i": {"initiativeId": i}}),
                    )
                    .await;
            }
            if setup == Setup::SubmittedInitiative {
                let d = owner
                    .ok(
                        transition,
                        json!({"i": {"id": i, "version": version, "to": "SUBMITTED"}}),
                    )
                    .await;
                version = d["transitionVendorInitiative"]["initiative"]["version"]
                    .as_i64()
                    .unwrap();
            }
            f.insert("initiative", i);
            f.insert("version", json!(version));
        }
    }
    f
}

/// What every fixture shares: a vendor and a product of Örebro's.
pub async fn shared_fixture(app: &TestApp) -> Fixture {
    let orebro = app.as_kommun("1880").editor_admin();
    let mut shared = Fixture::new();
    let d = orebro
        .ok(
            crate::docs::inventory::VENDOR,
            json!({"input": {"name": "Matrisleverantör AB", "orgNumber": "5566778899"}}),
        )
        .await;
    shared.insert("vendor", id(&d, &["createVendor", "vendor", "id"]));
    let d = orebro
        .ok(
            crate::docs::inventory::PRODUCT,
            json!({"input": {"vendorId": shared["vendor"], "name": "Matrisprodukt", "category": "HR"}}),
        )
        .await;
    shared.insert("product", id(&d, &["createProduct", "product", "id"]));
    shared
}

/// The names of every mutation in the schema.
pub async fn schema_mutations(c: &Caller<'_>) -> BTreeSet<String> {
    let schema = c
        .ok("{ __schema { mutationType { fields { name } } } }", json!({}))
        .await;
    schema["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}
