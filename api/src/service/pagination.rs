//! Keyset (cursor) pagination shared by every connection.
//!
//! A cursor holds the sort key and the id of a row; the next page is the rows strictly after
//! it in the query's order, so a page costs the same however deep it is.
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select,
    sea_query::IntoCondition,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

/// The page size when the client gives none.
pub const DEFAULT_PAGE: u64 = 20;
/// The largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;

/// The position of a row in a keyset order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort key when the order is not by id alone.
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(rename = "i")]
    pub id: i64,
}

impl Cursor {
    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(field: &str, s: &str) -> ApiResult<Self> {
        URL_SAFE_NO_PAD
            .decode(s)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| ApiError::input(field, "is not a cursor this service handed out"))
    }
}

/// Relay's paging arguments as the client sent them.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// A validated page request.
#[derive(Clone, Debug)]
pub struct PageRequest {
    /// Walking the order forwards (`first`) or backwards (`last`).
    pub forward: bool,
    pub limit: u64,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
}

fn size(field: &str, n: i32) -> ApiResult<u64> {
    if n < 0 || n as u64 > MAX_PAGE {
        return Err(ApiError::input(
            field,
            format!("must be between 0 and {MAX_PAGE}"),
        ));
    }
    Ok(n as u64)
}

impl PageArgs {
    /// Checks the arguments: sizes within bounds, not both `first` and `last`, cursors ours.
    pub fn validate(&self) -> ApiResult<PageRequest> {
        if self.first.is_some() && self.last.is_some() {
            return Err(ApiError::input("last", "give either first or last, not both"));
        }
        let after = self
            .after
            .as_deref()
            .map(|s| Cursor::decode("after", s))
            .transpose()?;
        let before = self
            .before
            .as_deref()
            .map(|s| Cursor::decode("before", s))
            .transpose()?;
        Ok(match self.last {
            Some(n) => PageRequest {
                forward: false,
                limit: size("last", n)?,
                after,
                before,
            },
            None => PageRequest {
                forward: true,
                limit: self
                    .first
                    .map(|n| size("first", n))
                    .transpose()?
                    .unwrap_or(DEFAULT_PAGE),
                after,
                before,
            },
        })
    }
}

/// One page of rows in the requested order.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_previous: bool,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// The same page with every item turned into `f(item)`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_previous: self.has_previous,
            has_next: self.has_next,
        }
    }
}

/// One page, in id order, of a list of ids already in memory (the records an answer counted),
/// forwards only: the ids after the cursor, up to the page's size.
pub fn page_of_ids(ids: &[i64], req: &PageRequest) -> ApiResult<(Vec<i64>, bool, bool)> {
    if !req.forward || req.before.is_some() {
        return Err(ApiError::input(
            "last",
            "this list pages forwards only (first, after)",
        ));
    }
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let start = match &req.after {
        Some(c) => sorted.partition_point(|id| *id <= c.id),
        None => 0,
    };
    let end = Ord::min(start + req.limit as usize, sorted.len());
    Ok((sorted[start..end].to_vec(), start > 0, end < sorted.len()))
}

/// A keyset order: an optional text key, then the id, in one direction.
pub struct KeysetOrder<C> {
    pub key: Option<C>,
    pub id: C,
    pub ascending: bool,
}

impl<C: ColumnTrait> KeysetOrder<C> {
    /// Rows strictly after (`after == true`) or before `c` in this order.
    fn beyond(&self, c: &Cursor, after: bool) -> Condition {
        let greater = self.ascending == after;
        let id_cmp = |v: i64| {
            if greater { self.id.gt(v) } else { self.id.lt(v) }
        };
        match (&self.key, &c.key) {
            (Some(k), Some(kv)) => {
                let key_cmp = if greater {
                    k.gt(kv.clone())
                } else {
                    k.lt(kv.clone())
                };
                Condition::any()
                    .add(key_cmp)
                    .add(Condition::all().add(k.eq(kv.clone())).add(id_cmp(c.id)))
            }
            _ => id_cmp(c.id).into_condition(),
        }
    }

    /// Applies the page request to `select`: cursor bounds, order and one row of look-ahead.
    pub fn apply<E: EntityTrait<Column = C>>(&self, mut select: Select<E>, req: &PageRequest) -> Select<E> {
        if let Some(c) = &req.after {
            select = select.filter(self.beyond(c, true));
        }
        if let Some(c) = &req.before {
            select = select.filter(self.beyond(c, false));
        }
        let dir = |asc: bool| {
            if asc == req.forward {
                Order::Asc
            } else {
                Order::Desc
            }
        };
        if let Some(k) = &self.key {
            select = select.order_by(*k, dir(self.ascending));
        }
        select.order_by(self.id, dir(self.ascending)).limit(req.limit + 1)
    }
}

/// Turns the fetched rows (one more than the page when there is more) into a page.
pub fn finish<T>(mut rows: Vec<T>, req: &PageRequest) -> Page<T> {
    let more = rows.len() as u64 > req.limit;
    rows.truncate(req.limit as usize);
    if req.forward {
        Page {
            items: rows,
            has_previous: req.after.is_some(),
            has_next: more,
        }
    } else {
        rows.reverse();
        Page {
            items: rows,
            has_previous: more,
            has_next: req.before.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let c = Cursor {
            key: Some("Bygglov".into()),
            id: 42,
        };
        assert_eq!(Cursor::decode("after", &c.encode()).ok(), Some(c));
        assert!(Cursor::decode("after", "not-a-cursor").is_err());
    }

    #[test]
    fn page_sizes_are_bounded() {
        let too_big = PageArgs {
            first: Some(101),
            ..Default::default()
        };
        assert!(too_big.validate().is_err());
        let both = PageArgs {
            first: Some(1),
            last: Some(1),
            ..Default::default()
        };
        assert!(both.validate().is_err());
        assert_eq!(
            PageArgs::default().validate().map(|r| r.limit).ok(),
            Some(DEFAULT_PAGE)
        );
    }
}
