//! The cost-sharing key (kostnadsfördelning) and CUSTOM percentages, set while planning.
use chrono::Utc;
use entity::{participation, project};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::CostSharingInput;
use crate::domain::cost_sharing::{BasisPoints, WHOLE_BP};
use crate::service::{Projects, visibility::Visible};
use crate::{
    domain::{CostKey, ParticipationRole as Role, ParticipationState as State, Phase},
    error::{ApiError, ApiResult},
};

impl Projects<'_, '_> {
    /// Sets the cost-sharing key (and CUSTOM percentages) while the project is being planned.
    pub async fn set_cost_sharing(
        &self,
        project_id: i64,
        version: i32,
        input: CostSharingInput,
    ) -> ApiResult<Visible<project::Model>> {
        let mut tx = self.write("setCostSharing").await?;
        let (before, grant) = self
            .lead_project(&tx, project_id, "projectId")
            .await?
            .into_parts();
        if before.phase > Phase::Planning {
            return Err(ApiError::input(
                "projectId",
                "the cost-sharing key is fixed once the project has left PLANNING",
            ));
        }
        if input.key.uses_population() && self.reference().current_year(before.county_id).is_none() {
            return Err(super::no_figures(self.reference(), before.county_id));
        }
        let mut after = before.clone();
        after.cost_key = input.key;
        after.mixed_equal_bp = match (input.key, input.mixed_equal_bp) {
            (CostKey::Mixed, bp) => bp.ok_or_else(|| {
                ApiError::input(
                    "mixedEqualPercent",
                    "MIXED needs the equally split percentage, 0 to 100",
                )
            })?,
            (_, Some(_)) => {
                return Err(ApiError::input(
                    "mixedEqualPercent",
                    "only the MIXED key takes mixedEqualPercent",
                ));
            }
            (_, None) => BasisPoints::MIN,
        };
        if input.key != CostKey::Custom && !input.custom.is_empty() {
            return Err(ApiError::input(
                "customPercents",
                "only the CUSTOM key takes percentages",
            ));
        }
        let parts = participation::Entity::find()
            .filter(participation::Column::ProjectId.eq(project_id))
            .all(tx.conn())
            .await?;
        let mut wanted: Vec<(i64, Option<BasisPoints>)> = Vec::new();
        let mut total = 0i64;
        for (i, (code, bp)) in input.custom.iter().enumerate() {
            let field = format!("customPercents[{i}]");
            let mid = self.municipality_id(&format!("{field}.municipalityCode"), code)?;
            let part = parts
                .iter()
                .find(|p| {
                    p.municipality_id == mid
                        && p.role != Role::Observer
                        && (p.state == State::Accepted || p.state == State::Invited)
                })
                .ok_or_else(|| {
                    ApiError::input(
                        format!("{field}.municipalityCode"),
                        format!("kommun {code} is not a paying member of this project"),
                    )
                })?;
            if wanted.iter().any(|(id, _)| *id == part.id) {
                return Err(ApiError::input(
                    format!("{field}.municipalityCode"),
                    format!("kommun {code} is listed twice"),
                ));
            }
            total += i64::from(*bp);
            wanted.push((part.id, Some(*bp)));
        }
        if total > WHOLE_BP as i64 {
            return Err(ApiError::input(
                "customPercents",
                format!(
                    "the percentages sum to {} %, more than 100 %",
                    rust_decimal::Decimal::new(total, 2)
                ),
            ));
        }
        for p in &parts {
            let new_bp = wanted.iter().find(|(id, _)| *id == p.id).and_then(|(_, bp)| *bp);
            if p.custom_bp != new_bp {
                let mut changed = p.clone();
                changed.custom_bp = new_bp;
                changed.updated_at = Utc::now();
                tx.update(&grant, p, changed).await?;
            }
        }
        let saved = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }
}

