//! The audit trail as one hash chain per county (docs/domain.md, "Records that last"), tried
//! as someone with database access would try to rewrite history: an edited event, a replaced
//! actor, two events swapped, an event deleted in the middle and at the end, each made
//! directly in SQL behind the service's back and each found and named by
//! `samverkan verify-audit`; concurrent writers still make one line.
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::projects::{create, version},
    helpers::{TempDir, TestApp, binary},
};

/// `samverkan verify-audit --county 18` against the app's database: (exit ok, output).
fn verify(app: &TestApp) -> (bool, String) {
    cli(app, &["verify-audit", "--county", "18"])
}

/// A `samverkan` command against the app's database: (exit ok, stdout then stderr).
pub(crate) fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let dir = TempDir(std::env::temp_dir().join(format!("samverkan-cli-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let out = std::process::Command::new(binary())
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("SAMVERKAN_DATA_DIR", &dir.0)
        .env("SAMVERKAN_DEMO_DATA", "false")
        .env("SAMVERKAN_MODE", "development")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn sql(db: &DatabaseConnection, q: &str) {
    db.execute_unprepared(q).await.unwrap();
}

/// Moves event `a.0` from place `a.1` to `b.1` and event `b.0` the other way, through a free
/// place, as the unique index requires.
async fn swap_places(db: &DatabaseConnection, a: (i64, i64), b: (i64, i64)) {
    for (id, place) in [(a.0, -1), (b.0, a.1), (a.0, b.1)] {
        sql(
            db,
            &format!("UPDATE audit_event SET chain_seq = {place} WHERE id = {id}"),
        )
        .await;
    }
}

/// (id, place) of the county's events in chain order.
async fn chain(db: &DatabaseConnection) -> Vec<(i64, i64)> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT id, chain_seq FROM audit_event WHERE county_id = (SELECT id FROM county WHERE code = '18') ORDER BY chain_seq",
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| (r.try_get("", "id").unwrap(), r.try_get("", "chain_seq").unwrap()))
    .collect()
}

async fn tampering_behind_the_services_back_is_found_and_named(app: TestApp) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let orebro = app.as_kommun("1880").editor();
    let kumla = app.as_kommun("1881").editor();
    for n in 0..3 {
        let (p, _) = create(&orebro, &format!("Projekt {n}"), "COUNTY", "100").await;
        orebro
            .ok(
                "mutation($i: UpdateEServiceProjectInput!) { updateEServiceProject(input: $i) { project { id } } }",
                json!({"i": {"id": p, "version": version(&orebro, &p).await, "title": format!("Projektet {n}")}}),
            )
            .await;
        create(&kumla, &format!("Kumla {n}"), "PRIVATE", "50").await;
    }
    let events = chain(&db).await;
    assert!(events.len() >= 9, "{events:?}");
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, (_, seq))| *seq == i as i64 + 1),
        "one line from place 1 without gaps: {events:?}"
    );
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("{} events", events.len())) && out.contains("intact"),
        "{out}"
    );

    let (second, third) = (events[1].0, events[2].0);

    // An edited change.
    let original = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT after FROM audit_event WHERE id = {second}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<Option<String>>("", "after")
        .unwrap()
        .unwrap();
    sql(
        &db,
        &format!("UPDATE audit_event SET after = '{{\"title\":\"Något annat\"}}' WHERE id = {second}"),
    )
    .await;
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(
        out.contains(&format!("BROKEN at place 2, event {second}: CONTENT_CHANGED")),
        "{out}"
    );
    sql(
        &db,
        &format!(
            "UPDATE audit_event SET after = '{}' WHERE id = {second}",
            original.replace('\'', "''")
        ),
    )
    .await;
    assert!(verify(&app).0, "restored, it verifies again");

    // Someone else named as the actor.
    let actor = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT actor_sub FROM audit_event WHERE id = {third}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "actor_sub")
        .unwrap();
    sql(
        &db,
        &format!("UPDATE audit_event SET actor_sub = 'someone-else' WHERE id = {third}"),
    )
    .await;
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(
        out.contains(&format!("BROKEN at place 3, event {third}: CONTENT_CHANGED")),
        "{out}"
    );
    sql(
        &db,
        &format!("UPDATE audit_event SET actor_sub = '{actor}' WHERE id = {third}"),
    )
    .await;

    // Two events swapped in the chain's order, then put back.
    swap_places(&db, (second, 2), (third, 3)).await;
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(
        out.contains(&format!("BROKEN at place 2, event {third}: ORDER_CHANGED")),
        "{out}"
    );
    swap_places(&db, (third, 2), (second, 3)).await;
    let (ok, out) = verify(&app);
    assert!(ok, "restored order verifies: {out}");

    // The last event's hash, or an actor's digest (to put someone else in without a trace),
    // removed: each is found, not skipped.
    let (last, last_seq) = *events.last().unwrap();
    sql(
        &db,
        &format!("UPDATE audit_event SET hash = NULL WHERE id = {last}"),
    )
    .await;
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(
        out.contains(&format!(
            "BROKEN at place {last_seq}, event {last}: CONTENT_CHANGED"
        )),
        "{out}"
    );
    let hash = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT hash FROM audit_chain_head WHERE county_id = (SELECT id FROM county WHERE code = '18')",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "hash")
        .unwrap();
    sql(
        &db,
        &format!("UPDATE audit_event SET hash = '{hash}' WHERE id = {last}"),
    )
    .await;
    assert!(verify(&app).0, "restored, it verifies again");
    let kept = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT actor_digest, actor_salt, actor_sub FROM audit_event WHERE id = {second}"),
        ))
        .await
        .unwrap()
        .unwrap();
    let kept: Vec<String> = ["actor_digest", "actor_salt", "actor_sub"]
        .iter()
        .map(|c| kept.try_get::<String>("", c).unwrap())
        .collect();
    sql(
        &db,
        &format!("UPDATE audit_event SET actor_digest = NULL, actor_salt = NULL, actor_sub = 'someone-else' WHERE id = {second}"),
    )
    .await;
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(
        out.contains(&format!("BROKEN at place 2, event {second}: CONTENT_CHANGED")),
        "{out}"
    );
    sql(
        &db,
        &format!(
            "UPDATE audit_event SET actor_digest = '{}', actor_salt = '{}', actor_sub = '{}' WHERE id = {second}",
            kept[0], kept[1], kept[2]
        ),
    )
    .await;
    assert!(verify(&app).0, "restored, it verifies again");

    // An event deleted from the middle, then the last one.
    sql(&db, &format!("DELETE FROM audit_event WHERE id = {third}")).await;
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(out.contains("BROKEN at place 3: EVENT_MISSING"), "{out}");
    assert!(out.contains("2 events verified before it"), "{out}");

    sql(&db, "DELETE FROM audit_event").await;
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(out.contains("BROKEN at place 1: EVENT_MISSING"), "{out}");
    assert!(out.contains(&format!("the head is at place {last_seq}")), "{out}");
    db.close().await.unwrap();
}
both_backends!(tampering_behind_the_services_back_is_found_and_named);

