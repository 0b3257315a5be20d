//! The county's catalogue for Sveriges dataportal: DCAT-AP-SE 3.0.1 (the Swedish profile of
//! DCAT-AP 3.0), as Turtle or JSON-LD.
//!
//! A `dcat:Catalog` of the county, published by its joint committee, holds:
//! - the API as a `dcat:DataService` (endpoint, description, licence, contact point,
//!   publisher, format),
//! - one `dcat:Dataset`, the county's published e-services, with a distribution through the
//!   API and one per kommun that publishes (its CPSV-AP document),
//! - every published e-service as a CPSV-AP `cpsv:PublicService` (the same IRIs as the
//!   kommun's CPSV-AP and schema.org documents), with its accessibility statement, or flagged
//!   as lacking one.
//!
//! Every property DCAT-AP-SE makes mandatory for these classes is present; see the test in
//! `tests/tests/e2e/dcat.rs`.
use entity::{catalogue_entry, county, municipality};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple, vocab::rdf, vocab::xsd};

use crate::domain::catalogue::AccessibilityConformance;

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const CPSV: &str = "http://purl.org/vocab/cpsv#";
const CV: &str = "http://data.europa.eu/m8g/";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const SAMVERKAN: &str = "urn:samverkan:vocab:";
const EU: &str = "http://publications.europa.eu/resource/authority/";

/// The prefixes both serialisations name.
pub const PREFIXES: &[(&str, &str)] = &[
    ("dcat", DCAT),
    ("dcterms", DCT),
    ("foaf", FOAF),
    ("vcard", VCARD),
    ("cpsv", CPSV),
    ("cv", CV),
    ("skos", SKOS),
    ("samverkan", SAMVERKAN),
];

/// CC0: the catalogue's descriptions are free for anyone to reuse.
const CC0: &str = "http://creativecommons.org/publicdomain/zero/1.0/";
/// EN 301 549, the standard the accessibility law points to.
const EN_301_549: &str =
    "https://www.etsi.org/deliver/etsi_en/301500_301599/301549/03.02.01_60/en_301549v030201p.pdf";

/// What the document needs beyond the records.
pub struct Publication<'a> {
    /// The service's public address, without a trailing slash (`https://samverkan.example`).
    pub base: &'a str,
    pub county: &'a county::Model,
    /// The county's kommuner, to name each entry's publisher.
    pub kommuner: &'a [std::sync::Arc<municipality::Model>],
    /// The contact point's e-mail; without one the service has no contact point to state.
    pub contact_email: Option<&'a str>,
    /// Whether the entries were cut at the document's bound.
    pub truncated: bool,
}

struct Graph(Vec<Triple>);

const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";

fn iri(s: &str) -> NamedNode {
    NamedNode::new_unchecked(s)
}

fn term(ns: &str, local: &str) -> NamedNode {
    iri(&format!("{ns}{local}"))
}

fn sv(text: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(text, "sv").into()
}

impl Graph {
    fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNode, o: impl Into<Term>) {
        self.0.push(Triple::new(s, p, o));
    }

    /// `s p o` with the class DCAT-AP expects of `o` stated: a harvester validating without
    /// the vocabularies at hand (or without RDFS inference) still finds every range met.
    fn link(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNode, o: NamedNode, class: (&str, &str)) {
        self.add(s, p, o.clone());
        let typed = Triple::new(o, rdf::TYPE.into_owned(), term(class.0, class.1));
        if !self.0.contains(&typed) {
            self.0.push(typed);
        }
    }
}

const LICENCE: (&str, &str) = (DCT, "LicenseDocument");
const MEDIA_TYPE: (&str, &str) = (DCT, "MediaTypeOrExtent");
const LANGUAGE: (&str, &str) = (DCT, "LinguisticSystem");
const RESOURCE: (&str, &str) = (RDFS, "Resource");
const DOCUMENT: (&str, &str) = (FOAF, "Document");

/// An address from the records as an IRI, or `None` when it is not one.
fn checked(url: &str) -> Option<NamedNode> {
    NamedNode::new(url).ok()
}

