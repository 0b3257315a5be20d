//! Counties, kommuner and the caller.
use crate::domain::RecordKind;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{county, municipality};

use super::{ids, scope};
use crate::{domain::Kommunkod, error::ApiError};

/// A county (län), e.g. Örebro län (18).
#[derive(Clone)]
pub struct County(pub county::Model);

#[Object]
impl County {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::County, self.0.id as i64)
    }
    /// Länskod, two digits.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The kommuner of the county, by kommunkod.
    async fn municipalities(&self, ctx: &Context<'_>) -> Vec<Municipality> {
        scope(ctx)
            .reference()
            .kommuner_of(self.0.id)
            .cloned()
            .map(Municipality)
            .collect()
    }
}

/// A kommun's population on 31 December of one reference year (SCB).
#[derive(SimpleObject)]
pub struct PopulationFigure {
    /// The year.
    pub year: i32,
    /// Folkmängd.
    pub population: i64,
}

/// A kommun, the tenant of this service.
#[derive(Clone)]
pub struct Municipality(pub std::sync::Arc<municipality::Model>);

#[Object]
impl Municipality {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::Municipality, self.0.id as i64)
    }
    /// Kommunkod (SCB), four digits.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Folkmängd on 31 December of its county's current reference year (SCB), used by the
    /// PER_CAPITA and MIXED cost keys; null while the county has no figures.
    async fn population(&self, ctx: &Context<'_>) -> Option<i64> {
        scope(ctx).reference().current_population(self.0.id)
    }
    /// The year-end the population figure refers to: its county's current reference year.
    async fn population_year(&self, ctx: &Context<'_>) -> Option<i32> {
        scope(ctx).reference().current_year(self.0.county_id)
    }
    /// Its figure of every reference year held, oldest first.
    async fn population_figures(&self, ctx: &Context<'_>) -> Vec<PopulationFigure> {
        let s = scope(ctx);
        let r = s.reference();
        r.years(self.0.county_id)
            .iter()
            .filter_map(|&year| {
                r.population(self.0.id, year)
                    .map(|population| PopulationFigure { year, population })
            })
            .collect()
    }
    async fn county(&self, ctx: &Context<'_>) -> Option<County> {
        scope(ctx)
            .reference()
            .county(self.0.county_id)
            .cloned()
            .map(County)
    }
}

/// Wraps a kommun by database id; reference data is in memory, so this costs no query.
pub(crate) fn municipality(ctx: &Context<'_>, id: i32) -> Result<Municipality> {
    scope(ctx)
        .reference()
        .municipality(id)
        .cloned()
        .map(Municipality)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("kommun {id} missing from reference data")).into())
}

/// The authenticated caller.
pub struct Viewer {
    sub: String,
    name: Option<String>,
    roles: Vec<String>,
    municipality_id: i32,
}

#[Object]
impl Viewer {
    /// The token's subject.
    async fn sub(&self) -> &str {
        &self.sub
    }
    async fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// The roles granted by the token.
    async fn roles(&self) -> &[String] {
        &self.roles
    }
    /// The kommun the caller acts for.
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.municipality_id)
    }
}

/// Queries on reference data.
#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// The caller, or null without a token.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<Viewer>> {
        let s = scope(ctx);
        if s.caller().principal().is_none() {
            return Ok(None);
        }
        let p = s.reader()?;
        Ok(Some(Viewer {
            sub: p.sub.clone(),
            name: p.name.clone(),
            roles: p.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            municipality_id: p.municipality_id,
        }))
    }

    /// Every county this deployment serves.
    async fn counties(&self, ctx: &Context<'_>) -> Result<Vec<County>> {
        let s = scope(ctx);
        s.reader()?;
        Ok(s.reference().counties().iter().cloned().map(County).collect())
    }

    /// Every kommun, optionally of one county (länskod).
    async fn municipalities(&self, ctx: &Context<'_>, county: Option<String>) -> Result<Vec<Municipality>> {
        let s = scope(ctx);
        s.reader()?;
        let county_id = match county {
            Some(code) => Some(
                s.reference()
                    .county_by_code(&code)
                    .ok_or_else(|| {
                        ApiError::input("county", format!("county {code} is not known to this service"))
                    })?
                    .id,
            ),
            None => None,
        };
        Ok(s.reference()
            .municipalities()
            .iter()
            .filter(|m| county_id.is_none_or(|c| m.county_id == c))
            .cloned()
            .map(Municipality)
            .collect())
    }

    /// One kommun by kommunkod.
    async fn municipality(&self, ctx: &Context<'_>, code: String) -> Result<Municipality> {
        let s = scope(ctx);
        s.reader()?;
        let code = Kommunkod::parse(&code).map_err(|m| ApiError::input("code", m))?;
        Ok(s.reference()
            .municipality_by_code(code.as_str())
            .cloned()
            .map(Municipality)
            .ok_or_else(|| ApiError::NotFound(format!("no kommun with code {code}")))?)
    }
}
