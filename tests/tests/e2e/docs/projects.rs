//! The project documents the tests send, and small steps built from them.
use serde_json::{Value, json};

use crate::helpers::Caller;

pub const CREATE: &str = r#"
mutation($input: CreateEServiceProjectInput!) {
  createEServiceProject(input: $input) { project { id version phase visibility budget owner { code } } }
}"#;

pub const PROJECT: &str = r#"
query($id: ID!) {
  node(id: $id) {
    ... on EServiceProject {
      id title version phase health visibility budget
      owner { code name }
      participations { id role state customPercent municipality { code } }
      costSharing { key mixedEqualPercent customPercentTotal complete }
      costShares { municipality { code } percent amount }
      decisions { fromPhase toPhase date decidingBody diarienummer summary recordedBy { code } }
      statusReports { date health summary }
    }
  }
}"#;

pub const INVITE: &str = r#"
mutation($input: InviteMunicipalityInput!) {
  inviteMunicipality(input: $input) { participation { id role state municipality { code } } }
}"#;

pub const RESPOND: &str = r#"
mutation($input: RespondToInvitationInput!) {
  respondToInvitation(input: $input) { participation { id state } project { id } }
}"#;

pub const ADVANCE: &str = r#"
mutation($input: AdvanceProjectPhaseInput!) {
  advanceProjectPhase(input: $input) { project { phase version } decision { id fromPhase toPhase } }
}"#;

pub const SET_COST: &str = r#"
mutation($input: SetCostSharingInput!) {
  setCostSharing(input: $input) { project { version costSharing { key complete customPercentTotal } costShares { municipality { code } percent amount } } }
}"#;

pub const UPDATE: &str = r#"
mutation($input: UpdateEServiceProjectInput!) {
  updateEServiceProject(input: $input) { project { id version title visibility budget } }
}"#;

pub const CANCEL: &str = r#"
mutation($input: CancelEServiceProjectInput!) {
  cancelEServiceProject(input: $input) { project { phase version } }
}"#;

pub const STATUS: &str = r#"
mutation($input: AddStatusReportInput!) {
  addStatusReport(input: $input) { statusReport { id health } project { health version } }
}"#;

pub const WITHDRAW: &str = r#"
mutation($input: WithdrawFromProjectInput!) {
  withdrawFromProject(input: $input) { participation { state } }
}"#;

pub const PUBLISH: &str = r#"
mutation($input: PublishEServiceInput!) {
  publishEService(input: $input) { publishedEService { id name url municipality { code } } }
}"#;

pub const CATALOGUE: &str = r#"
query($filter: PublishedEServiceFilter) {
  publishedEServices(filter: $filter) { totalCount edges { node { id name url municipality { code } offeredBy { code } } } }
}"#;

pub const LIST: &str = r#"
query($first: Int, $after: String, $last: Int, $before: String, $filter: ProjectFilter, $orderBy: ProjectOrder) {
  eServiceProjects(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title owner { name } participations { municipality { name } } } }
  }
}"#;

/// A decision record for tollgates.
pub fn decision(summary: &str) -> Value {
    json!({"date": "2026-11-20", "decidingBody": "Gemensam nämnd för e-tjänster", "diarienummer": "GN 2026/17", "summary": summary})
}

/// Creates a project and returns its id and version.
pub async fn create(c: &Caller<'_>, title: &str, visibility: &str, budget: &str) -> (String, i64) {
    let d = c.ok(CREATE, json!({"input": {"title": title, "visibility": visibility, "budget": budget, "tags": ["bygglov"]}})).await;
    let p = &d["createEServiceProject"]["project"];
    (
        p["id"].as_str().unwrap().to_owned(),
        p["version"].as_i64().unwrap(),
    )
}

/// Invites `code` and returns the participation id.
pub async fn invite(c: &Caller<'_>, project: &str, code: &str, role: &str) -> String {
    let d = c
        .ok(
            INVITE,
            json!({"input": {"projectId": project, "municipalityCode": code, "role": role}}),
        )
        .await;
    d["inviteMunicipality"]["participation"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Answers an invitation as the invited kommun's caller `c`.
pub async fn answer(c: &Caller<'_>, participation: &str, accept: bool) {
    c.ok(
        RESPOND,
        json!({"input": {"participationId": participation, "accept": accept}}),
    )
    .await;
}

/// Reads a project through `node` and returns it (null if not visible).
pub async fn project(c: &Caller<'_>, id: &str) -> Value {
    c.gql(PROJECT, json!({"id": id})).await.body["data"]["node"].clone()
}

/// The current version of a project as `c` sees it.
pub async fn version(c: &Caller<'_>, id: &str) -> i64 {
    project(c, id).await["version"].as_i64().unwrap()
}

/// Moves a project one tollgate forward.
pub async fn advance(c: &Caller<'_>, id: &str, to: &str) -> i64 {
    let v = version(c, id).await;
    let d = c.ok(ADVANCE, json!({"input": {"id": id, "version": v, "toPhase": to, "decision": decision(&format!("Till {to}"))}})).await;
    d["advanceProjectPhase"]["project"]["version"].as_i64().unwrap()
}
