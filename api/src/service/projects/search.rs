//! How a project list's `filter.search` reads titles. The `LIKE` on `lower(title)` decides
//! which titles match; the indexes only narrow what it reads:
//! - three letters or more: on PostgreSQL the trigram index (migration 000020);
//! - one or two letters: on PostgreSQL the index of each title's letters and pairs
//!   (migration 000031), where the letters are rare enough to look up;
//! - on SQLite, any search: the FTS5 table of the same letters and pairs (migration 000031),
//!   where few titles hold them.
//!
//! Elsewhere the titles are read in page order, which fills a page at once when the letters
//! are common.
//!
//! Whether to narrow is decided from every kommun's titles (PostgreSQL's statistics, SQLite's
//! count of the titles holding the letters), but the decision only chooses how the caller's
//! visible titles are read: nothing of others' titles reaches the answer, its count or its
//! errors.
use sea_orm::{
    ConnectionTrait, DbBackend, Statement,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};

use super::super::Projects;
use crate::error::ApiResult;
use entity::project;

impl Projects<'_, '_> {
    /// The condition a title search `s` puts on the list (its `LIKE`), and the titles that may
    /// hold it, where an index names few enough of them to read from.
    pub(super) async fn title_search(&self, s: &str) -> ApiResult<(Expr, Option<Expr>)> {
        let lowered = s.to_lowercase();
        let escaped = lowered
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        // A search shorter than three letters has no trigram to look up, and on the trigram
        // index it would read all of it (285 ms against 187 ms for reading the titles at
        // 500,000 projects), so it is written as an expression that index does not serve.
        let short = lowered.chars().count() < 3;
        let title = if short {
            Expr::cust(r#"(LOWER("project"."title") || '')"#)
        } else {
            Expr::expr(Func::lower(Expr::col((project::Entity, project::Column::Title))))
        };
        let like = title.like(LikeExpr::new(format!("%{escaped}%")).escape('\\'));
        let narrowing = match self.db().get_database_backend() {
            DbBackend::Postgres if short => self.titles_holding_short_gram(&lowered).await?,
            DbBackend::Sqlite => self.titles_holding_letters(&lowered).await?,
            _ => None,
        };
        Ok((like, narrowing))
    }

    /// PostgreSQL: the titles whose `lower(title)` holds `gram`, one or two letters, as the
    /// index of letters and pairs answers it (migration 000031): the same call the index is
    /// built on, where ANALYZE found fewer than [`LOOKED_UP_BELOW`] of the titles holding it
    /// (the index's most common elements, in `pg_stats`). A more common one is left to the
    /// `LIKE`: the planner reads titles in page order for it, and would compute the call for
    /// every title it counts (3 s against 84 ms for counting a county's `e` at 500,000
    /// projects). The letters are written into the statement rather than bound, because the
    /// planner weighs them by the index's statistics only when it sees them: a plan kept for
    /// any bound value (PostgreSQL's generic plan, after five runs of a statement) would read
    /// every title holding a common letter through the index. None for a quote or a
    /// backslash, whose reading in a literal depends on the server's settings.
    async fn titles_holding_short_gram(&self, gram: &str) -> ApiResult<Option<Expr>> {
        if gram.contains(['\'', '\\']) {
            return Ok(None);
        }
        let narrow = match self.svc.narrowing.decided(gram) {
            Some(narrow) => narrow,
            None => {
                let frequency = Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT e.frequency FROM pg_stats s, \
                     unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(gram, frequency) \
                     WHERE s.schemaname = current_schema() AND s.tablename = 'ix_project_title_short_grams' \
                     AND e.gram = $1",
                    [gram.into()],
                );
                let frequency: f32 = match self.db().query_one_raw(frequency).await? {
                    Some(row) => row.try_get_by_index::<f32>(0)?,
                    None => 0.0,
                };
                self.svc
                    .narrowing
                    .decide(gram, f64::from(frequency) < LOOKED_UP_BELOW)
            }
        };
        Ok(narrow.then(|| {
            Expr::cust(format!(
                r#"samverkan_short_grams(LOWER("project"."title")) @> ARRAY['{gram}']::text[]"#
            ))
        }))
    }