/// Sixteen mutations from eight kommuner at once: one chain, no fork, no gap.
async fn concurrent_writers_make_one_line(app: TestApp) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let codes = ["1880", "1881", "1882", "1883", "1884", "1885", "1860", "1861"];
    let callers: Vec<_> = codes.iter().map(|c| app.as_kommun(c).editor()).collect();
    futures::future::join_all(callers.iter().flat_map(|c| {
        (0..2).map(move |n| async move {
            create(c, &format!("Samtidigt {n}"), "COUNTY", "10").await;
        })
    }))
    .await;
    let events = chain(&db).await;
    assert_eq!(events.len(), 16);
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, (_, seq))| *seq == i as i64 + 1),
        "{events:?}"
    );
    assert!(
        events.windows(2).all(|w| w[0].0 < w[1].0),
        "places follow the order written: {events:?}"
    );
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    db.close().await.unwrap();
}
both_backends!(concurrent_writers_make_one_line);

const CHAIN: &str = "{ auditChain(county: \"18\") { eventCount headHash verifying verification { intact eventsChecked headPlace headHash broken { place reason } } } }";

/// Asks for the chain until a verification of at least `place` events has finished.
async fn verified(c: &crate::helpers::Caller<'_>, place: i64) -> serde_json::Value {
    for _ in 0..600 {
        let d = c.ok(CHAIN, json!({})).await;
        if d["auditChain"]["verification"]["headPlace"].as_i64() >= Some(place) {
            return d["auditChain"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "no verification of {place} events finished: {}",
        c.ok(CHAIN, json!({})).await
    );
}

/// The committee and the auditors have the chain verified through the API; the committee
/// report states its head at the period's end; nobody else asks.
async fn the_committee_and_the_auditors_read_the_chain_and_its_verification(app: TestApp) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let orebro = app.as_kommun("1880").editor();
    for n in 0..3 {
        create(&orebro, &format!("Kedja {n}"), "COUNTY", "10").await;
    }
    let namnd = app.as_kommun("1881").namnd();
    let c = verified(&namnd, 3).await;
    assert_eq!(c["eventCount"], 3);
    assert_eq!(c["verification"]["intact"], true);
    assert_eq!(c["verification"]["eventsChecked"], 3);
    assert_eq!(c["verification"]["headHash"], c["headHash"]);
    let head = c["headHash"].as_str().unwrap().to_owned();
    assert_eq!(head.len(), 64);
    let rev = verified(&app.as_kommun("1880").revisor(), 3).await;
    assert_eq!(rev["headHash"], head.as_str());

    // The report anchors the head: all three events fall in the period.
    let today = chrono::Utc::now().date_naive();
    let report = format!(
        "{{ committeeReport(county: \"18\", from: \"{}\", to: \"{today}\") {{ auditChainHead {{ eventCount headHash }} }} }}",
        today - chrono::Days::new(30)
    );
    let r = namnd.ok(&report, json!({})).await;
    assert_eq!(
        r["committeeReport"]["auditChainHead"],
        json!({"eventCount": 3, "headHash": head})
    );
    // Its count covers every kommun's events, so a kommun's own roles get none.
    let r = app.as_kommun("1881").viewer().ok(&report, json!({})).await;
    assert!(r["committeeReport"]["auditChainHead"].is_null(), "{r}");
    let r = app.as_kommun("1880").revisor().ok(&report, json!({})).await;
    assert_eq!(r["committeeReport"]["auditChainHead"]["headHash"], head.as_str());
    // A period that ended before the first event: the chain was empty then.
    let r = namnd
        .ok(
            "{ committeeReport(county: \"18\", from: \"2020-01-01\", to: \"2020-12-31\") { auditChainHead { eventCount headHash } } }",
            json!({}),
        )
        .await;
    assert_eq!(r["committeeReport"]["auditChainHead"]["eventCount"], 0);
    let csv = app
        .file(
            &format!(
                "/reports/18/committee.csv?from={}&to={today}",
                today - chrono::Days::new(30)
            ),
            "1881",
            &["namnd"],
        )
        .await;
    assert!(
        csv.contains(&format!("3 händelser, kedjans huvud {head}")),
        "{csv}"
    );

    // Tampered with, the next verification (after the chain grows) says where.
    let second = chain(&db).await[1].0;
    sql(
        &db,
        &format!("UPDATE audit_event SET request_id = 'annat' WHERE id = {second}"),
    )
    .await;
    create(&orebro, "Kedja 4", "COUNTY", "10").await;
    let c = verified(&namnd, 4).await;
    assert_eq!(c["verification"]["intact"], false);
    assert_eq!(
        c["verification"]["broken"],
        json!({"place": 2, "reason": "CONTENT_CHANGED"})
    );

    // Kommun roles other than the auditors', and the portal, are refused.
    for who in [
        app.as_kommun("1880").editor_admin(),
        app.as_kommun("1880").viewer(),
        app.as_kommun("1880").integration(),
    ] {
        who.gql(CHAIN, json!({})).await.expect_code("FORBIDDEN");
    }
    namnd
        .gql("{ auditChain(county: \"99\") { headHash } }", json!({}))
        .await
        .expect_code("BAD_USER_INPUT");
    db.close().await.unwrap();
}
both_backends!(the_committee_and_the_auditors_read_the_chain_and_its_verification);

/// A replica killed (SIGKILL) in the middle of writes leaves no fork and no gap: each
/// mutation's event and the head move together or not at all, and the next writer carries on.
async fn a_replica_killed_during_writes_leaves_the_chain_whole(app: TestApp) {
    let dir = app.data_dir().display().to_string();
    let Some(mut replica) = crate::helpers::Process::start(&[
        ("DATABASE_URL", app.database_url.as_str()),
        ("SAMVERKAN_DATA_DIR", dir.as_str()),
        ("SAMVERKAN_WORKERS", "2"),
    ]) else {
        return;
    };
    let client = crate::helpers::http_client();
    let tokens: Vec<String> = ["1880", "1881", "1882", "1883"]
        .iter()
        .map(|k| samverkan::auth::mint_dev_token(&app.secret, "kill", k, &["editor".into()], 600).unwrap())
        .collect();
    let url = format!("{}/graphql", replica.base);
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (client, url, token) = (client.clone(), url.clone(), tokens[w % 4].clone());
            tokio::spawn(async move {
                let mut done = 0;
                for n in 0..200 {
                    let body = json!({"query": "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { project { id } } }",
                        "variables": {"i": {"title": format!("Avbruten {w}-{n}"), "visibility": "COUNTY", "budget": "1"}}});
                    match client.post(&url).bearer_auth(&token).json(&body).send().await {
                        Ok(r) if r.status().is_success() => done += 1,
                        _ => break,
                    }
                }
                done
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    replica.child.kill().unwrap();
    replica.child.wait().unwrap();
    let mut answered = 0;
    for w in writers {
        answered += w.await.unwrap();
    }
    assert!(answered > 0, "some writes went through before the kill");
    assert!(
        answered < 8 * 200,
        "the kill came while the writers were still writing"
    );

    // The service on the same database writes on from the head the killed replica left.
    create(&app.as_kommun("1884").editor(), "Efter avbrottet", "COUNTY", "1").await;
    let db = Database::connect(&app.database_url).await.unwrap();
    let events = chain(&db).await;
    assert!(
        events.len() as i64 > answered,
        "{} events, {answered} answered",
        events.len()
    );
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, (_, seq))| *seq == i as i64 + 1),
        "no gap, no fork"
    );
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("{} events", events.len())), "{out}");
    db.close().await.unwrap();
}
both_backends!(a_replica_killed_during_writes_leaves_the_chain_whole);

