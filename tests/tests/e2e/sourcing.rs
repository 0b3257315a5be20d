//! A sourcing evaluation by three kommuner, from draft to decision.
use serde_json::json;

use crate::{both_backends, docs::decision, docs::sourcing::*, helpers::TestApp};

async fn three_kommuner_evaluate_sourcing_from_draft_to_decision(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let kumla = app.as_kommun("1881").editor_admin();
    let nora = app.as_kommun("1884").editor_admin();
    let laxa = app.as_kommun("1860").editor_admin();

    let d = orebro.ok(CREATE, json!({"input": {"title": "Drift av e-tjänsteplattform", "subjectText": "Plattform för länets e-tjänster",
        "informationClass": {"confidentiality": 3, "integrity": 2, "availability": 2}}})).await;
    let e = &d["createSourcingEvaluation"]["evaluation"];
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(e["state"], "DRAFT");
    let codes: Vec<&str> = e["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "TOTAL_COST",
            "INFORMATION_SECURITY",
            "LEGAL",
            "EXIT_AND_LOCK_IN",
            "COMPETENCE_SUPPLY",
            "CITIZEN_BENEFIT"
        ]
    );

    let mut options = Vec::new();
    for (kind, one_off, annual, location) in [
        ("IN_HOUSE", "500000", "200000", "SWEDEN"),
        ("CLOUD_SAAS", "0", "150000", "THIRD_COUNTRY"),
        ("SHARED_COUNTY", "100000", "120000", "SWEDEN"),
    ] {
        let d = orebro.ok(ADD_OPTION, json!({"input": {"evaluationId": id, "kind": kind, "oneOffCost": one_off, "annualCost": annual, "contractYears": 5, "dataLocation": location}})).await;
        options.push(
            d["addSourcingOption"]["option"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for code in ["1881", "1884"] {
        orebro
            .ok(
                INVITE,
                json!({"input": {"evaluationId": id, "municipalityCode": code}}),
            )
            .await;
    }
    kumla
        .ok(RESPOND, json!({"input": {"evaluationId": id, "accept": true}}))
        .await;
    nora.ok(RESPOND, json!({"input": {"evaluationId": id, "accept": true}}))
        .await;

    // Weights must sum to exactly 100; the error says the current sum.
    let v = version(&orebro, &id).await;
    orebro.ok(SET_CRITERIA, json!({"input": {"evaluationId": id, "version": v, "criteria": [
        {"code": "TOTAL_COST", "name": "Kostnad", "weight": 50}, {"code": "INFORMATION_SECURITY", "name": "Säkerhet", "weight": 30}, {"code": "LEGAL", "name": "Juridik", "weight": 10}]}})).await;
    let v = version(&orebro, &id).await;
    let r = orebro
        .gql(START, json!({"input": {"id": id, "version": v}}))
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("sum to 90"),
        "{}",
        r.body
    );
    let d = orebro.ok(SET_CRITERIA, json!({"input": {"evaluationId": id, "version": v, "criteria": [
        {"code": "TOTAL_COST", "name": "Kostnad", "weight": 50}, {"code": "INFORMATION_SECURITY", "name": "Säkerhet", "weight": 30}, {"code": "LEGAL", "name": "Juridik", "weight": 20}]}})).await;
    let criteria: Vec<String> = d["setSourcingCriteria"]["evaluation"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();

    // No scores before SCORING.
    orebro
        .gql(
            SCORE,
            json!({"input": {"optionId": options[0], "criterionId": criteria[0], "score": 3}}),
        )
        .await
        .expect_refused_state("optionId", &["it is DRAFT (next: SCORING or CANCELLED)"]);
    let v = version(&orebro, &id).await;
    orebro.ok(START, json!({"input": {"id": id, "version": v}})).await;

    // A kommun that was not invited cannot see, let alone score.
    laxa.gql(
        SCORE,
        json!({"input": {"optionId": options[0], "criterionId": criteria[0], "score": 0}}),
    )
    .await
    .expect_code("NOT_FOUND");
    orebro
        .gql(
            SCORE,
            json!({"input": {"optionId": options[0], "criterionId": criteria[0], "score": 6}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");

    score_all(&orebro, &options, &criteria, [[3, 5, 5], [5, 2, 1], [4, 4, 4]]).await;
    score_all(&kumla, &options, &criteria, [[2, 4, 5], [5, 3, 2], [4, 5, 4]]).await;
    let partial = read(&orebro, &id).await;
    assert_eq!(partial["result"]["complete"], false);
    assert_eq!(
        partial["result"]["missing"].as_array().unwrap().len(),
        9,
        "Nora has scored nothing yet"
    );
    score_all(&nora, &options, &criteria, [[3, 4, 4], [4, 2, 1], [5, 4, 4]]).await;

    // Örebro rescoring changes only Örebro's own score; Kumla's stays.
    orebro.ok(SCORE, json!({"input": {"optionId": options[0], "criterionId": criteria[0], "score": 3, "rationale": "oförändrad"}})).await;
    let r = read(&kumla, &id).await;
    let kumla_first = r["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["municipality"]["code"] == "1881"
                && s["optionId"] == json!(options[0])
                && s["criterionId"] == json!(criteria[0])
        })
        .unwrap();
    assert_eq!(kumla_first["score"], 2);

    // Hand-computed: per kommun 10·cost + 6·security + 4·legal, mean over three kommuner.
    // Shared 80, 86, 90 → 85.33; in-house 80, 64, 70 → 71.33; cloud 66, 76, 56 → 66.00.
    let res = &r["result"];
    assert_eq!(res["complete"], true);
    let ranking: Vec<(String, String, i64, String)> = res["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["option"]["kind"].as_str().unwrap().to_owned(),
                o["weightedScore"].as_str().unwrap().to_owned(),
                o["rank"].as_i64().unwrap(),
                o["totalCostOfOwnership"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        ranking,
        vec![
            ("SHARED_COUNTY".into(), "85.33".into(), 1, "700000.00".into()),
            ("IN_HOUSE".into(), "71.33".into(), 2, "1500000.00".into()),
            ("CLOUD_SAAS".into(), "66.00".into(), 3, "750000.00".into()),
        ]
    );
    assert_eq!(res["winner"]["kind"], "SHARED_COUNTY");
    assert_eq!(res["robust"], true);
    let flags: Vec<(&str, &str, bool)> = res["riskFlags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["option"]["kind"].as_str().unwrap(),
                f["blocking"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        vec![
            ("THIRD_COUNTRY_TRANSFER", "CLOUD_SAAS", true),
            ("NO_EXIT_PLAN", "CLOUD_SAAS", true)
        ]
    );

    // Choosing a flagged option needs a justification.
    let v = version(&orebro, &id).await;
    let r = orebro.gql(DECIDE, json!({"input": {"id": id, "version": v, "optionId": options[1], "decision": decision("Molnet")}})).await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "justification");
    kumla
        .gql(
            DECIDE,
            json!({"input": {"id": id, "version": v, "optionId": options[2], "decision": decision("x")}}),
        )
        .await
        .expect_code("FORBIDDEN");
    let d = orebro.ok(DECIDE, json!({"input": {"id": id, "version": v, "optionId": options[2], "decision": decision("Gemensam drift")}})).await;
    let e = &d["decideSourcingEvaluation"]["evaluation"];
    assert_eq!(e["state"], "DECIDED");
    assert_eq!(e["decision"]["option"]["kind"], "SHARED_COUNTY");
    assert_eq!(e["decision"]["diarienummer"], "GN 2026/17");
    // Decided is final.
    kumla
        .gql(
            SCORE,
            json!({"input": {"optionId": options[0], "criterionId": criteria[0], "score": 5}}),
        )
        .await
        .expect_refused_state("optionId", &["DECIDED (final"]);
    let list = laxa.ok("{ sourcingEvaluations { totalCount } }", json!({})).await;
    assert_eq!(
        list["sourcingEvaluations"]["totalCount"], 0,
        "PARTICIPANTS evaluations stay among the participants"
    );
    let list = kumla
        .ok(
            "{ sourcingEvaluations(filter: {state: [DECIDED]}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list["sourcingEvaluations"]["totalCount"], 1);
}
both_backends!(three_kommuner_evaluate_sourcing_from_draft_to_decision);
