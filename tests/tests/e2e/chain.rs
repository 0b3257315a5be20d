//! The audit trail as one hash chain per county (docs/domain.md, "Records that last"), tried
//! as someone with database access would try to rewrite history: an edited event, a replaced
//! actor, two events swapped, an event deleted in the middle and at the end, each made
//! directly in SQL behind the service's back and each found and named by
//! `samverkan verify-audit`; concurrent writers still make one line.
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::json;

use crate::{
    both_backends,
    docs::projects::{create, version},
    helpers::{TempDir, TestApp, binary},
};

/// `samverkan verify-audit --county 18` against the app's database: (exit ok, output).
fn verify(app: &TestApp) -> (bool, String) {
    let dir =
        TempDir(std::env::temp_dir().join(format!("samverkan-verify-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let out = std::process::Command::new(binary())
        .args(["verify-audit", "--county", "18"])
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
    let last_seq = events.last().unwrap().1;

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

    // Two events swapped in the chain's order.
    sql(
        &db,
        &format!("UPDATE audit_event SET chain_seq = -1 WHERE id = {second}"),
    )
    .await;
    sql(
        &db,
        &format!("UPDATE audit_event SET chain_seq = 2 WHERE id = {third}"),
    )
    .await;
    sql(
        &db,
        &format!("UPDATE audit_event SET chain_seq = 3 WHERE id = {second}"),
    )
    .await;
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(
        out.contains(&format!("BROKEN at place 2, event {third}: ORDER_CHANGED")),
        "{out}"
    );
    sql(
        &db,
        &format!("UPDATE audit_event SET chain_seq = -1 WHERE id = {third}"),
    )
    .await;
    sql(
        &db,
        &format!("UPDATE audit_event SET chain_seq = 2 WHERE id = {second}"),
    )
    .await;
    sql(
        &db,
        &format!("UPDATE audit_event SET chain_seq = 3 WHERE id = {third}"),
    )
    .await;
    let (ok, out) = verify(&app);
    assert!(ok, "restored order verifies: {out}");

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
