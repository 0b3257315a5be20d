//! Cost-share previews against the cost-key arithmetic done by hand; nothing is written.
use serde_json::{Value, json};

use crate::{both_backends, docs::*, helpers::TestApp};

const PREVIEW: &str = r#"query($input: CostSharePreviewInput!) {
  costSharePreview(input: $input) { key budget shares { municipality { code } percent amount currentAmount change } }
}"#;

/// (kommunkod, percent, amount, currentAmount, change) per row.
fn rows(d: &Value) -> Vec<(String, String, String, String, String)> {
    d["costSharePreview"]["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let t = |k: &str| s[k].as_str().unwrap().to_owned();
            (
                s["municipality"]["code"].as_str().unwrap().to_owned(),
                t("percent"),
                t("amount"),
                t("currentAmount"),
                t("change"),
            )
        })
        .collect()
}

fn row(
    code: &str,
    percent: &str,
    amount: &str,
    current: &str,
    change: &str,
) -> (String, String, String, String, String) {
    (
        code.into(),
        percent.into(),
        amount.into(),
        current.into(),
        change.into(),
    )
}

async fn what_each_would_pay_if_kumla_joined_without_inviting_anyone(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let (p, _) = create(&orebro, "Gemensam e-tjänst", "COUNTY", "1000000").await;
    let part = invite(&orebro, &p, "1881", "PARTICIPANT").await;
    app.as_kommun("1881")
        .admin()
        .ok(
            RESPOND,
            json!({"input": {"participationId": part, "accept": true}}),
        )
        .await;
    // Today, EQUAL: 500,000 kr each.

    // Askersund joins, EQUAL: 1,000,000 kr / 3 = 333,333.33… kr; the extra öre goes to the
    // lowest kommunkod (1880).
    let d = orebro
        .ok(PREVIEW, json!({"input": {"projectId": p, "add": ["1882"]}}))
        .await;
    assert_eq!(d["costSharePreview"]["key"], "EQUAL");
    assert_eq!(
        rows(&d),
        [
            row("1880", "33.3333", "333333.34", "500000.00", "-166666.66"),
            row("1881", "33.3333", "333333.33", "500000.00", "-166666.67"),
            row("1882", "33.3333", "333333.33", "0.00", "333333.33"),
        ]
    );

    // The same per capita: 159,348 + 22,516 + 11,478 = 193,342 inhabitants.
    // Örebro 159,348/193,342 = 82.41768…% → 824,176.85 kr; Kumla 11.64568…% → 116,456.85 kr;
    // Askersund 5.93663…% → 59,366.30 kr (largest remainder in öre).
    let d = orebro
        .ok(
            PREVIEW,
            json!({"input": {"projectId": p, "add": ["1882"], "key": "PER_CAPITA"}}),
        )
        .await;
    assert_eq!(
        rows(&d),
        [
            row("1880", "82.4177", "824176.85", "500000.00", "324176.85"),
            row("1881", "11.6457", "116456.85", "500000.00", "-383543.15"),
            row("1882", "5.9366", "59366.30", "0.00", "59366.30"),
        ]
    );

    // Kumla leaves: Örebro pays it all; Kumla shows 0.
    let d = orebro
        .ok(PREVIEW, json!({"input": {"projectId": p, "remove": ["1881"]}}))
        .await;
    assert_eq!(
        rows(&d),
        [
            row("1880", "100", "1000000.00", "500000.00", "500000.00"),
            row("1881", "0", "0.00", "500000.00", "-500000.00"),
        ]
    );

    // Nothing was written.
    let shares = project(&orebro, &p).await["costShares"].clone();
    assert_eq!(shares.as_array().unwrap().len(), 2);
    assert_eq!(shares[0]["amount"], "500000.00");

    // A project not yet created: MIXED, 30 % equally and 70 % per capita over Örebro, Kumla
    // and Nora (192,491 inhabitants), 100,000 kr. Örebro: 10 % + 70 % × 159,348/192,491 =
    // 67.94743…%; Kumla 18.18801…%; Nora 13.86454…%.
    let d = orebro
        .ok(
            PREVIEW,
            json!({"input": {"add": ["1881", "1884"], "key": "MIXED", "mixedEqualPercent": "30", "budget": "100000"}}),
        )
        .await;
    assert_eq!(
        rows(&d),
        [
            row("1880", "67.9474", "67947.44", "0.00", "67947.44"),
            row("1881", "18.188", "18188.02", "0.00", "18188.02"),
            row("1884", "13.8645", "13864.54", "0.00", "13864.54"),
        ]
    );

    // Refusals name their field.
    for (input, field) in [
        (json!({"projectId": p, "remove": ["1880"]}), "remove"),
        (json!({"projectId": p, "add": ["9999"]}), "add"),
        (json!({"add": ["1881"], "budget": "10"}), "key"),
    ] {
        let r = orebro.gql(PREVIEW, json!({"input": input})).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.body["errors"][0]["extensions"]["field"], field);
    }
    // A project the caller may not see is not there.
    let (hidden, _) = create(&app.as_kommun("1883").editor(), "Hemligt", "PRIVATE", "10").await;
    orebro
        .gql(PREVIEW, json!({"input": {"projectId": hidden, "add": ["1881"]}}))
        .await
        .expect_code("NOT_FOUND");
}
both_backends!(what_each_would_pay_if_kumla_joined_without_inviting_anyone);