    /// SQLite: the titles that hold every letter pair of `lowered` (its letter, when it is
    /// one), from the index of letters and pairs (migration 000031), where so few titles hold
    /// them that looking them up beats reading titles in page order; None where more do (the
    /// page then fills from the first titles it reads). The LIKE beside it decides; this only
    /// narrows what it reads. One statement to count, at most [`LOOKED_UP_AT_MOST`] rowids.
    async fn titles_holding_letters(&self, lowered: &str) -> ApiResult<Option<Expr>> {
        let chars: Vec<char> = lowered.chars().collect();
        let mut grams: Vec<String> = if chars.len() == 1 {
            vec![chars[0].to_string()]
        } else {
            chars.windows(2).map(|w| w.iter().collect()).collect()
        };
        grams.sort();
        grams.dedup();
        // Any pairs of the search narrow correctly; a few of them narrow about as well as all.
        grams.truncate(8);
        let query = grams
            .iter()
            .map(|g| format!("\"{}\"", crate::domain::text::hex(g.as_bytes())))
            .collect::<Vec<_>>()
            .join(" AND ");
        let narrow = match self.svc.narrowing.decided(&query) {
            Some(narrow) => narrow,
            None => {
                let probe = Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT count(*) FROM (SELECT rowid FROM project_title_gram WHERE project_title_gram MATCH ? LIMIT ?)",
                    [query.clone().into(), LOOKED_UP_AT_MOST.into()],
                );
                let holding: i64 = match self.db().query_one_raw(probe).await? {
                    Some(row) => row.try_get_by_index::<i64>(0)?,
                    None => 0,
                };
                self.svc.narrowing.decide(&query, holding < LOOKED_UP_AT_MOST)
            }
        };
        Ok(narrow.then(|| {
            Expr::cust_with_values(
                r#""project"."id" IN (SELECT rowid FROM project_title_gram WHERE project_title_gram MATCH ?)"#,
                [query],
            )
        }))
    }
}

/// Where more titles than this hold a search's letters (SQLite), the search reads titles in
/// page order rather than look them up: counting this many rowids and reading them costs a
/// millisecond or two, and a search so common fills a page from the first few thousand titles.
const LOOKED_UP_AT_MOST: i64 = 5_000;

/// Where a larger share of the titles hold a search's letter or pair (PostgreSQL), it is not
/// looked up: reading titles in page order fills a page from the first two thousand.
const LOOKED_UP_BELOW: f64 = 0.01;

/// Which searches an index narrows, as decided within the last [`Narrowing::KEPT_FOR`]: a
/// decision reads the index's statistics (PostgreSQL) or counts its titles (SQLite), a
/// statement a common search would otherwise pay for on every page (0.3–0.6 ms). A decision
/// only picks how the titles are read, never which match (the `LIKE` decides that, and the
/// narrowing list is read when the page is), so one a little out of date still answers right.
/// At most [`Narrowing::AT_MOST`] searches are kept; past that the oldest go.
#[derive(Default)]
pub(in crate::service) struct Narrowing {
    decided: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, bool)>>,
}

impl Narrowing {
    const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(60);
    const AT_MOST: usize = 1024;

    fn decided(&self, search: &str) -> Option<bool> {
        let decided = self
            .decided
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        decided
            .get(search)
            .filter(|(at, _)| at.elapsed() < Self::KEPT_FOR)
            .map(|(_, narrow)| *narrow)
    }

    fn decide(&self, search: &str, narrow: bool) -> bool {
        let mut decided = self
            .decided
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if decided.len() >= Self::AT_MOST && !decided.contains_key(search) {
            decided.retain(|_, (at, _)| at.elapsed() < Self::KEPT_FOR);
            if decided.len() >= Self::AT_MOST {
                let oldest = decided
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(k, _)| k.clone());
                decided.remove(&oldest.expect("a full map has an oldest"));
            }
        }
        decided.insert(search.to_owned(), (std::time::Instant::now(), narrow));
        narrow
    }
}

#[cfg(test)]
mod tests {
    use super::Narrowing;

    #[test]
    fn the_decisions_kept_stay_bounded_and_the_latest_is_kept() {
        let n = Narrowing::default();
        for i in 0..3 * Narrowing::AT_MOST {
            n.decide(&format!("s{i}"), i % 2 == 0);
        }
        assert_eq!(n.decided.lock().unwrap().len(), Narrowing::AT_MOST);
        let last = 3 * Narrowing::AT_MOST - 1;
        assert_eq!(n.decided(&format!("s{last}")), Some(false));
        assert_eq!(n.decided("s0"), None, "the oldest went first");
        n.decide("s0", true);
        assert_eq!(n.decided("s0"), Some(true));
    }
}
