//! A closed project as an archive package for the e-archive: an E-ARK Submission Information
//! Package (CSIP/SIP 2.x, the structure FGS Paketstruktur 2.0 adopts) in one ZIP file.
//!
//! ```text
//! <OBJID>/METS.xml                              the package's METS (CSIP + SIP profile)
//! <OBJID>/metadata/preservation/premis.xml      PREMIS 3: each file's fixity and format, the
//!                                               package's creation, the agents
//! <OBJID>/representations/rep1/data/project.json   every record, as one JSON document
//! <OBJID>/representations/rep1/data/*.csv          the same records as tables (RFC 4180)
//! ```
//!
//! Every file of the representation and the PREMIS file carry their SHA-256 and size in
//! METS; PREMIS repeats the data files' digests. The records are written as stored: text is
//! not altered (no spreadsheet guard, unlike the committee's CSV), amounts are öre.
use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use entity::audit_event;
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesText, Event},
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::service::{Reference, projects::ProjectRecords};

/// The SIP profile the METS file claims (E-ARK SIP 2.x).
pub const SIP_PROFILE: &str = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml";
/// The version of `project.json`'s layout.
pub const RECORDS_FORMAT: &str = "samverkan-project-records/1";

const METS_NS: &str = "http://www.loc.gov/METS/";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const CSIP_NS: &str = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS";
const SIP_NS: &str = "https://DILCIS.eu/XML/METS/SIPExtensionMETS";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const PREMIS_NS: &str = "http://www.loc.gov/premis/v3";
const PREMIS_PATH: &str = "metadata/preservation/premis.xml";
const DATA_DIR: &str = "representations/rep1/data";

/// A made package: the ZIP and what names it.
pub struct Package {
    /// A file name for the download: the package's identifier (METS `OBJID`, also its root
    /// folder's name) with `.zip`.
    pub file_name: String,
    pub zip: Vec<u8>,
}

/// One file of the package with what METS and PREMIS say about it.
struct File {
    /// Relative to the package root.
    path: String,
    bytes: Vec<u8>,
    mime: &'static str,
    format: &'static str,
    /// PRONOM's identifier of the format.
    puid: &'static str,
}

impl File {
    fn sha256(&self) -> String {
        crate::domain::text::hex(&Sha256::digest(&self.bytes))
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Makes the package of `r`'s records.
pub fn package(r: &ProjectRecords, reference: &Reference) -> anyhow::Result<Package> {
    let objid = format!("samverkan-project-{}-{}", r.project.id, uuid::Uuid::new_v4());
    let names = Names(reference);
    let data = data_files(r, &names)?;
    let premis = File {
        path: PREMIS_PATH.into(),
        bytes: premis_xml(r, &objid, &data, &names)?,
        mime: "text/xml",
        format: "PREMIS 3.0",
        puid: "fmt/101",
    };
    let mets = mets_xml(r, &objid, &premis, &data, &names)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stamp = zip_time(r.read_at);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp);
    for dir in [
        "",
        "metadata/",
        "metadata/preservation/",
        "representations/",
        "representations/rep1/",
        "representations/rep1/data/",
    ] {
        zip.add_directory(format!("{objid}/{dir}"), options)?;
    }
    zip.start_file(format!("{objid}/METS.xml"), options)?;
    zip.write_all(&mets)?;
    for f in std::iter::once(&premis).chain(&data) {
        zip.start_file(format!("{objid}/{}", f.path), options)?;
        zip.write_all(&f.bytes)?;
    }
    let zip = zip.finish()?.into_inner();
    Ok(Package {
        file_name: format!("{objid}.zip"),
        zip,
    })
}

fn zip_time(t: DateTime<Utc>) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    zip::DateTime::from_date_and_time(
        u16::try_from(t.year()).unwrap_or(1980),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
    .unwrap_or_default()
}

/// Kommuner and counties by row id, as the package names them (code and name).
struct Names<'a>(&'a Reference);

impl Names<'_> {
    fn kommun(&self, id: i32) -> Value {
        match self.0.municipality(id) {
            Some(m) => json!({"kommunkod": m.code, "name": m.name}),
            None => json!({"id": id}),
        }
    }
    fn kommunkod(&self, id: i32) -> String {
        self.0
            .municipality(id)
            .map_or_else(|| id.to_string(), |m| m.code.to_string())
    }
    fn kommun_name(&self, id: i32) -> String {
        self.0
            .municipality(id)
            .map_or_else(String::new, |m| m.name.clone())
    }
    fn county(&self, id: i32) -> Value {
        match self.0.county(id) {
            Some(c) => json!({"code": c.code, "name": c.name}),
            None => json!({"id": id}),
        }
    }
}

