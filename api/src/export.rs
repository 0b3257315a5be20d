//! The committee report as a CSV file for the minutes: UTF-8 with a byte-order mark,
//! semicolons and decimal commas, so that Excel with a Swedish locale and LibreOffice open
//! it as it is. One section per table: a title line, a header row, the rows, a blank line.
use rust_decimal::Decimal;

use std::sync::Arc;

use crate::{
    domain::benefits::percent,
    service::{
        Reference,
        report::{BenefitRow, CommitteeReport, ProjectCostRow, RowSink},
    },
};

fn num(d: Decimal) -> String {
    d.to_string().replace('.', ",")
}

fn opt(d: Option<Decimal>) -> String {
    d.map(num).unwrap_or_default()
}

/// A cell as the spreadsheet should show it: text that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe
/// (docs/domain.md "Details settled", OWASP CSV injection). Plain numbers such as `-12,5` stay
/// numbers: they cannot be formulas.
pub fn cell(value: &str) -> std::borrow::Cow<'_, str> {
    let dangerous = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let body = value.strip_prefix('-').unwrap_or(value);
        match body.split_once(',') {
            Some((i, f)) => digits(i) && digits(f),
            None => digits(body),
        }
    };
    if dangerous && !number {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// The CSV writer of the report; every cell it writes goes through [`cell`].
struct Sheet<W: std::io::Write>(csv::Writer<W>);

/// The report's CSV dialect: semicolons, and rows of any length (a section's title is one
/// cell).
fn sheet<W: std::io::Write>(to: W) -> Sheet<W> {
    Sheet(
        csv::WriterBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_writer(to),
    )
}

impl<W: std::io::Write> Sheet<W> {
    fn write_record<I, T>(&mut self, record: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<String> = record
            .into_iter()
            .map(|c| cell(c.as_ref()).into_owned())
            .collect();
        self.0.write_record(&cells)
    }

    fn flush(&mut self) -> Result<(), csv::Error> {
        Ok(self.0.flush()?)
    }
}

/// The nine answers as CSV for the auditors' working papers, with the committee file's
/// conventions: one row per figure (question, status, rule, counted records), then the trend.
pub fn audit_readiness_csv(
    r: &crate::service::readiness::Readiness,
    reference: &Reference,
) -> Result<Vec<u8>, csv::Error> {
    let kommun = reference.municipality(r.municipality_id);
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = sheet(&mut out);
        w.write_record([format!(
            "Revisionsunderlag: {} ({}) per {}",
            kommun.map(|m| m.name.as_str()).unwrap_or(""),
            kommun.map(|m| m.code.as_str()).unwrap_or(""),
            r.as_of
        )])?;
        w.write_record([""])?;
        w.write_record([
            "Fråga",
            "Status",
            "Mått",
            "Värde",
            "Av",
            "Procent",
            "Räknade poster",
            "Regel",
        ])?;
        for a in &r.answers {
            for f in &a.figures {
                let pct = f.of.filter(|o| *o > 0).map(|o| {
                    num((Decimal::from(f.value) * Decimal::from(100) / Decimal::from(o)).round_dp(1))
                });
                w.write_record([
                    a.question.as_str().to_owned(),
                    a.status.as_str().to_owned(),
                    f.name.to_owned(),
                    f.value.to_string(),
                    f.of.map(|o| o.to_string()).unwrap_or_default(),
                    pct.unwrap_or_default(),
                    a.counted().to_string(),
                    a.rule.clone(),
                ])?;
            }
        }
        w.write_record([""])?;
        w.write_record(["Utveckling per kvartalsslut"])?;
        let mut header = vec!["Kvartalsslut".to_owned()];
        header.extend(r.answers.iter().map(|a| a.question.as_str().to_owned()));
        w.write_record(&header)?;
        for (q, statuses) in &r.trend {
            let mut row = vec![q.to_string()];
            row.extend(statuses.iter().map(|s| s.as_str().to_owned()));
            w.write_record(&row)?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// The committee report's CSV as it is written. The two long sections (a row per kommun and
/// project, a row per benefit) are written to temporary files while the report's chunk walk
/// reads them ([`RowSink`]); [`CommitteeCsv::finish`] then writes the sections whose sums the
/// walk ends with, and the file is served as its parts in order. So the server holds one
/// chunk's rows at a time, never the county's, and the rows and the sums come from one walk.
pub struct CommitteeCsv {
    reference: Arc<Reference>,
    costs: Sheet<std::io::BufWriter<std::fs::File>>,
    benefits: Sheet<std::io::BufWriter<std::fs::File>>,
}

/// A piece of a file written in parts, in the file's order.
pub enum Part {
    /// Bytes written in memory.
    Bytes(Vec<u8>),
    /// A temporary file read from its start (it is gone once closed).
    File(std::fs::File),
}

impl CommitteeCsv {
    /// A writer whose long sections go to two unnamed temporary files.
    pub fn new(reference: Arc<Reference>) -> std::io::Result<Self> {
        let spill = || tempfile::tempfile().map(|f| sheet(std::io::BufWriter::with_capacity(64 * 1024, f)));
        Ok(Self {
            reference,
            costs: spill()?,
            benefits: spill()?,
        })
    }

    /// The whole file, from the report the rows were written with.
    pub fn finish(self, r: &CommitteeReport) -> Result<Vec<Part>, csv::Error> {
        use std::io::Seek;
        let reference = self.reference;
        let rewound = |w: Sheet<std::io::BufWriter<std::fs::File>>| -> Result<std::fs::File, csv::Error> {
            let mut file =
                w.0.into_inner()
                    .map_err(|e| csv::Error::from(e.into_error()))?
                    .into_inner()
                    .map_err(|e| csv::Error::from(e.into_error()))?;
            file.rewind()?;
            Ok(file)
        };
        let costs = rewound(self.costs)?;
        let benefits = rewound(self.benefits)?;
        let names = Names(&reference);
        Ok(vec![
            Part::Bytes(head(r, &names)?),
            Part::File(costs),
            Part::Bytes(middle(r, &names)?),
            Part::File(benefits),
            Part::Bytes(tail(r, &names)?),
        ])
    }
}

impl RowSink for CommitteeCsv {
    fn project_cost(&mut self, c: &ProjectCostRow) -> std::io::Result<()> {
        let names = Names(&self.reference);
        self.costs
            .write_record([
                c.title.clone(),
                c.phase.as_str().to_owned(),
                names.code(c.municipality_id),
                names.name(c.municipality_id),
                num(c.amount.to_decimal()),
                if c.committed { "ja" } else { "nej" }.to_owned(),
                c.population_year.map(|y| y.to_string()).unwrap_or_default(),
            ])
            .map_err(std::io::Error::other)
    }

    fn benefit(&mut self, b: &BenefitRow) -> std::io::Result<()> {
        let names = Names(&self.reference);
        self.benefits
            .write_record([
                b.project_title.clone(),
                b.description.clone(),
                names.name(b.owner_id),
                b.metric.clone(),
                b.unit.clone(),
                num(b.baseline.to_decimal()),
                num(b.target.to_decimal()),
                opt(b.latest.map(|m| m.to_decimal())),
                opt(b.realization.map(percent)),
            ])
            .map_err(std::io::Error::other)
    }
}

/// Kommun names and codes as the file shows them.
struct Names<'a>(&'a Reference);

impl Names<'_> {
    fn name(&self, id: i32) -> String {
        self.0
            .municipality(id)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    }
    fn code(&self, id: i32) -> String {
        self.0
            .municipality(id)
            .map(|m| m.code.to_string())
            .unwrap_or_default()
    }
}

/// A section's title line and header row.
fn section<W: std::io::Write>(w: &mut Sheet<W>, title: &str, header: &[&str]) -> Result<(), csv::Error> {
    w.write_record([title])?;
    w.write_record(header)
}

/// Bytes written by `write` on a sheet in memory.
fn in_memory(
    write: impl FnOnce(&mut Sheet<&mut Vec<u8>>) -> Result<(), csv::Error>,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::new();
    {
        let mut w = sheet(&mut out);
        write(&mut w)?;
        w.flush()?;
    }
    Ok(out)
}

/// The file up to the rows per kommun and project: title, period, chain, phases, sums.
fn head(r: &CommitteeReport, names: &Names<'_>) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(in_memory(|w| {
        w.write_record([format!(
            "Rapport till gemensam nämnd: {} ({})",
            r.county.name, r.county.code
        )])?;
        w.write_record([format!("Period {} – {}", r.from, r.to)])?;
        if let Some(head) = &r.audit_chain_head {
            w.write_record([format!(
                "Granskningsloggens kedja vid periodens slut: {} händelser, kedjans huvud {}",
                head.events, head.hash
            )])?;
        }
        w.write_record([""])?;

        section(w, "Projekt per fas och hälsa", &["Fas", "Hälsa", "Antal"])?;
        for p in &r.phases {
            w.write_record([
                p.phase.as_str(),
                p.health.map(|h| h.as_str()).unwrap_or(""),
                &p.count.to_string(),
            ])?;
        }
        w.write_record([""])?;

        section(
            w,
            "Kostnad per kommun",
            &[
                "Kommunkod",
                "Kommun",
                "Beslutad kostnad (kr)",
                "Planerad kostnad (kr)",
                "Projekt",
            ],
        )?;
        for c in &r.costs {
            w.write_record([
                names.code(c.municipality_id),
                names.name(c.municipality_id),
                num(c.committed.to_decimal()),
                num(c.planned.to_decimal()),
                c.projects.to_string(),
            ])?;
        }
        w.write_record([""])?;

        section(
            w,
            "Kostnad per projekt och kommun",
            &[
                "Projekt",
                "Fas",
                "Kommunkod",
                "Kommun",
                "Belopp (kr)",
                "Beslutad",
                "Folkmängd år",
            ],
        )
    })?);
    Ok(out)
}

