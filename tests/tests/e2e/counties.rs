//! Every län: the counties a deployment serves, another county's records out of sight, and
//! population figures by reference year that never move an agreed split.
use serde_json::{Value, json};

use crate::{
    both_backends,
    chain::cli,
    docs::*,
    helpers::{Caller, TempDir, TestApp},
};

const SHARES: &str = r#"query($id: ID!) { node(id: $id) { ... on EServiceProject {
  version costSharing { key populationYear populationYearPinned }
  costShares { municipality { code } amount populationYear } } } }"#;

const MOVE: &str = r#"mutation($input: MovePopulationYearInput!) {
  movePopulationYear(input: $input) { project { version costSharing { populationYear populationYearPinned } } } }"#;

const PREVIEW: &str = r#"query($input: CostSharePreviewInput!) {
  costSharePreview(input: $input) { populationYear shares { municipality { code } amount } } }"#;

const FIGURES: &str = r#"query($code: String!) { municipality(code: $code) {
  population populationYear populationFigures { year population } } }"#;

/// (kommunkod, amount, populationYear) of each share.
async fn shares(c: &Caller<'_>, id: &str) -> (Value, Vec<(String, String, Value)>) {
    let d = c.ok(SHARES, json!({"id": id})).await;
    let node = d["node"].clone();
    let rows = node["costShares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["municipality"]["code"].as_str().unwrap().to_owned(),
                s["amount"].as_str().unwrap().to_owned(),
                s["populationYear"].clone(),
            )
        })
        .collect();
    (node, rows)
}

fn share(code: &str, amount: &str, year: i64) -> (String, String, Value) {
    (code.into(), amount.into(), json!(year))
}

/// A per-capita project of Örebro and Kumla, 1,000,000 kr, moved to `phase`.
async fn per_capita_project(app: &TestApp, title: &str, phases: &[&str]) -> String {
    let orebro = app.as_kommun("1880").editor_admin();
    let (p, v) = create(&orebro, title, "COUNTY", "1000000").await;
    let part = invite(&orebro, &p, "1881", "PARTICIPANT").await;
    answer(&app.as_kommun("1881").admin(), &part, true).await;
    let v = version(&orebro, &p).await.max(v);
    orebro
        .ok(
            SET_COST,
            json!({"input": {"projectId": p, "version": v, "key": "PER_CAPITA"}}),
        )
        .await;
    for to in phases {
        advance(&orebro, &p, to).await;
    }
    p
}