fn kronor(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (ore / 100).abs(), (ore % 100).abs())
}

/// A stored JSON text as JSON (the audit's before and after), or the text itself if it is
/// not JSON.
fn stored(text: &Option<String>) -> Value {
    match text {
        None => Value::Null,
        Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
    }
}

fn event_json(e: &audit_event::Model, names: &Names<'_>) -> Value {
    json!({
        "id": e.id,
        "occurredAt": e.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "actor": e.actor_sub,
        "actorKommun": names.kommun(e.actor_municipality_id),
        "actorRoles": e.actor_roles,
        "action": e.action,
        "recordType": e.record_type,
        "recordId": e.record_id,
        "before": stored(&e.before),
        "after": stored(&e.after),
        "requestId": e.request_id,
        "chain": {
            "place": e.chain_seq,
            "previousHash": e.prev_hash,
            "hash": e.hash,
            "form": e.chain_form,
            "actorDigest": e.actor_digest,
        },
    })
}

/// The records as one JSON document and as tables.
fn data_files(r: &ProjectRecords, names: &Names<'_>) -> anyhow::Result<Vec<File>> {
    let p = &r.project;
    let benefits: Vec<Value> = r
        .benefits
        .iter()
        .map(|b| {
            json!({
                "id": b.id,
                "description": b.description,
                "category": b.category,
                "kind": b.kind,
                "owner": names.kommun(b.owner_id),
                "metric": b.metric,
                "unit": b.unit,
                "baseline": e4(b.baseline_e4),
                "target": e4(b.target_e4),
                "targetDate": b.target_date,
                "createdAt": time(b.created_at),
                "followUps": r.follow_ups.iter().filter(|f| f.benefit_id == b.id).map(|f| json!({
                    "id": f.id,
                    "measuredOn": f.measured_on,
                    "value": e4(f.value_e4),
                    "comment": f.comment,
                    "kommun": names.kommun(f.municipality_id),
                    "createdAt": time(f.created_at),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "format": RECORDS_FORMAT,
        "packagedAt": time(r.read_at),
        "project": {
            "id": p.id,
            "title": p.title,
            "summary": p.summary,
            "description": p.description,
            "tags": stored(&Some(p.tags.clone())),
            "targetGroup": p.target_group,
            "owner": names.kommun(p.owner_id),
            "county": names.county(p.county_id),
            "visibility": p.visibility,
            "phase": p.phase,
            "health": p.health,
            "budgetOre": p.budget_ore,
            "budgetSek": kronor(p.budget_ore),
            "costKey": p.cost_key,
            "mixedEqualBasisPoints": p.mixed_equal_bp,
            "nextTollgateDue": p.next_tollgate_due,
            "planYear": p.plan_year,
            "version": p.version,
            "createdAt": time(p.created_at),
            "updatedAt": time(p.updated_at),
        },
        "participations": r.participations.iter().map(|x| json!({
            "id": x.id,
            "kommun": names.kommun(x.municipality_id),
            "role": x.role,
            "state": x.state,
            "customBasisPoints": x.custom_bp,
            "createdAt": time(x.created_at),
            "updatedAt": time(x.updated_at),
        })).collect::<Vec<_>>(),
        "costShares": r.cost_shares.iter().map(|s| json!({
            "kommun": names.kommun(s.municipality_id),
            "amountOre": s.amount.ore(),
            "amountSek": kronor(s.amount.ore()),
            "weight": format!("{}/{}", s.numerator, s.denominator),
        })).collect::<Vec<_>>(),
        "decisions": r.decisions.iter().map(|d| json!({
            "id": d.id,
            "fromPhase": d.from_phase,
            "toPhase": d.to_phase,
            "decidedOn": d.decided_on,
            "decidingBody": d.deciding_body,
            "diarienummer": d.diarienummer,
            "summary": d.summary,
            "recordedBy": names.kommun(d.recorded_by_id),
            "createdAt": time(d.created_at),
        })).collect::<Vec<_>>(),
        "statusReports": r.status_reports.iter().map(|s| json!({
            "id": s.id,
            "reportedOn": s.reported_on,
            "health": s.health,
            "summary": s.summary,
            "author": names.kommun(s.author_id),
            "createdAt": time(s.created_at),
        })).collect::<Vec<_>>(),
        "benefits": benefits,
        "auditEvents": r.events.iter().map(|e| event_json(e, names)).collect::<Vec<_>>(),
        "auditChain": {
            "county": names.county(r.chain_head.county_id),
            "events": r.chain_head.events,
            "headHash": r.chain_head.hash,
        },
    });
    let mut files = vec![json_file("project.json", &doc)?];

    let rows = |header: &[&str], rows: Vec<Vec<String>>| -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(header)?;
        for row in rows {
            w.write_record(&row)?;
        }
        w.into_inner().context("finishing a CSV table")
    };
    let kommun = |id: i32| [names.kommunkod(id), names.kommun_name(id)];
    files.push(csv_file(
        "participations.csv",
        rows(
            &[
                "id",
                "kommunkod",
                "kommun",
                "role",
                "state",
                "custom_basis_points",
                "created_at",
            ],
            r.participations
                .iter()
                .map(|x| {
                    let [code, name] = kommun(x.municipality_id);
                    vec![
                        x.id.to_string(),
                        code,
                        name,
                        x.role.to_string(),
                        x.state.to_string(),
                        x.custom_bp.map(|b| b.to_string()).unwrap_or_default(),
                        time(x.created_at),
                    ]
                })
                .collect(),
        )?,
    ));
    files.push(csv_file(
        "cost-shares.csv",
        rows(
            &["kommunkod", "kommun", "amount_ore", "amount_sek", "weight"],
            r.cost_shares
                .iter()
                .map(|s| {
                    let [code, name] = kommun(s.municipality_id);
                    vec![
                        code,
                        name,
                        s.amount.ore().to_string(),
                        kronor(s.amount.ore()),
                        format!("{}/{}", s.numerator, s.denominator),
                    ]
                })
                .collect(),
        )?,
    ));
    files.push(csv_file(
        "decisions.csv",
        rows(
            &[
                "id",
                "from_phase",
                "to_phase",
                "decided_on",
                "deciding_body",
                "diarienummer",
                "summary",
                "recorded_by_kommunkod",
                "created_at",
            ],
            r.decisions
                .iter()
                .map(|d| {
                    vec![
                        d.id.to_string(),
                        d.from_phase.to_string(),
                        d.to_phase.to_string(),
                        d.decided_on.to_string(),
                        d.deciding_body.clone(),
                        d.diarienummer.clone(),
                        d.summary.clone(),
                        names.kommunkod(d.recorded_by_id),
                        time(d.created_at),
                    ]
                })
                .collect(),
        )?,
    ));
    files.push(csv_file(
        "status-reports.csv",
        rows(
            &[
                "id",
                "reported_on",
                "health",
                "summary",
                "author_kommunkod",
                "created_at",
            ],
            r.status_reports
                .iter()
                .map(|s| {
                    vec![
                        s.id.to_string(),
                        s.reported_on.to_string(),
                        s.health.to_string(),
                        s.summary.clone(),
                        names.kommunkod(s.author_id),
                        time(s.created_at),
                    ]
                })
                .collect(),
        )?,
    ));
    files.push(csv_file(
        "benefits.csv",
        rows(
            &[
                "id",
                "description",
                "category",
                "kind",
                "owner_kommunkod",
                "metric",
                "unit",
                "baseline",
                "target",
                "target_date",
                "created_at",
            ],
            r.benefits
                .iter()
                .map(|b| {
                    vec![
                        b.id.to_string(),
                        b.description.clone(),
                        b.category.to_string(),
                        b.kind.to_string(),
                        names.kommunkod(b.owner_id),
                        b.metric.clone(),
                        b.unit.clone(),
                        e4(b.baseline_e4),
                        e4(b.target_e4),
                        b.target_date.map(|d| d.to_string()).unwrap_or_default(),
                        time(b.created_at),
                    ]
                })
                .collect(),
        )?,
    ));
    files.push(csv_file(
        "follow-ups.csv",
        rows(
            &[
                "id",
                "benefit_id",
                "measured_on",
                "value",
                "comment",
                "kommunkod",
                "created_at",
            ],
            r.follow_ups
                .iter()
                .map(|f| {
                    vec![
                        f.id.to_string(),
                        f.benefit_id.to_string(),
                        f.measured_on.to_string(),
                        e4(f.value_e4),
                        f.comment.clone(),
                        names.kommunkod(f.municipality_id),
                        time(f.created_at),
                    ]
                })
                .collect(),
        )?,
    ));
    files.push(csv_file(
        "audit-events.csv",
        rows(
            &[
                "id",
                "occurred_at",
                "actor",
                "actor_kommunkod",
                "actor_roles",
                "action",
                "record_type",
                "record_id",
                "before",
                "after",
                "chain_place",
                "previous_hash",
                "hash",
            ],
            r.events
                .iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        e.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                        e.actor_sub.clone(),
                        names.kommunkod(e.actor_municipality_id),
                        e.actor_roles.clone(),
                        e.action.clone(),
                        e.record_type.to_string(),
                        e.record_id.to_string(),
                        e.before.clone().unwrap_or_default(),
                        e.after.clone().unwrap_or_default(),
                        e.chain_seq.map(|s| s.to_string()).unwrap_or_default(),
                        e.prev_hash.clone().unwrap_or_default(),
                        e.hash.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        )?,
    ));
    Ok(files)
}

/// A figure stored in ten-thousandths, as a decimal text.
fn e4(v: i64) -> String {
    rust_decimal::Decimal::new(v, 4).normalize().to_string()
}

fn json_file(name: &str, doc: &Value) -> anyhow::Result<File> {
    let mut bytes = serde_json::to_vec_pretty(doc)?;
    bytes.push(b'\n');
    Ok(File {
        path: format!("{DATA_DIR}/{name}"),
        bytes,
        mime: "application/json",
        format: "JSON",
        puid: "fmt/817",
    })
}

fn csv_file(name: &str, bytes: Vec<u8>) -> File {
    File {
        path: format!("{DATA_DIR}/{name}"),
        bytes,
        mime: "text/csv",
        format: "Comma Separated Values",
        puid: "x-fmt/18",
    }
}

fn xml_writer() -> anyhow::Result<Writer<Vec<u8>>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Ok(w)
}

fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> std::io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(text))?;
    Ok(())
}

/// `<{name}><{name}Type>local</…><{name}Value>{value}</…></{name}>`: PREMIS's identifiers and
/// links, all local to the package.
fn local_identifier(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        text_element(w, &format!("{name}Type"), "local")?;
        text_element(w, &format!("{name}Value"), value)
    })?;
    Ok(())
}

