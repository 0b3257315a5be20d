use std::fmt;

/// An organisationsnummer: ten digits whose last is a Luhn check digit, written
/// `NNNNNN-NNNN`. Both `556677-8899` and `5566778899` are accepted; the hyphenated form is
/// stored.
///
/// It is the vendor table's column type: only `parse` makes one, so a stored number was
/// checked when it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, sea_orm::DeriveValueType, serde::Serialize)]
#[serde(transparent)]
pub struct OrgNumber(String);

fn luhn_ok(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = *d as u32;
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl OrgNumber {
    /// Parses and checks a number.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let digits: String = match (t.len(), t.find('-')) {
            (10, None) => t.to_owned(),
            (11, Some(6)) => t.replacen('-', "", 1),
            _ => {
                return Err(format!(
                    "'{t}' is not an organisationsnummer: expected 10 digits, e.g. 556677-8899"
                ));
            }
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "'{t}' is not an organisationsnummer: only digits and one hyphen"
            ));
        }
        let bytes: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
        if !luhn_ok(&bytes) {
            return Err(format!("'{t}' has a wrong check digit (Luhn)"));
        }
        Ok(Self(format!("{}-{}", &digits[..6], &digits[6..])))
    }

    /// The stored form, `NNNNNN-NNNN`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_both_spellings_and_stores_one() {
        // 212000-1355 is a public authority's number with a valid check digit.
        assert_eq!(
            OrgNumber::parse("2120001355").map(|o| o.to_string()),
            Ok("212000-1355".into())
        );
        assert_eq!(
            OrgNumber::parse("212000-1355").map(|o| o.to_string()),
            Ok("212000-1355".into())
        );
        assert_eq!(
            OrgNumber::parse("5566778899").map(|o| o.to_string()),
            Ok("556677-8899".into())
        );
        assert_eq!(
            OrgNumber::parse("556677-8898").map(|o| o.to_string()),
            Err("'556677-8898' has a wrong check digit (Luhn)".into())
        );
    }

    #[test]
    fn refuses_wrong_lengths_letters_and_check_digits() {
        for bad in [
            "212000-1354",
            "21200013",
            "2120-001355",
            "21200a1355",
            "212000--355",
            "",
        ] {
            assert!(OrgNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
