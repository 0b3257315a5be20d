//! The details docs/domain.md settles so that every implementation agrees ("Details settled"):
//! each checked against figures worked out by hand.
use chrono::{Days, Months, Utc};
use serde_json::json;

use crate::{
    both_backends,
    docs::{benefits::*, decision, initiatives as ini, inventory as inv, sourcing as s, *},
    helpers::TestApp,
    mutations::{Setup, build, shared_fixture},
};

async fn follow_ups_are_listed_by_measurement_date_and_the_latest_is_the_latest_date(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let (p, _) = create(&orebro, "Handläggningstid", "COUNTY", "100").await;
    let d = orebro
        .ok(
            ADD_BENEFIT,
            json!({"input": {"projectId": p, "description": "Kortare handläggning", "category": "PRODUCTIVITY",
                "kind": "QUANTITATIVE", "ownerCode": "1880", "metric": "Handläggningstid", "unit": "dagar", "baseline": "10", "target": "6"}}),
        )
        .await;
    let benefit = d["addBenefit"]["benefit"]["id"].clone();
    // Entered out of date order: November first, then the older October measurement, then a
    // second November measurement.
    for (date, value) in [("2026-11-20", "8"), ("2026-10-01", "9"), ("2026-11-20", "7")] {
        orebro
            .ok(
                FOLLOW_UP,
                json!({"input": {"benefitId": benefit, "date": date, "value": value}}),
            )
            .await;
    }
    let q = r#"query($id: ID!) { node(id: $id) { ... on EServiceProject {
        benefits { latestValue realizationPercent followUps { date value } } } } }"#;
    let b = &orebro.ok(q, json!({"id": p})).await["node"]["benefits"][0];
    let listed: Vec<(&str, &str)> = b["followUps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["date"].as_str().unwrap(), f["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [("2026-10-01", "9"), ("2026-11-20", "8"), ("2026-11-20", "7")]
    );
    // Latest = 7 (latest date, entered last): (7 − 10) / (6 − 10) = 75 %.
    assert_eq!(b["latestValue"], "7");
    assert_eq!(b["realizationPercent"], "75.00");
}
both_backends!(follow_ups_are_listed_by_measurement_date_and_the_latest_is_the_latest_date);

async fn contracts_ending_within_n_months_exclude_those_already_ended(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let shared = shared_fixture(&app).await;
    let product = shared["product"].as_str().unwrap();
    let today = Utc::now().date_naive();
    let ends = [
        ("ended yesterday", today - Days::new(1)),
        ("ends today", today),
        ("ends in 18 months", today + Months::new(18)),
        (
            "ends in 18 months and a day",
            today + Months::new(18) + Days::new(1),
        ),
    ];
    for (owner, end) in ends {
        inv::register(
            &orebro,
            product,
            json!({"systemOwner": owner, "contractEnd": end.to_string()}),
        )
        .await;
    }
    let d = orebro
        .ok(
            "{ expiringContracts(withinMonths: 18) { systemOwner } }",
            json!({}),
        )
        .await;
    let found: Vec<&str> = d["expiringContracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["systemOwner"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["ends today", "ends in 18 months"]);
}
both_backends!(contracts_ending_within_n_months_exclude_those_already_ended);

async fn cost_share_percentages_are_the_exact_fraction_rounded_half_up(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let (p, _) = create(&orebro, "Per capita", "COUNTY", "1000").await;
    let part = invite(&orebro, &p, "1881", "PARTICIPANT").await;
    app.as_kommun("1881")
        .admin()
        .ok(
            RESPOND,
            json!({"input": {"participationId": part, "accept": true}}),
        )
        .await;
    let v = version(&orebro, &p).await;
    orebro
        .ok(
            SET_COST,
            json!({"input": {"projectId": p, "version": v, "key": "PER_CAPITA"}}),
        )
        .await;
    let shares = project(&orebro, &p).await["costShares"].clone();
    let by_code = |code: &str| {
        shares
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["municipality"]["code"] == code)
            .unwrap()
            .clone()
    };
    // Kumla: 22,516 of 181,864 inhabitants = 12.380680…% → 12.3807 (not 12.3806); its
    // 1,000 kr is 123,806.80… öre → 123,807 öre by largest remainder.
    assert_eq!(by_code("1881")["percent"], "12.3807");
    assert_eq!(by_code("1881")["amount"], "123.81");
    // Örebro: 159,348 / 181,864 = 87.619319…% → 87.6193; 876.19 kr.
    assert_eq!(by_code("1880")["percent"], "87.6193");
    assert_eq!(by_code("1880")["amount"], "876.19");
}
both_backends!(cost_share_percentages_are_the_exact_fraction_rounded_half_up);

