//! Nyttor and effektbokslut: benefits with a baseline and a target, and how far they are
//! realised.
use num_rational::Ratio;
use rust_decimal::Decimal;

use super::project::text_enum;

text_enum!(
    /// What a benefit improves.
    BenefitCategory {
        /// Nytta för invånarna.
        Citizen = "CITIZEN",
        /// Produktivitet.
        Productivity = "PRODUCTIVITY",
        /// Kvalitet.
        Quality = "QUALITY",
        /// Arbetssätt.
        WorkMethods = "WORK_METHODS",
        /// Ekonomi.
        Economic = "ECONOMIC",
    }
);

text_enum!(
    /// Whether a benefit is measured.
    BenefitKind {
        /// Kvantitativ: in SEK, time or another unit.
        Quantitative = "QUANTITATIVE",
        /// Kvalitativ: described, not measured.
        Qualitative = "QUALITATIVE",
    }
);

/// A measured value, held in ten-thousandths so that it stays exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Measure(i64);

impl Measure {
    /// From stored ten-thousandths.
    pub fn from_e4(v: i64) -> Self {
        Self(v)
    }

    /// Parses a decimal with at most four decimals.
    pub fn parse(d: Decimal) -> Result<Self, String> {
        let scaled = d * Decimal::from(10_000);
        if scaled.fract() != Decimal::ZERO {
            return Err("has more than four decimals".into());
        }
        i64::try_from(scaled.trunc())
            .ok()
            .filter(|v| v.unsigned_abs() < 1_000_000_000_000_000)
            .map(Self)
            .ok_or_else(|| "is out of range".into())
    }

    /// Stored ten-thousandths.
    pub fn e4(self) -> i64 {
        self.0
    }

    /// As a decimal.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 4).normalize()
    }
}

/// The order of a benefit's follow-ups: by the date measured, and of two on one date the one
/// entered last (the higher id) after; the latest follow-up is the last in this order.
pub fn follow_up_order(measured_on: chrono::NaiveDate, id: i64) -> (chrono::NaiveDate, i64) {
    (measured_on, id)
}

/// How far a benefit has come from its baseline towards its target:
/// (latest − baseline) / (target − baseline). Works for targets below the baseline (e.g.
/// shorter handling time). `None` when target and baseline are equal.
pub fn realization(baseline: Measure, target: Measure, latest: Measure) -> Option<Ratio<i128>> {
    let span = target.0 as i128 - baseline.0 as i128;
    (span != 0).then(|| Ratio::new(latest.0 as i128 - baseline.0 as i128, span))
}

/// A ratio as a percentage with two decimals.
pub fn percent(r: Ratio<i128>) -> Decimal {
    let hundredths = (r * Ratio::from_integer(10_000)).round().to_integer();
    Decimal::from_i128_with_scale(hundredths, 2)
}

/// The mean of some ratios, `None` for none.
pub fn mean(values: &[Ratio<i128>]) -> Option<Ratio<i128>> {
    if values.is_empty() {
        return None;
    }
    let sum = values.iter().fold(Ratio::from_integer(0), |a, b| a + b);
    Some(sum / Ratio::from_integer(values.len() as i128))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: i64) -> Measure {
        Measure::from_e4(v * 10_000)
    }

    #[test]
    fn realization_runs_from_baseline_to_target() {
        assert_eq!(
            realization(m(100), m(200), m(150)).map(percent),
            Some(Decimal::new(5000, 2))
        );
        assert_eq!(
            realization(m(100), m(200), m(250)).map(percent),
            Some(Decimal::new(15000, 2))
        );
        assert_eq!(
            realization(m(100), m(200), m(90)).map(percent),
            Some(Decimal::new(-1000, 2))
        );
    }

    #[test]
    fn a_target_below_the_baseline_counts_reductions_as_progress() {
        // Handling time from 10 days to 6: at 8 days half the way is done.
        assert_eq!(
            realization(m(10), m(6), m(8)).map(percent),
            Some(Decimal::new(5000, 2))
        );
        assert_eq!(
            realization(m(10), m(6), m(12)).map(percent),
            Some(Decimal::new(-5000, 2))
        );
        assert_eq!(realization(m(10), m(10), m(8)), None);
    }

    #[test]
    fn thirds_round_to_two_decimals_and_means_are_exact() {
        let third = realization(m(0), m(3), m(1)).unwrap();
        assert_eq!(percent(third), Decimal::new(3333, 2));
        let two_thirds = realization(m(0), m(3), m(2)).unwrap();
        assert_eq!(
            mean(&[third, two_thirds]).map(percent),
            Some(Decimal::new(5000, 2))
        );
    }

    #[test]
    fn measures_keep_four_decimals() {
        assert!(Measure::parse(Decimal::new(12345, 5)).is_err());
        assert_eq!(Measure::parse(Decimal::new(12345, 4)).map(|m| m.e4()), Ok(12345));
    }
}