/// A data subject's access request lists every record naming the person: the events they
/// made, and their register entry with the systems whose roles they hold.
async fn a_subject_access_request_lists_every_record_naming_the_person(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    create(&orebro, "Mitt", "PRIVATE", "1").await;
    create(&orebro, "Mitt andra", "COUNTY", "1").await;
    create(&app.as_kommun("1881").editor(), "Inte mitt", "COUNTY", "1").await;
    let (ok, out) = cli(&app, &["subject-access", "--sub", "user-1880"]);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let events = v["auditEventsAsActor"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{v}");
    assert!(events.iter().all(|e| e["actorSub"] == "user-1880"));
    assert_eq!(events[0]["after"]["title"], "Mitt");

    let shared = crate::mutations::shared_fixture(&app).await;
    orebro
        .ok(
            "mutation($i: CreateRoleHolderInput!) { createRoleHolder(input: $i) { person { id } } }",
            json!({"i": {"displayName": "Anna Berg", "key": "E7"}}),
        )
        .await;
    crate::docs::inventory::register(
        &orebro,
        shared["product"].as_str().unwrap(),
        json!({"systemOwner": "E7", "objectOwner": "E7", "objectManagerBusiness": "Bo"}),
    )
    .await;
    let (ok, out) = cli(
        &app,
        &["subject-access", "--kommun", "1880", "--holder-key", "E7"],
    );
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["roleHolder"]["displayName"], "Anna Berg");
    assert_eq!(v["systems"].as_array().unwrap().len(), 1);
    assert_eq!(v["systems"][0]["roles"], json!(["systemOwner", "objectOwner"]));
    assert_eq!(v["auditEventsAboutTheEntry"][0]["action"], "createRoleHolder");

    let (ok, out) = cli(
        &app,
        &["subject-access", "--kommun", "1881", "--holder-key", "E7"],
    );
    assert!(!ok);
    assert!(out.contains("kommun 1881 has nobody with key 'E7'"), "{out}");
    let (ok, _) = cli(&app, &["subject-access"]);
    assert!(!ok, "a request names its subject");
}
both_backends!(a_subject_access_request_lists_every_record_naming_the_person);