async fn refused_state_changes_name_the_field_and_the_allowed_next_states(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let shared = shared_fixture(&app).await;

    // Skipping a phase.
    let (p, v) = create(&orebro, "Hoppar", "COUNTY", "10").await;
    orebro
        .gql(
            ADVANCE,
            json!({"input": {"id": p, "version": v, "toPhase": "PLANNING", "decision": decision("Hopp")}}),
        )
        .await
        .expect_refused_state("toPhase", &["IDEA", "PRE_STUDY"]);
    // A stale version is a conflict, not a refused state change.
    orebro
        .gql(
            UPDATE,
            json!({"input": {"id": p, "version": v + 1, "title": "Krock"}}),
        )
        .await
        .expect_code("CONFLICT");

    // Scoring a DECIDED evaluation.
    let f = build(&app, Setup::ScoringEvaluation, "PRIVATE", &shared).await;
    orebro
        .ok(
            s::DECIDE,
            json!({"input": {"id": f["evaluation"], "version": f["version"], "optionId": f["option"],
                "decision": decision("Egen drift"), "justification": "Beslutat"}}),
        )
        .await;
    orebro
        .gql(
            s::SCORE,
            json!({"input": {"optionId": f["option"], "criterionId": f["criterion"], "score": 3}}),
        )
        .await
        .expect_refused_state("optionId", &["SCORING", "it is DECIDED (final"]);

    // Supporting a WITHDRAWN initiative.
    let f = build(&app, Setup::Initiative, "COUNTY", &shared).await;
    orebro
        .ok(
            ini::TRANSITION,
            json!({"input": {"id": f["initiative"], "version": f["version"], "to": "WITHDRAWN"}}),
        )
        .await;
    app.as_kommun("1861")
        .editor()
        .gql(ini::SUPPORT, json!({"input": {"initiativeId": f["initiative"]}}))
        .await
        .expect_refused_state("initiativeId", &["OPEN_FOR_SUPPORT", "it is WITHDRAWN (final"]);
    // A transition the state machine does not have names where the initiative may go.
    let f = build(&app, Setup::Initiative, "COUNTY", &shared).await;
    orebro
        .gql(
            ini::TRANSITION,
            json!({"input": {"id": f["initiative"], "version": f["version"], "to": "DELIVERED"}}),
        )
        .await
        .expect_refused_state("to", &["OPEN_FOR_SUPPORT (next: SUBMITTED or WITHDRAWN)"]);
}
both_backends!(refused_state_changes_name_the_field_and_the_allowed_next_states);

async fn decimals_are_read_from_their_text_and_numbers_are_refused(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    // Exact from the text, however many digits.
    let d = orebro
        .ok(
            CREATE,
            json!({"input": {"title": "Exakt", "budget": "12345678.91"}}),
        )
        .await;
    assert_eq!(d["createEServiceProject"]["project"]["budget"], "12345678.91");
    // A JSON number may already have lost digits in any parser that reads numbers as doubles,
    // so it is refused, as a variable and as a literal; nothing is written.
    let r = orebro
        .gql(
            CREATE,
            json!({"input": {"title": "Flyttal", "budget": 12345678.91}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("as strings"), "{message}");
    let r = orebro
        .gql(
            r#"mutation { createEServiceProject(input: {title: "Literal", budget: 12.5}) { project { id } } }"#,
            json!({}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    let n = orebro.ok("{ eServiceProjects { totalCount } }", json!({})).await;
    assert_eq!(n["eServiceProjects"]["totalCount"], 1);
}
both_backends!(decimals_are_read_from_their_text_and_numbers_are_refused);
