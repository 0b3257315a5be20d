//! E-service projects: types, the list, and the mutations of the project life cycle.
//!
//! The project types live here; `query` holds the list with its filters and ordering,
//! `mutations` the inputs, payloads and mutations.

mod benefits;
mod mutations;
mod preview;
mod query;
pub use benefits::BenefitMutation;
pub use mutations::*;
pub use preview::CostSharePreviewQuery;
pub use query::*;

use crate::domain::RecordKind;
use crate::graphql::scalars::Decimal;
use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use entity::{decision, participation, project, status_report};

use super::{
    ids,
    in_order::InOrder,
    loaders,
    reference::{Municipality, municipality},
    rows_of,
    scalars::{Date, bp_to_percent},
    scope,
};
use crate::{
    domain::{CostKey, Health, ParticipationRole, ParticipationState, Phase, Sek, TargetGroup, Visibility},
    service::visibility::Visible,
};

/// An e-service project (e-tjänstprojekt): one kommun leads, others take part and share costs.
#[derive(Clone)]
pub struct EServiceProject(pub Visible<project::Model>);

#[Object(name = "EServiceProject")]
impl EServiceProject {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::EServiceProject, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Category tags, e.g. `bygglov`, `forsorjningsstod`, `skola`.
    async fn tags(&self) -> Result<Vec<String>> {
        super::stored_json(&self.0.tags)
    }
    async fn target_group(&self) -> TargetGroup {
        self.0.target_group
    }
    /// The lead kommun (ägare).
    async fn owner(&self, ctx: &Context<'_>) -> Result<InOrder<Municipality>> {
        municipality(ctx, self.0.owner_id).map(InOrder)
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility
    }
    /// Budget in SEK.
    async fn budget(&self) -> Decimal {
        Sek::from_ore(self.0.budget_ore).to_decimal().into()
    }
    async fn phase(&self) -> Phase {
        self.0.phase
    }
    /// The phase the next tollgate leads to, if any.
    async fn next_phase(&self) -> Result<Option<Phase>> {
        Ok(self.0.phase.next())
    }
    /// Health of the latest status report; null before the first.
    async fn health(&self) -> Option<Health> {
        self.0.health
    }
    /// When the next tollgate decision is planned.
    async fn next_tollgate_due(&self) -> Option<Date> {
        self.0.next_tollgate_due.map(Date)
    }
    /// The year of the business plan (verksamhetsplan) it belongs to.
    async fn plan_year(&self) -> Option<i32> {
        self.0.plan_year
    }
    /// Changes with every update; pass it back to update the project.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
    /// Every kommun invited to or taking part in the project, the lead first.
    async fn participations(&self, ctx: &Context<'_>) -> Result<Vec<InOrder<Participation>>> {
        let rows = rows_of::<entity::participation::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows.into_iter().map(|p| InOrder(Participation(p))).collect())
    }
    /// The agreed cost-sharing key (kostnadsfördelning).
    async fn cost_sharing(&self, ctx: &Context<'_>) -> Result<CostSharing> {
        let rows = rows_of::<entity::participation::Entity>(loaders(ctx), self.0.seen()).await?;
        let key: CostKey = self.0.cost_key;
        let paying_bp = crate::domain::cost_sharing::custom_total(
            rows.iter()
                .filter(|p| crate::service::projects::is_paying(p))
                .map(|p| p.custom_bp),
        );
        Ok(CostSharing {
            key,
            mixed_equal_percent: (key == CostKey::Mixed).then(|| bp_to_percent(self.0.mixed_equal_bp)),
            custom_percent_total: (key == CostKey::Custom).then(|| bp_to_percent(paying_bp)),
            complete: crate::domain::cost_sharing::split_complete(key, paying_bp),
            population_year: scope(ctx).projects().population_year(&self.0),
            population_year_pinned: self.0.population_year.is_some(),
        })
    }
    /// Each paying member's share, computed by the server; amounts sum exactly to the budget.
    async fn cost_shares(&self, ctx: &Context<'_>) -> Result<Vec<CostShare>> {
        let rows = rows_of::<entity::participation::Entity>(loaders(ctx), self.0.seen()).await?;
        let shares = scope(ctx).projects().cost_shares(&self.0, &rows)?;
        let population_year = scope(ctx).projects().population_year(&self.0);
        Ok(shares
            .into_iter()
            .map(|s| CostShare {
                municipality_id: s.municipality_id,
                percent: s.percent().into(),
                amount: s.amount.to_decimal().into(),
                population_year,
            })
            .collect())
    }
    /// Tollgate decisions, oldest first.
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<Decision>> {
        let rows = rows_of::<entity::decision::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows.into_iter().map(Decision).collect())
    }
    /// The benefits (nyttokalkyl).
    async fn benefits(&self, ctx: &Context<'_>) -> Result<Vec<benefits::Benefit>> {
        benefits::project_benefits(ctx, self.0.seen()).await
    }
    /// Mean realisation of the quantitative benefits, in percent; null before follow-ups.
    async fn benefit_realization_percent(&self, ctx: &Context<'_>) -> Result<Option<Decimal>> {
        benefits::project_realization(ctx, self.0.seen()).await
    }
    /// Status reports, oldest first.
    async fn status_reports(&self, ctx: &Context<'_>) -> Result<Vec<StatusReport>> {
        let rows = rows_of::<entity::status_report::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows.into_iter().map(StatusReport).collect())
    }
}