/// The catalogue's triples.
pub fn catalogue(p: &Publication<'_>, entries: &[catalogue_entry::Model]) -> Vec<Triple> {
    let mut g = Graph(Vec::new());
    let base = p.base;
    let code = &p.county.code;
    let doc = format!("{base}/catalogue/dcat?county={code}");
    let catalog = iri(&format!("{doc}#catalog"));
    let service = iri(&format!("{doc}#api"));
    let dataset = iri(&format!("{doc}#e-services"));
    let through_api = iri(&format!("{doc}#e-services-graphql"));
    let publisher = iri(&format!("urn:samverkan:county:{code}"));
    let committee = format!("Gemensamma nämnden för e-tjänstsamverkan i {}", p.county.name);
    let endpoint = iri(&format!("{base}/graphql"));
    let json = term(EU, "file-type/JSON");
    let json_ld = term(EU, "file-type/JSON_LD");
    let swedish = term(EU, "language/SWE");
    let contact = p.contact_email.map(|email| {
        let node = BlankNode::default();
        g.add(node.clone(), rdf::TYPE.into_owned(), term(VCARD, "Organization"));
        g.add(node.clone(), rdf::TYPE.into_owned(), term(VCARD, "Kind"));
        g.add(node.clone(), term(VCARD, "fn"), sv(&committee));
        g.add(
            node.clone(),
            term(VCARD, "hasEmail"),
            iri(&format!("mailto:{email}")),
        );
        node
    });

    g.add(publisher.clone(), rdf::TYPE.into_owned(), term(FOAF, "Agent"));
    g.add(publisher.clone(), term(FOAF, "name"), sv(&committee));
    // A joint committee is a body of the kommuner: a local authority.
    g.link(
        publisher.clone(),
        term(DCT, "type"),
        iri("http://purl.org/adms/publishertype/LocalAuthority"),
        (SKOS, "Concept"),
    );
    g.add(
        iri("http://purl.org/adms/publishertype/LocalAuthority"),
        term(SKOS, "prefLabel"),
        Literal::new_language_tagged_literal_unchecked("Local Authority", "en"),
    );

    g.add(catalog.clone(), rdf::TYPE.into_owned(), term(DCAT, "Catalog"));
    g.add(
        catalog.clone(),
        term(DCT, "title"),
        sv(&format!("E-tjänster i {}", p.county.name)),
    );
    g.add(
        catalog.clone(),
        term(DCT, "description"),
        sv(&format!(
            "E-tjänster som kommunerna i {} erbjuder tillsammans, och API:t där de och kommunernas gemensamma e-tjänstprojekt finns.",
            p.county.name
        )),
    );
    g.add(catalog.clone(), term(DCT, "publisher"), publisher.clone());
    g.link(catalog.clone(), term(DCT, "license"), iri(CC0), LICENCE);
    g.link(catalog.clone(), term(DCT, "language"), swedish.clone(), LANGUAGE);
    g.link(
        catalog.clone(),
        term(FOAF, "homepage"),
        endpoint.clone(),
        DOCUMENT,
    );
    g.add(catalog.clone(), term(DCAT, "service"), service.clone());
    g.add(catalog.clone(), term(DCAT, "dataset"), dataset.clone());

    g.add(service.clone(), rdf::TYPE.into_owned(), term(DCAT, "DataService"));
    g.add(
        service.clone(),
        term(DCT, "title"),
        sv(&format!("Samverkan – GraphQL-API för {}", p.county.name)),
    );
    g.add(
        service.clone(),
        term(DCT, "description"),
        sv("GraphQL över HTTP. Publicerade e-tjänster (publishedEServices) läses utan token; övriga uppgifter kräver en token utfärdad för en kommun i länet."),
    );
    g.link(
        service.clone(),
        term(DCAT, "endpointURL"),
        endpoint.clone(),
        RESOURCE,
    );
    g.link(
        service.clone(),
        term(DCAT, "endpointDescription"),
        iri(&format!("{base}/schema.graphql")),
        RESOURCE,
    );
    g.link(service.clone(), term(DCT, "license"), iri(CC0), LICENCE);
    g.add(service.clone(), term(DCT, "publisher"), publisher.clone());
    g.link(service.clone(), term(DCT, "format"), json.clone(), MEDIA_TYPE);
    g.link(
        service.clone(),
        term(DCT, "accessRights"),
        term(EU, "access-right/PUBLIC"),
        (DCT, "RightsStatement"),
    );
    g.add(service.clone(), term(DCAT, "servesDataset"), dataset.clone());
    g.add(service.clone(), term(DCAT, "keyword"), sv("e-tjänster"));
    g.add(service.clone(), term(DCAT, "keyword"), sv("GraphQL"));
    if let Some(c) = &contact {
        g.add(service.clone(), term(DCAT, "contactPoint"), c.clone());
    }

    g.add(dataset.clone(), rdf::TYPE.into_owned(), term(DCAT, "Dataset"));
    g.add(
        dataset.clone(),
        term(DCT, "title"),
        sv(&format!("Publicerade e-tjänster i {}", p.county.name)),
    );
    g.add(
        dataset.clone(),
        term(DCT, "description"),
        sv(&format!(
            "De e-tjänster som kommunerna i {} har publicerat: namn, beskrivning, adress, vilka kommuner som erbjuder dem och deras tillgänglighetsredogörelser.{}",
            p.county.name,
            if p.truncated { " Dokumentet visar ett urval; hela katalogen läses genom API:t." } else { "" }
        )),
    );
    g.add(dataset.clone(), term(DCT, "publisher"), publisher.clone());
    g.link(dataset.clone(), term(DCT, "language"), swedish.clone(), LANGUAGE);
    g.add(dataset.clone(), term(DCAT, "keyword"), sv("e-tjänster"));
    if let Some(c) = &contact {
        g.add(dataset.clone(), term(DCAT, "contactPoint"), c.clone());
    }
    g.add(dataset.clone(), term(DCAT, "distribution"), through_api.clone());
    g.add(
        through_api.clone(),
        rdf::TYPE.into_owned(),
        term(DCAT, "Distribution"),
    );
    g.add(
        through_api.clone(),
        term(DCT, "title"),
        sv("Genom GraphQL-API:t (publishedEServices)"),
    );
    g.link(
        through_api.clone(),
        term(DCAT, "accessURL"),
        endpoint.clone(),
        RESOURCE,
    );
    g.add(through_api.clone(), term(DCAT, "accessService"), service.clone());
    g.link(through_api.clone(), term(DCT, "format"), json.clone(), MEDIA_TYPE);
    g.link(through_api.clone(), term(DCT, "license"), iri(CC0), LICENCE);

    let kommun = |id: i32| p.kommuner.iter().find(|m| m.id == id);
    let mut publishing: Vec<i32> = entries.iter().map(|e| e.municipality_id).collect();
    publishing.dedup();
    for id in publishing {
        let Some(m) = kommun(id) else { continue };
        let dist = iri(&format!("{doc}#cpsv-{}", m.code));
        g.add(dataset.clone(), term(DCAT, "distribution"), dist.clone());
        g.add(dist.clone(), rdf::TYPE.into_owned(), term(DCAT, "Distribution"));
        g.add(
            dist.clone(),
            term(DCT, "title"),
            sv(&format!("{} kommuns e-tjänster enligt CPSV-AP", m.name)),
        );
        g.link(
            dist.clone(),
            term(DCAT, "accessURL"),
            iri(&format!("{base}/catalogue/{}/cpsv.jsonld", m.code)),
            RESOURCE,
        );
        g.link(dist.clone(), term(DCT, "format"), json_ld.clone(), MEDIA_TYPE);
        g.link(dist.clone(), term(DCT, "license"), iri(CC0), LICENCE);

        let org = iri(&format!("urn:samverkan:kommun:{}", m.code));
        g.add(
            org.clone(),
            rdf::TYPE.into_owned(),
            term(CV, "PublicOrganisation"),
        );
        g.add(
            org.clone(),
            term(SKOS, "prefLabel"),
            sv(&format!("{} kommun", m.name)),
        );
        g.add(
            org.clone(),
            term(DCT, "identifier"),
            Literal::new_simple_literal(m.code.as_str()),
        );
    }

    for e in entries {
        let Some(m) = kommun(e.municipality_id) else {
            continue;
        };
        let s = iri(&format!("urn:samverkan:published-eservice:{}", e.id));
        g.link(dataset.clone(), term(DCT, "relation"), s.clone(), RESOURCE);
        g.add(s.clone(), rdf::TYPE.into_owned(), term(CPSV, "PublicService"));
        g.add(
            s.clone(),
            term(DCT, "identifier"),
            Literal::new_simple_literal(e.id.to_string()),
        );
        g.add(s.clone(), term(DCT, "title"), sv(&e.name));
        if !e.description.is_empty() {
            g.add(s.clone(), term(DCT, "description"), sv(&e.description));
        }
        g.link(s.clone(), term(DCT, "language"), swedish.clone(), LANGUAGE);
        g.add(
            s.clone(),
            term(CV, "hasCompetentAuthority"),
            iri(&format!("urn:samverkan:kommun:{}", m.code)),
        );
        if let Some(url) = checked(&e.url) {
            g.add(s.clone(), term(FOAF, "homepage"), url);
        }
        match (
            e.accessibility_statement_url.as_deref().and_then(checked),
            e.accessibility_conformance,
        ) {
            (Some(statement), Some(conformance)) => {
                accessibility(&mut g, &s, statement, conformance, &e.name)
            }
            _ => g.add(
                s.clone(),
                term(SAMVERKAN, "accessibilityStatementMissing"),
                Literal::new_typed_literal("true", xsd::BOOLEAN),
            ),
        }
    }
    // Each subject's triples together, subjects in the order they first appear, so that the
    // Turtle reads as one block per resource.
    let mut first = std::collections::HashMap::new();
    for (i, t) in g.0.iter().enumerate() {
        first.entry(t.subject.clone()).or_insert(i);
    }
    let mut triples = g.0;
    triples.sort_by_key(|t| first[&t.subject]);
    triples
}

