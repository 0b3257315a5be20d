//! Joint procurement windows from a seeded inventory, against figures worked out by hand,
//! and a joint initiative started from one.
use chrono::{Months, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::{initiatives as ini, inventory as inv},
    helpers::{Caller, TestApp},
    mutations::shared_fixture,
};

const WINDOWS: &str = r#"query($min: Int = 2, $category: ProductCategory) {
  procurementWindows(minKommuner: $min, category: $category) {
    id kind product { name } category vendors { name } kommuner { code } otherKommuner
    earliestContractEnd latestContractEnd procurementDeadline combinedPopulation
    combinedAnnualCost costedSystems systems { municipality { code } }
  }
}"#;

fn in_months(m: u32) -> NaiveDate {
    Utc::now().date_naive() + Months::new(m)
}

async fn system(c: &Caller<'_>, product: &str, ends: NaiveDate, visibility: &str, cost: Option<&str>) {
    inv::register(
        c,
        product,
        json!({"contractEnd": ends.to_string(), "visibility": visibility, "annualCost": cost}),
    )
    .await;
}

fn codes(w: &Value) -> Vec<&str> {
    w["kommuner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap())
        .collect()
}

async fn contracts_ending_close_together_make_windows_and_a_joint_initiative(app: TestApp) {
    let shared = shared_fixture(&app).await;
    let (vendor, p) = (
        shared["vendor"].clone(),
        shared["product"].as_str().unwrap().to_owned(),
    );
    let orebro = app.as_kommun("1880").editor();
    let q = orebro
        .ok(
            inv::PRODUCT,
            json!({"input": {"vendorId": vendor, "name": "Lönesystem", "category": "HR"}}),
        )
        .await["createProduct"]["product"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    system(&orebro, &p, in_months(3), "COUNTY", Some("100000")).await;
    system(
        &app.as_kommun("1881").editor(),
        &p,
        in_months(9),
        "COUNTY",
        Some("50000.50"),
    )
    .await;
    system(&app.as_kommun("1884").editor(), &p, in_months(14), "COUNTY", None).await;
    // Beyond 12 months from the first end: alone in a window of its own, so no window.
    system(&app.as_kommun("1885").editor(), &p, in_months(16), "COUNTY", None).await;
    // Degerfors runs it PRIVATE: counted for the others, never named or dated.
    system(&app.as_kommun("1862").editor(), &p, in_months(4), "PRIVATE", None).await;
    // Karlskoga runs another HR product: in the category window, not the product one.
    system(&app.as_kommun("1883").editor(), &q, in_months(5), "COUNTY", None).await;

    let d = orebro.ok(WINDOWS, json!({})).await;
    let w = d["procurementWindows"].as_array().unwrap();
    assert_eq!(w.len(), 2, "{d}");
    let (product, category) = (&w[0], &w[1]);

    assert_eq!(product["kind"], "PRODUCT");
    assert_eq!(product["product"]["name"], "Matrisprodukt");
    assert_eq!(codes(product), ["1880", "1881", "1884"]);
    assert_eq!(product["otherKommuner"], 1);
    assert_eq!(product["earliestContractEnd"], in_months(3).to_string());
    assert_eq!(product["latestContractEnd"], in_months(14).to_string());
    // Twelve months' lead time before the first end.
    assert_eq!(
        product["procurementDeadline"],
        (in_months(3) - Months::new(12)).to_string()
    );
    // Örebro 159,348 + Kumla 22,516 + Nora 10,627.
    assert_eq!(product["combinedPopulation"], 192_491);
    assert_eq!(product["combinedAnnualCost"], "150000.50");
    assert_eq!(product["costedSystems"], 2);
    assert_eq!(product["vendors"][0]["name"], "Matrisleverantör AB");

    assert_eq!(category["kind"], "CATEGORY");
    assert_eq!(category["category"], "HR");
    assert_eq!(codes(category), ["1880", "1881", "1883", "1884"]);
    // + Karlskoga 30,261.
    assert_eq!(category["combinedPopulation"], 222_752);
    assert_eq!(category["otherKommuner"], 1);

    // Filters.
    let d = orebro.ok(WINDOWS, json!({"min": 4})).await;
    assert_eq!(d["procurementWindows"].as_array().unwrap().len(), 1);
    let d = orebro.ok(WINDOWS, json!({"category": "FINANCE"})).await;
    assert_eq!(d["procurementWindows"], json!([]));

    // Degerfors sees its own PRIVATE contract: four kommuner, none hidden.
    let d = app.as_kommun("1862").viewer().ok(WINDOWS, json!({})).await;
    let own = &d["procurementWindows"][0];
    assert_eq!(codes(own), ["1862", "1880", "1881", "1884"]);
    assert_eq!(own["otherKommuner"], 0);
    // The committee sees the county-shared systems only.
    let d = app.as_kommun("1880").namnd().ok(WINDOWS, json!({})).await;
    assert_eq!(codes(&d["procurementWindows"][0]), ["1880", "1881", "1884"]);
    assert_eq!(d["procurementWindows"][0]["otherKommuner"], 1);

    // The committee report and its CSV carry the county's windows.
    let d = app
        .as_kommun("1880")
        .namnd()
        .ok(
            r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") { procurementWindows { kind kommuner { code } combinedPopulation } } }"#,
            json!({}),
        )
        .await;
    let report = &d["committeeReport"]["procurementWindows"];
    assert_eq!(report.as_array().unwrap().len(), 2);
    assert_eq!(report[0]["combinedPopulation"], 192_491);
    let csv = app
        .file(
            "/reports/18/committee.csv?from=2026-01-01&to=2026-12-31",
            "1880",
            &["namnd"],
        )
        .await;
    let line = csv
        .lines()
        .find(|l| l.starts_with("Matrisprodukt;"))
        .expect("a window row in the CSV");
    assert_eq!(
        line,
        format!(
            "Matrisprodukt;Matrisleverantör AB;Örebro, Kumla, Nora;1;{};{};{};192491;150000,50",
            in_months(3),
            in_months(14),
            in_months(3) - Months::new(12)
        )
    );

    // A joint initiative from the product window: Örebro leads, the others are invited.
    let start = r#"mutation($input: StartJointProcurementInitiativeInput!) {
      startJointProcurementInitiative(input: $input) { initiative { id state deadline vendor { name } product { name }
        invitedSupporters { municipality { code } } supporters { municipality { code } } } } }"#;
    let d = orebro
        .ok(
            start,
            json!({"input": {"windowId": product["id"], "title": "Gemensam upphandling av Matrisprodukt"}}),
        )
        .await;
    let i = &d["startJointProcurementInitiative"]["initiative"];
    assert_eq!(i["state"], "DRAFT");
    assert_eq!(i["vendor"]["name"], "Matrisleverantör AB");
    assert_eq!(i["product"]["name"], "Matrisprodukt");
    assert_eq!(i["deadline"], product["procurementDeadline"]);
    let invited: Vec<&str> = i["invitedSupporters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["municipality"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(invited, ["1881", "1884"]);
    assert_eq!(i["supporters"], json!([]), "an invitation is not support");

    // Kumla accepts by supporting once it is open.
    let id = i["id"].clone();
    orebro
        .ok(
            ini::TRANSITION,
            json!({"input": {"id": id, "version": 1, "to": "OPEN_FOR_SUPPORT"}}),
        )
        .await;
    app.as_kommun("1881")
        .editor()
        .ok(ini::SUPPORT, json!({"input": {"initiativeId": id}}))
        .await;
    let read = r#"query($id: ID!) { node(id: $id) { ... on VendorInitiative {
        invitedSupporters { municipality { code } } supporters { municipality { code } } leverage { supporters } } } }"#;
    let n = &orebro.ok(read, json!({"id": id})).await["node"];
    assert_eq!(n["supporters"][0]["municipality"]["code"], "1881");
    assert_eq!(n["invitedSupporters"][0]["municipality"]["code"], "1884");
    assert_eq!(n["leverage"]["supporters"], 1);

    // From the category window: one vendor, so it is chosen; no product.
    let d = orebro
        .ok(
            start,
            json!({"input": {"windowId": category["id"], "title": "HR-system tillsammans"}}),
        )
        .await;
    let i = &d["startJointProcurementInitiative"]["initiative"];
    assert_eq!(i["product"], Value::Null);
    assert_eq!(i["invitedSupporters"].as_array().unwrap().len(), 3);

    // Ids that are not windows.
    orebro
        .gql(start, json!({"input": {"windowId": "bm9wZQ", "title": "x"}}))
        .await
        .expect_code("BAD_USER_INPUT");
}
both_backends!(contracts_ending_close_together_make_windows_and_a_joint_initiative);