/// Moves the first `k` events of county 18's chain to 2010 and re-chains every event from
/// there, as if they had been written then (the test's stand-in for waiting ten years).
async fn age_first_events(db: &DatabaseConnection, k: usize) {
    use samverkan::domain::chain as canon;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT * FROM audit_event WHERE county_id = (SELECT id FROM county WHERE code = '18') ORDER BY chain_seq",
        ))
        .await
        .unwrap();
    let mut prev = canon::GENESIS.to_owned();
    for (n, r) in rows.iter().enumerate() {
        let id: i64 = r.try_get("", "id").unwrap();
        let at: chrono::DateTime<chrono::Utc> = if n < k {
            "2010-01-01T10:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
                + chrono::TimeDelta::minutes(n as i64)
        } else {
            r.try_get("", "occurred_at").unwrap()
        };
        let hash = crate::helpers::row_hash(r, n as i64 + 1, &prev, Some(at));
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    "UPDATE audit_event SET occurred_at = $1, prev_hash = $2, hash = $3 WHERE id = $4"
                }
                _ => "UPDATE audit_event SET occurred_at = ?, prev_hash = ?, hash = ? WHERE id = ?",
            },
            [at.into(), prev.clone().into(), hash.clone().into(), id.into()],
        ))
        .await
        .unwrap();
        prev = hash;
    }
    sql(db, &format!("UPDATE audit_chain_head SET hash = '{prev}' WHERE county_id = (SELECT id FROM county WHERE code = '18')")).await;
}

