//! Tenant isolation, tested as an attacker would: every read path and every mutation with
//! another kommun's ids.
use base64::Engine;
use serde_json::{Value, json};

use crate::{both_backends, docs::*, helpers::TestApp};

fn gid(kind: &str, id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

struct World {
    private: String,
    participants: String,
    county: String,
    kumla_part: String,
    decision: String,
    report: String,
}

/// Örebro owns a PRIVATE, a PARTICIPANTS (with Kumla) and a COUNTY project.
async fn world(app: &TestApp) -> World {
    let orebro = app.as_kommun("1880").editor_admin();
    let (private, _) = create(&orebro, "Hemligt internt system", "PRIVATE", "100").await;
    advance(&orebro, &private, "PRE_STUDY").await;
    let d = orebro.ok(STATUS, json!({"input": {"projectId": private, "date": "2026-11-01", "health": "AMBER", "summary": "internt"}})).await;
    let report = d["addStatusReport"]["statusReport"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = r#"query($id: ID!) { node(id: $id) { ... on EServiceProject { decisions { id } } } }"#;
    let decision = orebro.ok(q, json!({"id": private})).await["node"]["decisions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (participants, _) = create(&orebro, "Samarbete med Kumla", "PARTICIPANTS", "100").await;
    let kumla_part = invite(&orebro, &participants, "1881", "PARTICIPANT").await;
    app.as_kommun("1881")
        .admin()
        .ok(
            RESPOND,
            json!({"input": {"participationId": kumla_part, "accept": true}}),
        )
        .await;
    let (county, _) = create(&orebro, "Länets gemensamma e-arkiv", "COUNTY", "100").await;
    World {
        private,
        participants,
        county,
        kumla_part,
        decision,
        report,
    }
}

async fn a_kommun_cannot_read_another_kommuns_private_or_participant_records(app: TestApp) {
    let w = world(&app).await;
    // An auditor of another kommun sees no more of Örebro than its editors do.
    for laxa in [
        app.as_kommun("1860").editor_admin(),
        app.as_kommun("1860").revisor(),
    ] {
        let missing = gid("EServiceProject", 987_654);

        let not_found = laxa.gql(PROJECT, json!({"id": missing})).await;
        not_found.expect_code("NOT_FOUND");
        for id in [&w.private, &w.participants, &w.kumla_part, &w.decision, &w.report] {
            let r = laxa
                .gql("query($id: ID!) { node(id: $id) { id } }", json!({"id": id}))
                .await;
            r.expect_code("NOT_FOUND");
            assert!(r.body["data"].is_null() || r.body["data"]["node"].is_null());
            // Indistinguishable from an id that never existed.
            assert_eq!(
                r.body["errors"][0]["message"],
                not_found.body["errors"][0]["message"]
            );
        }
        assert_eq!(
            project(&laxa, &w.county).await["title"],
            "Länets gemensamma e-arkiv"
        );

        let r = laxa
            .gql(
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({"ids": [w.private, w.participants, w.county]}),
            )
            .await;
        let nodes = r.body["data"]["nodes"].as_array().unwrap();
        assert!(nodes[0].is_null() && nodes[1].is_null());
        assert_eq!(nodes[2]["id"], json!(w.county));
        assert_eq!(r.body["errors"].as_array().unwrap().len(), 2);
        r.expect_code("NOT_FOUND");

        let all = laxa.ok(LIST, json!({"first": 100})).await;
        assert_eq!(all["eServiceProjects"]["totalCount"], 1);
        for filter in [
            json!({"owner": "1880"}),
            json!({"search": "Hemligt"}),
            json!({"participant": "1881"}),
            json!({"visibility": ["PRIVATE", "PARTICIPANTS"]}),
        ] {
            let d = laxa.ok(LIST, json!({"filter": filter})).await;
            let titles: Vec<&Value> = d["eServiceProjects"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["node"]["title"])
                .collect();
            assert!(
                titles.iter().all(|t| *t == "Länets gemensamma e-arkiv"),
                "{filter}: {titles:?}"
            );
        }
    }

    // Kumla takes part in one, the committee sees the county's shared work only.
    for kumla in [app.as_kommun("1881").viewer(), app.as_kommun("1881").revisor()] {
        assert!(project(&kumla, &w.private).await.is_null());
        assert_eq!(
            project(&kumla, &w.participants).await["title"],
            "Samarbete med Kumla"
        );
    }
    // Örebro's auditors read all of Örebro, PRIVATE included, and the PRIVATE project's
    // history; with the committee's role beside it the union is still Örebro's view.
    for revisor in [
        app.as_kommun("1880").revisor(),
        app.as_kommun("1880").revisor_namnd(),
    ] {
        let own = revisor.ok(LIST, json!({"first": 100})).await;
        assert_eq!(own["eServiceProjects"]["totalCount"], 3);
        assert_eq!(
            project(&revisor, &w.private).await["title"],
            "Hemligt internt system"
        );
        let trail = revisor
            .ok(
                "query($id: ID!) { auditEvents(filter: {recordId: $id}, first: 50) { edges { node { action } } } }",
                json!({"id": w.private}),
            )
            .await;
        let actions: Vec<&Value> = trail["auditEvents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["node"]["action"])
            .collect();
        assert!(
            actions.iter().any(|a| *a == "createEServiceProject"),
            "{actions:?}"
        );
    }
    let namnd = app.as_kommun("1880").namnd();
    let seen = namnd.ok(LIST, json!({})).await;
    assert_eq!(
        seen["eServiceProjects"]["totalCount"], 1,
        "namnd reads COUNTY records only, not Örebro's private ones"
    );

    // Without a token, or with a portal's token, nothing but the catalogue.
    app.anonymous()
        .gql(LIST, json!({}))
        .await
        .expect_code("UNAUTHENTICATED");
    let portal = app.as_kommun("1880").integration();
    portal.gql(LIST, json!({})).await.expect_code("FORBIDDEN");
    portal
        .gql(PROJECT, json!({"id": w.county}))
        .await
        .expect_code("FORBIDDEN");
}
both_backends!(a_kommun_cannot_read_another_kommuns_private_or_participant_records);

async fn every_mutation_on_another_kommuns_project_is_refused_and_changes_nothing(app: TestApp) {
    let w = world(&app).await;
    let laxa = app.as_kommun("1860").editor_admin();
    let orebro = app.as_kommun("1880").editor_admin();
    let before: Vec<Value> = futures_join(&orebro, &[&w.private, &w.participants, &w.county]).await;

    for (id, expect) in [
        (&w.private, "NOT_FOUND"),
        (&w.participants, "NOT_FOUND"),
        (&w.county, "FORBIDDEN"),
    ] {
        let attempts: Vec<(&str, Value)> = vec![
            (
                UPDATE,
                json!({"input": {"id": id, "version": 1, "title": "kapad"}}),
            ),
            (
                ADVANCE,
                json!({"input": {"id": id, "version": 1, "toPhase": "PRE_STUDY", "decision": decision("kapad")}}),
            ),
            (
                CANCEL,
                json!({"input": {"id": id, "version": 1, "decision": decision("kapad")}}),
            ),
            (
                INVITE,
                json!({"input": {"projectId": id, "municipalityCode": "1860"}}),
            ),
            (
                SET_COST,
                json!({"input": {"projectId": id, "version": 1, "key": "EQUAL"}}),
            ),
            (
                STATUS,
                json!({"input": {"projectId": id, "date": "2026-11-02", "health": "RED", "summary": "kapad"}}),
            ),
        ];
        for (doc, vars) in attempts {
            let r = laxa.gql(doc, vars).await;
            r.expect_code(expect);
        }
        // Publishing and withdrawing need participation; invisible stays NOT_FOUND.
        let r = laxa
            .gql(
                PUBLISH,
                json!({"input": {"projectId": id, "name": "x", "url": "https://x.se"}}),
            )
            .await;
        r.expect_code(if expect == "NOT_FOUND" {
            "NOT_FOUND"
        } else {
            "FORBIDDEN"
        });
        let r = laxa.gql(WITHDRAW, json!({"input": {"projectId": id}})).await;
        r.expect_code(if expect == "NOT_FOUND" {
            "NOT_FOUND"
        } else {
            "BAD_USER_INPUT"
        });
    }
    // Answering someone else's invitation.
    laxa.gql(
        RESPOND,
        json!({"input": {"participationId": w.kumla_part, "accept": false}}),
    )
    .await
    .expect_code("NOT_FOUND");
    // A viewer of the owner kommun may not write either.
    let viewer = app.as_kommun("1880").viewer();
    viewer
        .gql(
            UPDATE,
            json!({"input": {"id": w.county, "version": 1, "title": "x"}}),
        )
        .await
        .expect_code("FORBIDDEN");
    viewer
        .gql(CREATE, json!({"input": {"title": "x", "budget": "1"}}))
        .await
        .expect_code("FORBIDDEN");
    app.anonymous()
        .gql(CREATE, json!({"input": {"title": "x", "budget": "1"}}))
        .await
        .expect_code("UNAUTHENTICATED");
    app.as_kommun("1880")
        .namnd()
        .gql(CREATE, json!({"input": {"title": "x", "budget": "1"}}))
        .await
        .expect_code("FORBIDDEN");

    let after: Vec<Value> = futures_join(&orebro, &[&w.private, &w.participants, &w.county]).await;
    assert_eq!(before, after, "refused mutations changed nothing");
    // Kumla's participation is still accepted.
    let p = project(&orebro, &w.participants).await;
    assert_eq!(p["participations"][1]["state"], "ACCEPTED");
}
both_backends!(every_mutation_on_another_kommuns_project_is_refused_and_changes_nothing);

async fn futures_join(c: &crate::helpers::Caller<'_>, ids: &[&String]) -> Vec<Value> {
    let mut out = Vec::new();
    for id in ids {
        out.push(project(c, id).await);
    }
    out
}

async fn the_committee_records_tollgate_decisions_on_shared_projects_only(app: TestApp) {
    let w = world(&app).await;
    let namnd = app.as_kommun("1881").namnd();
    let orebro = app.as_kommun("1880").editor_admin();
    // A committee member from Kumla passes Örebro's COUNTY project through its tollgate.
    let v = version(&orebro, &w.county).await;
    let d = namnd.ok(ADVANCE, json!({"input": {"id": w.county, "version": v, "toPhase": "PRE_STUDY", "decision": decision("Förstudie beviljas")}})).await;
    assert_eq!(d["advanceProjectPhase"]["project"]["phase"], "PRE_STUDY");
    let q = r#"query($id: ID!) { node(id: $id) { ... on EServiceProject { decisions { toPhase decidingBody summary } } } }"#;
    let decisions = orebro.ok(q, json!({"id": w.county})).await;
    assert_eq!(decisions["node"]["decisions"][0]["summary"], "Förstudie beviljas");
    let audit = orebro.ok(r#"{ auditEvents(filter: {action: "advanceProjectPhase"}) { edges { node { actorRoles actorMunicipality { code } } } } }"#, json!({})).await;
    assert_eq!(
        audit["auditEvents"]["edges"][0]["node"]["actorMunicipality"]["code"],
        "1881"
    );

    // Deciding is all it may do; PRIVATE and PARTICIPANTS projects stay out of its reach.
    namnd
        .gql(
            UPDATE,
            json!({"input": {"id": w.county, "version": v + 1, "title": "x"}}),
        )
        .await
        .expect_code("FORBIDDEN");
    for id in [&w.private, &w.participants] {
        namnd
            .gql(
                ADVANCE,
                json!({"input": {"id": id, "version": 1, "toPhase": "PRE_STUDY", "decision": decision("x")}}),
            )
            .await
            .expect_code("NOT_FOUND");
        namnd
            .gql(
                CANCEL,
                json!({"input": {"id": id, "version": 1, "decision": decision("x")}}),
            )
            .await
            .expect_code("NOT_FOUND");
    }
    let d = namnd
        .ok(
            CANCEL,
            json!({"input": {"id": w.county, "version": v + 1, "decision": decision("Avbryts")}}),
        )
        .await;
    assert_eq!(d["cancelEServiceProject"]["project"]["phase"], "CANCELLED");
}
both_backends!(the_committee_records_tollgate_decisions_on_shared_projects_only);
