//! Opaque global ids (Relay): `base64url("Kind:id")`.
use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::{ApiError, ApiResult};

/// The global id of a record of `kind`.
pub fn encode(kind: &str, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The kind and database id inside a global id, or `None` if it is not one of ours.
pub fn decode_any(id: &ID) -> Option<(String, i64)> {
    let raw = URL_SAFE_NO_PAD.decode(id.as_str()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, n) = text.split_once(':')?;
    Some((kind.to_owned(), n.parse().ok()?))
}

/// The database id inside a global id that must be of `kind`; `field` names the input.
pub fn decode(field: &str, kind: &str, id: &ID) -> ApiResult<i64> {
    match decode_any(id) {
        Some((k, n)) if k == kind => Ok(n),
        Some((k, _)) => Err(ApiError::input(
            field,
            format!("expected the id of a {kind}, got one of a {k}"),
        )),
        None => Err(ApiError::input(field, "is not an id this service handed out")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_kinds_are_checked() {
        let id = encode("EServiceProject", 7);
        assert_eq!(decode("id", "EServiceProject", &id).ok(), Some(7));
        assert!(decode("id", "Municipality", &id).is_err());
        assert!(decode("id", "EServiceProject", &ID("garbage".into())).is_err());
    }
}