/// Between the two long sections: the benefits per kommun.
fn middle(r: &CommitteeReport, names: &Names<'_>) -> Result<Vec<u8>, csv::Error> {
    in_memory(|w| {
        w.write_record([""])?;
        section(
            w,
            "Nyttor per kommun",
            &["Kommunkod", "Kommun", "Nyttor", "Realiserat (%)"],
        )?;
        for b in &r.benefits_per_kommun {
            w.write_record([
                names.code(b.municipality_id),
                names.name(b.municipality_id),
                b.benefits.to_string(),
                opt(b.realization.map(percent)),
            ])?;
        }
        w.write_record([""])?;

        section(
            w,
            "Nyttor mot mål",
            &[
                "Projekt",
                "Nytta",
                "Nyttoägare",
                "Mätetal",
                "Enhet",
                "Nuläge",
                "Målvärde",
                "Senaste värde",
                "Realiserat (%)",
            ],
        )
    })
}

/// The file after the rows per benefit.
fn tail(r: &CommitteeReport, names: &Names<'_>) -> Result<Vec<u8>, csv::Error> {
    in_memory(|w| {
        w.write_record([""])?;
        section(
            w,
            "Beslutspunkter i perioden",
            &["Projekt", "Ägare", "Fas", "Nästa fas", "Datum"],
        )?;
        for t in &r.tollgates {
            w.write_record([
                t.title.clone(),
                names.name(t.owner_id),
                t.phase.as_str().to_owned(),
                t.next_phase.map(|p| p.as_str()).unwrap_or("").to_owned(),
                t.due.to_string(),
            ])?;
        }
        w.write_record([""])?;

        section(
            w,
            "Beslut vid beslutspunkter i perioden",
            &[
                "Datum",
                "Projekt",
                "Ägare",
                "Från fas",
                "Till fas",
                "Beslutande organ",
                "Diarienummer",
            ],
        )?;
        for d in &r.decisions {
            w.write_record([
                d.decided_on.to_string(),
                d.title.clone(),
                names.name(d.owner_id),
                d.from_phase.as_str().to_owned(),
                d.to_phase.as_str().to_owned(),
                d.deciding_body.clone(),
                d.diarienummer.clone(),
            ])?;
        }
        w.write_record([""])?;

        section(
            w,
            "Sourcingbeslut i perioden",
            &[
                "Utvärdering",
                "Ägare",
                "Beslutsdatum",
                "Valt alternativ",
                "Beskrivning",
                "Viktat resultat",
                "Rang",
                "Beslutande organ",
                "Diarienummer",
            ],
        )?;
        for s in &r.sourcing {
            w.write_record([
                s.title.clone(),
                names.name(s.owner_id),
                s.decided_on.to_string(),
                s.option_kind.clone(),
                s.option_description.clone(),
                opt(s
                    .score
                    .map(|q| percent(q / num_rational::Ratio::from_integer(100)))),
                s.rank.map(|r| r.to_string()).unwrap_or_default(),
                s.deciding_body.clone(),
                s.diarienummer.clone(),
            ])?;
        }
        w.write_record([""])?;

        section(
            w,
            "Leverantörsinitiativ",
            &[
                "Initiativ",
                "Leverantör",
                "Initiativtagare",
                "Status",
                "Medundertecknare",
                "Senaste svar",
                "Utfall",
                "Svar",
            ],
        )?;
        for i in &r.initiatives {
            let (date, outcome, summary) = match &i.response {
                Some((d, o, s)) => (d.to_string(), o.as_str().to_owned(), s.clone()),
                None => Default::default(),
            };
            w.write_record([
                i.title.clone(),
                i.vendor.clone(),
                names.name(i.owner_id),
                i.state.as_str().to_owned(),
                i.supporters.to_string(),
                date,
                outcome,
                summary,
            ])?;
        }
        w.write_record([""])?;

        let systems = |w: &mut Sheet<&mut Vec<u8>>,
                       title: &str,
                       rows: &[crate::service::report::SystemRow]|
         -> Result<(), csv::Error> {
            section(
                w,
                title,
                &[
                    "Kommun",
                    "Produkt",
                    "Leverantör",
                    "Konfidentialitet",
                    "Datalagring",
                    "Avtalsslut",
                ],
            )?;
            for s in rows {
                w.write_record([
                    names.name(s.owner_id),
                    s.product.clone(),
                    s.vendor.clone(),
                    s.confidentiality.to_string(),
                    s.data_location.as_str().to_owned(),
                    s.contract_end.map(|d| d.to_string()).unwrap_or_default(),
                ])?;
            }
            w.write_record([""])
        };
        systems(
            w,
            "System med konfidentialitet 3 eller högre utanför EU/EES",
            &r.sensitive_systems,
        )?;
        systems(w, "Avtal som löper ut inom 18 månader", &r.expiring_contracts)?;
        section(
            w,
            "Fönster för gemensam upphandling",
            &[
                "Produkt eller kategori",
                "Leverantörer",
                "Kommuner",
                "Fler kommuner",
                "Första avtalsslut",
                "Sista avtalsslut",
                "Upphandling senast",
                "Invånare",
                "Årskostnad (kr)",
            ],
        )?;
        for row in &r.procurement_windows {
            let win = &row.window;
            w.write_record([
                row.subject.clone(),
                row.vendors.join(", "),
                win.kommuner
                    .iter()
                    .map(|k| names.name(*k))
                    .collect::<Vec<_>>()
                    .join(", "),
                win.other_kommuner.to_string(),
                win.starts.to_string(),
                win.ends.to_string(),
                win.deadline.to_string(),
                win.population.to_string(),
                win.annual_cost.map(|c| num(c.to_decimal())).unwrap_or_default(),
            ])?;
        }
        w.write_record([""])?;
        section(
            w,
            "Personberoende per kommun",
            &[
                "Kommun",
                "Kommunkod",
                "System",
                "System med risk",
                "Nyckelpersoner",
            ],
        )?;
        for row in &r.key_person_risk {
            w.write_record([
                names.name(row.municipality_id),
                names.code(row.municipality_id),
                row.systems.to_string(),
                row.at_risk.to_string(),
                row.key_persons.to_string(),
            ])?;
        }
        w.write_record([""])?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for bad in [
            "=1+1",
            "+1",
            "-A1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(cell(bad), format!("'{bad}"));
        }
        for ok in ["-12", "-12,50", "Örebro", "12", ""] {
            assert_eq!(cell(ok), ok);
        }
        assert_eq!(cell("-"), "'-");
        assert_eq!(cell("-1,"), "'-1,");
    }
}
