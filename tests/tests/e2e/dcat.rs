//! The county's catalogue for Sveriges dataportal (DCAT-AP-SE) and the accessibility
//! statements it carries: both serialisations validated with pySHACL, the triples read back,
//! and who may set a statement.
use std::process::Command;

use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::*,
    helpers::{TempDir, TestApp, fixture},
};

pub const SET_STATEMENT: &str = r#"mutation($input: SetAccessibilityStatementInput!) {
  setAccessibilityStatement(input: $input) { publishedEService { id accessibilityStatement { url conformance } } }
}"#;

const CATALOGUE: &str = r#"query($county: String) {
  publishedEServices(filter: {county: $county}) { totalCount withoutAccessibilityStatement
    nodes { name municipality { code } accessibilityStatement { url conformance } } }
}"#;

/// pySHACL as `scripts/test.sh` installs it (`SAMVERKAN_PYSHACL`), else from the PATH.
fn pyshacl() -> String {
    std::env::var("SAMVERKAN_PYSHACL").unwrap_or_else(|_| "pyshacl".into())
}

/// Validates `doc` (in `format`, pySHACL's name for it) against the shapes file `shapes`:
/// whether it conforms, and pySHACL's report.
fn shacl(doc: &[u8], format: &str, shapes: &std::path::Path) -> (bool, String) {
    let dir = TempDir(std::env::temp_dir().join(format!("samverkan-dcat-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let file = dir.0.join("catalogue");
    std::fs::write(&file, doc).unwrap();
    let out = Command::new(pyshacl())
        .args([
            "-s",
            shapes.to_str().unwrap(),
            "-df",
            format,
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap_or_else(|e| panic!("pySHACL must be installed (scripts/test.sh installs it): {e}"));
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        report.contains("Conforms:"),
        "pySHACL ran: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (report.contains("Conforms: True"), report)
}

/// The official DCAT-AP 3.0 shapes, when the operator has them at hand
/// (`SAMVERKAN_DCAT_AP_SHAPES`: a folder with SEMIC's `dcat-ap-SHACL.ttl` and `range.ttl`).
fn official_shapes() -> Vec<std::path::PathBuf> {
    match std::env::var_os("SAMVERKAN_DCAT_AP_SHAPES") {
        Some(dir) => ["dcat-ap-SHACL.ttl", "range.ttl"]
            .iter()
            .map(|f| std::path::Path::new(&dir).join(f))
            .collect(),
        None => Vec::new(),
    }
}

async fn catalogue(app: &TestApp, accept: &str, query: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let res = app
        .get(&format!("/catalogue/dcat{query}"))
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{query}");
    let headers = res.headers().clone();
    (headers, res.bytes().await.unwrap().to_vec())
}

/// The Turtle's triples as `subject predicate object` lines (oxttl, a parser apart from the
/// serialiser's shape of the text).
fn triples(turtle: &[u8]) -> Vec<String> {
    oxttl::TurtleParser::new()
        .for_slice(turtle)
        .map(|t| {
            let t = t.expect("valid Turtle");
            format!("{} {} {}", t.subject, t.predicate, t.object)
        })
        .collect()
}

async fn the_countys_catalogue_is_dcat_ap_se_with_accessibility_statements(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let kumla = app.as_kommun("1881").editor_admin();
    let (p, _) = create(&orebro, "Felanmälan", "PUBLIC", "100").await;
    let part = invite(&orebro, &p, "1881", "PARTICIPANT").await;
    kumla
        .ok(
            RESPOND,
            json!({"input": {"participationId": part, "accept": true}}),
        )
        .await;
    for to in ["PRE_STUDY", "PLANNING", "EXECUTION"] {
        advance(&orebro, &p, to).await;
    }
    let publish = |c: &'static str| json!({"input": {"projectId": p, "name": "Felanmälan gata", "description": format!("Felanmälan i {c}."), "url": format!("https://{c}.example/felanmalan")}});
    let ours = orebro.ok(PUBLISH, publish("orebro")).await["publishEService"]["publishedEService"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    kumla.ok(PUBLISH, publish("kumla")).await;
    // Not listed: a PRIVATE project's and a project not yet live.
    create(&orebro, "Internt", "PRIVATE", "1").await;

    // Who may set a statement: the publishing kommun's editors, an https address.
    let statement = |id: &str, url: &str, c: &str| json!({"input": {"publishedEServiceId": id, "url": url, "conformance": c}});
    let url = "https://orebro.example/felanmalan/tillganglighet";
    kumla
        .gql(SET_STATEMENT, statement(&ours, url, "FULLY_COMPLIANT"))
        .await
        .expect_code("FORBIDDEN");
    app.as_kommun("1880")
        .viewer()
        .gql(SET_STATEMENT, statement(&ours, url, "FULLY_COMPLIANT"))
        .await
        .expect_code("FORBIDDEN");
    let bad = orebro
        .gql(
            SET_STATEMENT,
            statement(&ours, "http://orebro.example/x", "FULLY_COMPLIANT"),
        )
        .await;
    bad.expect_code("BAD_USER_INPUT");
    assert_eq!(bad.body["errors"][0]["extensions"]["field"], "url");
    orebro
        .gql(
            SET_STATEMENT,
            statement("UHVibGlzaGVkRVNlcnZpY2U6OTk5OQ", url, "FULLY_COMPLIANT"),
        )
        .await
        .expect_code("NOT_FOUND");
    let set = orebro
        .ok(SET_STATEMENT, statement(&ours, url, "PARTIALLY_COMPLIANT"))
        .await;
    assert_eq!(
        set["setAccessibilityStatement"]["publishedEService"]["accessibilityStatement"],
        json!({"url": url, "conformance": "PARTIALLY_COMPLIANT"})
    );
    let listed = app.anonymous().ok(CATALOGUE, json!({"county": "18"})).await;
    assert_eq!(listed["publishedEServices"]["totalCount"], 2);
    assert_eq!(
        listed["publishedEServices"]["withoutAccessibilityStatement"], 1,
        "Kumla's entry is flagged"
    );

    // The catalogue, as Turtle and as JSON-LD: both conform to the profile's mandatory
    // properties, and to SEMIC's DCAT-AP 3.0 shapes when those are at hand.
    let shapes = fixture("dcat-ap-se/mandatory.shapes.ttl");
    let (headers, ttl) = catalogue(&app, "text/turtle", "").await;
    assert_eq!(headers["content-type"], "text/turtle; charset=utf-8");
    assert_eq!(headers["cache-control"], "public, max-age=60");
    assert!(headers["vary"].to_str().unwrap().contains("Accept"));
    let (headers, jsonld) = catalogue(&app, "application/ld+json", "?county=18").await;
    assert_eq!(headers["content-type"], "application/ld+json");
    for (doc, format) in [(&ttl, "turtle"), (&jsonld, "json-ld")] {
        let (ok, report) = shacl(doc, format, &shapes);
        assert!(ok, "{format}: {report}");
        for official in official_shapes() {
            let (ok, report) = shacl(doc, format, &official);
            assert!(ok, "{format} against {}: {report}", official.display());
        }
    }
    // The shapes bite: without the catalogue's title it does not conform.
    let text = String::from_utf8(ttl.clone()).unwrap();
    let untitled: String = text
        .lines()
        .filter(|l| !l.contains("dcterms:title \"E-tjänster i Örebro län\""))
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(untitled, text);
    assert!(!shacl(untitled.as_bytes(), "turtle", &shapes).0);

    let t = triples(&ttl);
    let has = |s: &str| t.iter().any(|l| l.contains(s));
    let base = &app.base;
    let catalog = format!("<{base}/catalogue/dcat?county=18#catalog>");
    let api = format!("<{base}/catalogue/dcat?county=18#api>");
    assert!(has(&format!(
        "{catalog} <http://www.w3.org/ns/dcat#service> {api}"
    )));
    assert!(has(&format!(
        "{api} <http://www.w3.org/ns/dcat#endpointURL> <{base}/graphql>"
    )));
    assert!(has(
        "<http://purl.org/dc/terms/license> <http://creativecommons.org/publicdomain/zero/1.0/>"
    ));
    assert!(has("<http://www.w3.org/2006/vcard/ns#hasEmail> <mailto:"));
    assert!(has("\"Felanmälan i orebro.\"@sv"));
    assert!(has("\"Felanmälan i kumla.\"@sv"));
    assert!(!has("Internt"), "only what the catalogue lists");
    assert!(has(&format!(
        "<urn:samverkan:vocab:accessibilityStatement> <{url}>"
    )));
    assert!(has(&format!(
        "<{url}> <urn:samverkan:vocab:accessibilityConformance> \"PARTIALLY_COMPLIANT\""
    )));
    assert!(has(
        "<urn:samverkan:vocab:accessibilityStatementMissing> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>"
    ));

    // The API's description the catalogue points to is served.
    let sdl = app.get("/schema.graphql").send().await.unwrap();
    assert_eq!(sdl.status(), 200);
    assert!(sdl.text().await.unwrap().contains("setAccessibilityStatement"));

    // An unknown county is a clear error.
    let res = app.get("/catalogue/dcat?county=99").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}
both_backends!(the_countys_catalogue_is_dcat_ap_se_with_accessibility_statements);

/// The demo publishes live e-services, so every catalogue format shows content to a newcomer,
/// and its catalogue conforms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_catalogue_has_content_and_conforms() {
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| s.demo_data = true)
        .await
        .unwrap();
    let listed = app.anonymous().ok(CATALOGUE, json!({"county": "18"})).await;
    let n = listed["publishedEServices"]["totalCount"].as_u64().unwrap();
    assert!(n >= 4, "{listed}");
    let offering: std::collections::BTreeSet<&str> = listed["publishedEServices"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["municipality"]["code"].as_str().unwrap())
        .collect();
    assert!(offering.len() >= 3, "several kommuner offer them");
    let cpsv = app.get("/catalogue/1880/cpsv.jsonld").send().await.unwrap();
    assert!(cpsv.text().await.unwrap().contains("PublicService"));
    let (_, ttl) = catalogue(&app, "text/turtle", "").await;
    let (ok, report) = shacl(&ttl, "turtle", &fixture("dcat-ap-se/mandatory.shapes.ttl"));
    assert!(ok, "{report}");
}