/// The statement as a document the service points to, with the conformance it declares.
fn accessibility(
    g: &mut Graph,
    service: &NamedNode,
    statement: NamedNode,
    c: AccessibilityConformance,
    name: &str,
) {
    g.add(
        service.clone(),
        term(SAMVERKAN, "accessibilityStatement"),
        statement.clone(),
    );
    g.add(service.clone(), term(FOAF, "page"), statement.clone());
    g.add(statement.clone(), rdf::TYPE.into_owned(), term(FOAF, "Document"));
    g.add(
        statement.clone(),
        term(DCT, "title"),
        sv(&format!("Tillgänglighetsredogörelse för {name}")),
    );
    g.add(
        statement.clone(),
        term(DCT, "description"),
        sv(&format!("E-tjänsten är {}.", c.swedish())),
    );
    g.add(statement.clone(), term(DCT, "conformsTo"), iri(EN_301_549));
    g.add(
        statement,
        term(SAMVERKAN, "accessibilityConformance"),
        Literal::new_simple_literal(c.as_str()),
    );
}

/// The triples as Turtle.
pub fn turtle(triples: &[Triple]) -> std::io::Result<Vec<u8>> {
    let mut s = oxttl::TurtleSerializer::new();
    for (prefix, ns) in PREFIXES {
        s = s.with_prefix(*prefix, *ns).map_err(std::io::Error::other)?;
    }
    let mut w = s.for_writer(Vec::new());
    for t in triples {
        w.serialize_triple(t)?;
    }
    w.finish()
}

/// The triples as JSON-LD (the prefixes as its context).
pub fn json_ld(triples: &[Triple]) -> std::io::Result<Vec<u8>> {
    let mut s = oxjsonld::JsonLdSerializer::new();
    for (prefix, ns) in PREFIXES {
        s = s.with_prefix(*prefix, *ns).map_err(std::io::Error::other)?;
    }
    let mut w = s.for_writer(Vec::new());
    for t in triples {
        w.serialize_quad(t.as_ref().in_graph(oxrdf::GraphNameRef::DefaultGraph))?;
    }
    w.finish()
}
