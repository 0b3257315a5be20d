//! The benefit documents the tests send.
pub const ADD_BENEFIT: &str = r#"mutation($input: AddBenefitInput!) {
  addBenefit(input: $input) { benefit { id realizationPercent } project { benefitRealizationPercent } } }"#;
pub const FOLLOW_UP: &str = r#"mutation($input: RecordBenefitFollowUpInput!) {
  recordBenefitFollowUp(input: $input) { followUp { id value } project { benefitRealizationPercent } } }"#;

/// Records `value` for `benefit` measured on `date`, as `c`.
pub async fn follow_up(c: &crate::helpers::Caller<'_>, benefit: &str, date: &str, value: &str) {
    c.ok(
        FOLLOW_UP,
        serde_json::json!({"input": {"benefitId": benefit, "date": date, "value": value}}),
    )
    .await;
}
