//! SCB's yearly population figures, imported as a new reference year.
//!
//! The file is SCB's table "Folkmängd i riket, län och kommuner 31 december YYYY" saved as
//! CSV (comma or semicolon separated), or a Statistikdatabasen export of folkmängd by region:
//! a row per region whose first cell is its code (`1880`, or `1880 Örebro` with the name in
//! the same cell), the name in the next cell unless it came with the code, and the
//! population in the cell after. Rows without a code (titles, headers) are passed over;
//! `Riket`/`00` and county rows (two-digit codes) are checked against the sums of their
//! kommuner. A county the file names must have every kommun's figure; counties it does not
//! name keep the years they have.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;
use entity::population_figure;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;

use crate::{
    domain::authz::{Action, Standing},
    error::{ApiError, ApiResult, RowError},
    service::{Scope, audit::Parent},
};

/// The column names errors use: the file's own headers vary.
const REGION: &str = "region";
const NAME: &str = "kommunnamn";
const POPULATION: &str = "folkmängd";

/// One county's part of an imported year.
#[derive(Clone, Debug)]
pub struct CountyYear {
    /// Länskod.
    pub code: String,
    /// The county's name.
    pub name: String,
    /// Its kommuner in the file.
    pub kommuner: usize,
    /// Their population.
    pub total: i64,
}

/// What an import wrote.
#[derive(Clone, Debug)]
pub struct ImportedYear {
    /// The reference year.
    pub year: i32,
    /// Each county the file named, by code.
    pub counties: Vec<CountyYear>,
}

/// A row of the file with a region code.
struct Row {
    line: usize,
    code: String,
    name: Option<String>,
    population: Result<i64, String>,
}

/// A population as SCB writes it: digits, thousands separated by spaces (also no-break).
fn figure(cell: &str) -> Result<i64, String> {
    let digits: String = cell
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let digits = digits.replace(['\u{2011}', '\u{2212}'], "-");
    match digits.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!("'{cell}' is negative")),
        Ok(n) => Ok(n),
        Err(_) if digits.is_empty() => Err("the population is missing".into()),
        Err(_) => Err(format!("'{cell}' is not a whole number")),
    }
}

/// The rows of `text` that name a region.
fn rows(text: &str) -> Result<Vec<Row>, ApiError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.lines().all(|l| l.trim().is_empty() || l.starts_with('#')) {
        return Err(ApiError::input("file", "file: the file is empty"));
    }
    // A title line may hold commas; the rows decide.
    let delimiter = if text.matches(';').count() > text.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position().map(|p| p.line() as usize))
            .unwrap_or(i + 1);
        let record = record.map_err(|e| ApiError::input("file", format!("file: line {line}: {e}")))?;
        let cell = |k: usize| record.get(k).map(str::trim).unwrap_or("");
        let first = cell(0);
        if first.starts_with('#') {
            continue;
        }
        let (code, rest) = first.split_once(' ').unwrap_or((first, ""));
        let (code, name, next) = if first.eq_ignore_ascii_case("riket") {
            ("00".to_owned(), None, 1)
        } else if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
            match rest.trim() {
                "" => (code.to_owned(), Some(cell(1).to_owned()), 2),
                name => (code.to_owned(), Some(name.to_owned()), 1),
            }
        } else {
            continue;
        };
        out.push(Row {
            line,
            code,
            name: name.filter(|n| !n.is_empty()),
            population: figure(cell(next)),
        });
    }
    Ok(out)
}