/// PREMIS 3: the data files as objects (fixity, size, format), the package's creation and
/// the digests' calculation as events, the service and the lead kommun as agents.
fn premis_xml(r: &ProjectRecords, objid: &str, data: &[File], names: &Names<'_>) -> anyhow::Result<Vec<u8>> {
    let mut w = xml_writer()?;
    let created = time(r.read_at);
    let owner_code = names.kommunkod(r.project.owner_id);
    w.create_element("premis")
        .with_attributes([
            ("xmlns", PREMIS_NS),
            ("xmlns:xsi", XSI_NS),
            (
                "xsi:schemaLocation",
                "http://www.loc.gov/premis/v3 https://www.loc.gov/standards/premis/v3/premis-v3-0.xsd",
            ),
            ("version", "3.0"),
        ])
        .write_inner_content(|w| {
            for f in data {
                w.create_element("object")
                    .with_attribute(("xsi:type", "file"))
                    .write_inner_content(|w| {
                        local_identifier(w, "objectIdentifier", &f.path)?;
                        w.create_element("objectCharacteristics")
                            .write_inner_content(|w| {
                                text_element(w, "compositionLevel", "0")?;
                                w.create_element("fixity").write_inner_content(|w| {
                                    text_element(w, "messageDigestAlgorithm", "SHA-256")?;
                                    text_element(w, "messageDigest", &f.sha256())?;
                                    text_element(w, "messageDigestOriginator", "Samverkan")
                                })?;
                                text_element(w, "size", &f.bytes.len().to_string())?;
                                w.create_element("format").write_inner_content(|w| {
                                    w.create_element("formatDesignation")
                                        .write_inner_content(|w| text_element(w, "formatName", f.format))?;
                                    w.create_element("formatRegistry").write_inner_content(|w| {
                                        text_element(w, "formatRegistryName", "PRONOM")?;
                                        text_element(w, "formatRegistryKey", f.puid)
                                    })?;
                                    Ok(())
                                })?;
                                Ok(())
                            })?;
                        text_element(w, "originalName", f.path.rsplit('/').next().unwrap_or(&f.path))?;
                        local_identifier(w, "linkingEventIdentifier", "event-creation")?;
                        Ok(())
                    })?;
            }
            let event = |w: &mut Writer<Vec<u8>>, id: &str, kind: &str, detail: &str| {
                w.create_element("event").write_inner_content(|w| {
                    local_identifier(w, "eventIdentifier", id)?;
                    text_element(w, "eventType", kind)?;
                    text_element(w, "eventDateTime", &created)?;
                    w.create_element("eventDetailInformation")
                        .write_inner_content(|w| text_element(w, "eventDetail", detail))?;
                    w.create_element("eventOutcomeInformation")
                        .write_inner_content(|w| text_element(w, "eventOutcome", "success"))?;
                    for (agent, role) in [("samverkan", "executing program"), ("kommun", "authorizer")] {
                        w.create_element("linkingAgentIdentifier")
                            .write_inner_content(|w| {
                                text_element(w, "linkingAgentIdentifierType", "local")?;
                                text_element(w, "linkingAgentIdentifierValue", agent)?;
                                text_element(w, "linkingAgentRole", role)
                            })?;
                    }
                    for f in data {
                        local_identifier(w, "linkingObjectIdentifier", &f.path)?;
                    }
                    Ok(())
                })?;
                Ok::<(), std::io::Error>(())
            };
            event(
                w,
                "event-creation",
                "creation",
                &format!(
                    "Archive package {objid} of e-service project {} \"{}\" ({}), made from the \
                     records as they stood at {created}. The county's audit chain then held {} \
                     events with head {}.",
                    r.project.id, r.project.title, r.project.phase, r.chain_head.events, r.chain_head.hash
                ),
            )?;
            event(
                w,
                "event-digests",
                "message digest calculation",
                "SHA-256 of every data file, written here and in METS.xml",
            )?;
            w.create_element("agent").write_inner_content(|w| {
                local_identifier(w, "agentIdentifier", "samverkan")?;
                text_element(w, "agentName", "Samverkan")?;
                text_element(w, "agentType", "software")?;
                text_element(w, "agentVersion", env!("CARGO_PKG_VERSION"))
            })?;
            w.create_element("agent").write_inner_content(|w| {
                local_identifier(w, "agentIdentifier", "kommun")?;
                text_element(w, "agentName", &names.kommun_name(r.project.owner_id))?;
                text_element(w, "agentType", "organization")?;
                text_element(w, "agentNote", &format!("kommunkod {owner_code}"))
            })?;
            Ok(())
        })?;
    Ok(w.into_inner())
}

