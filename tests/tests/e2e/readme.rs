//! README's examples run against the demo data a fresh `cargo run` loads, so that what a new
//! user pastes into the explorer keeps working.
use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// The GraphQL blocks of README.md that follow the heading `heading`, up to the next heading.
fn readme_queries(heading: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no '{heading}'"));
    let section = &readme[start + heading.len()..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    section
        .split("```graphql\n")
        .skip(1)
        .map(|b| b[..b.find("```").unwrap()].to_owned())
        .collect()
}

async fn demo(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.demo_data = true).await
}

async fn examples_run_on_the_demo_data(app: TestApp) {
    let inventory = readme_queries("### Inventory and vendor initiatives");
    assert_eq!(inventory.len(), 1);
    let d = app.as_kommun("1881").viewer().ok(&inventory[0], json!({})).await;
    let initiatives = d["vendorInitiatives"]["edges"].as_array().unwrap();
    assert_eq!(initiatives.len(), 1);
    // Supporters Kumla (22 516) and Nora (10 627); both run the vendor's product, Nora privately,
    // so Kumla's view counts only its own.
    assert_eq!(
        initiatives[0]["node"]["leverage"],
        json!({"supporters": 2, "combinedPopulation": 33143, "runningVendorProducts": 1})
    );
    let elevkoll = d["productUsage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["product"]["name"] == "Elevkoll")
        .unwrap();
    assert_eq!(elevkoll["totalMunicipalities"], 3);
    assert_eq!(
        elevkoll["municipalities"].as_array().unwrap().len(),
        2,
        "Nora's PRIVATE system is only a number"
    );
    assert_eq!(d["systemMap"]["systems"].as_array().unwrap().len(), 2);

    let audit = readme_queries("### The audit's questions");
    assert_eq!(audit.len(), 2);
    let r = app.as_kommun("1880").revisor().ok(&audit[0], json!({})).await;
    let statuses: Vec<&str> = r["auditReadiness"]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), 9);
    for s in ["MEETS", "PARTLY", "NOT_MET"] {
        assert!(statuses.contains(&s), "the demo shows {s}: {statuses:?}");
    }
    assert_eq!(
        r["auditReadiness"]["answers"][0]["documents"][0]["adoptingBody"],
        "Kommunfullmäktige"
    );
    let set = app.as_kommun("1880").namnd().ok(&audit[1], json!({})).await;
    assert_eq!(
        set["setAuditThresholds"]["thresholds"],
        json!({"shareMeets": 75, "sharePartly": 30, "reviewMonths": 18})
    );

    let report = readme_queries("### The committee report");
    assert_eq!(report.len(), 1);
    let r = app.as_kommun("1880").namnd().ok(&report[0], json!({})).await;
    assert_eq!(r["committeeReport"]["vendorInitiatives"][0]["supporters"], 2);
    assert_eq!(
        r["committeeReport"]["sensitiveSystemsOutsideEu"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Joint procurement: Örebro's and Kumla's Elevkoll contracts end six months apart, both
    // as a product window and as a SCHOOL category window; Nora's PRIVATE Elevkoll is counted.
    let joint = readme_queries("### Joint procurement, cost-share previews and linked data");
    assert_eq!(joint.len(), 2);
    let d = app.as_kommun("1880").viewer().ok(&joint[0], json!({})).await;
    let windows = d["procurementWindows"].as_array().unwrap();
    assert_eq!(windows.len(), 2, "{d}");
    assert_eq!(windows[0]["product"]["name"], "Elevkoll");
    assert_eq!(windows[1]["category"], "SCHOOL");
    assert_eq!(
        windows[0]["kommuner"],
        json!([{"name": "Örebro"}, {"name": "Kumla"}])
    );
    assert_eq!(windows[0]["otherKommuner"], 1);
    assert_eq!(windows[0]["combinedPopulation"], 159_348 + 22_516);
    // A new project of Örebro with Kumla and Askersund, 600,000 kr, MIXED 30 %: 10 % each
    // plus 70 % by population (193,342 inhabitants), worked out by hand.
    let d = app.as_kommun("1880").viewer().ok(&joint[1], json!({})).await;
    let shares: Vec<(&str, &str, &str)> = d["costSharePreview"]["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["municipality"]["name"].as_str().unwrap(),
                s["percent"].as_str().unwrap(),
                s["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [
            ("Örebro", "67.6924", "406154.27"),
            ("Kumla", "18.152", "108911.88"),
            ("Askersund", "14.1556", "84933.85"),
        ]
    );

    // The demo's closed project leaves as an archive package, its six tollgate decisions in it.
    let archive = readme_queries("### Archive packages");
    assert_eq!(archive.len(), 1);
    let d = app.as_kommun("1880").editor().ok(&archive[0], json!({})).await;
    let closed = d["eServiceProjects"]["edges"].as_array().unwrap();
    assert_eq!(closed.len(), 1, "{d}");
    assert_eq!(closed[0]["node"]["title"], "Digital nämndhandling");
    let token =
        samverkan::auth::mint_dev_token(&app.secret, "readme", "1880", &["editor".into()], 60).unwrap();
    let res = app
        .get(&format!(
            "/archive/projects/{}.zip",
            closed[0]["node"]["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_ref())).unwrap();
    let name = zip
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.ends_with("/representations/rep1/data/project.json"))
        .unwrap()
        .into_owned();
    let doc: serde_json::Value = serde_json::from_reader(zip.by_name(&name).unwrap()).unwrap();
    assert_eq!(doc["decisions"].as_array().unwrap().len(), 6);
    assert!(
        doc["decisions"][5]["diarienummer"]
            .as_str()
            .unwrap()
            .starts_with("GN ")
    );

    // The demo data is written through the services, so its history is in the audit trail.
    let h = app
        .as_kommun("1880")
        .viewer()
        .ok("{ auditEvents { totalCount } }", json!({}))
        .await;
    assert!(h["auditEvents"]["totalCount"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    examples_run_on_the_demo_data(demo(Backend::Sqlite).await.expect("sqlite app")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    match demo(Backend::Postgres).await {
        Some(app) => examples_run_on_the_demo_data(app).await,
        None => eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set"),
    }
}