impl Scope<'_> {
    /// Imports SCB's figures of 31 December `year` as a new reference year: every row is
    /// checked first; either all are written in one transaction, audited in the chain of
    /// every county the file names, or the bad rows are reported and nothing is.
    pub async fn import_population(&self, year: i32, text: &str) -> ApiResult<ImportedYear> {
        if !(1968..=2100).contains(&year) {
            return Err(ApiError::input(
                "year",
                format!("year: {year} is not a year SCB has figures of"),
            ));
        }
        let r = self.reference();
        let rows = rows(text)?;
        let mut errors = Vec::new();
        let err = |line: usize, column: &str, reason: String| RowError {
            line,
            column: column.into(),
            reason,
        };
        let mut kommuner: BTreeMap<i32, (usize, i64)> = BTreeMap::new();
        let mut totals: Vec<(usize, String, i64)> = Vec::new();
        let mut first_line: HashMap<i32, usize> = HashMap::new();
        for row in &rows {
            let population = match &row.population {
                Ok(n) => *n,
                Err(m) => {
                    errors.push(err(row.line, POPULATION, m.clone()));
                    continue;
                }
            };
            match row.code.len() {
                2 => totals.push((row.line, row.code.clone(), population)),
                4 => {
                    let Some(m) = r.municipality_by_code(&row.code) else {
                        errors.push(err(row.line, REGION, format!("{} is not a kommunkod", row.code)));
                        continue;
                    };
                    if let Some(name) = &row.name
                        && !name.eq_ignore_ascii_case(&m.name)
                    {
                        errors.push(err(
                            row.line,
                            NAME,
                            format!("kommun {} is {}, not '{name}'", m.code, m.name),
                        ));
                        continue;
                    }
                    if kommuner.insert(m.id, (row.line, population)).is_some() {
                        errors.push(err(
                            row.line,
                            REGION,
                            format!("kommun {} is listed twice", m.code),
                        ));
                    }
                    first_line.entry(m.county_id).or_insert(row.line);
                }
                _ => errors.push(err(
                    row.line,
                    REGION,
                    format!("'{}' is neither a kommunkod nor a länskod", row.code),
                )),
            }
        }
        // Every county the file names, whole.
        let mut named: BTreeSet<i32> = kommuner
            .keys()
            .filter_map(|id| r.municipality(*id))
            .map(|m| m.county_id)
            .collect();
        for (line, code, _) in &totals {
            match r.county_by_code(code) {
                Some(c) => {
                    named.insert(c.id);
                    first_line.entry(c.id).or_insert(*line);
                }
                None if code == "00" => {}
                None => errors.push(err(*line, REGION, format!("{code} is not a länskod"))),
            }
        }
        if named.is_empty() && errors.is_empty() {
            return Err(ApiError::input(
                "file",
                "file: no row names a kommun (a four-digit kommunkod)",
            ));
        }
        let sum = |county: Option<i32>| -> i64 {
            kommuner
                .iter()
                .filter(|(id, _)| {
                    county.is_none_or(|c| r.municipality(**id).is_some_and(|m| m.county_id == c))
                })
                .map(|(_, (_, n))| n)
                .sum()
        };
        for county_id in &named {
            let Some(c) = r.county(*county_id) else { continue };
            let missing: Vec<String> = r
                .municipalities()
                .iter()
                .filter(|m| m.county_id == c.id && !kommuner.contains_key(&m.id))
                .map(|m| format!("{} {}", m.code, m.name))
                .collect();
            if !missing.is_empty() {
                errors.push(err(
                    first_line.get(&c.id).copied().unwrap_or(1),
                    REGION,
                    format!("{} lacks the figures of {}", c.name, missing.join(", ")),
                ));
            }
        }
        for (line, code, total) in &totals {
            let (of, what) = match r.county_by_code(code) {
                Some(c) => (Some(c.id), c.name.clone()),
                None if code == "00" => (None, "Riket".to_owned()),
                None => continue,
            };
            let kommuner_sum = sum(of);
            if of.is_none() && r.municipalities().iter().any(|m| !kommuner.contains_key(&m.id)) {
                errors.push(err(
                    *line,
                    REGION,
                    "the file gives Riket but not every kommun".into(),
                ));
            } else if kommuner_sum != *total {
                errors.push(err(
                    *line,
                    POPULATION,
                    format!("{what}: {total} is not the sum of its kommuner's figures ({kommuner_sum})"),
                ));
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(ApiError::ImportRows(errors));
        }
        let mut tx = self.write("importPopulation").await?;
        let grant = tx.authorize(
            Action::SetCountySettings,
            Standing {
                county_shared: true,
                ..Default::default()
            },
        )?;
        let ids: Vec<i32> = kommuner.keys().copied().collect();
        let already = population_figure::Entity::find()
            .filter(population_figure::Column::Year.eq(year))
            .filter(population_figure::Column::MunicipalityId.is_in(ids))
            .count(tx.conn())
            .await?;
        if already > 0 {
            let counties: Vec<String> = named
                .iter()
                .filter(|c| r.years(**c).contains(&year))
                .filter_map(|c| r.county(*c))
                .map(|c| c.name.clone())
                .collect();
            return Err(ApiError::input(
                "year",
                format!(
                    "year: figures of {year} are already imported ({}); a reference year is never replaced",
                    if counties.is_empty() {
                        "in part".to_owned()
                    } else {
                        counties.join(", ")
                    }
                ),
            ));
        }
        let now = Utc::now();
        tx.insert_figures(
            &grant,
            kommuner
                .iter()
                .map(|(id, (_, n))| population_figure::ActiveModel {
                    municipality_id: Set(*id),
                    year: Set(year),
                    population: Set(*n),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .collect(),
        )
        .await?;
        let mut counties = Vec::new();
        for county_id in &named {
            let Some(c) = r.county(*county_id) else { continue };
            let of: Vec<_> = r
                .municipalities()
                .iter()
                .filter(|m| m.county_id == c.id)
                .collect();
            let part = CountyYear {
                code: c.code.clone(),
                name: c.name.clone(),
                kommuner: of.len(),
                total: sum(Some(c.id)),
            };
            let after = json!({"populationYear": {
                "year": year,
                "kommuner": part.kommuner,
                "total": part.total,
                "figures": of.iter().map(|m| (m.code.clone(), kommuner[&m.id].1)).collect::<BTreeMap<_, _>>(),
            }});
            if *county_id == tx.principal().county_id {
                tx.within(Parent::County(c.id));
                tx.record(
                    crate::domain::RecordKind::County,
                    i64::from(c.id),
                    None,
                    Some(after),
                );
            } else {
                let actor = of.first().map_or(tx.principal().municipality_id, |m| m.id);
                tx.record_in_county(c.id, actor, i64::from(c.id), after);
            }
            counties.push(part);
        }
        tx.commit().await?;
        Ok(ImportedYear { year, counties })
    }
}

/// The counties (database ids) whose kommuner or totals the file gives, for choosing who
/// runs the import; the import itself checks everything.
pub fn counties_in(reference: &crate::service::Reference, text: &str) -> ApiResult<BTreeSet<i32>> {
    Ok(rows(text)?
        .iter()
        .filter_map(|row| match row.code.len() {
            4 => reference.municipality_by_code(&row.code).map(|m| m.county_id),
            2 => reference.county_by_code(&row.code).map(|c| c.id),
            _ => None,
        })
        .collect())
}
