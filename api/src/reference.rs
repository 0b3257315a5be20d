//! Counties and kommuner: reference data seeded from SCB's codes and figures and cached in
//! memory.
//!
//! Every län (21) and kommun (290) is seeded at each start; a deployment serves the counties
//! its settings name ([`Served`]) and its in-memory copy holds only those, so that nothing
//! downstream (tokens, lists, lookups, catalogues) can reach a county it does not serve. The
//! data changes only through seeding and `samverkan import-population`, never through the API,
//! so every replica can hold its own copy; resolving a kommun's name then costs no query.
use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::Arc,
};

use domain::Kommunkod;
use entity::{county, municipality, population_figure};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder};

/// The 21 län: länskod and name (SCB).
const COUNTIES: &str = include_str!("../data/lan.csv");
/// The 290 kommuner: kommunkod, name and länskod (SCB).
const KOMMUNER: &str = include_str!("../data/kommuner.csv");
/// Population figures shipped with the service, by reference year (`kommunkod,folkmangd`;
/// each file names its SCB table). Later years come with `samverkan import-population`.
const FIGURES: &[(i32, &str)] = &[(2023, include_str!("../data/folkmangd/2023.csv"))];
/// The demo's county, seeded first so that its ids are those every database made before the
/// other counties were seeded has.
const FIRST: &str = "18";

/// Which counties a deployment serves (`SAMVERKAN_COUNTIES`): some, by länskod, or all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Served {
    /// Every county.
    All,
    /// These counties (länskod).
    Counties(BTreeSet<String>),
}

impl Served {
    /// Reads `*` or a comma-separated list of länskoder (`18`, `14,18`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(Self::All);
        }
        let mut codes = BTreeSet::new();
        for code in text.split(',').map(str::trim) {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "'{code}' is not a länskod (two digits, e.g. 18); use * for every county"
                ));
            }
            codes.insert(code.to_owned());
        }
        Ok(Self::Counties(codes))
    }

    /// Whether the county with länskod `code` is served.
    pub fn serves(&self, code: &str) -> bool {
        match self {
            Self::All => true,
            Self::Counties(codes) => codes.contains(code),
        }
    }
}

impl std::fmt::Display for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::All => f.write_str("*"),
            Self::Counties(codes) => f.write_str(&codes.iter().cloned().collect::<Vec<_>>().join(",")),
        }
    }
}

/// A kommun this deployment does not serve, named in the refusal of its tokens.
#[derive(Clone, Debug)]
pub struct Elsewhere {
    /// The kommun's name.
    pub name: String,
    /// Its county's name.
    pub county: String,
}

/// The reference data in memory.
#[derive(Debug, Default)]
pub struct Reference {
    counties: Vec<county::Model>,
    /// Shared, so that every kommun a response names costs a reference count, not a copy.
    municipalities: Vec<Arc<municipality::Model>>,
    by_id: HashMap<i32, usize>,
    by_code: HashMap<String, usize>,
    /// Population by kommun and reference year.
    figures: HashMap<(i32, i32), i64>,
    /// The reference years each county has a figure of every kommun for, oldest first.
    years: BTreeMap<i32, Vec<i32>>,
    /// Kommuner of counties not served, by kommunkod.
    elsewhere: HashMap<String, Elsewhere>,
    /// How many figures and kommuner there were when loaded ([`Reference::marker`]).
    marker: (i64, i64),
}

