//! The whole life of a project across three kommuner: invitations, cost sharing, tollgates,
//! status, publishing and withdrawal.
use serde_json::json;

use crate::{both_backends, docs::*, helpers::TestApp};

async fn three_kommuner_share_a_project_from_idea_to_the_catalogue(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let kumla = app.as_kommun("1881").editor_admin();
    let laxa = app.as_kommun("1860").editor_admin();

    let (id, _) = create(
        &orebro,
        "Gemensam e-tjänst för bygglov",
        "PARTICIPANTS",
        "1000000.00",
    )
    .await;
    // Before the invitation Kumla cannot see the project at all.
    assert!(project(&kumla, &id).await.is_null());

    let kumla_part = invite(&orebro, &id, "1881", "PARTICIPANT").await;
    let laxa_part = invite(&orebro, &id, "1860", "PARTICIPANT").await;
    // Invited kommuner see the project so that they can answer.
    assert_eq!(
        project(&kumla, &id).await["participations"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Only the invited kommun answers for itself.
    orebro
        .gql(
            RESPOND,
            json!({"input": {"participationId": kumla_part, "accept": true}}),
        )
        .await
        .expect_code("FORBIDDEN");
    app.as_kommun("1881")
        .editor()
        .gql(
            RESPOND,
            json!({"input": {"participationId": kumla_part, "accept": true}}),
        )
        .await
        .expect_code("FORBIDDEN");
    kumla
        .ok(
            RESPOND,
            json!({"input": {"participationId": kumla_part, "accept": true}}),
        )
        .await;
    laxa.ok(
        RESPOND,
        json!({"input": {"participationId": laxa_part, "accept": true}}),
    )
    .await;
    kumla
        .gql(
            RESPOND,
            json!({"input": {"participationId": kumla_part, "accept": false}}),
        )
        .await
        .expect_refused_state("participationId", &["INVITED", "ACCEPTED"]);

    // EQUAL by default: 1 000 000 kr in three parts, the extra öre to the lowest kommunkod.
    let p = project(&orebro, &id).await;
    let amounts: Vec<(&str, &str)> = p["costShares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["municipality"]["code"].as_str().unwrap(),
                s["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        amounts,
        vec![
            ("1880", "333333.33"),
            ("1881", "333333.33"),
            ("1860", "333333.34")
        ]
    );

    // PER_CAPITA, checked against figures computed by hand from SCB populations
    // (159 348, 22 516 and 5 497 of 187 361).
    let v = version(&orebro, &id).await;
    let d = orebro
        .ok(
            SET_COST,
            json!({"input": {"projectId": id, "version": v, "key": "PER_CAPITA"}}),
        )
        .await;
    let shares = &d["setCostSharing"]["project"]["costShares"];
    assert_eq!(shares[0]["amount"], "850486.50");
    assert_eq!(shares[1]["amount"], "120174.42");
    assert_eq!(shares[2]["amount"], "29339.08");
    assert_eq!(shares[0]["percent"], "85.0486");

    // MIXED with 30 % split equally.
    let v = version(&orebro, &id).await;
    let d = orebro
        .ok(
            SET_COST,
            json!({"input": {"projectId": id, "version": v, "key": "MIXED", "mixedEqualPercent": "30"}}),
        )
        .await;
    let shares = &d["setCostSharing"]["project"]["costShares"];
    assert_eq!(
        [&shares[0]["amount"], &shares[1]["amount"], &shares[2]["amount"]],
        [&json!("695340.54"), &json!("184122.10"), &json!("120537.36")]
    );

    // Tollgates move one step at a time, each with a decision.
    advance(&orebro, &id, "PRE_STUDY").await;
    let v = version(&orebro, &id).await;
    orebro
        .gql(
            ADVANCE,
            json!({"input": {"id": id, "version": v, "toPhase": "EXECUTION", "decision": decision("hopp")}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");
    advance(&orebro, &id, "PLANNING").await;

    // A CUSTOM key that does not sum to 100 % holds the project in PLANNING.
    let v = version(&orebro, &id).await;
    let d = orebro
        .ok(
            SET_COST,
            json!({"input": {"projectId": id, "version": v, "key": "CUSTOM", "customPercents": [
        {"municipalityCode": "1880", "percent": "50"}, {"municipalityCode": "1881", "percent": "30"}]}}),
        )
        .await;
    assert_eq!(d["setCostSharing"]["project"]["costSharing"]["complete"], false);
    assert_eq!(
        d["setCostSharing"]["project"]["costSharing"]["customPercentTotal"],
        "80.00"
    );
    let v = version(&orebro, &id).await;
    let r = orebro
        .gql(
            ADVANCE,
            json!({"input": {"id": id, "version": v, "toPhase": "EXECUTION", "decision": decision("start")}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "costSharing");
    assert!(
        r.body["errors"][0]["message"].as_str().unwrap().contains("80"),
        "{}",
        r.body
    );
    assert_eq!(
        project(&orebro, &id).await["phase"],
        "PLANNING",
        "a refused tollgate changes nothing"
    );

    let v = version(&orebro, &id).await;
    let d = orebro.ok(SET_COST, json!({"input": {"projectId": id, "version": v, "key": "CUSTOM", "customPercents": [
        {"municipalityCode": "1880", "percent": "50"}, {"municipalityCode": "1881", "percent": "30"}, {"municipalityCode": "1860", "percent": "20"}]}})).await;
    let shares = &d["setCostSharing"]["project"]["costShares"];
    assert_eq!(
        [&shares[0]["amount"], &shares[1]["amount"], &shares[2]["amount"]],
        [&json!("500000.00"), &json!("300000.00"), &json!("200000.00")]
    );
    advance(&orebro, &id, "EXECUTION").await;
    // The key is fixed after planning.
    let v = version(&orebro, &id).await;
    orebro
        .gql(
            SET_COST,
            json!({"input": {"projectId": id, "version": v, "key": "EQUAL"}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");

    // Health follows the latest status report.
    let d = orebro.ok(STATUS, json!({"input": {"projectId": id, "date": "2026-11-21", "health": "RED", "summary": "Leverantören är sen"}})).await;
    assert_eq!(d["addStatusReport"]["project"]["health"], "RED");
    orebro.ok(STATUS, json!({"input": {"projectId": id, "date": "2026-10-01", "health": "GREEN", "summary": "Äldre rapport"}})).await;
    assert_eq!(
        project(&orebro, &id).await["health"],
        "RED",
        "an older report does not override the latest"
    );

    // Publishing needs a PUBLIC project; then portals read it without a token.
    kumla
        .gql(
            PUBLISH,
            json!({"input": {"projectId": id, "name": "Bygglov", "url": "https://kumla.se/bygglov"}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");
    let v = version(&orebro, &id).await;
    orebro
        .ok(
            UPDATE,
            json!({"input": {"id": id, "version": v, "visibility": "PUBLIC"}}),
        )
        .await;
    kumla.ok(PUBLISH, json!({"input": {"projectId": id, "name": "Bygglov", "description": "Sök bygglov", "url": "https://kumla.se/bygglov"}})).await;
    orebro.ok(PUBLISH, json!({"input": {"projectId": id, "name": "Bygglov i Örebro", "url": "https://orebro.se/bygglov"}})).await;
    let cat = app.anonymous().ok(CATALOGUE, json!({})).await;
    assert_eq!(cat["publishedEServices"]["totalCount"], 2);
    let offered = &cat["publishedEServices"]["edges"][0]["node"]["offeredBy"];
    assert_eq!(offered.as_array().unwrap().len(), 2);
    let portal = app.as_kommun("1881").integration();
    let cat = portal
        .ok(CATALOGUE, json!({"filter": {"municipality": "1881"}}))
        .await;
    assert_eq!(
        cat["publishedEServices"]["edges"][0]["node"]["url"],
        "https://kumla.se/bygglov"
    );
    // The portal's token reads nothing else.
    assert!(project(&portal, &id).await.is_null());

    // Laxå withdraws; observers and withdrawn kommuner pay nothing.
    laxa.ok(WITHDRAW, json!({"input": {"projectId": id}})).await;
    orebro
        .gql(WITHDRAW, json!({"input": {"projectId": id}}))
        .await
        .expect_code("BAD_USER_INPUT");
    let p = project(&orebro, &id).await;
    assert_eq!(p["costShares"].as_array().unwrap().len(), 2);
    let states: Vec<&str> = p["participations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, vec!["ACCEPTED", "ACCEPTED", "WITHDRAWN"]);

    let decisions = p["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 3);
    assert_eq!(decisions[2]["fromPhase"], "PLANNING");
    assert_eq!(decisions[2]["toPhase"], "EXECUTION");
    assert_eq!(decisions[2]["diarienummer"], "GN 2026/17");

    // Cancellation is a decision too; a cancelled project no longer changes.
    let v = version(&orebro, &id).await;
    let d = orebro
        .ok(
            CANCEL,
            json!({"input": {"id": id, "version": v, "decision": decision("Avbryts")}}),
        )
        .await;
    assert_eq!(d["cancelEServiceProject"]["project"]["phase"], "CANCELLED");
    let v = version(&orebro, &id).await;
    orebro
        .gql(UPDATE, json!({"input": {"id": id, "version": v, "title": "x"}}))
        .await
        .expect_refused_state("id", &["CANCELLED (final"]);
    // A cancelled project's e-service is no longer listed.
    let cat = app.anonymous().ok(CATALOGUE, json!({})).await;
    assert_eq!(cat["publishedEServices"]["totalCount"], 0);
}
both_backends!(three_kommuner_share_a_project_from_idea_to_the_catalogue);

async fn a_stale_version_is_a_conflict_and_changes_nothing(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let (id, v) = create(&orebro, "Digital brevlåda", "COUNTY", "100").await;
    orebro
        .ok(
            UPDATE,
            json!({"input": {"id": id, "version": v, "title": "Digital brevlåda 2"}}),
        )
        .await;
    let r = orebro
        .gql(
            UPDATE,
            json!({"input": {"id": id, "version": v, "title": "Krock"}}),
        )
        .await;
    r.expect_code("CONFLICT");
    let p = project(&orebro, &id).await;
    assert_eq!(p["title"], "Digital brevlåda 2");
    assert_eq!(p["version"], v + 1);
}
both_backends!(a_stale_version_is_a_conflict_and_changes_nothing);

async fn bad_input_names_the_field_and_writes_nothing(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    for (input, field) in [
        (json!({"title": "", "budget": "10"}), "title"),
        (json!({"title": "x", "budget": "-1"}), "budget"),
        (json!({"title": "x", "budget": "1.001"}), "budget"),
        (
            json!({"title": "x", "budget": "1", "tags": ["inte en tagg!"]}),
            "tags",
        ),
    ] {
        let r = orebro.gql(CREATE, json!({"input": input})).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.body["errors"][0]["extensions"]["field"], field, "{}", r.body);
    }
    let (id, _) = create(&orebro, "Ok", "COUNTY", "10").await;
    // Malformed, non-existent, unknown here, and already the lead.
    for (code, expect) in [
        ("18", "BAD_USER_INPUT"),
        ("9999", "BAD_USER_INPUT"),
        ("0180", "BAD_USER_INPUT"),
        ("1880", "CONFLICT"),
    ] {
        orebro
            .gql(
                INVITE,
                json!({"input": {"projectId": id, "municipalityCode": code}}),
            )
            .await
            .expect_code(expect);
    }
    let r = orebro
        .gql(
            INVITE,
            json!({"input": {"projectId": id, "municipalityCode": "18x0"}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "municipalityCode");
    let list = orebro.ok(LIST, json!({})).await;
    assert_eq!(
        list["eServiceProjects"]["totalCount"], 1,
        "only the valid project was written"
    );
    assert_eq!(
        project(&orebro, &id).await["participations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
both_backends!(bad_input_names_the_field_and_writes_nothing);

/// KLASSA levels, weights, scores and percentages are checked once, where the number comes
/// in, and a number out of range is refused naming its field, with nothing written: the
/// audit trail holds the same events before and after.
async fn numbers_out_of_range_are_refused_with_their_field_and_write_nothing(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let shared = crate::mutations::shared_fixture(&app).await;
    let (project, _) = create(&orebro, "Andelar", "COUNTY", "1000").await;
    let evaluation = orebro
        .ok(
            "mutation($i: CreateSourcingEvaluationInput!) { createSourcingEvaluation(input: $i) { evaluation { id version criteria { id } } } }",
            json!({"i": {"title": "Drift", "informationClass": {"confidentiality": 4, "integrity": 0, "availability": 2},
                "criteria": [{"name": "Allt", "weight": 100}]}}),
        )
        .await["createSourcingEvaluation"]["evaluation"]
        .clone();
    let e = evaluation["id"].clone();
    let mut d = json!(null);
    for kind in ["IN_HOUSE", "CLOUD_SAAS"] {
        d = orebro
            .ok(
                "mutation($i: AddSourcingOptionInput!) { addSourcingOption(input: $i) { option { id } evaluation { version } } }",
                json!({"i": {"evaluationId": e, "kind": kind, "oneOffCost": "0", "annualCost": "1", "contractYears": 1}}),
            )
            .await;
    }
    let option = d["addSourcingOption"]["option"]["id"].clone();
    let version = d["addSourcingOption"]["evaluation"]["version"].clone();
    orebro
        .ok(
            "mutation($i: SourcingTransitionInput!) { startScoring(input: $i) { __typename } }",
            json!({"i": {"id": e, "version": version}}),
        )
        .await;
    let trail = "{ auditEvents { totalCount } }";
    let before = orebro.ok(trail, json!({})).await["auditEvents"]["totalCount"].clone();

    let system = |field: &str, value: i64| {
        let mut i =
            json!({"productId": shared["product"], "hosting": "CLOUD_SAAS", "dataLocation": "SWEDEN"});
        i[field] = json!(value);
        i
    };
    let cases = [
        (
            "mutation($i: SystemInstanceInput!) { registerSystemInstance(input: $i) { __typename } }",
            system("confidentiality", 5),
            "confidentiality",
        ),
        (
            "mutation($i: SystemInstanceInput!) { registerSystemInstance(input: $i) { __typename } }",
            system("availability", -1),
            "availability",
        ),
        (
            "mutation($i: CreateSourcingEvaluationInput!) { createSourcingEvaluation(input: $i) { __typename } }",
            json!({"title": "x", "informationClass": {"confidentiality": 0, "integrity": 5, "availability": 0}}),
            "informationClass.integrity",
        ),
        (
            "mutation($i: CreateSourcingEvaluationInput!) { createSourcingEvaluation(input: $i) { __typename } }",
            json!({"title": "x", "informationClass": {"confidentiality": 0, "integrity": 0, "availability": 0},
                "criteria": [{"name": "Allt", "weight": 101}]}),
            "criteria[0].weight",
        ),
        (
            "mutation($i: ScoreSourcingOptionInput!) { scoreSourcingOption(input: $i) { __typename } }",
            json!({"optionId": option, "criterionId": evaluation["criteria"][0]["id"], "score": 6}),
            "score",
        ),
        (
            SET_COST,
            json!({"projectId": project, "version": 1, "key": "MIXED", "mixedEqualPercent": "100.01"}),
            "mixedEqualPercent",
        ),
        (
            SET_COST,
            json!({"projectId": project, "version": 1, "key": "CUSTOM", "customPercents": [
                {"municipalityCode": "1880", "percent": "-1"}]}),
            "customPercents[0].percent",
        ),
    ];
    for (doc, input, field) in cases {
        let r = orebro.gql(doc, json!({"i": input.clone(), "input": input})).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.body["errors"][0]["extensions"]["field"], field, "{}", r.body);
    }
    assert_eq!(
        orebro.ok(trail, json!({})).await["auditEvents"]["totalCount"],
        before,
        "no refused change was written"
    );
    // The levels read back as they were written.
    let read = "query($id: ID!) { node(id: $id) { ... on SourcingEvaluation { informationClass { confidentiality integrity availability } criteria { weight } } } }";
    let got = orebro.ok(read, json!({"id": e})).await["node"].clone();
    assert_eq!(
        got["informationClass"],
        json!({"confidentiality": 4, "integrity": 0, "availability": 2})
    );
    assert_eq!(got["criteria"], json!([{"weight": 100}]));
}
both_backends!(numbers_out_of_range_are_refused_with_their_field_and_write_nothing);