/// Rows of any table of the database with `needle` in any column.
async fn rows_naming(db: &DatabaseConnection, needle: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    let tables_sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'"
        }
        _ => "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, tables_sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("", "t").unwrap())
        .collect();
    let mut found = Vec::new();
    for t in tables {
        let condition = match backend {
            sea_orm::DatabaseBackend::Postgres => format!("CAST(x AS text) LIKE '%{needle}%'"),
            _ => {
                let cols: Vec<String> = db
                    .query_all_raw(Statement::from_string(backend, format!("PRAGMA table_info({t})")))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<String>("", "name").unwrap())
                    .collect();
                cols.iter()
                    .map(|c| format!("CAST(\"{c}\" AS TEXT) LIKE '%{needle}%'"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            }
        };
        let n = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT count(*) AS n FROM {t} x WHERE {condition}"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        if n > 0 {
            found.push(format!("{t}: {n}"));
        }
    }
    found
}

/// The retention replaces the actors of events past the period with pseudonyms: a dry run
/// changes nothing, the application leaves the person's `sub` nowhere in the database, writes
/// one event of its own, and the chain still verifies.
async fn the_retention_leaves_no_trace_of_the_person_and_the_chain_verifies(app: TestApp) {
    let db = Database::connect(&app.database_url).await.unwrap();
    create(&app.as_kommun("1880").editor(), "Gammalt", "PRIVATE", "1").await;
    create(&app.as_kommun("1880").editor(), "Gammalt 2", "COUNTY", "1").await;
    create(&app.as_kommun("1881").editor(), "Nytt", "COUNTY", "1").await;
    age_first_events(&db, 2).await;
    assert!(verify(&app).0, "aged and re-chained, the chain verifies");
    assert_eq!(rows_naming(&db, "user-1880").await, ["audit_event: 2"]);

    // Without a period of the county's own, or one given, nothing is applied.
    let (ok, out) = cli(&app, &["apply-retention", "--county", "18"]);
    assert!(!ok && out.contains("no retention period"), "{out}");
    let namnd = app.as_kommun("1883").namnd();
    let set = "mutation($i: SetRetentionPeriodInput!) { setRetentionPeriod(input: $i) { retentionPeriod { kind years } } }";
    namnd
        .gql(
            set,
            json!({"i": {"county": "18", "kind": "AUDIT_EVENT_ACTORS", "years": 0}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");
    app.as_kommun("1880")
        .editor_admin()
        .gql(
            set,
            json!({"i": {"county": "18", "kind": "AUDIT_EVENT_ACTORS", "years": 10}}),
        )
        .await
        .expect_code("FORBIDDEN");
    let d = namnd
        .ok(
            set,
            json!({"i": {"county": "18", "kind": "AUDIT_EVENT_ACTORS", "years": 10}}),
        )
        .await;
    assert_eq!(d["setRetentionPeriod"]["retentionPeriod"]["years"], 10);
    let d = app
        .as_kommun("1881")
        .viewer()
        .ok("{ retentionPeriods(county: \"18\") { kind years } }", json!({}))
        .await;
    assert_eq!(
        d["retentionPeriods"],
        json!([{"kind": "AUDIT_EVENT_ACTORS", "years": 10}])
    );

    let args = ["apply-retention", "--county", "18", "--user", "arkivarie"];
    let (ok, out) = cli(&app, &args);
    assert!(ok, "{out}");
    assert!(
        out.contains("2 audit events of 1 people") && out.contains("dry run"),
        "{out}"
    );
    assert_eq!(
        rows_naming(&db, "user-1880").await,
        ["audit_event: 2"],
        "a dry run writes nothing"
    );

    let (ok, out) = cli(&app, &[&args[..], &["--apply"]].concat());
    assert!(ok, "{out}");
    assert!(
        out.contains("2 audit events of 1 people") && out.contains("now name pseudonyms"),
        "{out}"
    );
    assert!(
        rows_naming(&db, "user-1880").await.is_empty(),
        "the person's sub is nowhere"
    );
    assert_eq!(
        rows_naming(&db, "user-1881").await,
        ["audit_event: 1"],
        "recent events keep theirs"
    );
    assert_eq!(rows_naming(&db, "pseudonym-").await, ["audit_event: 2"]);
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    assert!(
        out.contains("5 events"),
        "the period's event and the retention's own: {out}"
    );
    let last = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT action, actor_sub FROM audit_event ORDER BY id DESC LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.try_get::<String>("", "action").unwrap(), "applyRetention");
    assert_eq!(last.try_get::<String>("", "actor_sub").unwrap(), "cli:arkivarie");

    // Applied again, nothing is left to change; a period of no years is refused.
    let (ok, out) = cli(&app, &[&args[..], &["--apply"]].concat());
    assert!(ok && out.contains("0 audit events of 0 people"), "{out}");
    let (ok, out) = cli(
        &app,
        &["apply-retention", "--county", "18", "--audit-actor-years", "0"],
    );
    assert!(!ok && out.contains("BAD_USER_INPUT"), "{out}");
    let (ok, out) = cli(
        &app,
        &["apply-retention", "--county", "18", "--audit-actor-years", "20"],
    );
    assert!(
        ok && out.contains("0 audit events"),
        "a period given overrides the county's: {out}"
    );
    db.close().await.unwrap();
}
both_backends!(the_retention_leaves_no_trace_of_the_person_and_the_chain_verifies);

/// `released_on` of the holder with display name `name` (None while they hold a role).
async fn released_on(db: &DatabaseConnection, name: &str) -> Option<chrono::NaiveDate> {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        format!("SELECT released_on FROM role_holder WHERE display_name = '{name}'"),
    ))
    .await
    .unwrap()
    .unwrap_or_else(|| panic!("{name} is in the register"))
    .try_get("", "released_on")
    .unwrap()
}

