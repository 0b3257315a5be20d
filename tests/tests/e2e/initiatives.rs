//! Vendor-influence initiatives: the state machine, supporters and leverage.
use serde_json::json;

use crate::{
    both_backends,
    docs::initiatives::*,
    docs::inventory::{PRODUCT, VENDOR, register},
    helpers::TestApp,
};

async fn kommuner_push_a_vendor_together_and_the_leverage_adds_up(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let kumla = app.as_kommun("1881").editor();
    let nora = app.as_kommun("1884").editor();
    let laxa = app.as_kommun("1860").editor();

    let v = orebro
        .ok(
            VENDOR,
            json!({"input": {"name": "Skolsystem AB", "orgNumber": "5566778899"}}),
        )
        .await["createVendor"]["vendor"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = orebro
        .ok(
            PRODUCT,
            json!({"input": {"vendorId": v, "name": "Elevkoll", "category": "SCHOOL"}}),
        )
        .await["createProduct"]["product"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Kumla runs the vendor's product (privately); Nora does not.
    register(&kumla, &p, json!({"visibility": "PRIVATE"})).await;

    let d = orebro.ok(CREATE, json!({"input": {"title": "Öppet API enligt SS 12000", "vendorId": v, "productId": p, "deadline": "2027-06-30",
        "requirements": [{"text": "Stöd för SS 12000", "priority": "MUST"}, {"text": "Export till CSV", "priority": "SHOULD"}]}})).await;
    let id = d["createVendorInitiative"]["initiative"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(d["createVendorInitiative"]["initiative"]["state"], "DRAFT");

    // Support only while open; only the initiator moves the state.
    kumla
        .gql(SUPPORT, json!({"input": {"initiativeId": id}}))
        .await
        .expect_refused_state(
            "initiativeId",
            &[
                "OPEN_FOR_SUPPORT",
                "it is DRAFT (next: OPEN_FOR_SUPPORT or WITHDRAWN)",
            ],
        );
    kumla
        .gql(
            TRANSITION,
            json!({"input": {"id": id, "version": 1, "to": "OPEN_FOR_SUPPORT"}}),
        )
        .await
        .expect_code("FORBIDDEN");
    for illegal in ["SUBMITTED", "VENDOR_RESPONDED", "ACCEPTED", "DELIVERED", "DRAFT"] {
        let r = orebro
            .gql(
                TRANSITION,
                json!({"input": {"id": id, "version": 1, "to": illegal}}),
            )
            .await;
        r.expect_code("BAD_USER_INPUT");
    }
    orebro
        .ok(
            TRANSITION,
            json!({"input": {"id": id, "version": 1, "to": "OPEN_FOR_SUPPORT"}}),
        )
        .await;

    kumla
        .ok(
            SUPPORT,
            json!({"input": {"initiativeId": id, "comment": "Vi står bakom"}}),
        )
        .await;
    nora.ok(SUPPORT, json!({"input": {"initiativeId": id}})).await;
    laxa.ok(SUPPORT, json!({"input": {"initiativeId": id}})).await;
    kumla
        .gql(SUPPORT, json!({"input": {"initiativeId": id}}))
        .await
        .expect_code("CONFLICT");
    laxa.ok(WITHDRAW, json!({"input": {"initiativeId": id}})).await;
    laxa.gql(WITHDRAW, json!({"input": {"initiativeId": id}}))
        .await
        .expect_code("BAD_USER_INPUT");

    // Hand-computed: Kumla 22 516 + Nora 10 627 = 33 143; only Kumla runs the product, and
    // privately: beside the named supporters only Kumla itself may count it.
    let i = read(&orebro, &id).await;
    assert_eq!(
        i["leverage"],
        json!({"supporters": 2, "combinedPopulation": 33143, "runningVendorProducts": 0})
    );
    assert_eq!(read(&kumla, &id).await["leverage"]["runningVendorProducts"], 1);
    assert_eq!(
        i["requirements"][0],
        json!({"text": "Stöd för SS 12000", "priority": "MUST"})
    );
    let codes: Vec<&str> = i["supporters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["municipality"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["1881", "1884"]);

    let v1 = version(&orebro, &id).await;
    orebro
        .ok(
            TRANSITION,
            json!({"input": {"id": id, "version": v1, "to": "SUBMITTED"}}),
        )
        .await;
    nora.gql(WITHDRAW, json!({"input": {"initiativeId": id}}))
        .await
        .expect_refused_state("initiativeId", &["it is SUBMITTED (next: WITHDRAWN)"]);
    kumla.gql(RESPONSE, json!({"input": {"initiativeId": id, "date": "2027-01-15", "summary": "x", "outcome": "ACCEPTED"}})).await.expect_code("FORBIDDEN");
    let d = orebro.ok(RESPONSE, json!({"input": {"initiativeId": id, "date": "2027-01-15", "summary": "Leverantören bygger API:t", "commitment": "Release 5.0", "promisedDelivery": "2027-09-01", "outcome": "PARTIALLY_ACCEPTED"}})).await;
    assert_eq!(
        d["recordVendorResponse"]["initiative"]["state"],
        "VENDOR_RESPONDED"
    );
    let v2 = version(&orebro, &id).await;
    orebro
        .gql(
            TRANSITION,
            json!({"input": {"id": id, "version": v2, "to": "DELIVERED"}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");
    orebro
        .ok(
            TRANSITION,
            json!({"input": {"id": id, "version": v2, "to": "PARTIALLY_ACCEPTED"}}),
        )
        .await;
    orebro
        .gql(
            TRANSITION,
            json!({"input": {"id": id, "version": v2, "to": "DELIVERED"}}),
        )
        .await
        .expect_code("CONFLICT");
    orebro
        .ok(
            TRANSITION,
            json!({"input": {"id": id, "version": v2 + 1, "to": "DELIVERED"}}),
        )
        .await;
    orebro
        .gql(
            TRANSITION,
            json!({"input": {"id": id, "version": v2 + 2, "to": "WITHDRAWN"}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");
    let i = read(&kumla, &id).await;
    assert_eq!(i["state"], "DELIVERED");
    assert_eq!(i["vendorResponses"][0]["promisedDelivery"], "2027-09-01");
}
both_backends!(kommuner_push_a_vendor_together_and_the_leverage_adds_up);

async fn listing_initiatives_with_supporters_and_vendor_costs_constant_statements(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let v = orebro
        .ok(
            VENDOR,
            json!({"input": {"name": "Leverantör AB", "orgNumber": "2120001355"}}),
        )
        .await["createVendor"]["vendor"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 0..12 {
        let d = orebro
            .ok(
                CREATE,
                json!({"input": {"title": format!("Initiativ {n}"), "vendorId": v}}),
            )
            .await;
        let id = d["createVendorInitiative"]["initiative"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        orebro
            .ok(
                TRANSITION,
                json!({"input": {"id": id, "version": 1, "to": "OPEN_FOR_SUPPORT"}}),
            )
            .await;
        for k in ["1881", "1884"] {
            app.as_kommun(k)
                .editor()
                .ok(SUPPORT, json!({"input": {"initiativeId": id}}))
                .await;
        }
    }
    let q = "query($first: Int) { vendorInitiatives(first: $first) { edges { node { title vendor { name } supporters { municipality { name } } } } } }";
    let mut counts = Vec::new();
    for first in [2, 6, 12] {
        let before = app.statements();
        let d = app
            .as_kommun("1862")
            .viewer()
            .ok(q, json!({"first": first}))
            .await;
        counts.push(app.statements() - before);
        assert_eq!(
            d["vendorInitiatives"]["edges"].as_array().unwrap().len(),
            first as usize
        );
        assert_eq!(
            d["vendorInitiatives"]["edges"][0]["node"]["supporters"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
    assert!(
        // At most: the data generation, the page, the supporters, the vendors.
        counts.iter().all(|c| *c == counts[0]) && counts[0] <= 4,
        "statements per list: {counts:?}"
    );
}
both_backends!(listing_initiatives_with_supporters_and_vendor_costs_constant_statements);
