//! Scalars with the names API.md promises (`Date`; `Decimal` comes from async-graphql).
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date in ISO 8601 (`2026-11-24`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("'{s}' is not an ISO 8601 date (YYYY-MM-DD)"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A percentage with at most two decimals, as basis points.
pub fn percent_to_bp(field: &str, d: rust_decimal::Decimal) -> crate::error::ApiResult<i32> {
    let bp = d * rust_decimal::Decimal::from(100);
    if bp.fract() != rust_decimal::Decimal::ZERO
        || d < rust_decimal::Decimal::ZERO
        || d > rust_decimal::Decimal::from(100)
    {
        return Err(crate::error::ApiError::input(
            field,
            "must be a percentage from 0 to 100 with at most two decimals",
        ));
    }
    i32::try_from(bp.trunc()).map_err(|_| crate::error::ApiError::input(field, "is out of range"))
}

/// Basis points as a percentage.
pub fn bp_to_percent(bp: i32) -> rust_decimal::Decimal {
    rust_decimal::Decimal::new(bp as i64, 2)
}