/// A person in a pm3 role is released when they hold no role any more, and held again when
/// given one; the retention then replaces the names and keys of people released longer ago
/// than the county's period with pseudonyms, the same pseudonym for the same person in every
/// run (actors too), and the chain still verifies.
async fn released_role_holders_and_old_actors_become_stable_pseudonyms(app: TestApp) {
    use crate::docs::inventory::{UPDATE, register};
    let db = Database::connect(&app.database_url).await.unwrap();
    let orebro = app.as_kommun("1880").editor();
    orebro
        .ok(
            "mutation($i: CreateRoleHolderInput!) { createRoleHolder(input: $i) { person { id } } }",
            json!({"i": {"displayName": "Anna Berg", "key": "E4711"}}),
        )
        .await;
    let shared = crate::mutations::shared_fixture(&app).await;
    let product = shared["product"].as_str().unwrap();
    let system = register(&orebro, product, json!({"systemOwner": "E4711"})).await;
    let read = "query($id: ID!) { node(id: $id) { ... on SystemInstance { version } } }";
    let change_owner = |owner: &'static str| {
        let orebro = &orebro;
        let system = system.clone();
        async move {
            let v = orebro.ok(read, json!({"id": system})).await["node"]["version"].clone();
            orebro
                .ok(
                    UPDATE,
                    json!({"input": {"id": system, "version": v, "system": {"productId": product, "hosting": "OWN_DATACENTER", "dataLocation": "SWEDEN", "systemOwner": owner}}}),
                )
                .await;
        }
    };
    assert_eq!(released_on(&db, "Anna Berg").await, None, "she holds a role");
    change_owner("Bo Ek").await;
    let today = chrono::Utc::now().date_naive();
    assert_eq!(released_on(&db, "Anna Berg").await, Some(today));
    assert_eq!(released_on(&db, "Bo Ek").await, None);
    let listed = orebro
        .ok(
            "{ roleHolders(search: \"Anna\", first: 5) { edges { node { releasedOn } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["roleHolders"]["edges"][0]["node"]["releasedOn"],
        today.to_string()
    );
    change_owner("E4711").await;
    assert_eq!(released_on(&db, "Anna Berg").await, None, "held again");
    assert_eq!(released_on(&db, "Bo Ek").await, Some(today));
    change_owner("Bo Ek").await;
    // Kumla sees none of this: the events name Örebro's register.
    let kumla = app
        .as_kommun("1881")
        .viewer()
        .ok(
            "{ auditEvents(first: 100) { edges { node { after } } } }",
            json!({}),
        )
        .await;
    assert!(!kumla.to_string().contains("releasedOn"), "{kumla}");

    // Anna left her roles long ago; Bo only today.
    sql(
        &db,
        "UPDATE role_holder SET released_on = '2012-03-01' WHERE display_name = 'Anna Berg'",
    )
    .await;
    let namnd = app.as_kommun("1883").namnd();
    let set = "mutation($i: SetRetentionPeriodInput!) { setRetentionPeriod(input: $i) { retentionPeriod { kind years } } }";
    namnd
        .ok(
            set,
            json!({"i": {"county": "18", "kind": "RELEASED_ROLE_HOLDERS", "years": 5}}),
        )
        .await;
    let args = ["apply-retention", "--county", "18"];
    let (ok, out) = cli(&app, &args);
    assert!(
        ok && out.contains("1 role holders released before") && out.contains("dry run"),
        "{out}"
    );
    assert!(
        !out.contains("audit events"),
        "no period for actors: that part is left alone: {out}"
    );
    released_on(&db, "Anna Berg").await;
    let (ok, out) = cli(&app, &[&args[..], &["--apply"]].concat());
    assert!(
        ok && out.contains("1 role holders") && out.contains("now have pseudonyms"),
        "{out}"
    );
    let register = orebro
        .ok(
            "{ roleHolders(first: 10) { edges { node { displayName key } } } }",
            json!({}),
        )
        .await;
    let names: Vec<(String, Value)> = register["roleHolders"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["displayName"].as_str().unwrap().to_owned(),
                e["node"]["key"].clone(),
            )
        })
        .collect();
    assert!(names.iter().any(|(n, _)| n == "Bo Ek"), "{names:?}");
    let anna: Vec<_> = names
        .iter()
        .filter(|(n, _)| n.starts_with("pseudonym-"))
        .collect();
    assert_eq!(anna.len(), 1, "{names:?}");
    assert!(anna[0].1.is_null(), "her key is gone too");
    assert_eq!(
        rows_naming(&db, "E4711")
            .await
            .iter()
            .filter(|t| t.starts_with("role_holder"))
            .count(),
        0
    );
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    let (ok, out) = cli(&app, &[&args[..], &["--apply"]].concat());
    assert!(ok && out.contains("0 role holders"), "once is enough: {out}");

    // Actors: the same person is the same pseudonym in a later run.
    let actor_of = |id: i64| {
        let db = &db;
        async move {
            db.query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT actor_sub FROM audit_event WHERE id = {id}"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "actor_sub")
            .unwrap()
        }
    };
    let first_events = chain(&db).await;
    age_first_events(&db, 2).await;
    let years = ["--audit-actor-years", "10", "--apply"];
    let (ok, out) = cli(&app, &[&args[..], &years].concat());
    assert!(ok && out.contains("2 audit events of"), "{out}");
    let first = actor_of(first_events[0].0).await;
    assert!(first.starts_with("pseudonym-"), "{first}");
    create(&orebro, "Senare", "COUNTY", "1").await;
    let all = chain(&db).await;
    age_first_events(&db, all.len()).await;
    let (ok, out) = cli(&app, &[&args[..], &years].concat());
    assert!(ok, "{out}");
    let later = all.iter().rev().find(|(id, _)| *id > first_events[1].0).unwrap();
    let mut same = Vec::new();
    for (id, _) in &all {
        if actor_of(*id).await == first {
            same.push(*id);
        }
    }
    assert!(
        same.len() > 2,
        "Örebro's editor's later events have the pseudonym of the earlier ones: {same:?} (last event {later:?})"
    );
    assert!(rows_naming(&db, "user-1880").await.is_empty());
    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    db.close().await.unwrap();
}
both_backends!(released_role_holders_and_old_actors_become_stable_pseudonyms);