/// A year of figures for Örebro län as SCB's table has them (code and name in one cell,
/// spaces between thousands, the county's total), made up for the test: Örebro 160 000 and
/// Kumla 40 000, so that a split of the two is 80 % and 20 %.
fn year_file(dir: &TempDir, name: &str, rows: &[(&str, &str)]) -> String {
    let mut text = String::from("Folkmängd i riket, län och kommuner 31 december 2030\nRegion;Folkmängd\n");
    for (region, n) in rows {
        text.push_str(&format!("{region};{n}\n"));
    }
    let path = dir.0.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const OREBRO_LAN_2030: &[(&str, &str)] = &[
    ("18 Örebro län", "323 000"),
    ("1814 Lekeberg", "9 000"),
    ("1860 Laxå", "5 000"),
    ("1861 Hallsberg", "16 000"),
    ("1862 Degerfors", "9 000"),
    ("1863 Hällefors", "6 000"),
    ("1864 Ljusnarsberg", "4 000"),
    ("1880 Örebro", "160 000"),
    ("1881 Kumla", "40 000"),
    ("1882 Askersund", "11 000"),
    ("1883 Karlskoga", "30 000"),
    ("1884 Nora", "10 000"),
    ("1885 Lindesberg", "23 000"),
];

/// Imports the test's 2030 figures for Örebro län and waits until the server has them: a
/// second reference year for the tests that move an agreed split.
pub(crate) async fn import_second_year(app: &TestApp) {
    let dir = TempDir(std::env::temp_dir().join(format!("samverkan-pop-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let file = year_file(&dir, "2030.csv", OREBRO_LAN_2030);
    let (ok, out) = cli(app, &["import-population", &file, "--year", "2030"]);
    assert!(ok, "{out}");
    let viewer = app.as_kommun("1880").viewer();
    for _ in 0..150 {
        if figures_of(&viewer, "1880").await["populationYear"] == 2030 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the server did not load the 2030 figures");
}

const COSTS: &str = r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") {
  costPerMunicipality { municipality { code } committed planned } } }"#;

/// The committee report's sums (committed, planned) of Örebro and Kumla, in öre.
async fn report_sums(c: &Caller<'_>) -> [(i64, i64); 2] {
    let d = c.ok(COSTS, json!({})).await;
    let ore = |v: &Value| v.as_str().unwrap().replace('.', "").parse::<i64>().unwrap();
    let of = |code: &str| {
        d["committeeReport"]["costPerMunicipality"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["municipality"]["code"] == code)
            .map_or((0, 0), |r| (ore(&r["committed"]), ore(&r["planned"])))
    };
    [of("1880"), of("1881")]
}

async fn figures_of(c: &Caller<'_>, code: &str) -> Value {
    c.ok(FIGURES, json!({"code": code})).await["municipality"].clone()
}

async fn a_new_year_never_moves_an_agreed_split(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    // Agreed (past PLANNING) under SCB's 2023 figures: 159,348 + 22,516 = 181,864
    // inhabitants; Örebro 87.6193…% → 876,193.20 kr, Kumla 123,806.80 kr.
    let agreed = per_capita_project(&app, "Avtalad delning", &["PRE_STUDY", "PLANNING", "EXECUTION"]).await;
    let planning = per_capita_project(&app, "Delning under planering", &["PRE_STUDY", "PLANNING"]).await;
    let was = [share("1880", "876193.20", 2023), share("1881", "123806.80", 2023)];
    let (node, rows) = shares(&orebro, &agreed).await;
    assert_eq!(rows, was);
    assert_eq!(node["costSharing"]["populationYear"], 2023);
    assert_eq!(node["costSharing"]["populationYearPinned"], true);
    let (node, rows) = shares(&orebro, &planning).await;
    assert_eq!(rows, was);
    assert_eq!(node["costSharing"]["populationYearPinned"], false);
    let before = report_sums(&orebro).await;

    // A file with bad rows is refused whole, each named; nothing is written.
    let dir = TempDir(std::env::temp_dir().join(format!("samverkan-pop-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let mut bad: Vec<(&str, &str)> = OREBRO_LAN_2030
        .iter()
        .copied()
        .filter(|(r, _)| !r.starts_with("1885"))
        .collect();
    bad[2] = ("1860 Laxå", "-5 000");
    bad[3] = ("1861 Hallsberg", "sexton tusen");
    bad.push(("1899 Ingenstans", "1 000"));
    let file = year_file(&dir, "bad.csv", &bad);
    let (ok, out) = cli(&app, &["import-population", &file, "--year", "2030"]);
    assert!(!ok, "{out}");
    for words in [
        "line 5, column folkmängd: '-5 000' is negative",
        "line 6, column folkmängd: 'sexton tusen' is not a whole number",
        "1899 is not a kommunkod",
        "Örebro län lacks the figures of 1860 Laxå, 1861 Hallsberg, 1885 Lindesberg",
        "nothing was written",
    ] {
        assert!(out.contains(words), "{words}: {out}");
    }
    // The county's total must be its kommuner's sum.
    let mut wrong = OREBRO_LAN_2030.to_vec();
    wrong[0] = ("18 Örebro län", "323 001");
    let (ok, out) = cli(
        &app,
        &[
            "import-population",
            &year_file(&dir, "sum.csv", &wrong),
            "--year",
            "2030",
        ],
    );
    assert!(
        !ok && out.contains("323001 is not the sum of its kommuner's figures (323000)"),
        "{out}"
    );
    let viewer = app.as_kommun("1880").viewer();
    assert_eq!(
        figures_of(&viewer, "1880").await["populationFigures"],
        json!([{"year": 2023, "population": 159348}])
    );

    let file = year_file(&dir, "good.csv", OREBRO_LAN_2030);
    let (ok, out) = cli(&app, &["import-population", &file, "--year", "2030"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("county 18 (Örebro län): 12 kommuner, population 323000"),
        "{out}"
    );
    let (ok, out) = cli(&app, &["import-population", &file, "--year", "2030"]);
    assert!(
        !ok && out.contains("figures of 2030 are already imported (Örebro län)"),
        "{out}"
    );

    // The server sees the new year within its poll.
    let mut seen = Value::Null;
    for _ in 0..150 {
        seen = figures_of(&viewer, "1880").await;
        if seen["populationYear"] == 2030 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(seen["population"], 160000, "{seen}");
    assert_eq!(
        seen["populationFigures"],
        json!([{"year": 2023, "population": 159348}, {"year": 2030, "population": 160000}])
    );

    // The agreed split keeps 2023; the one being planned follows 2030: 80 % and 20 %, and
    // the committee report's sums move with it (876,193.20 - 800,000.00 kr).
    assert_eq!(shares(&orebro, &agreed).await.1, was);
    let moved = 7_619_320;
    assert_eq!(
        report_sums(&orebro).await,
        [
            (before[0].0, before[0].1 - moved),
            (before[1].0, before[1].1 + moved)
        ]
    );
    assert_eq!(
        shares(&orebro, &planning).await.1,
        [share("1880", "800000.00", 2030), share("1881", "200000.00", 2030)]
    );
    // The preview shows the agreed project under 2030, and refuses a year the county lacks.
    let d = orebro
        .ok(
            PREVIEW,
            json!({"input": {"projectId": agreed, "populationYear": 2030}}),
        )
        .await;
    assert_eq!(d["costSharePreview"]["populationYear"], 2030);
    assert_eq!(d["costSharePreview"]["shares"][0]["amount"], "800000.00");
    orebro
        .gql(
            PREVIEW,
            json!({"input": {"projectId": agreed, "populationYear": 2024}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");

    // Moving the agreed split is a decision of its own: not Kumla's to take.
    let v = shares(&orebro, &agreed).await.0["version"].as_i64().unwrap();
    let input = json!({"input": {"projectId": agreed, "version": v, "year": 2030}});
    app.as_kommun("1881")
        .editor()
        .gql(MOVE, input.clone())
        .await
        .expect_code("FORBIDDEN");
    orebro
        .gql(
            MOVE,
            json!({"input": {"projectId": planning, "version": 1, "year": 2030}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");
    let d = orebro.ok(MOVE, input).await;
    assert_eq!(
        d["movePopulationYear"]["project"]["costSharing"],
        json!({"populationYear": 2030, "populationYearPinned": true})
    );
    assert_eq!(
        shares(&orebro, &agreed).await.1,
        [share("1880", "800000.00", 2030), share("1881", "200000.00", 2030)]
    );
    assert_eq!(
        report_sums(&orebro).await,
        [
            (before[0].0 - moved, before[0].1 - moved),
            (before[1].0 + moved, before[1].1 + moved)
        ]
    );
    // The import and the move are in the county's chain, which still verifies.
    let (ok, out) = cli(&app, &["verify-audit", "--county", "18"]);
    assert!(ok && out.contains("intact"), "{out}");
}
both_backends!(a_new_year_never_moves_an_agreed_split);

const COUNTY_LIST: &str = r#"{ counties { code municipalities { code } } }"#;
const TOTAL: &str = r#"{ eServiceProjects(first: 5) { totalCount edges { node { title } } } }"#;
const REPORT: &str = r#"query($county: String!) { committeeReport(county: $county, from: "2026-01-01", to: "2026-12-31") {
  costPerMunicipality { municipality { code } } projectsByPhase { count } } }"#;
const TRAIL: &str = r#"{ auditEvents(first: 50) { totalCount edges { node { action } } } }"#;

async fn another_county_sees_nothing_of_ours(app: TestApp) {
    let served = app.as_kommun("1480").viewer().ok(COUNTY_LIST, json!({})).await;
    let codes: Vec<_> = served["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["municipalities"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(codes, [("14".to_owned(), 49), ("18".to_owned(), 12)]);
    // A real kommun of a county not served: refused at the boundary, saying so.
    let r = app
        .with_token(app.sign_dev(&app.dev_claims("0180", &["viewer"])))
        .gql(TOTAL, json!({}))
        .await;
    assert_eq!(r.reason(), Some("KOMMUN_NOT_SERVED"), "{}", r.body);

    // Örebro län's shared project, decisions and events.
    let orebro = app.as_kommun("1880").editor_admin();
    let (p, _) = create(&orebro, "Örebro läns e-tjänst", "COUNTY", "500000").await;
    advance(&orebro, &p, "PRE_STUDY").await;
    for (code, roles) in [
        ("1480", &["viewer"][..]),
        ("1480", &["namnd", "revisor"][..]),
        ("1481", &["editor", "admin"][..]),
    ] {
        let c = app.with_token(app.sign_dev(&app.dev_claims(code, roles)));
        let d = c.ok(TOTAL, json!({})).await;
        assert_eq!(d["eServiceProjects"]["totalCount"], 0, "{code} {roles:?}: {d}");
        assert!(project(&c, &p).await.is_null(), "{code} {roles:?}");
        c.gql(
            INVITE,
            json!({"input": {"projectId": p, "municipalityCode": code, "role": "PARTICIPANT"}}),
        )
        .await
        .expect_code("NOT_FOUND");
    }
    // Withdrawing: a kommun of the county that takes no part is told so; one of another
    // county learns nothing.
    let r = app
        .as_kommun("1861")
        .admin()
        .gql(WITHDRAW, json!({"input": {"projectId": p}}))
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert!(r.body.to_string().contains("does not take part"), "{}", r.body);
    app.as_kommun("1480")
        .admin()
        .gql(WITHDRAW, json!({"input": {"projectId": p}}))
        .await
        .expect_code("NOT_FOUND");
    let gbg_namnd = app.as_kommun("1480").namnd();
    gbg_namnd
        .gql(REPORT, json!({"county": "18"}))
        .await
        .expect_code("FORBIDDEN");
    let trail = gbg_namnd.ok(TRAIL, json!({})).await;
    assert_eq!(trail["auditEvents"]["totalCount"], 0, "{trail}");
    let own = gbg_namnd.ok(REPORT, json!({"county": "14"})).await;
    assert_eq!(own["committeeReport"]["costPerMunicipality"], json!([]), "{own}");
    assert_eq!(
        own["committeeReport"]["projectsByPhase"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_i64().unwrap())
            .sum::<i64>(),
        0
    );
    // Our committee sees ours, and nothing of Västra Götaland's.
    let gbg = app.as_kommun("1480").editor_admin();
    let (theirs, _) = create(&gbg, "Västra Götalands e-tjänst", "COUNTY", "300000").await;
    let ours = app.as_kommun("1881").namnd().ok(TOTAL, json!({})).await;
    assert_eq!(ours["eServiceProjects"]["totalCount"], 1, "{ours}");
    assert!(project(&app.as_kommun("1880").namnd(), &theirs).await.is_null());

    // Västra Götaland has no population figures yet: a per-capita key is refused, saying how
    // to get them, and its kommuner show none.
    let r = gbg
        .gql(
            SET_COST,
            json!({"input": {"projectId": theirs, "version": 1, "key": "PER_CAPITA"}}),
        )
        .await;
    r.expect_code("CONFLICT");
    assert!(r.body.to_string().contains("import-population"), "{}", r.body);
    let f = figures_of(&gbg, "1480").await;
    assert_eq!(
        f,
        json!({"population": null, "populationYear": null, "populationFigures": []})
    );
}

both_backends!(another_county_sees_nothing_of_ours, |s| s.counties =
    "14,18".into());

/// Statements a read took on `app`.
async fn statements_of(app: &TestApp, c: &Caller<'_>, q: &str, v: Value) -> u64 {
    let before = app.statements();
    c.ok(q, v).await;
    app.statements() - before
}

/// Every cached answer follows its own county's changes and the national ones only: a write
/// in Västra Götaland leaves Örebro län's list, report and system map cached (one statement
/// each: the stamp), a write in Örebro län does not, and a vendor (national) moves both.
async fn a_write_in_one_county_leaves_the_others_answers_cached(app: TestApp) {
    let list = "{ eServiceProjects(first: 10) { totalCount edges { node { title } } } }";
    let report = r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") { projectsByPhase { count } costPerMunicipality { planned } } }"#;
    let map = r#"{ systemMap(kommun: "1880") { systems { id } integrations { id } } }"#;
    let orebro = app.as_kommun("1880").editor_admin();
    create(&orebro, "Örebro läns", "COUNTY", "1000").await;
    let (viewer, namnd) = (app.as_kommun("1881").viewer(), app.as_kommun("1880").namnd());
    let reads: [(&Caller<'_>, &str); 3] = [(&viewer, list), (&namnd, report), (&viewer, map)];
    for (c, q) in reads {
        c.ok(q, json!({})).await;
        assert_eq!(
            statements_of(&app, c, q, json!({})).await,
            1,
            "a repeated read: {q}"
        );
    }
    // Västra Götaland writes: a project, a status report.
    let gbg = app.as_kommun("1480").editor_admin();
    let (theirs, _) = create(&gbg, "Västra Götalands", "COUNTY", "1000").await;
    gbg.ok(
        STATUS,
        json!({"input": {"projectId": theirs, "date": "2026-11-01", "health": "GREEN", "summary": "Bra"}}),
    )
    .await;
    for (c, q) in reads {
        assert_eq!(
            statements_of(&app, c, q, json!({})).await,
            1,
            "still cached after county 14's write: {q}"
        );
    }
    // Örebro län writes: every one of them is computed again.
    create(&orebro, "Örebro läns andra", "COUNTY", "1000").await;
    for (c, q) in reads {
        assert!(
            statements_of(&app, c, q, json!({})).await > 1,
            "computed again: {q}"
        );
    }
    for (c, q) in reads {
        c.ok(q, json!({})).await;
    }
    // A vendor is every county's: the report and the map (which read more than projects)
    // are computed again; the project list, which reads no vendor, stays.
    gbg.ok(
        crate::docs::inventory::VENDOR,
        json!({"input": {"name": "Rikslev AB", "orgNumber": "5566778899"}}),
    )
    .await;
    assert_eq!(statements_of(&app, &viewer, list, json!({})).await, 1);
    assert!(statements_of(&app, &namnd, report, json!({})).await > 1);
    assert!(statements_of(&app, &viewer, map, json!({})).await > 1);
}

both_backends!(a_write_in_one_county_leaves_the_others_answers_cached, |s| s
    .counties =
    "14,18".into());