/// "What would each of us pay if …": a project's shares recomputed with kommuner added or
/// removed, another key or budget, or a project not yet created. Nothing is written.
#[derive(Clone, Debug, Default)]
pub struct PreviewInput {
    /// The project to start from; `None` for a project not yet created (the caller's kommun
    /// then leads it).
    pub project: Option<i64>,
    /// Kommuner (kommunkod) joining as paying participants.
    pub add: Vec<String>,
    /// Kommuner (kommunkod) leaving.
    pub remove: Vec<String>,
    /// Another key; the project's own by default.
    pub key: Option<CostKey>,
    /// The MIXED key's equal part in basis points; the project's by default.
    pub mixed_equal_bp: Option<BasisPoints>,
    /// Another budget; the project's by default.
    pub budget: Option<crate::domain::Sek>,
    /// CUSTOM percentages in basis points by kommunkod, over the project's.
    pub custom_bp: Vec<(String, BasisPoints)>,
    /// Another reference year of the population figures; the project's (pinned, or its
    /// county's current) by default.
    pub population_year: Option<i32>,
}

/// One kommun's share in a preview, beside what it pays today.
#[derive(Clone, Debug)]
pub struct PreviewShare {
    /// The kommun.
    pub municipality_id: i32,
    /// Its share under the preview (zero for a kommun removed).
    pub share: crate::domain::Share,
    /// What it pays today (zero when it does not pay today).
    pub today: crate::domain::Sek,
}

/// A preview's whole result.
#[derive(Clone, Debug)]
pub struct Preview {
    /// The key used.
    pub key: CostKey,
    /// The budget shared.
    pub budget: crate::domain::Sek,
    /// The reference year of the population figures used; `None` when the key weighs none.
    pub population_year: Option<i32>,
    /// Every kommun paying today or under the preview, by kommunkod.
    pub shares: Vec<PreviewShare>,
}