impl Reference {
    /// Loads every county, kommun and population figure.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, sea_orm::DbErr> {
        let counties = county::Entity::find()
            .order_by_asc(county::Column::Code)
            .all(db)
            .await?;
        let municipalities = municipality::Entity::find()
            .order_by_asc(municipality::Column::Code)
            .all(db)
            .await?;
        let figures: HashMap<(i32, i32), i64> = population_figure::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|f| ((f.municipality_id, f.year), f.population))
            .collect();
        let marker = (figures.len() as i64, municipalities.len() as i64);
        Ok(Self::of(
            counties,
            municipalities,
            figures,
            HashMap::new(),
            marker,
        ))
    }

    /// What changes when reference data does: how many population figures and kommuner the
    /// database holds (figures are only ever added, a year at a time).
    pub async fn marker(db: &impl ConnectionTrait) -> Result<(i64, i64), sea_orm::DbErr> {
        use sea_orm::PaginatorTrait;
        Ok((
            population_figure::Entity::find().count(db).await? as i64,
            municipality::Entity::find().count(db).await? as i64,
        ))
    }

    /// The [`marker`](Reference::marker) of the database this was loaded from.
    pub fn loaded_marker(&self) -> (i64, i64) {
        self.marker
    }

    fn of(
        counties: Vec<county::Model>,
        municipalities: Vec<municipality::Model>,
        figures: HashMap<(i32, i32), i64>,
        elsewhere: HashMap<String, Elsewhere>,
        marker: (i64, i64),
    ) -> Self {
        let municipalities: Vec<_> = municipalities.into_iter().map(Arc::new).collect();
        let by_id = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, i))
            .collect();
        let by_code = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.code.to_string(), i))
            .collect();
        // A year is a county's reference year only when it has every kommun's figure: the
        // years of any one kommun of it are the candidates.
        let mut years = BTreeMap::new();
        for c in &counties {
            let kommuner: Vec<i32> = municipalities
                .iter()
                .filter(|m| m.county_id == c.id)
                .map(|m| m.id)
                .collect();
            let mut complete: Vec<i32> = match kommuner.first() {
                Some(first) => figures
                    .keys()
                    .filter(|(m, y)| m == first && kommuner.iter().all(|k| figures.contains_key(&(*k, *y))))
                    .map(|(_, y)| *y)
                    .collect(),
                None => Vec::new(),
            };
            complete.sort_unstable();
            years.insert(c.id, complete);
        }
        Self {
            counties,
            municipalities,
            by_id,
            by_code,
            figures,
            years,
            elsewhere,
            marker,
        }
    }

    /// The part of the reference data of the counties `served`; the rest is remembered only
    /// by kommunkod, to say why its tokens are refused.
    pub fn serving(self, served: &Served) -> Self {
        let (kept, dropped): (Vec<_>, Vec<_>) =
            self.counties.into_iter().partition(|c| served.serves(&c.code));
        let kept_ids: BTreeSet<i32> = kept.iter().map(|c| c.id).collect();
        let mut municipalities = Vec::new();
        let mut elsewhere = self.elsewhere;
        for m in self.municipalities {
            let m = Arc::unwrap_or_clone(m);
            if kept_ids.contains(&m.county_id) {
                municipalities.push(m);
            } else if let Some(c) = dropped.iter().find(|c| c.id == m.county_id) {
                elsewhere.insert(
                    m.code.to_string(),
                    Elsewhere {
                        name: m.name.clone(),
                        county: c.name.clone(),
                    },
                );
            }
        }
        let ids: BTreeSet<i32> = municipalities.iter().map(|m| m.id).collect();
        let figures = self
            .figures
            .into_iter()
            .filter(|((m, _), _)| ids.contains(m))
            .collect();
        Self::of(kept, municipalities, figures, elsewhere, self.marker)
    }

    /// Every county, by code.
    pub fn counties(&self) -> &[county::Model] {
        &self.counties
    }

    /// A county by database id.
    pub fn county(&self, id: i32) -> Option<&county::Model> {
        self.counties.iter().find(|c| c.id == id)
    }

    /// A county by länskod.
    pub fn county_by_code(&self, code: &str) -> Option<&county::Model> {
        self.counties.iter().find(|c| c.code == code)
    }

    /// Every kommun, by code.
    pub fn municipalities(&self) -> &[Arc<municipality::Model>] {
        &self.municipalities
    }

    /// The kommuner of county `county_id`.
    pub fn kommuner_of(&self, county_id: i32) -> impl Iterator<Item = &Arc<municipality::Model>> {
        self.municipalities
            .iter()
            .filter(move |m| m.county_id == county_id)
    }

    /// A kommun by database id.
    pub fn municipality(&self, id: i32) -> Option<&Arc<municipality::Model>> {
        self.by_id.get(&id).map(|i| &self.municipalities[*i])
    }

    /// A kommun by kommunkod.
    pub fn municipality_by_code(&self, code: &str) -> Option<&Arc<municipality::Model>> {
        self.by_code.get(code).map(|i| &self.municipalities[*i])
    }

    /// A real kommun of a county this deployment does not serve.
    pub fn elsewhere(&self, code: &str) -> Option<&Elsewhere> {
        self.elsewhere.get(code)
    }

    /// Kommun `municipality_id`'s population on 31 December of `year`.
    pub fn population(&self, municipality_id: i32, year: i32) -> Option<i64> {
        self.figures.get(&(municipality_id, year)).copied()
    }

    /// The reference years county `county_id` has every kommun's figure of, oldest first.
    pub fn years(&self, county_id: i32) -> &[i32] {
        self.years.get(&county_id).map_or(&[], Vec::as_slice)
    }

    /// Kommun `municipality_id`'s figure of its county's current reference year.
    pub fn current_population(&self, municipality_id: i32) -> Option<i64> {
        let m = self.municipality(municipality_id)?;
        self.population(m.id, self.current_year(m.county_id)?)
    }

    /// The county's current reference year: its latest complete one.
    pub fn current_year(&self, county_id: i32) -> Option<i32> {
        self.years(county_id).last().copied()
    }
}