/// METS with the CSIP and SIP requirements the tests list: the header's agents, the PREMIS
/// file as the package's digital provenance, one file group per representation and the CSIP
/// structural map.
fn mets_xml(
    r: &ProjectRecords,
    objid: &str,
    premis: &File,
    data: &[File],
    names: &Names<'_>,
) -> anyhow::Result<Vec<u8>> {
    let mut w = xml_writer()?;
    let created = time(r.read_at);
    let owner_name = names.kommun_name(r.project.owner_id);
    let owner_code = names.kommunkod(r.project.owner_id);
    let schema_location = "http://www.loc.gov/METS/ http://www.loc.gov/standards/mets/mets.xsd \
         http://www.w3.org/1999/xlink http://www.loc.gov/standards/mets/xlink.xsd \
         https://DILCIS.eu/XML/METS/CSIPExtensionMETS https://earkcsip.dilcis.eu/schema/DILCISExtensionMETS.xsd \
         https://DILCIS.eu/XML/METS/SIPExtensionMETS https://earksip.dilcis.eu/schema/DILCISExtensionSIPMETS.xsd";
    let label = format!("E-tjänsteprojekt: {}", r.project.title);
    w.create_element("mets")
        .with_attributes([
            ("xmlns", METS_NS),
            ("xmlns:xlink", XLINK_NS),
            ("xmlns:csip", CSIP_NS),
            ("xmlns:sip", SIP_NS),
            ("xmlns:xsi", XSI_NS),
            ("xsi:schemaLocation", schema_location),
            ("OBJID", objid),
            ("LABEL", label.as_str()),
            ("TYPE", "Datasets"),
            ("csip:CONTENTINFORMATIONTYPE", "OTHER"),
            (
                "csip:OTHERCONTENTINFORMATIONTYPE",
                "Samverkan e-service project records (JSON, CSV)",
            ),
            ("PROFILE", SIP_PROFILE),
        ])
        .write_inner_content(|w| {
            w.create_element("metsHdr")
                .with_attributes([
                    ("CREATEDATE", created.as_str()),
                    ("LASTMODDATE", created.as_str()),
                    ("RECORDSTATUS", "NEW"),
                    ("csip:OAISPACKAGETYPE", "SIP"),
                ])
                .write_inner_content(|w| {
                    w.create_element("agent")
                        .with_attributes([("ROLE", "CREATOR"), ("TYPE", "OTHER"), ("OTHERTYPE", "SOFTWARE")])
                        .write_inner_content(|w| {
                            text_element(w, "name", "Samverkan")?;
                            w.create_element("note")
                                .with_attribute(("csip:NOTETYPE", "SOFTWARE VERSION"))
                                .write_text_content(BytesText::new(env!("CARGO_PKG_VERSION")))?;
                            Ok(())
                        })?;
                    // The lead kommun both created the records (archival creator) and submits them.
                    for role in ["ARCHIVIST", "CREATOR"] {
                        w.create_element("agent")
                            .with_attributes([("ROLE", role), ("TYPE", "ORGANIZATION")])
                            .write_inner_content(|w| {
                                text_element(w, "name", &owner_name)?;
                                w.create_element("note")
                                    .with_attribute(("csip:NOTETYPE", "IDENTIFICATIONCODE"))
                                    .write_text_content(BytesText::new(&format!("kommunkod {owner_code}")))?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
            w.create_element("amdSec")
                .with_attribute(("ID", "amd-1"))
                .write_inner_content(|w| {
                    w.create_element("digiprovMD")
                        .with_attributes([("ID", "digiprov-premis"), ("STATUS", "CURRENT")])
                        .write_inner_content(|w| {
                            let size = premis.bytes.len().to_string();
                            let sum = premis.sha256();
                            w.create_element("mdRef")
                                .with_attributes([
                                    ("LOCTYPE", "URL"),
                                    ("xlink:type", "simple"),
                                    ("xlink:href", premis.path.as_str()),
                                    ("MDTYPE", "PREMIS"),
                                    ("MIMETYPE", premis.mime),
                                    ("SIZE", size.as_str()),
                                    ("CREATED", created.as_str()),
                                    ("CHECKSUM", sum.as_str()),
                                    ("CHECKSUMTYPE", "SHA-256"),
                                ])
                                .write_empty()?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
            w.create_element("fileSec")
                .with_attribute(("ID", "file-sec"))
                .write_inner_content(|w| {
                    w.create_element("fileGrp")
                        .with_attributes([("ID", "file-grp-rep1"), ("USE", "Representations/rep1")])
                        .write_inner_content(|w| {
                            for (i, f) in data.iter().enumerate() {
                                let id = format!("file-{}", i + 1);
                                let size = f.bytes.len().to_string();
                                let sum = f.sha256();
                                w.create_element("file")
                                    .with_attributes([
                                        ("ID", id.as_str()),
                                        ("MIMETYPE", f.mime),
                                        ("SIZE", size.as_str()),
                                        ("CREATED", created.as_str()),
                                        ("CHECKSUM", sum.as_str()),
                                        ("CHECKSUMTYPE", "SHA-256"),
                                        ("sip:FILEFORMATNAME", f.format),
                                        ("sip:FORMATREGISTRY", "PRONOM"),
                                        ("sip:FORMATREGISTRYKEY", f.puid),
                                    ])
                                    .write_inner_content(|w| {
                                        w.create_element("FLocat")
                                            .with_attributes([
                                                ("LOCTYPE", "URL"),
                                                ("xlink:type", "simple"),
                                                ("xlink:href", f.path.as_str()),
                                            ])
                                            .write_empty()?;
                                        Ok(())
                                    })?;
                            }
                            Ok(())
                        })?;
                    Ok(())
                })?;
            w.create_element("structMap")
                .with_attributes([("ID", "struct-map-1"), ("TYPE", "PHYSICAL"), ("LABEL", "CSIP")])
                .write_inner_content(|w| {
                    w.create_element("div")
                        .with_attributes([("ID", "div-root"), ("LABEL", objid)])
                        .write_inner_content(|w| {
                            w.create_element("div")
                                .with_attributes([
                                    ("ID", "div-metadata"),
                                    ("LABEL", "Metadata"),
                                    ("ADMID", "digiprov-premis"),
                                ])
                                .write_empty()?;
                            w.create_element("div")
                                .with_attributes([("ID", "div-rep1"), ("LABEL", "Representations/rep1")])
                                .write_inner_content(|w| {
                                    w.create_element("fptr")
                                        .with_attribute(("FILEID", "file-grp-rep1"))
                                        .write_empty()?;
                                    Ok(())
                                })?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(w.into_inner())
}