impl Projects<'_, '_> {
    /// Recomputes the cost shares as asked, with the same arithmetic as the real shares.
    pub async fn cost_share_preview(&self, input: PreviewInput) -> ApiResult<Preview> {
        use crate::domain::{Member, Sek, Share, compute_shares};
        let me = self.reader()?;
        let kommun = |field: &str, code: &str| {
            self.reference()
                .municipality_by_code(code)
                .filter(|m| m.county_id == me.county_id)
                .ok_or_else(|| {
                    ApiError::input(field, format!("{field}: {code} is not a kommun of the county"))
                })
        };
        let (project, parts) = match input.project {
            Some(id) => {
                let p = self
                    .visible_projects()
                    .filter(project::Column::Id.eq(id))
                    .one(self.db())
                    .await?
                    .ok_or_else(|| ApiError::NotFound("no e-service project with that id".into()))?;
                let parts = participation::Entity::find()
                    .filter(participation::Column::ProjectId.eq(id))
                    .all(self.db())
                    .await?;
                (Some(p), parts)
            }
            None => (None, Vec::new()),
        };
        let today: Vec<Share> = match &project {
            Some(p) => self.cost_shares(p, &parts)?,
            None => Vec::new(),
        };
        let key = input
            .key
            .or(project.as_ref().map(|p| p.cost_key))
            .ok_or_else(|| ApiError::input("key", "key is required for a project not yet created"))?;
        let budget = input
            .budget
            .or(project.as_ref().map(|p| Sek::from_ore(p.budget_ore)))
            .ok_or_else(|| ApiError::input("budget", "budget is required for a project not yet created"))?;
        let mixed_equal_bp = input
            .mixed_equal_bp
            .or(project.as_ref().map(|p| p.mixed_equal_bp))
            .unwrap_or(BasisPoints::MIN);
        // Paying members today with their CUSTOM percentages, then the changes.
        let mut members: std::collections::BTreeMap<i32, Option<BasisPoints>> = match &project {
            Some(_) => parts
                .iter()
                .filter(|x| super::is_paying(x))
                .map(|x| (x.municipality_id, x.custom_bp))
                .collect(),
            None => std::collections::BTreeMap::from([(me.municipality_id, None)]),
        };
        for code in &input.add {
            members.entry(kommun("add", code)?.id).or_insert(None);
        }
        for code in &input.remove {
            let m = kommun("remove", code)?;
            if project.as_ref().is_some_and(|p| p.owner_id == m.id)
                || (project.is_none() && m.id == me.municipality_id)
            {
                return Err(ApiError::input(
                    "remove",
                    format!("remove: {code} leads the project and always pays"),
                ));
            }
            members.remove(&m.id);
        }
        for (code, bp) in &input.custom_bp {
            let m = kommun("customPercents", code)?;
            match members.get_mut(&m.id) {
                Some(slot) => *slot = Some(*bp),
                None => {
                    return Err(ApiError::input(
                        "customPercents",
                        format!("customPercents: {code} does not pay in this preview"),
                    ));
                }
            }
        }
        let population_year = match input.population_year {
            _ if !key.uses_population() => None,
            Some(year) if self.reference().years(me.county_id).contains(&year) => Some(year),
            Some(year) => {
                return Err(ApiError::input(
                    "populationYear",
                    format!(
                        "populationYear: the county has no population figures of {year} (it has {})",
                        years_text(self.reference().years(me.county_id))
                    ),
                ));
            }
            None => project
                .as_ref()
                .and_then(|p| p.population_year)
                .or_else(|| self.reference().current_year(me.county_id)),
        };
        let members: Vec<Member> = self.members(key, me.county_id, population_year, members)?;
        let shares = compute_shares(budget, key, mixed_equal_bp, &members);
        let mut out: Vec<PreviewShare> = shares
            .into_iter()
            .map(|share| PreviewShare {
                municipality_id: share.municipality_id,
                today: today
                    .iter()
                    .find(|t| t.municipality_id == share.municipality_id)
                    .map_or(Sek::from_ore(0), |t| t.amount),
                share,
            })
            .collect();
        for t in &today {
            if !out.iter().any(|s| s.municipality_id == t.municipality_id) {
                out.push(PreviewShare {
                    municipality_id: t.municipality_id,
                    share: Share {
                        municipality_id: t.municipality_id,
                        numerator: 0,
                        denominator: 1,
                        amount: Sek::from_ore(0),
                    },
                    today: t.amount,
                });
            }
        }
        let code = |id: i32| self.reference().municipality(id).map(|m| m.code.clone());
        out.sort_by_key(|s| code(s.municipality_id));
        Ok(Preview {
            key,
            budget,
            population_year,
            shares: out,
        })
    }
}

/// Reference years as a reader would list them: `2023, 2024`, or `none`.
pub(in crate::service) fn years_text(years: &[i32]) -> String {
    if years.is_empty() {
        return "none".into();
    }
    years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

impl Projects<'_, '_> {
    /// Moves an agreed split (a project pinned to a reference year when it left PLANNING) to
    /// the figures of another year the county has: a decision of its own, by whoever may
    /// record the project's tollgates (the lead's editors, or the committee for the county's
    /// shared projects), audited with the year it leaves.
    pub async fn move_population_year(
        &self,
        project_id: i64,
        version: i32,
        year: i32,
    ) -> ApiResult<Visible<project::Model>> {
        let mut tx = self.write("movePopulationYear").await?;
        let (before, grant) = self.tollgate_project(&tx, project_id).await?.into_parts();
        let Some(pinned) = before.population_year else {
            return Err(ApiError::input(
                "projectId",
                "projectId: the project's split is not agreed yet (it follows the county's current figures until it leaves PLANNING)",
            ));
        };
        let years = self.reference().years(before.county_id);
        if !years.contains(&year) {
            return Err(ApiError::input(
                "year",
                format!(
                    "year: the county has no population figures of {year} (it has {})",
                    years_text(years)
                ),
            ));
        }
        if year == pinned {
            return Err(ApiError::input(
                "year",
                format!("year: the split already uses the figures of {year}"),
            ));
        }
        let mut after = before.clone();
        after.population_year = Some(year);
        let saved = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }
}
