use rust_decimal::Decimal;

/// An amount in Swedish kronor, held as whole öre so that sums are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Sek(i64);

/// The largest amount accepted: one hundred billion kronor, far above any municipal budget,
/// low enough that sums over thousands of projects cannot overflow.
const MAX_ORE: i64 = 100_000_000_000 * 100;

impl Sek {
    /// An amount from whole öre.
    pub fn from_ore(ore: i64) -> Self {
        Self(ore)
    }

    /// Parses a non-negative decimal amount with at most two decimals (öre).
    pub fn parse_budget(d: Decimal) -> Result<Self, String> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err("must not be negative".into());
        }
        let scaled = d * Decimal::from(100);
        if scaled.fract() != Decimal::ZERO {
            return Err("has more than two decimals (whole öre)".into());
        }
        let ore = i64::try_from(scaled.trunc()).map_err(|_| "is too large".to_string())?;
        if ore > MAX_ORE {
            return Err("is too large".into());
        }
        Ok(Self(ore))
    }

    /// Whole öre.
    pub fn ore(self) -> i64 {
        self.0
    }

    /// The amount as a decimal number of kronor with two decimals.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn parses_kronor_and_ore() {
        let d = Decimal::from_str("1250000.50").unwrap_or_default();
        assert_eq!(Sek::parse_budget(d).map(Sek::ore), Ok(125_000_050));
        assert_eq!(Sek::from_ore(125_000_050).to_decimal().to_string(), "1250000.50");
    }

    #[test]
    fn refuses_fractions_of_ore_and_negatives() {
        assert!(Sek::parse_budget(Decimal::from_str("1.005").unwrap_or_default()).is_err());
        assert!(Sek::parse_budget(Decimal::from(-1)).is_err());
        assert!(Sek::parse_budget(Decimal::from(i64::MAX)).is_err());
    }
}
