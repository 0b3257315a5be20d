//! Archive packages (docs/domain.md, "Records that last"): a closed project leaves the service
//! as an E-ARK SIP that the archive's own tools accept. The package is unpacked, its METS and
//! PREMIS files validated with xmllint against the published schemas (tests/fixtures/eark),
//! the CSIP and SIP requirements it claims checked one by one, every checksum recomputed and
//! every record compared with what the API shows.
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Read;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    both_backends,
    docs::{
        benefits::{ADD_BENEFIT, FOLLOW_UP},
        projects::{CANCEL, STATUS, advance, answer, create, invite},
    },
    helpers::{TempDir, TestApp, fixture},
};

/// The package's files by their path below the root folder, and the root folder's name.
struct Unpacked {
    root: String,
    files: BTreeMap<String, Vec<u8>>,
}

fn unpack(zip: &[u8]) -> Unpacked {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a ZIP file");
    let mut roots = BTreeSet::new();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().expect("a UTF-8 name").into_owned();
        let (root, rest) = name.split_once('/').unwrap_or((&name, ""));
        roots.insert(root.to_owned());
        if entry.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(rest.to_owned(), bytes);
    }
    // CSIPSTR1: the package is one folder.
    assert_eq!(roots.len(), 1, "one root folder, found {roots:?}");
    Unpacked {
        root: roots.into_iter().next().unwrap(),
        files,
    }
}