fn records(text: &'static str) -> impl Iterator<Item = csv::StringRecord> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .into_records()
        // The files are compiled in and read by a unit test; a bad one fails that test.
        .filter_map(Result::ok)
}

/// Inserts or renames every county and kommun and inserts the shipped population figures a
/// kommun does not have yet; safe to run at every start (when nothing changed: four reads and
/// one insert of the shipped figures that conflicts away).
pub async fn seed(db: &impl ConnectionTrait) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let mut counties: Vec<(String, String)> = records(COUNTIES).map(|r| (r[0].into(), r[1].into())).collect();
    counties.sort_by_key(|(code, _)| (code != FIRST, code.clone()));
    let known = county::Entity::find().all(db).await?;
    for (code, name) in &counties {
        match known.iter().find(|c| &c.code == code) {
            Some(c) if &c.name == name => {}
            Some(c) => {
                county::Entity::update(county::ActiveModel {
                    id: Set(c.id),
                    name: Set(name.clone()),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(db)
                .await?;
            }
            None => {
                county::Entity::insert(county::ActiveModel {
                    code: Set(code.clone()),
                    name: Set(name.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(db)
                .await?;
            }
        }
    }
    let county_ids: HashMap<String, i32> = county::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();
    let mut kommuner: Vec<(String, String, String)> = records(KOMMUNER)
        .map(|r| (r[0].into(), r[1].into(), r[2].into()))
        .collect();
    kommuner.sort_by_key(|(code, _, county)| (county != FIRST, code.clone()));
    let known = municipality::Entity::find().all(db).await?;
    let mut new = Vec::new();
    for (code, name, county) in &kommuner {
        let county_id = county_ids[county];
        match known.iter().find(|m| m.code.as_str() == code) {
            Some(m) if &m.name == name && m.county_id == county_id => {}
            Some(m) => {
                municipality::Entity::update(municipality::ActiveModel {
                    id: Set(m.id),
                    name: Set(name.clone()),
                    county_id: Set(county_id),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(db)
                .await?;
            }
            None => new.push(municipality::ActiveModel {
                code: Set(Kommunkod::parse(code).map_err(anyhow::Error::msg)?),
                name: Set(name.clone()),
                county_id: Set(county_id),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }),
        }
    }
    if !new.is_empty() {
        // In kommunkod order, so that a fresh database numbers them the same every time.
        for chunk in new.chunks(100) {
            municipality::Entity::insert_many(chunk.to_vec()).exec(db).await?;
        }
    }
    let ids: HashMap<String, i32> = municipality::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.code.to_string(), m.id))
        .collect();
    for (year, text) in FIGURES {
        let rows: Vec<population_figure::ActiveModel> = records(text)
            .filter_map(|r| {
                Some(population_figure::ActiveModel {
                    municipality_id: Set(*ids.get(&r[0])?),
                    year: Set(*year),
                    population: Set(r[1].parse().ok()?),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
            })
            .collect();
        // A figure already there (shipped before, or imported) stays as it is.
        population_figure::Entity::insert_many(rows)
            .on_conflict_do_nothing()
            .exec(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SCB's county totals of the shipped years (Folkmängd i riket, län och kommuner,
    /// 31 December): a transcription error in a shipped file fails here.
    const COUNTY_TOTALS: &[(i32, &str, i64)] = &[(2023, "18", 308_116)];

    #[test]
    fn every_county_and_kommun_is_shipped_with_codes_that_agree() {
        let counties: Vec<_> = records(COUNTIES).collect();
        let kommuner: Vec<_> = records(KOMMUNER).collect();
        assert_eq!(counties.len(), 21);
        assert_eq!(kommuner.len(), 290);
        let codes: BTreeSet<&str> = kommuner.iter().map(|k| k.get(0).unwrap()).collect();
        assert_eq!(codes.len(), 290, "a kommunkod is listed twice");
        for k in &kommuner {
            let (code, county) = (&k[0], &k[2]);
            assert!(
                code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()),
                "{code} is not four digits"
            );
            assert_eq!(&code[..2], county, "kommun {code} is listed in county {county}");
            assert!(
                counties.iter().any(|c| &c[0] == county),
                "county {county} is not listed"
            );
        }
        // SCB: how many kommuner each län has.
        let expected = [
            ("01", 26),
            ("03", 8),
            ("04", 9),
            ("05", 13),
            ("06", 13),
            ("07", 8),
            ("08", 12),
            ("09", 1),
            ("10", 5),
            ("12", 33),
            ("13", 6),
            ("14", 49),
            ("17", 16),
            ("18", 12),
            ("19", 10),
            ("20", 15),
            ("21", 10),
            ("22", 7),
            ("23", 8),
            ("24", 15),
            ("25", 14),
        ];
        for (county, n) in expected {
            assert_eq!(
                kommuner.iter().filter(|k| &k[2] == county).count(),
                n,
                "county {county}"
            );
        }
    }

    #[test]
    fn shipped_figures_are_whole_counties_that_sum_to_scbs_totals() {
        let kommuner: Vec<_> = records(KOMMUNER).collect();
        for (year, text) in FIGURES {
            let figures: Vec<(String, i64)> = records(text)
                .map(|r| (r[0].to_owned(), r[1].parse().expect("a whole number")))
                .collect();
            assert!(!figures.is_empty());
            let counties: BTreeSet<&str> = figures.iter().map(|(code, _)| &code[..2]).collect();
            for county in counties {
                let of_county: Vec<_> = kommuner.iter().filter(|k| &k[2] == county).collect();
                let given: Vec<_> = figures.iter().filter(|(c, _)| &c[..2] == county).collect();
                assert_eq!(given.len(), of_county.len(), "{year}: county {county} is partial");
                let total = COUNTY_TOTALS
                    .iter()
                    .find(|(y, c, _)| y == year && *c == county)
                    .unwrap_or_else(|| panic!("{year}: no SCB total for county {county} to check"))
                    .2;
                assert_eq!(
                    given.iter().map(|(_, n)| n).sum::<i64>(),
                    total,
                    "{year}: county {county}"
                );
            }
        }
    }
}
