//! Counties and kommuner: reference data seeded from SCB figures and cached in memory.
//!
//! The data changes only through migrations and seeding, never through the API, so every
//! replica can hold its own copy; resolving a kommun's name then costs no query.
use std::{collections::HashMap, sync::Arc};

use entity::{county, municipality};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// The kommuner of Örebro län with population on 2023-12-31 (SCB).
const OREBRO_LAN: &str = include_str!("../data/orebro-lan-kommuner.csv");
const POPULATION_YEAR: i32 = 2023;

/// The reference data in memory.
#[derive(Debug, Default)]
pub struct Reference {
    counties: Vec<county::Model>,
    /// Shared, so that every kommun a response names costs a reference count, not a copy.
    municipalities: Vec<Arc<municipality::Model>>,
    by_id: HashMap<i32, usize>,
    by_code: HashMap<String, usize>,
}

impl Reference {
    /// Loads every county and kommun.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, sea_orm::DbErr> {
        let counties = county::Entity::find()
            .order_by_asc(county::Column::Code)
            .all(db)
            .await?;
        let municipalities = municipality::Entity::find()
            .order_by_asc(municipality::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect::<Vec<_>>();
        let by_id = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, i))
            .collect();
        let by_code = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.code.clone(), i))
            .collect();
        Ok(Self {
            counties,
            municipalities,
            by_id,
            by_code,
        })
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

    /// A kommun by database id.
    pub fn municipality(&self, id: i32) -> Option<&Arc<municipality::Model>> {
        self.by_id.get(&id).map(|i| &self.municipalities[*i])
    }

    /// A kommun by kommunkod.
    pub fn municipality_by_code(&self, code: &str) -> Option<&Arc<municipality::Model>> {
        self.by_code.get(code).map(|i| &self.municipalities[*i])
    }
}

/// Inserts or updates county 18 and its kommuner; safe to run at every start.
pub async fn seed(db: &impl ConnectionTrait) -> anyhow::Result<()> {
    use anyhow::Context;
    let now = chrono::Utc::now();
    let county_id = match county::Entity::find()
        .filter(county::Column::Code.eq("18"))
        .one(db)
        .await?
    {
        Some(c) => c.id,
        None => {
            county::ActiveModel {
                code: Set("18".into()),
                name: Set("Örebro län".into()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?
            .id
        }
    };
    let mut rows = csv::Reader::from_reader(OREBRO_LAN.as_bytes());
    for row in rows.records() {
        let row = row.context("Failed to read the kommun reference data")?;
        let (code, name, population) = (&row[0], &row[1], row[3].parse::<i64>()?);
        match municipality::Entity::find()
            .filter(municipality::Column::Code.eq(code))
            .one(db)
            .await?
        {
            Some(m) if m.name == name && m.population == population && m.county_id == county_id => {}
            Some(m) => {
                let mut a: municipality::ActiveModel = m.into();
                a.name = Set(name.into());
                a.population = Set(population);
                a.population_year = Set(POPULATION_YEAR);
                a.county_id = Set(county_id);
                a.updated_at = Set(now);
                a.update(db).await?;
            }
            None => {
                municipality::ActiveModel {
                    code: Set(code.into()),
                    name: Set(name.into()),
                    county_id: Set(county_id),
                    population: Set(population),
                    population_year: Set(POPULATION_YEAR),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
    }
    Ok(())
}