/// `xmllint --schema` over `bytes`: Ok, or what it said.
fn validate(schema: &str, bytes: &[u8]) -> Result<(), String> {
    let dir = TempDir(std::env::temp_dir().join(format!("samverkan-xsd-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let doc = dir.0.join("doc.xml");
    std::fs::write(&doc, bytes).unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(fixture(&format!("eark/{schema}")))
        .arg(&doc)
        .output()
        .expect("xmllint runs (Debian's libxml2-utils; scripts/test.sh installs it as root)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

const METS: &str = "http://www.loc.gov/METS/";
const XLINK: &str = "http://www.w3.org/1999/xlink";
const CSIP: &str = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS";
const SIP: &str = "https://DILCIS.eu/XML/METS/SIPExtensionMETS";
const PREMIS: &str = "http://www.loc.gov/premis/v3";

fn children<'a, 'i>(n: roxmltree::Node<'a, 'i>, ns: &str, name: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children()
        .filter(|c| c.is_element() && c.tag_name().namespace() == Some(ns) && c.tag_name().name() == name)
        .collect()
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, ns: &str, name: &str) -> roxmltree::Node<'a, 'i> {
    let found = children(n, ns, name);
    assert_eq!(found.len(), 1, "one {name} in {:?}", n.tag_name().name());
    found[0]
}

fn attr<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    n.attribute(name)
        .unwrap_or_else(|| panic!("{} has @{name}", n.tag_name().name()))
}

fn attr_ns<'a>(n: roxmltree::Node<'a, '_>, ns: &str, name: &str) -> &'a str {
    n.attribute((ns, name))
        .unwrap_or_else(|| panic!("{} has @{{{ns}}}{name}", n.tag_name().name()))
}

/// The METS file against the CSIP 2.x and SIP 2.x requirements the package claims (the
/// requirement ids are the specifications'); every referenced file exists with the size and
/// SHA-256 stated. Returns the data files' paths as METS lists them.
fn check_mets(p: &Unpacked) -> Vec<String> {
    let text = std::str::from_utf8(&p.files["METS.xml"]).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    let mets = doc.root_element();
    assert_eq!(mets.tag_name().namespace(), Some(METS));
    // CSIP1: an identifier; CSIPSTR2: the root folder is named by it.
    assert_eq!(attr(mets, "OBJID"), p.root);
    // CSIP2: the content category, from the vocabulary.
    assert_eq!(attr(mets, "TYPE"), "Datasets");
    // CSIP3, CSIP4: the content information type; OTHER names the other.
    assert_eq!(attr_ns(mets, CSIP, "CONTENTINFORMATIONTYPE"), "OTHER");
    assert!(!attr_ns(mets, CSIP, "OTHERCONTENTINFORMATIONTYPE").is_empty());
    // CSIP5/SIP2: the profile.
    assert_eq!(
        attr(mets, "PROFILE"),
        "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
    );
    let hdr = child(mets, METS, "metsHdr");
    // CSIP117: the creation time; SIP4 / CSIP7: the OAIS package type.
    chrono::DateTime::parse_from_rfc3339(attr(hdr, "CREATEDATE")).expect("CREATEDATE is a date-time");
    assert_eq!(attr_ns(hdr, CSIP, "OAISPACKAGETYPE"), "SIP");
    let agents = children(hdr, METS, "agent");
    let agent = |role: &str, kind: &str| {
        agents
            .iter()
            .find(|a| a.attribute("ROLE") == Some(role) && a.attribute("TYPE") == Some(kind))
            .copied()
            .unwrap_or_else(|| panic!("an agent {role}/{kind}"))
    };
    // CSIP10–CSIP15: the software that made the package, with its version.
    let software = agent("CREATOR", "OTHER");
    assert_eq!(attr(software, "OTHERTYPE"), "SOFTWARE");
    assert_eq!(child(software, METS, "name").text(), Some("Samverkan"));
    assert_eq!(
        attr_ns(child(software, METS, "note"), CSIP, "NOTETYPE"),
        "SOFTWARE VERSION"
    );
    // SIP10–SIP14 (archival creator) and SIP15–SIP20 (submitting agent): the lead kommun,
    // each with its identification code.
    for role in ["ARCHIVIST", "CREATOR"] {
        let a = agent(role, "ORGANIZATION");
        assert_eq!(child(a, METS, "name").text(), Some("Örebro"), "{role}");
        let note = child(a, METS, "note");
        assert_eq!(attr_ns(note, CSIP, "NOTETYPE"), "IDENTIFICATIONCODE");
        assert_eq!(note.text(), Some("kommunkod 1880"));
    }
    // CSIP31–CSIP43: the PREMIS file as the package's digital provenance.
    let amd = child(mets, METS, "amdSec");
    let digiprov = child(amd, METS, "digiprovMD");
    assert_eq!(attr(digiprov, "STATUS"), "CURRENT");
    let md_ref = child(digiprov, METS, "mdRef");
    assert_eq!(attr(md_ref, "LOCTYPE"), "URL");
    assert_eq!(attr_ns(md_ref, XLINK, "type"), "simple");
    assert_eq!(attr(md_ref, "MDTYPE"), "PREMIS");
    assert_eq!(attr(md_ref, "MIMETYPE"), "text/xml");
    chrono::DateTime::parse_from_rfc3339(attr(md_ref, "CREATED")).unwrap();
    let premis_path = attr_ns(md_ref, XLINK, "href");
    assert_eq!(premis_path, "metadata/preservation/premis.xml");
    let premis = &p.files[premis_path];
    assert_eq!(attr(md_ref, "SIZE"), premis.len().to_string());
    assert_eq!(attr(md_ref, "CHECKSUMTYPE"), "SHA-256");
    assert_eq!(attr(md_ref, "CHECKSUM"), sha256(premis));
    // CSIP58–CSIP77: one file group for the representation, every file with its identifier,
    // type, size, time, checksum and location.
    let file_sec = child(mets, METS, "fileSec");
    let group = child(file_sec, METS, "fileGrp");
    assert_eq!(attr(group, "USE"), "Representations/rep1");
    let mut listed = Vec::new();
    for f in children(group, METS, "file") {
        assert!(!attr(f, "ID").is_empty());
        assert!(["application/json", "text/csv"].contains(&attr(f, "MIMETYPE")));
        chrono::DateTime::parse_from_rfc3339(attr(f, "CREATED")).unwrap();
        assert_eq!(attr(f, "CHECKSUMTYPE"), "SHA-256");
        assert!(!attr_ns(f, SIP, "FILEFORMATNAME").is_empty());
        let loc = child(f, METS, "FLocat");
        assert_eq!(attr(loc, "LOCTYPE"), "URL");
        assert_eq!(attr_ns(loc, XLINK, "type"), "simple");
        let href = attr_ns(loc, XLINK, "href");
        let bytes = p
            .files
            .get(href)
            .unwrap_or_else(|| panic!("{href} is in the package"));
        assert_eq!(attr(f, "SIZE"), bytes.len().to_string(), "{href}");
        assert_eq!(attr(f, "CHECKSUM"), sha256(bytes), "{href}");
        listed.push(href.to_owned());
    }
    // Every file of the representation is listed, and nothing else is in the package.
    let data: BTreeSet<&String> = p
        .files
        .keys()
        .filter(|k| k.starts_with("representations/rep1/data/"))
        .collect();
    assert_eq!(
        data,
        listed.iter().collect(),
        "METS lists the representation's files"
    );
    let all: BTreeSet<&str> = p.files.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = listed
        .iter()
        .map(String::as_str)
        .chain(["METS.xml", premis_path])
        .collect();
    assert_eq!(all, expected);
    // CSIP80–CSIP107: the structural map: PHYSICAL, labelled CSIP, a root division named by
    // the package, a Metadata division pointing at the PREMIS section and a division for
    // the representation pointing at its file group.
    let map = child(mets, METS, "structMap");
    assert_eq!(attr(map, "TYPE"), "PHYSICAL");
    assert_eq!(attr(map, "LABEL"), "CSIP");
    let root = child(map, METS, "div");
    assert_eq!(attr(root, "LABEL"), p.root);
    let divs = children(root, METS, "div");
    let metadata = divs
        .iter()
        .find(|d| d.attribute("LABEL") == Some("Metadata"))
        .expect("a Metadata division");
    assert_eq!(attr(*metadata, "ADMID"), attr(digiprov, "ID"));
    let rep = divs
        .iter()
        .find(|d| d.attribute("LABEL") == Some("Representations/rep1"))
        .expect("the representation's division");
    assert_eq!(attr(child(*rep, METS, "fptr"), "FILEID"), attr(group, "ID"));
    // Identifiers are unique in the package.
    let ids: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("ID")).collect();
    assert_eq!(ids.len(), ids.iter().collect::<HashSet<_>>().len(), "{ids:?}");
    listed
}

/// PREMIS 3: the required elements of each object, event and agent, and every data file's
/// digest and size as METS states them.
fn check_premis(p: &Unpacked, listed: &[String]) {
    let text = std::str::from_utf8(&p.files["metadata/preservation/premis.xml"]).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    let premis = doc.root_element();
    assert_eq!(premis.tag_name().namespace(), Some(PREMIS));
    assert_eq!(attr(premis, "version"), "3.0");
    let objects = children(premis, PREMIS, "object");
    assert_eq!(objects.len(), listed.len(), "one object per data file");
    for o in objects {
        let ident = child(o, PREMIS, "objectIdentifier");
        assert_eq!(child(ident, PREMIS, "objectIdentifierType").text(), Some("local"));
        let path = child(ident, PREMIS, "objectIdentifierValue").text().unwrap();
        let bytes = &p.files[path];
        let ch = child(o, PREMIS, "objectCharacteristics");
        let fixity = child(ch, PREMIS, "fixity");
        assert_eq!(
            child(fixity, PREMIS, "messageDigestAlgorithm").text(),
            Some("SHA-256")
        );
        assert_eq!(
            child(fixity, PREMIS, "messageDigest").text(),
            Some(sha256(bytes).as_str())
        );
        assert_eq!(
            child(ch, PREMIS, "size").text(),
            Some(bytes.len().to_string().as_str())
        );
        let format = child(ch, PREMIS, "format");
        assert!(
            child(child(format, PREMIS, "formatDesignation"), PREMIS, "formatName")
                .text()
                .is_some()
        );
    }
    let events = children(premis, PREMIS, "event");
    assert!(!events.is_empty());
    let agents: HashSet<&str> = children(premis, PREMIS, "agent")
        .into_iter()
        .map(|a| {
            child(
                child(a, PREMIS, "agentIdentifier"),
                PREMIS,
                "agentIdentifierValue",
            )
            .text()
            .unwrap()
        })
        .collect();
    for e in events {
        child(
            child(e, PREMIS, "eventIdentifier"),
            PREMIS,
            "eventIdentifierValue",
        );
        assert!(child(e, PREMIS, "eventType").text().is_some());
        chrono::DateTime::parse_from_rfc3339(child(e, PREMIS, "eventDateTime").text().unwrap()).unwrap();
        for link in children(e, PREMIS, "linkingAgentIdentifier") {
            let agent = child(link, PREMIS, "linkingAgentIdentifierValue").text().unwrap();
            assert!(
                agents.contains(agent),
                "event names agent {agent}, which PREMIS describes"
            );
        }
    }
}

fn table(p: &Unpacked, name: &str) -> Vec<BTreeMap<String, String>> {
    let bytes = &p.files[&format!("representations/rep1/data/{name}")];
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

async fn package(app: &TestApp, token: &str, project: &str) -> reqwest::Response {
    app.get(&format!("/archive/projects/{project}.zip"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn refused(app: &TestApp, token: &str, project: &str) -> (u16, Value) {
    let res = package(app, token, project).await;
    let status = res.status().as_u16();
    (status, res.json::<Value>().await.unwrap()["errors"][0].clone())
}

const TRAIL: &str = "query($id: ID!) { auditEvents(filter: {recordId: $id}, first: 100) { totalCount edges { node { action recordType } } } }";

async fn a_closed_project_leaves_as_a_valid_e_ark_package_with_all_its_records(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let kumla_admin = app.as_kommun("1881").admin();
    let (id, _) = create(&orebro, "Arkivprojektet", "COUNTY", "300000").await;
    let invitation = invite(&orebro, &id, "1881", "PARTICIPANT").await;
    answer(&kumla_admin, &invitation, true).await;
    orebro
        .ok(
            STATUS,
            json!({"input": {"projectId": id, "date": "2026-10-01", "health": "AMBER", "summary": "Försenad leverans, \"på väg\""}}),
        )
        .await;
    let benefit = orebro
        .ok(
            ADD_BENEFIT,
            json!({"input": {"projectId": id, "description": "Kortare handläggning", "category": "PRODUCTIVITY", "kind": "QUANTITATIVE", "ownerCode": "1880", "metric": "dagar", "unit": "dagar", "baseline": "30", "target": "10.5"}}),
        )
        .await["addBenefit"]["benefit"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for to in [
        "PRE_STUDY",
        "PLANNING",
        "EXECUTION",
        "CLOSING",
        "BENEFIT_REALIZATION",
    ] {
        advance(&orebro, &id, to).await;
    }
    orebro
        .ok(
            FOLLOW_UP,
            json!({"input": {"benefitId": benefit, "date": "2026-11-01", "value": "12.25", "comment": "Mätt i ärendesystemet"}}),
        )
        .await;
    let token = |kommun: &str, roles: &[&str]| {
        samverkan::auth::mint_dev_token(
            &app.secret,
            &format!("user-{kommun}"),
            kommun,
            &roles.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>(),
            600,
        )
        .unwrap()
    };
    let editor = token("1880", &["editor"]);

    // Still open: refused, naming the phase, and nothing is made.
    let (status, e) = refused(&app, &editor, &id).await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(e["extensions"]["field"], "phase");
    assert!(
        e["message"].as_str().unwrap().contains("BENEFIT_REALIZATION"),
        "{e}"
    );

    advance(&orebro, &id, "CLOSED").await;
    let res = package(&app, &editor, &id).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".zip\"")
    );
    let p = unpack(&res.bytes().await.unwrap());

    // The schemas, as the archive's validator would run them.
    validate("mets1_12.xsd", &p.files["METS.xml"])
        .unwrap_or_else(|e| panic!("METS.xml does not validate:\n{e}"));
    validate("premis-v3-0.xsd", &p.files["metadata/preservation/premis.xml"])
        .unwrap_or_else(|e| panic!("premis.xml does not validate:\n{e}"));
    // The validation is real: a METS file with a value outside the CSIP vocabulary fails.
    let broken = String::from_utf8(p.files["METS.xml"].clone())
        .unwrap()
        .replace("csip:OAISPACKAGETYPE=\"SIP\"", "csip:OAISPACKAGETYPE=\"PARCEL\"");
    assert!(validate("mets1_12.xsd", broken.as_bytes()).is_err());

    let listed = check_mets(&p);
    check_premis(&p, &listed);

    // The records.
    let doc: Value = serde_json::from_slice(&p.files["representations/rep1/data/project.json"]).unwrap();
    let project = &doc["project"];
    assert_eq!(project["title"], "Arkivprojektet");
    assert_eq!(project["phase"], "CLOSED");
    assert_eq!(project["owner"]["kommunkod"], "1880");
    assert_eq!(project["county"]["code"], "18");
    assert_eq!(project["budgetOre"], 30_000_000);
    assert_eq!(project["tags"], json!(["bygglov"]));
    let participations = doc["participations"].as_array().unwrap();
    assert!(
        participations
            .iter()
            .any(|x| x["kommun"]["kommunkod"] == "1881" && x["state"] == "ACCEPTED")
    );
    let shares = table(&p, "cost-shares.csv");
    assert_eq!(shares.len(), 2, "Örebro and Kumla pay");
    assert_eq!(
        shares
            .iter()
            .map(|s| s["amount_ore"].parse::<i64>().unwrap())
            .sum::<i64>(),
        30_000_000,
        "the shares sum to the budget to the öre"
    );
    let decisions = table(&p, "decisions.csv");
    assert_eq!(
        decisions
            .iter()
            .map(|d| d["to_phase"].as_str())
            .collect::<Vec<_>>(),
        [
            "PRE_STUDY",
            "PLANNING",
            "EXECUTION",
            "CLOSING",
            "BENEFIT_REALIZATION",
            "CLOSED"
        ]
    );
    assert!(decisions.iter().all(|d| d["diarienummer"] == "GN 2026/17"));
    let reports = table(&p, "status-reports.csv");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["summary"], "Försenad leverans, \"på väg\"");
    let benefits = doc["benefits"].as_array().unwrap();
    assert_eq!(benefits.len(), 1);
    assert_eq!(benefits[0]["target"], "10.5");
    assert_eq!(benefits[0]["followUps"][0]["value"], "12.25");
    assert_eq!(table(&p, "follow-ups.csv")[0]["comment"], "Mätt i ärendesystemet");
    // The history is the project's trail as its owner reads it, oldest first, each event
    // with its place in the county's chain.
    let trail = orebro.ok(TRAIL, json!({"id": id})).await;
    let events = doc["auditEvents"].as_array().unwrap();
    assert_eq!(
        events.len() as i64,
        trail["auditEvents"]["totalCount"].as_i64().unwrap()
    );
    let mut trail_actions: Vec<&str> = trail["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    trail_actions.reverse();
    assert_eq!(
        events
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect::<Vec<_>>(),
        trail_actions
    );
    let places: Vec<i64> = events
        .iter()
        .map(|e| e["chain"]["place"].as_i64().unwrap())
        .collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "{places:?}");
    assert!(
        events
            .iter()
            .all(|e| e["chain"]["hash"].as_str().is_some_and(|h| h.len() == 64))
    );
    assert_eq!(table(&p, "audit-events.csv").len(), events.len());
    assert!(doc["auditChain"]["events"].as_i64().unwrap() >= *places.last().unwrap());

    // Who may take it: the owner's editors, admins and auditors, the committee of a COUNTY
    // project; not a member kommun, a viewer or a portal.
    for (kommun, roles) in [
        ("1880", &["admin"][..]),
        ("1880", &["revisor"]),
        ("1880", &["namnd"]),
        ("1881", &["namnd"]),
    ] {
        let res = package(&app, &token(kommun, roles), &id).await;
        assert_eq!(res.status(), 200, "{kommun} {roles:?}");
    }
    for (kommun, roles) in [
        ("1880", &["viewer"][..]),
        ("1881", &["editor", "admin", "revisor"]),
        ("1880", &["integration"]),
    ] {
        let (status, e) = refused(&app, &token(kommun, roles), &id).await;
        assert_eq!(status, 403, "{kommun} {roles:?}: {e}");
        assert_eq!(e["extensions"]["code"], "FORBIDDEN");
    }
    let res = app
        .get(&format!("/archive/projects/{id}.zip"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let forged = samverkan::auth::mint_dev_token(
        &samverkan::settings::Secret::new("a-secret-the-service-never-saw-0123456789".into()),
        "user-1880",
        "1880",
        &["editor".into()],
        600,
    )
    .unwrap();
    assert_eq!(package(&app, &forged, &id).await.status(), 401);
    // A PRIVATE project is not there for anyone but its owner, the committee included.
    let (private, v) = create(&orebro, "Internt projekt", "PRIVATE", "1000").await;
    orebro
        .ok(
            CANCEL,
            json!({"input": {"id": private, "version": v, "decision": crate::docs::projects::decision("Avbryts")}}),
        )
        .await;
    assert_eq!(package(&app, &editor, &private).await.status(), 200);
    for (kommun, roles) in [
        ("1881", &["editor"][..]),
        ("1880", &["namnd"]),
        ("1881", &["revisor"]),
    ] {
        let (status, e) = refused(&app, &token(kommun, roles), &private).await;
        assert_eq!(status, 404, "{kommun} {roles:?}: {e}");
        assert_eq!(e["extensions"]["code"], "NOT_FOUND");
    }
    let (status, e) = refused(&app, &editor, "not-an-id").await;
    assert_eq!(
        (status, e["extensions"]["code"].as_str()),
        (400, Some("BAD_USER_INPUT"))
    );

    // The command line makes the same package for the operator.
    let dir =
        TempDir(std::env::temp_dir().join(format!("samverkan-archive-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let out = dir.0.join("paket.zip");
    let out_path = out.to_str().unwrap();
    let (ok, said) = crate::chain::cli(&app, &["archive-package", "--project", &id, "--out", out_path]);
    assert!(ok, "{said}");
    let cli = unpack(&std::fs::read(&out).unwrap());
    let cli_doc: Value =
        serde_json::from_slice(&cli.files["representations/rep1/data/project.json"]).unwrap();
    assert_eq!(cli_doc["project"], doc["project"]);
    assert_eq!(cli_doc["auditEvents"], doc["auditEvents"]);
    assert_ne!(cli.root, p.root, "each package has its own identifier");
    validate("mets1_12.xsd", &cli.files["METS.xml"]).unwrap();
    // An open project from the command line: the same refusal.
    let (open, _) = create(&orebro, "Pågående", "COUNTY", "1000").await;
    let open_path = dir.0.join("open.zip");
    let (ok, said) = crate::chain::cli(
        &app,
        &[
            "archive-package",
            "--project",
            &open,
            "--out",
            open_path.to_str().unwrap(),
        ],
    );
    assert!(!ok && said.contains("BAD_USER_INPUT"), "{said}");
    assert!(!dir.0.join("open.zip").exists());
    assert_eq!(
        crate::docs::projects::project(&orebro, &open).await["phase"],
        "IDEA",
        "the refused package changed nothing"
    );
}
both_backends!(a_closed_project_leaves_as_a_valid_e_ark_package_with_all_its_records);
