//! Project titles searchable by their letters and letter pairs. The list's `filter.search` is
//! `lower(title) LIKE '%…%'`, which no B-tree serves; a search that matches little read every
//! visible title until it had a page (`search: "zq"`, which matches nothing, took 0.58–0.75 s
//! at 500,000 projects on PostgreSQL). Each backend gets the index it has:
//!
//! - **PostgreSQL**: the trigram index (migration 000020) serves three letters or more; a GIN
//!   index over each title's distinct letters and pairs (of `lower(title)`) serves one or two.
//!   Its statistics (the arrays' most common elements) let the planner read titles in page
//!   order instead where a letter or pair is common enough to fill a page at once. The grams
//!   are an immutable function of the title, so PostgreSQL keeps the index with every write.
//! - **SQLite**: a contentless FTS5 table whose tokens are each title's distinct letters and
//!   pairs (of SQLite's `lower(title)`, as the search compares), hex-spelt so that any
//!   tokenizer keeps them whole, kept by triggers on `project`. Every search looks its letter
//!   or pairs up there, where few titles hold them (`service::projects`).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A title's distinct letters and pairs as FTS5 tokens: the hex of their UTF-8, which is
/// prefix-free, so a letter's token never equals a pair's. `t` is the title's expression;
/// `title_gram_position` numbers the characters (titles are at most 200, service::text).
fn sqlite_grams(t: &str) -> String {
    format!(
        "(SELECT group_concat(g, ' ') FROM (\
         SELECT hex(substr(lower({t}), n, 1)) AS g FROM title_gram_position WHERE n <= length({t}) \
         UNION SELECT hex(substr(lower({t}), n, 2)) FROM title_gram_position WHERE n < length({t})))"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                // Written in SQL with a FROM clause, so the planner never inlines it: a query
                // matches the index only when it spells the same call.
                db.execute_unprepared(
                    r#"CREATE OR REPLACE FUNCTION samverkan_short_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (SELECT substr(t, i, 1) FROM generate_series(1, char_length(t)) AS i
        UNION ALL
        SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i) AS grams(g)
$$"#,
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX IF NOT EXISTS ix_project_title_short_grams ON project \
                     USING gin (samverkan_short_grams(lower(title)))",
                )
                .await?;
                // The planner weighs a search by the index's element statistics; without
                // them it guesses, and a guess that a common letter is rare would read every
                // title holding it through the index.
                db.execute_unprepared("ANALYZE project").await?;
            }
            sea_orm::DatabaseBackend::Sqlite => {
                db.execute_unprepared("CREATE TABLE title_gram_position (n INTEGER PRIMARY KEY)")
                    .await?;
                db.execute_unprepared(
                    "INSERT INTO title_gram_position (n) WITH RECURSIVE r(n) AS \
                     (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) SELECT n FROM r",
                )
                .await?;
                // Contentless (the tokens are not stored twice) and with rowids only (no
                // positions): a title is found by the tokens it holds, nothing more.
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE project_title_gram USING fts5(grams, content='', \
                     tokenize='ascii', detail='none')",
                )
                .await?;
                let (new, old) = (sqlite_grams("new.title"), sqlite_grams("old.title"));
                // A contentless table forgets a row by being told the tokens it was given.
                let forget = format!(
                    "INSERT INTO project_title_gram (project_title_gram, rowid, grams) VALUES ('delete', old.id, {old});"
                );
                let learn = format!("INSERT INTO project_title_gram (rowid, grams) VALUES (new.id, {new});");
                for trigger in [
                    format!(
                        "CREATE TRIGGER project_title_gram_insert AFTER INSERT ON project BEGIN {learn} END"
                    ),
                    // Writes that set every column (an ActiveModel's update) leave the tokens alone
                    // unless the title moved.
                    format!(
                        "CREATE TRIGGER project_title_gram_update AFTER UPDATE OF id, title ON project \
                         WHEN old.title IS NOT new.title OR old.id IS NOT new.id BEGIN {forget} {learn} END"
                    ),
                    format!(
                        "CREATE TRIGGER project_title_gram_delete AFTER DELETE ON project BEGIN {forget} END"
                    ),
                ] {
                    db.execute_unprepared(&trigger).await?;
                }
                db.execute_unprepared(&format!(
                    "INSERT INTO project_title_gram (rowid, grams) SELECT id, {} FROM project",
                    sqlite_grams("title")
                ))
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                db.execute_unprepared("DROP INDEX IF EXISTS ix_project_title_short_grams")
                    .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS samverkan_short_grams(text)")
                    .await?;
            }
            sea_orm::DatabaseBackend::Sqlite => {
                for sql in [
                    "DROP TRIGGER IF EXISTS project_title_gram_insert",
                    "DROP TRIGGER IF EXISTS project_title_gram_update",
                    "DROP TRIGGER IF EXISTS project_title_gram_delete",
                    "DROP TABLE IF EXISTS project_title_gram",
                    "DROP TABLE IF EXISTS title_gram_position",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
