//! The audit trail: every successful mutation writes its events in the same transaction;
//! a refused one writes none.
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::{both_backends, docs::*, helpers::TestApp};

async fn events(app: &TestApp) -> Vec<(String, String, Option<String>, Option<String>, String)> {
    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT action, record_type, before, after, actor_sub FROM audit_event ORDER BY id",
        ))
        .await
        .unwrap();
    let out = rows
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "action").unwrap(),
                r.try_get::<String>("", "record_type").unwrap(),
                r.try_get::<Option<String>>("", "before").unwrap(),
                r.try_get::<Option<String>>("", "after").unwrap(),
                r.try_get::<String>("", "actor_sub").unwrap(),
            )
        })
        .collect();
    db.close().await.ok();
    out
}

both_backends! {
    async fn successful_mutations_are_audited_with_before_and_after_and_failed_ones_leave_nothing(app) {
        let orebro = app.as_kommun("1880").editor_admin();
        let (id, v) = create(&orebro, "Revisionsspår", "COUNTY", "10").await;
        let e = events(&app).await;
        assert_eq!(e.iter().map(|x| (x.0.as_str(), x.1.as_str())).collect::<Vec<_>>(), vec![
            ("createEServiceProject", "EServiceProject"),
            ("createEServiceProject", "Participation"),
        ]);
        assert_eq!(e[0].4, "user-1880");

        // Refused: stale version, bad input, another kommun. Nothing is written.
        orebro.ok(UPDATE, json!({"input": {"id": id, "version": v, "title": "Nytt namn"}})).await;
        orebro.gql(UPDATE, json!({"input": {"id": id, "version": v, "title": "Krock"}})).await.expect_code("CONFLICT");
        orebro.gql(UPDATE, json!({"input": {"id": id, "version": v + 1, "title": ""}})).await.expect_code("BAD_USER_INPUT");
        app.as_kommun("1881").editor().gql(UPDATE, json!({"input": {"id": id, "version": v + 1, "title": "x"}})).await.expect_code("FORBIDDEN");
        let e = events(&app).await;
        assert_eq!(e.len(), 3, "{e:?}");
        let (action, kind, before, after, _) = &e[2];
        assert_eq!((action.as_str(), kind.as_str()), ("updateEServiceProject", "EServiceProject"));
        let before: Value = serde_json::from_str(before.as_deref().unwrap()).unwrap();
        let after: Value = serde_json::from_str(after.as_deref().unwrap()).unwrap();
        assert_eq!(before, json!({"title": "Revisionsspår", "version": 1}));
        assert_eq!(after, json!({"title": "Nytt namn", "version": 2}));

        // A tollgate records the decision and the project change together.
        advance(&orebro, &id, "PRE_STUDY").await;
        let e = events(&app).await;
        assert_eq!(e[3..].iter().map(|x| (x.0.as_str(), x.1.as_str())).collect::<Vec<_>>(), vec![
            ("advanceProjectPhase", "Decision"),
            ("advanceProjectPhase", "EServiceProject"),
        ]);
    }
}
