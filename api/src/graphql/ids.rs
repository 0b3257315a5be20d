//! Opaque global ids (Relay): `base64url("Kind:id")`.
use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{
    domain::RecordKind,
    error::{ApiError, ApiResult},
};

/// The global id of a record of `kind`.
pub fn encode(kind: RecordKind, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The kind and database id inside a global id, or `None` if it is not one of ours.
pub fn decode_any(id: &ID) -> Option<(RecordKind, i64)> {
    let raw = URL_SAFE_NO_PAD.decode(id.as_str()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, n) = text.split_once(':')?;
    Some((kind.parse().ok()?, n.parse().ok()?))
}

/// The database id inside a global id that must be of `kind`; `field` names the input.
pub fn decode(field: &str, kind: RecordKind, id: &ID) -> ApiResult<i64> {
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
        let id = encode(RecordKind::EServiceProject, 7);
        assert_eq!(decode("id", RecordKind::EServiceProject, &id).ok(), Some(7));
        assert!(decode("id", RecordKind::Municipality, &id).is_err());
        assert!(decode("id", RecordKind::EServiceProject, &ID("garbage".into())).is_err());
    }
}
