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

/// The mean of some ratios, `None` for none (see [`Realizations`]).
pub fn mean(values: &[Ratio<i128>]) -> Option<Ratio<i128>> {
    let mut all = Realizations::default();
    values.iter().for_each(|r| all.add(*r));
    all.mean()
}

/// Twelve decimals of a realisation.
const E12: i128 = 1_000_000_000_000;

/// A running mean of realisations: each is taken to twelve decimals (half away from zero) and
/// the sum of those is exact. An exact sum of the ratios themselves would need the least
/// common multiple of every span as its denominator, which leaves `i128` after a few dozen
/// benefits with different spans; twelve decimals keep a county's sum in range (a term is
/// below 2·10³⁰ in size, so 8·10⁷ of them fit) and the mean, read to two decimals of a
/// percent, differs from the exact one only within 10⁻⁸ of a rounding boundary. The sum is
/// an integer, so the mean does not depend on the order of the terms or how they were
/// grouped ([`Self::merge`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Realizations {
    sum_e12: i128,
    n: i128,
}

impl Realizations {
    /// Counts one realisation.
    pub fn add(&mut self, r: Ratio<i128>) {
        let term = (r * Ratio::from_integer(E12)).round().to_integer();
        self.sum_e12 = self.sum_e12.saturating_add(term);
        self.n += 1;
    }

    /// Counts another group's realisations too.
    pub fn merge(&mut self, other: Self) {
        self.sum_e12 = self.sum_e12.saturating_add(other.sum_e12);
        self.n += other.n;
    }

    /// The mean, `None` for none.
    pub fn mean(&self) -> Option<Ratio<i128>> {
        (self.n > 0).then(|| Ratio::new(self.sum_e12, self.n * E12))
    }
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
    fn means_of_many_spans_stay_in_range_and_round_as_the_exact_mean() {
        // Spans 1000..1400 and thirds of them: an exact sum of these ratios has a
        // denominator far beyond i128 (it overflowed at the first hundred).
        let values: Vec<_> = (1000..1400)
            .map(|s| realization(m(0), Measure(s), Measure(s / 3)).unwrap())
            .collect();
        let exact: f64 = values
            .iter()
            .map(|r| *r.numer() as f64 / *r.denom() as f64)
            .sum::<f64>()
            / values.len() as f64;
        let got = mean(&values).map(percent).unwrap();
        assert_eq!(
            got,
            Decimal::from_f64_retain((exact * 10_000.0).round() / 100.0)
                .unwrap()
                .round_dp(2)
        );
        // Grouped and merged, the same mean.
        let (a, b) = values.split_at(123);
        let (mut x, mut y) = (Realizations::default(), Realizations::default());
        a.iter().for_each(|r| x.add(*r));
        b.iter().for_each(|r| y.add(*r));
        x.merge(y);
        assert_eq!(x.mean().map(percent), Some(got));
        assert_eq!(Realizations::default().mean(), None);
    }

    #[test]
    fn measures_keep_four_decimals() {
        assert!(Measure::parse(Decimal::new(12345, 5)).is_err());
        assert_eq!(Measure::parse(Decimal::new(12345, 4)).map(|m| m.e4()), Ok(12345));
    }
}
