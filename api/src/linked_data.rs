//! The published catalogue as linked open data, for a kommun's own web pages and for the
//! national and European e-service registries: schema.org `GovernmentService` and the EU Core
//! Public Service Vocabulary Application Profile (CPSV-AP).
//!
//! Both documents carry their context inline, so a JSON-LD processor needs no network to read
//! them. Every service is named by a URN with its global id, stable across both documents.
use entity::{catalogue_entry, municipality};
use serde_json::{Value, json};

use crate::domain::TargetGroup;

fn service_iri(entry: &catalogue_entry::Model) -> String {
    format!("urn:samverkan:published-eservice:{}", entry.id)
}

fn organisation_iri(m: &municipality::Model) -> String {
    format!("urn:samverkan:kommun:{}", m.code)
}

/// The organisation's name: "Örebro" → "Örebro kommun".
fn kommun_name(m: &municipality::Model) -> String {
    format!("{} kommun", m.name)
}

fn audience(g: TargetGroup) -> &'static str {
    match g {
        TargetGroup::Citizens => "citizens",
        TargetGroup::Businesses => "businesses",
        TargetGroup::Internal => "municipal staff",
    }
}

/// The entry's accessibility statement as properties of its service: the statement's
/// address and declared conformance, or the flag that it has none yet (DOS-lagen requires
/// one of every public e-service).
fn accessibility(entry: &catalogue_entry::Model, summary: Option<&str>) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    match (
        &entry.accessibility_statement_url,
        entry.accessibility_conformance,
    ) {
        (Some(url), Some(c)) => {
            m.insert("samverkan:accessibilityStatement".into(), json!({"@id": url}));
            m.insert(
                "samverkan:accessibilityConformance".into(),
                json!({"@value": c.as_str()}),
            );
            if let Some(key) = summary {
                m.insert(key.into(), json!(format!("E-tjänsten är {}.", c.swedish())));
            }
        }
        _ => {
            m.insert("samverkan:accessibilityStatementMissing".into(), json!(true));
        }
    }
    m
}

fn with(mut node: Value, extra: serde_json::Map<String, Value>) -> Value {
    if let Some(obj) = node.as_object_mut() {
        obj.extend(extra);
    }
    node
}

/// schema.org: one `GovernmentService` per published e-service.
pub fn schema_org(m: &municipality::Model, rows: &[(catalogue_entry::Model, TargetGroup)]) -> Value {
    let provider = json!({
        "@id": organisation_iri(m),
        "@type": "GovernmentOrganization",
        "name": kommun_name(m),
        "identifier": m.code,
    });
    let services: Vec<Value> = rows
        .iter()
        .map(|(e, g)| {
            with(
                json!({
                    "@id": service_iri(e),
                    "@type": "GovernmentService",
                    "name": e.name,
                    "description": e.description,
                    "url": {"@id": e.url},
                    "provider": provider,
                    "areaServed": {"@type": "AdministrativeArea", "name": m.name},
                    "audience": {"@type": "Audience", "audienceType": audience(*g)},
                    "availableLanguage": "sv",
                }),
                accessibility(e, Some("accessibilitySummary")),
            )
        })
        .collect();
    json!({
        "@context": {"@vocab": "https://schema.org/", "samverkan": "urn:samverkan:vocab:"},
        "@graph": services,
    })
}

/// CPSV-AP: one `cpsv:PublicService` per published e-service, its competent authority the
/// kommun, in Swedish.
pub fn cpsv_ap(m: &municipality::Model, rows: &[(catalogue_entry::Model, TargetGroup)]) -> Value {
    let authority = json!({
        "@id": organisation_iri(m),
        "@type": "cv:PublicOrganisation",
        "skos:prefLabel": kommun_name(m),
        "dct:identifier": {"@value": m.code},
        "dct:spatial": {"@id": format!("urn:samverkan:area:{}", m.code)},
    });
    let services: Vec<Value> = rows
        .iter()
        .map(|(e, _)| {
            with(
                json!({
                    "@id": service_iri(e),
                    "@type": "cpsv:PublicService",
                    "dct:identifier": {"@value": e.id.to_string()},
                    "dct:title": e.name,
                    "dct:description": e.description,
                    "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/SWE"},
                    "cv:hasCompetentAuthority": authority,
                    "dct:spatial": {
                        "@id": format!("urn:samverkan:area:{}", m.code),
                        "@type": "dct:Location",
                        "skos:prefLabel": m.name,
                    },
                    "foaf:homepage": {"@id": e.url},
                }),
                accessibility(e, None),
            )
        })
        .collect();
    json!({
        "@context": {
            "cpsv": "http://purl.org/vocab/cpsv#",
            "cv": "http://data.europa.eu/m8g/",
            "dct": "http://purl.org/dc/terms/",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "samverkan": "urn:samverkan:vocab:",
            "@language": "sv",
        },
        "@graph": services,
    })
}
