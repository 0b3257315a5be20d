//! The benefit documents the tests send.
pub const ADD_BENEFIT: &str = r#"mutation($input: AddBenefitInput!) {
  addBenefit(input: $input) { benefit { id realizationPercent } project { benefitRealizationPercent } } }"#;
pub const FOLLOW_UP: &str = r#"mutation($input: RecordBenefitFollowUpInput!) {
  recordBenefitFollowUp(input: $input) { followUp { id value } project { benefitRealizationPercent } } }"#;