/// The cost-sharing key of a project.
#[derive(SimpleObject)]
pub struct CostSharing {
    key: CostKey,
    /// MIXED: the percentage split equally; the rest is split per capita.
    mixed_equal_percent: Option<Decimal>,
    /// CUSTOM: the sum of the paying members' percentages.
    custom_percent_total: Option<Decimal>,
    /// False while a CUSTOM key does not sum to 100 %; the project cannot leave PLANNING then.
    complete: bool,
    /// The reference year of the population figures the split uses (PER_CAPITA, MIXED): the
    /// year pinned when the key was agreed, else the county's current year.
    population_year: Option<i32>,
    /// Whether that year is pinned: set by the tollgate out of PLANNING, so that new figures
    /// never move an agreed split (`movePopulationYear` moves it, as a decision of its own).
    population_year_pinned: bool,
}

/// One paying kommun's part of the budget.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CostShare {
    #[graphql(skip)]
    municipality_id: i32,
    /// Share of the budget in percent (up to four decimals).
    percent: Decimal,
    /// Amount in SEK, rounded to whole öre by largest remainder.
    amount: Decimal,
    /// The reference year of the population figures the share was computed with (SCB,
    /// 31 December); null under a key that weighs no population (EQUAL, CUSTOM).
    population_year: Option<i32>,
}

#[ComplexObject]
impl CostShare {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.municipality_id)
    }
}

/// A kommun's part in a project (deltagande).
#[derive(Clone)]
pub struct Participation(pub participation::Model);

#[Object]
impl Participation {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::Participation, self.0.id)
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<InOrder<Municipality>> {
        municipality(ctx, self.0.municipality_id).map(InOrder)
    }
    async fn role(&self) -> ParticipationRole {
        self.0.role
    }
    async fn state(&self) -> ParticipationState {
        self.0.state
    }
    /// The percentage under a CUSTOM key.
    async fn custom_percent(&self) -> Option<Decimal> {
        self.0.custom_bp.map(bp_to_percent)
    }
    /// The project, if the caller may still see it.
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<EServiceProject>> {
        Ok(loaders(ctx)
            .project(self.0.project_id)
            .await?
            .map(EServiceProject))
    }
}

/// A decision (beslut) taken at a tollgate (beslutspunkt) or on cancellation.
#[derive(Clone)]
pub struct Decision(pub decision::Model);

#[Object]
impl Decision {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::Decision, self.0.id)
    }
    async fn from_phase(&self) -> Phase {
        self.0.from_phase
    }
    async fn to_phase(&self) -> Phase {
        self.0.to_phase
    }
    /// The date of the decision.
    async fn date(&self) -> Date {
        Date(self.0.decided_on)
    }
    /// The deciding body, e.g. "Gemensam nämnd för e-tjänster" or "KS Örebro".
    async fn deciding_body(&self) -> &str {
        &self.0.deciding_body
    }
    /// Diarienummer as the deciding body writes it, e.g. `KS 2018/124`.
    async fn diarienummer(&self) -> &str {
        &self.0.diarienummer
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The kommun that recorded the decision.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.recorded_by_id)
    }
}

/// A status report (lägesrapport) with a red/amber/green health.
#[derive(Clone)]
pub struct StatusReport(pub status_report::Model);

#[Object]
impl StatusReport {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::StatusReport, self.0.id)
    }
    async fn date(&self) -> Date {
        Date(self.0.reported_on)
    }
    async fn health(&self) -> Health {
        self.0.health
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn author(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.author_id)
    }
}
