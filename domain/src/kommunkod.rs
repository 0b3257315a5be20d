use std::fmt;

/// A kommunkod: SCB's four-digit municipality code, e.g. `1880` for Örebro.
///
/// The first two digits are the länskod of the county the kommun belongs to.
///
/// It is the municipality table's column type: only `parse` makes one, so a stored code was
/// checked when it was written (the reference data is seeded through it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, sea_orm::DeriveValueType, serde::Serialize)]
#[serde(transparent)]
pub struct Kommunkod(String);

impl Kommunkod {
    /// Parses a code, refusing anything but exactly four ASCII digits with a county part
    /// between 01 and 25 (the range SCB uses).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "'{s}' is not a kommunkod: expected four digits, e.g. 1880"
            ));
        }
        let county: u8 = s[..2].parse().map_err(|_| format!("'{s}' is not a kommunkod"))?;
        if !(1..=25).contains(&county) {
            return Err(format!(
                "'{s}' is not a kommunkod: länskod {county:02} does not exist"
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-digit länskod of the county.
    pub fn county_code(&self) -> &str {
        &self.0[..2]
    }
}

impl fmt::Display for Kommunkod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_codes() {
        assert_eq!(
            Kommunkod::parse("1880").map(|k| k.county_code().to_owned()),
            Ok("18".into())
        );
        assert!(Kommunkod::parse(" 0114 ").is_ok());
    }

    #[test]
    fn refuses_malformed_codes() {
        for bad in ["188", "18800", "18a0", "", "0080", "2601", "１８８０"] {
            assert!(Kommunkod::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
