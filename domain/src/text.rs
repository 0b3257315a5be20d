//! Text a client sends, bounded as docs/domain.md "Details settled" says: no control characters
//! (NUL and U+0001–U+001F, U+007F; tab and newline only in long texts), within a length, and
//! trimmed. Every text argument of every mutation and filter is read through [`parse`], so a
//! NUL byte or a megabyte of search text is a precise `BAD_USER_INPUT` naming the field,
//! never a stored surprise or a database error.

/// How a text may look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One line: titles, names, codes, searches. No control characters at all.
    Line,
    /// Running text: descriptions, summaries, comments. Tab and newline allowed (a carriage
    /// return is not: docs/domain.md allows only these two, and a spreadsheet cell starting with
    /// one is a formula vector).
    Long,
}

/// Search strings, docs/domain.md: at most 200 characters.
pub const MAX_SEARCH: usize = 200;

/// The trimmed text, or why it cannot be taken (the message follows the field's name).
pub fn parse(value: &str, max: usize, required: bool, shape: Shape) -> Result<String, String> {
    let bad = value.chars().find(|c| {
        let control = c.is_control();
        match shape {
            Shape::Line => control,
            Shape::Long => control && !matches!(c, '\t' | '\n'),
        }
    });
    if let Some(c) = bad {
        return Err(format!(
            "must not contain control characters (found U+{:04X})",
            c as u32
        ));
    }
    let v = value.trim();
    if required && v.is_empty() {
        return Err("must not be empty".into());
    }
    let n = v.chars().count();
    if n > max {
        return Err(format!("is longer than {max} characters ({n})"));
    }
    Ok(v.to_owned())
}

/// A search string: one line of at most [`MAX_SEARCH`] characters; empty means no search.
pub fn search(value: &str) -> Result<Option<String>, String> {
    let v = parse(value, MAX_SEARCH, false, Shape::Line)?;
    Ok((!v.is_empty()).then_some(v))
}

/// `bytes` in lowercase hexadecimal, two digits a byte: digests, ids and index tokens.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hex_spells_every_byte_in_two_lowercase_digits() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(hex("zä".as_bytes()), "7ac3a4");
    }

    #[test]
    fn control_characters_are_refused_and_running_text_keeps_its_lines() {
        assert!(
            parse("a\0b", 200, true, Shape::Line)
                .unwrap_err()
                .contains("U+0000")
        );
        assert!(parse("a\u{1}", 200, true, Shape::Long).is_err());
        assert!(parse("rad 1\nrad 2", 200, true, Shape::Line).is_err());
        assert_eq!(
            parse("  rad 1\n\trad 2 ", 200, true, Shape::Long).unwrap(),
            "rad 1\n\trad 2"
        );
        assert!(parse("   ", 200, true, Shape::Line).is_err());
        assert_eq!(
            parse("Ärendehantering", 15, true, Shape::Line).unwrap(),
            "Ärendehantering"
        );
        assert!(parse(&"å".repeat(201), 200, true, Shape::Line).is_err());
        assert_eq!(search("").unwrap(), None);
        assert!(search(&"x".repeat(201)).is_err());
    }

    proptest! {
        #[test]
        fn whatever_is_sent_the_answer_is_clean_text_or_a_reason(s in "\\PC*|[\\x00-\\x1f]{0,5}.*") {
            match parse(&s, 200, false, Shape::Long) {
                Ok(v) => {
                    prop_assert!(v.chars().count() <= 200);
                    prop_assert!(!v.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n')));
                }
                Err(m) => prop_assert!(!m.is_empty()),
            }
        }
    }
}
