//! The committee's papers: the committee report as a PDF/A-2b document in Swedish, for the
//! meeting's handlingar and the minutes' archive.
//!
//! The report's figures (the same [`CommitteeReport`] the GraphQL report and the CSV show) are
//! written as one JSON document of display strings and chart fractions; a typst template
//! (`committee.typ`, or the county's own) lays it out; typst exports PDF/A-2b with its fonts
//! embedded. Numbers are formatted here, once, in Swedish: `1 234 567,89`.
mod world;

use chrono::{DateTime, Datelike, Timelike, Utc};
use num_rational::Ratio;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use typst::foundations::Datetime;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::{
    domain::{
        Health, Phase,
        benefits::percent,
        inventory::{InitiativeState, ResponseOutcome},
        sourcing::DataLocation,
    },
    service::{
        Reference,
        report::{CommitteeReport, SystemRow},
    },
};

/// The template the service ships.
pub const COMMITTEE_TEMPLATE: &str = include_str!("committee.typ");

/// Why a document could not be made: the template's own diagnostics, for the log.
#[derive(Debug, thiserror::Error)]
#[error("the committee document could not be made: {0}")]
pub struct PaperError(String);

/// A decimal in Swedish: thousands grouped by no-break spaces, a decimal comma, `scale`
/// decimals (`1 234,50`).
pub fn swedish(d: Decimal, scale: u32) -> String {
    let d = d.round_dp(scale);
    let text = format!("{:.*}", scale as usize, d.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if d.is_sign_negative() && !d.is_zero() {
        "−"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// The most rows of a per-project list (cost shares, benefits, tollgates) the document prints:
/// papers for a meeting, not a ledger; the CSV has every row. The report is read with this cap,
/// so its memory is bounded by it too, not only the document.
pub const PAPER_ROWS: usize = 200;

/// Kronor to the öre.
fn kr(d: Decimal) -> String {
    swedish(d, 2)
}

fn count(n: impl Into<i128>) -> String {
    swedish(Decimal::from_i128_with_scale(n.into(), 0), 0)
}

/// Text from the records as the fonts can draw it: characters that change only direction or
/// joining (marks, zero-width joiners, byte-order marks) are left out, and a character no
/// font has is replaced by a visible `□` (PDF/A forbids drawing the empty `.notdef` glyph).
fn printable(text: &str) -> String {
    static MISSING: std::sync::LazyLock<char> =
        std::sync::LazyLock::new(|| if world::FONTS.covers('□') { '□' } else { '?' });
    let fonts = &*world::FONTS;
    let invisible = |c: char| matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{ad}');
    text.chars()
        .filter(|c| !invisible(*c))
        .map(|c| match c {
            '\n' | '\t' | '\r' => ' ',
            c if c.is_control() => *MISSING,
            c if fonts.covers(c) => c,
            _ => *MISSING,
        })
        .collect()
}

fn phase_sv(p: Phase) -> &'static str {
    match p {
        Phase::Idea => "Idé",
        Phase::PreStudy => "Förstudie",
        Phase::Planning => "Planering",
        Phase::Execution => "Genomförande",
        Phase::Closing => "Avslut",
        Phase::BenefitRealization => "Effekthemtagning",
        Phase::Closed => "Stängd",
        Phase::Cancelled => "Avbruten",
    }
}

fn health_sv(h: Option<Health>) -> &'static str {
    match h {
        Some(Health::Green) => "Grön",
        Some(Health::Amber) => "Gul",
        Some(Health::Red) => "Röd",
        None => "Ingen statusrapport",
    }
}

fn health_key(h: Option<Health>) -> &'static str {
    match h {
        Some(Health::Green) => "green",
        Some(Health::Amber) => "amber",
        Some(Health::Red) => "red",
        None => "unknown",
    }
}

fn state_sv(s: InitiativeState) -> &'static str {
    match s {
        InitiativeState::Draft => "Utkast",
        InitiativeState::OpenForSupport => "Öppen för medundertecknare",
        InitiativeState::Submitted => "Överlämnad",
        InitiativeState::VendorResponded => "Leverantören har svarat",
        InitiativeState::Accepted => "Accepterad",
        InitiativeState::PartiallyAccepted => "Delvis accepterad",
        InitiativeState::Rejected => "Avvisad",
        InitiativeState::Delivered => "Levererad",
        InitiativeState::Withdrawn => "Återkallad",
    }
}

fn outcome_sv(o: ResponseOutcome) -> &'static str {
    match o {
        ResponseOutcome::Accepted => "Accepterat",
        ResponseOutcome::PartiallyAccepted => "Delvis accepterat",
        ResponseOutcome::Rejected => "Avvisat",
    }
}

