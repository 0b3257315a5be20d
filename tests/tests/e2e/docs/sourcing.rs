//! The sourcing documents the tests send, and small steps built from them.
use serde_json::{Value, json};

use crate::helpers::Caller;

pub const CREATE: &str = r#"mutation($input: CreateSourcingEvaluationInput!) {
  createSourcingEvaluation(input: $input) { evaluation { id version state criteria { id code weight } } } }"#;
pub const ADD_OPTION: &str = r#"mutation($input: AddSourcingOptionInput!) {
  addSourcingOption(input: $input) { option { id kind } evaluation { version } } }"#;
pub const SET_CRITERIA: &str = r#"mutation($input: SetSourcingCriteriaInput!) {
  setSourcingCriteria(input: $input) { evaluation { version criteria { id code weight } } } }"#;
pub const INVITE: &str = r#"mutation($input: InviteCoEvaluatorInput!) {
  inviteCoEvaluator(input: $input) { coEvaluator { state municipality { code } } } }"#;
pub const RESPOND: &str = r#"mutation($input: RespondToCoEvaluationInput!) {
  respondToCoEvaluation(input: $input) { coEvaluator { state } } }"#;
pub const START: &str = r#"mutation($input: SourcingTransitionInput!) {
  startScoring(input: $input) { evaluation { state version } } }"#;
pub const SCORE: &str = r#"mutation($input: ScoreSourcingOptionInput!) {
  scoreSourcingOption(input: $input) { score { score rationale municipality { code } } } }"#;
pub const DECIDE: &str = r#"mutation($input: DecideSourcingEvaluationInput!) {
  decideSourcingEvaluation(input: $input) { evaluation { state decision { option { kind } diarienummer justification } } } }"#;
pub const READ: &str = r#"query($id: ID!) { node(id: $id) { ... on SourcingEvaluation {
  state version
  scores { score municipality { code } optionId criterionId }
  result {
    winner { kind } tied complete robust
    ranking { option { kind } weightedScore rank totalCostOfOwnership scoredBy }
    missing { municipality { code } }
    riskFlags { code blocking message option { kind } }
    flips { change criterion { code } newWinner { kind } }
  } } } }"#;

pub async fn read(c: &Caller<'_>, id: &str) -> Value {
    c.gql(READ, json!({"id": id})).await.body["data"]["node"].clone()
}

pub async fn version(c: &Caller<'_>, id: &str) -> i64 {
    read(c, id).await["version"].as_i64().unwrap()
}

/// Scores options (in the order given) on the three criteria.
pub async fn score_all(c: &Caller<'_>, options: &[String], criteria: &[String], scores: [[i64; 3]; 3]) {
    for (o, row) in options.iter().zip(scores) {
        for (cr, s) in criteria.iter().zip(row) {
            c.ok(
                SCORE,
                json!({"input": {"optionId": o, "criterionId": cr, "score": s, "rationale": "bedömning"}}),
            )
            .await;
        }
    }
}
