//! The catalogue as linked open data: both documents are expanded to RDF by a JSON-LD
//! processor and their triples compared with the ones expected; no token needed, only what the
//! catalogue lists, cacheable.
use std::collections::BTreeSet;

use json_ld::{JsonLdProcessor, RemoteDocument, syntax::Parse};
use serde_json::json;

use crate::{both_backends, docs::*, helpers::TestApp};

/// The document's triples as N-Triples-like lines, blank nodes written `_:b`.
async fn triples(text: &str) -> BTreeSet<String> {
    let doc = RemoteDocument::new(
        None,
        Some("application/ld+json".parse().unwrap()),
        json_ld::syntax::Value::parse_str(text).expect("JSON").0,
    );
    let mut generator = json_ld::rdf_types::generator::Blank::new();
    let mut rdf = doc
        .to_rdf(&mut generator, &json_ld::NoLoader)
        .await
        .expect("a valid JSON-LD document");
    rdf.quads()
        .map(|q| {
            let json_ld::rdf_types::Quad(s, p, o, _) = q;
            let term = |t: String| match t.chars().next() {
                Some('"') => t,
                Some('_') => "_:b".to_owned(),
                _ => format!("<{t}>"),
            };
            format!("{} <{p}> {}", term(s.to_string()), term(o.to_string()))
        })
        .collect()
}

fn set(lines: &[String]) -> BTreeSet<String> {
    lines.iter().cloned().collect()
}

async fn the_catalogue_reads_as_schema_org_and_cpsv_ap(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let (p, _) = create(&orebro, "Bygglov", "PUBLIC", "100").await;
    for to in ["PRE_STUDY", "PLANNING", "EXECUTION"] {
        advance(&orebro, &p, to).await;
    }
    let d = orebro
        .ok(
            PUBLISH,
            json!({"input": {"projectId": p, "name": "Ansök om bygglov", "description": "Ansök digitalt.", "url": "https://orebro.se/bygglov"}}),
        )
        .await;
    let gid = d["publishEService"]["publishedEService"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The entry's number inside its global id ("PublishedEService:N").
    let n = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &gid).unwrap(),
    )
    .unwrap()
    .rsplit(':')
    .next()
    .unwrap()
    .to_owned();
    // A PRIVATE project's entry never shows; nor does another kommun's.
    let (hidden, _) = create(&orebro, "Internt", "PRIVATE", "1").await;
    let _ = hidden;

    let res = app.get("/catalogue/1880.jsonld").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/ld+json");
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
    let s = format!("<urn:samverkan:published-eservice:{n}>");
    let org = "<urn:samverkan:kommun:1880>";
    let rdf = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
    let schema = |t: &str| format!("<https://schema.org/{t}>");
    // No accessibility statement yet: flagged in both documents.
    let missing = "<urn:samverkan:vocab:accessibilityStatementMissing>";
    let yes = "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>";
    let expected = set(&[
        format!("{s} {rdf} {}", schema("GovernmentService")),
        format!("{s} {} \"Ansök om bygglov\"", schema("name")),
        format!("{s} {} \"Ansök digitalt.\"", schema("description")),
        format!("{s} {} <https://orebro.se/bygglov>", schema("url")),
        format!("{s} {} {org}", schema("provider")),
        format!("{s} {} _:b", schema("areaServed")),
        format!("{s} {} _:b", schema("audience")),
        format!("{s} {} \"sv\"", schema("availableLanguage")),
        format!("{s} {missing} {yes}"),
        format!("{org} {rdf} {}", schema("GovernmentOrganization")),
        format!("{org} {} \"Örebro kommun\"", schema("name")),
        format!("{org} {} \"1880\"", schema("identifier")),
        format!("_:b {rdf} {}", schema("AdministrativeArea")),
        format!("_:b {} \"Örebro\"", schema("name")),
        format!("_:b {rdf} {}", schema("Audience")),
        format!("_:b {} \"citizens\"", schema("audienceType")),
    ]);
    assert_eq!(triples(&res.text().await.unwrap()).await, expected);

    let res = app.get("/catalogue/1880/cpsv.jsonld").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let dct = |t: &str| format!("<http://purl.org/dc/terms/{t}>");
    let area = "<urn:samverkan:area:1880>";
    let expected = set(&[
        format!("{s} {rdf} <http://purl.org/vocab/cpsv#PublicService>"),
        format!("{s} {} \"{n}\"", dct("identifier")),
        format!("{s} {} \"Ansök om bygglov\"@sv", dct("title")),
        format!("{s} {} \"Ansök digitalt.\"@sv", dct("description")),
        format!(
            "{s} {} <http://publications.europa.eu/resource/authority/language/SWE>",
            dct("language")
        ),
        format!("{s} <http://data.europa.eu/m8g/hasCompetentAuthority> {org}"),
        format!("{s} {} {area}", dct("spatial")),
        format!("{s} <http://xmlns.com/foaf/0.1/homepage> <https://orebro.se/bygglov>"),
        format!("{s} {missing} {yes}"),
        format!("{org} {rdf} <http://data.europa.eu/m8g/PublicOrganisation>"),
        format!("{org} <http://www.w3.org/2004/02/skos/core#prefLabel> \"Örebro kommun\"@sv"),
        format!("{org} {} \"1880\"", dct("identifier")),
        format!("{org} {} {area}", dct("spatial")),
        format!("{area} {rdf} {}", dct("Location")),
        format!("{area} <http://www.w3.org/2004/02/skos/core#prefLabel> \"Örebro\"@sv"),
    ]);
    assert_eq!(triples(&res.text().await.unwrap()).await, expected);

    // With a statement: its address and declared conformance instead of the flag.
    orebro
        .ok(
            crate::dcat::SET_STATEMENT,
            json!({"input": {"publishedEServiceId": gid, "url": "https://orebro.se/tillganglighet", "conformance": "NOT_COMPLIANT"}}),
        )
        .await;
    for path in ["/catalogue/1880.jsonld", "/catalogue/1880/cpsv.jsonld"] {
        let got = triples(&app.get(path).send().await.unwrap().text().await.unwrap()).await;
        assert!(!got.iter().any(|t| t.contains(missing)), "{path}");
        assert!(got.contains(&format!(
            "{s} <urn:samverkan:vocab:accessibilityStatement> <https://orebro.se/tillganglighet>"
        )));
        assert!(got.contains(&format!(
            "{s} <urn:samverkan:vocab:accessibilityConformance> \"NOT_COMPLIANT\""
        )));
    }

    // A kommun with nothing published: an empty graph. Bad and unknown codes: clear errors.
    let empty = app.get("/catalogue/1881.jsonld").send().await.unwrap();
    assert_eq!(empty.status(), 200);
    assert!(triples(&empty.text().await.unwrap()).await.is_empty());
    assert_eq!(
        app.get("/catalogue/18x0.jsonld").send().await.unwrap().status(),
        400
    );
    assert_eq!(
        app.get("/catalogue/1999.jsonld").send().await.unwrap().status(),
        404
    );
}
both_backends!(the_catalogue_reads_as_schema_org_and_cpsv_ap);