fn location_sv(l: DataLocation) -> &'static str {
    match l {
        DataLocation::Sweden => "Sverige",
        DataLocation::EuEea => "Inom EU/EES",
        DataLocation::ThirdCountry => "Tredje land",
    }
}

fn option_sv(kind: &str) -> &str {
    match kind {
        "IN_HOUSE" => "Egen drift",
        "SHARED" => "Samverkan",
        "OUTSOURCED" => "Utkontraktering",
        "CLOUD" => "Molntjänst",
        other => other,
    }
}

fn fraction(part: Decimal, whole: Decimal) -> f64 {
    if whole.is_zero() {
        0.0
    } else {
        (part / whole).round_dp(4).try_into().unwrap_or(0.0)
    }
}

fn percent_text(r: Option<Ratio<i128>>) -> String {
    r.map(|r| format!("{} %", swedish(percent(r), 2)))
        .unwrap_or_else(|| "–".into())
}

/// Projects of one phase by health.
type HealthCounts = Vec<(Option<Health>, u64)>;

/// The report as the template reads it: every figure already in Swedish, every chart as
/// fractions of its largest bar.
fn data(r: &CommitteeReport, reference: &Reference, made: DateTime<Utc>) -> Value {
    let name = |id: i32| printable(reference.municipality(id).map(|m| m.name.as_str()).unwrap_or(""));
    let code = |id: i32| {
        reference
            .municipality(id)
            .map(|m| m.code.to_string())
            .unwrap_or_default()
    };

    let mut phases: Vec<(Phase, HealthCounts)> = Vec::new();
    for row in &r.phases {
        match phases.iter_mut().find(|(p, _)| *p == row.phase) {
            Some((_, v)) => v.push((row.health, row.count)),
            None => phases.push((row.phase, vec![(row.health, row.count)])),
        }
    }
    phases.sort_by_key(|(p, _)| Phase::ALL.iter().position(|q| q == p));
    let widest = phases
        .iter()
        .map(|(_, v)| v.iter().map(|(_, n)| *n).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let phases: Vec<Value> = phases
        .iter()
        .map(|(p, v)| {
            let mut v = v.clone();
            v.sort_by_key(|(h, _)| {
                [Some(Health::Green), Some(Health::Amber), Some(Health::Red), None]
                    .iter()
                    .position(|x| x == h)
            });
            json!({
                "phase": phase_sv(*p),
                "total": count(v.iter().map(|(_, n)| *n).sum::<u64>()),
                "segments": v.iter().map(|(h, n)| json!({
                    "health": health_sv(*h), "key": health_key(*h), "count": count(*n),
                    "frac": *n as f64 / widest as f64,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();

    let largest = r
        .costs
        .iter()
        .map(|c| c.committed.to_decimal().max(c.planned.to_decimal()))
        .max()
        .unwrap_or_default();
    let committed: Decimal = r.costs.iter().map(|c| c.committed.to_decimal()).sum();
    let planned: Decimal = r.costs.iter().map(|c| c.planned.to_decimal()).sum();
    let costs: Vec<Value> = r
        .costs
        .iter()
        .map(|c| {
            json!({
                "code": code(c.municipality_id), "name": name(c.municipality_id),
                "committed": kr(c.committed.to_decimal()), "planned": kr(c.planned.to_decimal()),
                "projects": count(c.projects as u64),
                "committedShare": if committed.is_zero() { "–".to_owned() } else {
                    format!("{} %", swedish(c.committed.to_decimal() * Decimal::ONE_HUNDRED / committed, 1))
                },
                "committedFrac": fraction(c.committed.to_decimal(), largest),
                "plannedFrac": fraction(c.planned.to_decimal(), largest),
            })
        })
        .collect();

    let project_costs: Vec<Value> = r
        .project_costs
        .iter()
        .take(PAPER_ROWS)
        .map(|c| {
            json!({
                "title": printable(&c.title), "phase": phase_sv(c.phase), "kommun": name(c.municipality_id),
                "amount": kr(c.amount.to_decimal()), "committed": if c.committed { "Beslutad" } else { "Planerad" },
            })
        })
        .collect();

    let benefits_per_kommun: Vec<Value> = r
        .benefits_per_kommun
        .iter()
        .map(|b| {
            let frac: f64 = b
                .realization
                .map(|q| percent(q) / Decimal::from(100))
                .and_then(|d| f64::try_from(d.clamp(Decimal::ZERO, Decimal::new(15, 1))).ok())
                .unwrap_or(0.0);
            json!({
                "name": name(b.municipality_id), "benefits": count(b.benefits as u64),
                "realization": percent_text(b.realization), "measured": b.realization.is_some(),
                "frac": frac / 1.5,
            })
        })
        .collect();
    let benefits: Vec<Value> = r
        .benefits
        .iter()
        .take(PAPER_ROWS)
        .map(|b| {
            let unit = printable(&b.unit);
            let with_unit = |d: Decimal| {
                let n = d.normalize();
                let text = swedish(n, n.scale());
                if unit.is_empty() {
                    text
                } else {
                    format!("{text} {unit}")
                }
            };
            json!({
                "project": printable(&b.project_title), "description": printable(&b.description),
                "owner": name(b.owner_id), "metric": printable(&b.metric),
                "baseline": with_unit(b.baseline.to_decimal()), "target": with_unit(b.target.to_decimal()),
                "latest": b.latest.map(|m| with_unit(m.to_decimal())).unwrap_or_else(|| "–".into()),
                "realization": percent_text(b.realization),
            })
        })
        .collect();
    let tollgates: Vec<Value> = r
        .tollgates
        .iter()
        .take(PAPER_ROWS)
        .map(|t| {
            json!({
                "due": t.due.to_string(), "title": printable(&t.title), "owner": name(t.owner_id),
                "phase": phase_sv(t.phase), "next": t.next_phase.map(phase_sv).unwrap_or("–"),
                "day": t.due.signed_duration_since(r.from).num_days().max(0),
            })
        })
        .collect();
    let decisions: Vec<Value> = r
        .decisions
        .iter()
        .map(|d| {
            json!({
                "date": d.decided_on.to_string(), "title": printable(&d.title), "owner": name(d.owner_id),
                "from": phase_sv(d.from_phase), "to": phase_sv(d.to_phase),
                "body": printable(&d.deciding_body), "diarienummer": printable(&d.diarienummer),
            })
        })
        .collect();
    let period_days = (r.to.signed_duration_since(r.from).num_days()).max(1);
    let sourcing: Vec<Value> = r
        .sourcing
        .iter()
        .map(|s| {
            json!({
                "title": printable(&s.title), "owner": name(s.owner_id), "decided": s.decided_on.to_string(),
                "option": option_sv(&s.option_kind), "description": printable(&s.option_description),
                "score": s.score.map(|q| swedish(percent(q / Ratio::from_integer(100)), 2)).unwrap_or_else(|| "–".into()),
                "rank": s.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into()),
                "body": printable(&s.deciding_body), "diarienummer": printable(&s.diarienummer),
            })
        })
        .collect();
    let initiatives: Vec<Value> = r
        .initiatives
        .iter()
        .map(|i| {
            let (date, outcome, summary) = match &i.response {
                Some((d, o, s)) => (d.to_string(), outcome_sv(*o).to_owned(), printable(s)),
                None => ("–".into(), "–".into(), String::new()),
            };
            json!({
                "title": printable(&i.title), "vendor": printable(&i.vendor), "owner": name(i.owner_id),
                "state": state_sv(i.state), "supporters": count(i.supporters as u64),
                "date": date, "outcome": outcome, "summary": summary,
            })
        })
        .collect();
    let systems = |rows: &[SystemRow]| -> Vec<Value> {
        rows.iter()
            .map(|s| {
                json!({
                    "kommun": name(s.owner_id), "product": printable(&s.product), "vendor": printable(&s.vendor),
                    "confidentiality": s.confidentiality.to_string(), "location": location_sv(s.data_location),
                    "contractEnd": s.contract_end.map(|d| d.to_string()).unwrap_or_else(|| "–".into()),
                })
            })
            .collect()
    };
    let windows: Vec<Value> = r
        .procurement_windows
        .iter()
        .map(|w| {
            let win = &w.window;
            json!({
                "subject": printable(&w.subject),
                "vendors": printable(&w.vendors.join(", ")),
                "kommuner": win.kommuner.iter().map(|k| name(*k)).collect::<Vec<_>>().join(", "),
                "others": win.other_kommuner,
                "starts": win.starts.to_string(), "ends": win.ends.to_string(), "deadline": win.deadline.to_string(),
                "population": count(win.population),
                "annualCost": win.annual_cost.map(|c| kr(c.to_decimal())).unwrap_or_else(|| "–".into()),
            })
        })
        .collect();
    let key_persons: Vec<Value> = r
        .key_person_risk
        .iter()
        .map(|k| {
            json!({
                "name": name(k.municipality_id), "code": code(k.municipality_id),
                "systems": count(k.systems as u64), "atRisk": count(k.at_risk as u64),
                "keyPersons": count(k.key_persons as u64),
            })
        })
        .collect();
    let costs_capped = r.project_cost_count > project_costs.len();
    let tollgates_capped = r.tollgate_count > tollgates.len();
    let benefits_capped = r.benefit_count > benefits.len();
    json!({
        "county": printable(&r.county.name),
        "countyCode": r.county.code,
        "from": r.from.to_string(),
        "to": r.to.to_string(),
        "periodDays": period_days,
        "made": made.format("%Y-%m-%d %H:%M UTC").to_string(),
        "chain": r.audit_chain_head.as_ref().map(|h| json!({"events": count(h.events), "hash": h.hash})),
        "phases": phases,
        "costs": costs,
        "costTotal": {"committed": kr(committed), "planned": kr(planned)},
        "projectCosts": project_costs,
        "projectCostCount": count(r.project_cost_count as u64),
        "projectCostsCapped": costs_capped,
        "benefitsPerKommun": benefits_per_kommun,
        "benefits": benefits,
        "benefitCount": count(r.benefit_count as u64),
        "benefitsCapped": benefits_capped,
        "tollgates": tollgates,
        "tollgateCount": count(r.tollgate_count as u64),
        "tollgatesCapped": tollgates_capped,
        "decisions": decisions,
        "sourcing": sourcing,
        "initiatives": initiatives,
        "sensitiveSystems": systems(&r.sensitive_systems),
        "contractsEnding": systems(&r.expiring_contracts),
        "procurementWindows": windows,
        "keyPersons": key_persons,
    })
}

/// Typesets the committee report with `template` (the shipped one unless the county has its
/// own) and exports it as PDF/A-2b. CPU work of a few hundred milliseconds: call it off the
/// async workers.
pub fn committee_pdf(
    r: &CommitteeReport,
    reference: &Reference,
    made: DateTime<Utc>,
    template: &str,
) -> Result<Vec<u8>, PaperError> {
    let bytes = serde_json::to_vec(&data(r, reference, made)).map_err(|e| PaperError(e.to_string()))?;
    let now = Datetime::from_ymd_hms(
        made.year(),
        made.month() as u8,
        made.day() as u8,
        made.hour() as u8,
        made.minute() as u8,
        made.second() as u8,
    )
    .ok_or_else(|| PaperError("the time of making is out of range".into()))?;
    let paper = world::Paper::new(template, bytes, now);
    let compiled = typst::compile::<PagedDocument>(&paper).output;
    // The typesetter memoises across documents; keep only what the last few renders used.
    comemo::evict(4);
    let document = compiled.map_err(|errors| paper.diagnosed(&errors))?;
    let options = PdfOptions {
        ident: typst::foundations::Smart::Custom(format!(
            "samverkan-committee-{}-{}-{}",
            r.county.code, r.from, r.to
        )),
        creator: typst::foundations::Smart::Custom(Some(format!("Samverkan {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(now)),
        standards: PdfStandards::new(&[PdfStandard::A_2b])
            .map_err(|e| PaperError(e.message().to_string()))?,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| paper.diagnosed(&errors))
}

impl world::Paper {
    /// The typesetter's errors with the template's line of each, for the operator's log.
    fn diagnosed(&self, errors: &[typst::diag::SourceDiagnostic]) -> PaperError {
        use typst::WorldExt;
        PaperError(
            errors
                .iter()
                .map(|e| {
                    let line = self
                        .range(e.span)
                        .and_then(|r| self.template().lines().byte_to_line(r.start));
                    match line {
                        Some(l) => format!("template line {}: {}", l + 1, e.message),
                        None => e.message.to_string(),
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_numbers_group_thousands_and_use_a_decimal_comma() {
        assert_eq!(swedish(Decimal::new(123456789, 2), 2), "1\u{a0}234\u{a0}567,89");
        assert_eq!(swedish(Decimal::new(5, 1), 2), "0,50");
        assert_eq!(swedish(Decimal::new(-100000, 2), 2), "−1\u{a0}000,00");
        assert_eq!(swedish(Decimal::from(999), 0), "999");
        assert_eq!(swedish(Decimal::from(1000), 0), "1\u{a0}000");
        assert_eq!(swedish(Decimal::ZERO, 2), "0,00");
    }

    #[test]
    fn text_the_fonts_cannot_draw_is_replaced_visibly() {
        assert_eq!(printable("Örebro – Kumla"), "Örebro – Kumla");
        assert_eq!(printable("a\u{200f}b\u{feff}c\u{200d}"), "abc");
        assert_eq!(printable("rad\nny"), "rad ny");
        assert_eq!(printable("Ärende 🙂"), "Ärende □");
    }
}
