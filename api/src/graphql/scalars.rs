//! Scalars with the names docs/api.md promises: `Date` and `Decimal`.
use crate::domain::cost_sharing::BasisPoints;
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date in ISO 8601 (`2026-11-24`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601, e.g. "2026-11-24".
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

/// An exact decimal number, always written as a string (`"1234.50"`): amounts in SEK,
/// percentages, measured values. Given as a JSON or GraphQL number it is refused, because a
/// number may already have lost digits to floating point before the server sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Decimal(pub rust_decimal::Decimal);

/// An exact decimal number written as a string, e.g. "1234.50" (amounts in SEK, percentages,
/// measured values). A JSON or GraphQL number is refused: it may already have lost digits to
/// floating point before the server reads it.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .trim()
                .parse::<rust_decimal::Decimal>()
                .map(Decimal)
                .map_err(|_| InputValueError::custom(format!("'{s}' is not a decimal number"))),
            Value::Number(n) => Err(InputValueError::custom(format!(
                "give decimals as strings (\"{n}\"), not numbers: a number may already have lost digits to floating point"
            ))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(d: rust_decimal::Decimal) -> Self {
        Self(d)
    }
}

impl std::ops::Deref for Decimal {
    type Target = rust_decimal::Decimal;
    fn deref(&self) -> &rust_decimal::Decimal {
        &self.0
    }
}

/// A percentage with at most two decimals, as basis points.
pub fn percent_to_bp(field: &str, d: Decimal) -> crate::error::ApiResult<BasisPoints> {
    use rust_decimal::prelude::ToPrimitive;
    let bp = d.0 * rust_decimal::Decimal::from(100);
    Some(bp)
        .filter(|bp| bp.fract().is_zero())
        .and_then(|bp| bp.to_i64())
        .and_then(|bp| BasisPoints::new(bp).ok())
        .ok_or_else(|| {
            crate::error::ApiError::input(
                field,
                "must be a percentage from 0 to 100 with at most two decimals",
            )
        })
}

/// Basis points as a percentage.
pub fn bp_to_percent(bp: impl Into<i64>) -> Decimal {
    Decimal(rust_decimal::Decimal::new(bp.into(), 2))
}
