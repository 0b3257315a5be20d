//! The audit trail as one hash chain per county (docs/domain.md, "Records that last"): each
//! event's county, its place in the chain, the hash of the event before it and of its own
//! content in canonical form (`domain::chain`), and the digest of its actor under a per-event
//! salt; one head row per county, which writers lock to append. The events already written are
//! chained here in the order they were written (by id), per county of the actor's kommun.
use std::collections::HashMap;

use sea_orm_migration::{prelude::*, schema::*, sea_orm::ConnectionTrait};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Events read and chained per round, so that memory stays bounded by a page.
const PAGE: u64 = 5_000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for col in [
            integer_null("county_id"),
            big_integer_null("chain_seq"),
            string_len_null("prev_hash", 64),
            string_len_null("hash", 64),
            small_integer_null("chain_form"),
            string_len_null("actor_digest", 64),
            string_len_null("actor_salt", 64),
        ] {
            manager
                .alter_table(Table::alter().table("audit_event").add_column(col).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("audit_chain_head")
                    .col(integer("county_id").primary_key())
                    .col(big_integer("seq"))
                    .col(string_len("hash", 64))
                    .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
                    .foreign_key(&mut fk("audit_chain_head", "county_id", "county"))
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        let counties = db
            .query_all(&Query::select().column("id").from("county").to_owned())
            .await?;
        let mut heads: HashMap<i32, (i64, String)> = HashMap::new();
        for c in counties {
            heads.insert(c.try_get("", "id")?, (0, domain::chain::GENESIS.to_owned()));
        }
        let county_of: HashMap<i32, i32> = db
            .query_all(
                &Query::select()
                    .columns(["id", "county_id"])
                    .from("municipality")
                    .to_owned(),
            )
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "county_id")?)))
            .collect::<Result<_, DbErr>>()?;

        let mut after = 0i64;
        loop {
            let rows = db
                .query_all(
                    &Query::select()
                        .columns([
                            "id",
                            "occurred_at",
                            "actor_sub",
                            "actor_municipality_id",
                            "actor_roles",
                            "action",
                            "record_type",
                            "record_id",
                            "before",
                            "after",
                            "request_id",
                            "scope_type",
                            "scope_id",
                        ])
                        .from("audit_event")
                        .and_where(Expr::col("id").gt(after))
                        .order_by("id", Order::Asc)
                        .limit(PAGE)
                        .to_owned(),
                )
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let id: i64 = r.try_get("", "id")?;
                after = id;
                let kommun: i32 = r.try_get("", "actor_municipality_id")?;
                let county = county_of.get(&kommun).copied().ok_or_else(|| {
                    DbErr::Migration(format!("audit event {id}: kommun {kommun} is unknown"))
                })?;
                let (seq, prev) = heads
                    .get(&county)
                    .cloned()
                    .unwrap_or((0, domain::chain::GENESIS.to_owned()));
                let salt = uuid::Uuid::new_v4().simple().to_string();
                let sub: String = r.try_get("", "actor_sub")?;
                let digest = domain::chain::actor_digest(&salt, &sub);
                let occurred: chrono::DateTime<chrono::Utc> = r.try_get("", "occurred_at")?;
                let text = |c: &str| r.try_get::<String>("", c);
                let opt = |c: &str| r.try_get::<Option<String>>("", c);
                let (roles, action, record_type, request_id) = (
                    text("actor_roles")?,
                    text("action")?,
                    text("record_type")?,
                    text("request_id")?,
                );
                let (before, after_json, scope_type) = (opt("before")?, opt("after")?, opt("scope_type")?);
                let content = domain::chain::EventContent {
                    county_id: county,
                    seq: seq + 1,
                    prev_hash: &prev,
                    occurred_at: occurred,
                    actor_digest: &digest,
                    actor_municipality_id: kommun,
                    actor_roles: &roles,
                    action: &action,
                    record_type: &record_type,
                    record_id: r.try_get("", "record_id")?,
                    before: before.as_deref(),
                    after: after_json.as_deref(),
                    request_id: &request_id,
                    scope_type: scope_type.as_deref(),
                    scope_id: r.try_get("", "scope_id")?,
                };
                let hash = content.hash();
                db.execute(
                    &Query::update()
                        .table("audit_event")
                        .values([
                            ("county_id".into_iden(), county.into()),
                            ("chain_seq".into_iden(), (seq + 1).into()),
                            ("prev_hash".into_iden(), prev.clone().into()),
                            ("hash".into_iden(), hash.clone().into()),
                            ("chain_form".into_iden(), domain::chain::FORM.into()),
                            ("actor_digest".into_iden(), digest.into()),
                            ("actor_salt".into_iden(), salt.into()),
                        ])
                        .and_where(Expr::col("id").eq(id))
                        .to_owned(),
                )
                .await?;
                heads.insert(county, (seq + 1, hash));
            }
        }
        for (county, (seq, hash)) in heads {
            db.execute(
                &Query::insert()
                    .into_table("audit_chain_head")
                    .columns(["county_id", "seq", "hash"])
                    .values_panic([county.into(), seq.into(), hash.into()])
                    .to_owned(),
            )
            .await?;
        }
        // Two events in one place of a county's chain cannot both be written: no fork.
        manager
            .create_index(index(
                "ux_audit_event_chain",
                "audit_event",
                &["county_id", "chain_seq"],
                true,
            ))
            .await?;
        // The chain's head at a period's end (the committee report).
        manager
            .create_index(index(
                "ix_audit_event_chain_time",
                "audit_event",
                &["county_id", "occurred_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ix_audit_event_chain_time", "ux_audit_event_chain"] {
            manager
                .drop_index(Index::drop().name(name).table("audit_event").to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table("audit_chain_head").to_owned())
            .await?;
        for col in [
            "county_id",
            "chain_seq",
            "prev_hash",
            "hash",
            "chain_form",
            "actor_digest",
            "actor_salt",
        ] {
            manager
                .alter_table(Table::alter().table("audit_event").drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
