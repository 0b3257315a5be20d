//! Sourcing evaluations: types, the list, the result and the mutations.
//!
//! The evaluation types live here; `result` the computed result (ranking, flags, robustness),
//! `query` the list, `mutations` the inputs, payloads and mutations.

mod mutations;
mod query;
mod result;
pub use mutations::*;
pub use query::*;
pub use result::*;

use crate::domain::RecordKind;
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::{
    sourcing_coevaluator, sourcing_criterion, sourcing_evaluation, sourcing_option, sourcing_score,
};

use super::{
    children, ids, loaders,
    projects::EServiceProject,
    reference::{Municipality, municipality},
    rows_of,
    scalars::Date,
};
use crate::{
    domain::{
        ParticipationState, Sek, Visibility,
        sourcing::{DataLocation, InfoClass, OptionKind, SourcingState},
    },
    error::ApiError,
    service::sourcing::{self as svc},
    service::visibility::Visible,
};

fn ratio_to_decimal(q: num_rational::Ratio<i128>) -> Decimal {
    let scaled = q * num_rational::Ratio::from_integer(10_000i128);
    Decimal(rust_decimal::Decimal::from_i128_with_scale(scaled.round().to_integer(), 4).round_dp(2))
}

/// KLASSA levels (0–4) of the information involved (informationsklassning).
#[derive(SimpleObject, InputObject, Clone, Copy)]
#[graphql(input_name = "InformationClassInput")]
pub struct InformationClass {
    /// Konfidentialitet.
    confidentiality: i32,
    /// Riktighet.
    integrity: i32,
    /// Tillgänglighet.
    availability: i32,
}

impl InformationClass {
    fn domain(self) -> Result<InfoClass, ApiError> {
        let lvl = |f: &str, v: i32| {
            crate::domain::sourcing::KlassaLevel::new(v.into()).map_err(|m| {
                ApiError::input(
                    format!("informationClass.{f}"),
                    format!("informationClass.{f}: {m}"),
                )
            })
        };
        Ok(InfoClass {
            confidentiality: lvl("confidentiality", self.confidentiality)?,
            integrity: lvl("integrity", self.integrity)?,
            availability: lvl("availability", self.availability)?,
        })
    }
}

/// A sourcing evaluation (sourcingutvärdering): a scored choice between ways of running a
/// service, ending in a decision.
#[derive(Clone)]
pub struct SourcingEvaluation(pub Visible<sourcing_evaluation::Model>);

impl SourcingEvaluation {
    async fn parts(&self, ctx: &Context<'_>) -> Result<svc::EvaluationParts> {
        let l = loaders(ctx);
        let id = self.0.seen();
        Ok(svc::EvaluationParts {
            options: rows_of::<entity::sourcing_option::Entity>(l, id).await?,
            criteria: rows_of::<entity::sourcing_criterion::Entity>(l, id).await?,
            coevaluators: rows_of::<entity::sourcing_coevaluator::Entity>(l, id).await?,
            scores: rows_of::<entity::sourcing_score::Entity>(l, id).await?,
        })
    }
}

#[Object]
impl SourcingEvaluation {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::SourcingEvaluation, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The subject in words.
    async fn subject_text(&self) -> &str {
        &self.0.subject_text
    }
    /// The e-service project evaluated, if the subject is one and the caller may see it.
    async fn subject_project(&self, ctx: &Context<'_>) -> Result<Option<EServiceProject>> {
        match self.0.subject_project_id {
            Some(p) => Ok(loaders(ctx).project(p).await?.map(EServiceProject)),
            None => Ok(None),
        }
    }
    /// The owner kommun.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.owner_id)
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility
    }
    async fn state(&self) -> SourcingState {
        self.0.state
    }
    /// The information class of the data involved.
    async fn information_class(&self) -> InformationClass {
        InformationClass {
            confidentiality: self.0.confidentiality.get(),
            integrity: self.0.integrity.get(),
            availability: self.0.availability.get(),
        }
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn options(&self, ctx: &Context<'_>) -> Result<Vec<SourcingOption>> {
        children::<entity::sourcing_option::Entity, _>(loaders(ctx), self.0.seen(), SourcingOption).await
    }
    /// Criteria in order; weights sum to 100 once scoring has started.
    async fn criteria(&self, ctx: &Context<'_>) -> Result<Vec<SourcingCriterion>> {
        children::<entity::sourcing_criterion::Entity, _>(loaders(ctx), self.0.seen(), SourcingCriterion)
            .await
    }
    /// Kommuner invited to score with the owner.
    async fn co_evaluators(&self, ctx: &Context<'_>) -> Result<Vec<CoEvaluator>> {
        children::<entity::sourcing_coevaluator::Entity, _>(loaders(ctx), self.0.seen(), CoEvaluator).await
    }
    /// Every score given, by every scoring kommun.
    async fn scores(&self, ctx: &Context<'_>) -> Result<Vec<SourcingScore>> {
        children::<entity::sourcing_score::Entity, _>(loaders(ctx), self.0.seen(), SourcingScore).await
    }
    /// The computed result: scores, ranking, costs, completeness, risk flags, robustness.
    async fn result(&self, ctx: &Context<'_>) -> Result<SourcingResultView> {
        let parts = self.parts(ctx).await?;
        let r = svc::result(&self.0, &parts)?;
        Ok(SourcingResultView { r, parts })
    }
    /// The decision, once taken.
    async fn decision(&self, ctx: &Context<'_>) -> Result<Option<SourcingDecisionView>> {
        let (Some(option), Some(date)) = (self.0.chosen_option_id, self.0.decided_on) else {
            return Ok(None);
        };
        let opt = rows_of::<entity::sourcing_option::Entity>(loaders(ctx), self.0.seen())
            .await?
            .into_iter()
            .find(|o| o.id == option);
        Ok(Some(SourcingDecisionView {
            option: opt.map(SourcingOption),
            date: Date(date),
            deciding_body: self.0.deciding_body.clone().unwrap_or_default(),
            diarienummer: self.0.diarienummer.clone().unwrap_or_default(),
            summary: self.0.decision_summary.clone().unwrap_or_default(),
            justification: self.0.justification.clone(),
        }))
    }
}

/// The decision that ended an evaluation.
#[derive(SimpleObject)]
pub struct SourcingDecisionView {
    option: Option<SourcingOption>,
    date: Date,
    deciding_body: String,
    diarienummer: String,
    summary: String,
    /// Why an option with blocking risk flags was chosen anyway.
    justification: Option<String>,
}

/// One way of running the service.
#[derive(Clone)]
pub struct SourcingOption(pub sourcing_option::Model);

#[Object]
impl SourcingOption {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::SourcingOption, self.0.id)
    }
    async fn kind(&self) -> OptionKind {
        self.0.kind
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// One-off cost in SEK.
    async fn one_off_cost(&self) -> Decimal {
        Sek::from_ore(self.0.one_off_ore).to_decimal().into()
    }
    /// Annual cost in SEK.
    async fn annual_cost(&self) -> Decimal {
        Sek::from_ore(self.0.annual_ore).to_decimal().into()
    }
    async fn contract_years(&self) -> i32 {
        self.0.contract_years
    }
    async fn data_location(&self) -> DataLocation {
        self.0.data_location
    }
    /// How data and service are taken back at the end (may be empty).
    async fn exit_plan(&self) -> &str {
        &self.0.exit_plan
    }
}

/// A weighted criterion.
#[derive(Clone)]
pub struct SourcingCriterion(pub sourcing_criterion::Model);

#[Object]
impl SourcingCriterion {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode(RecordKind::SourcingCriterion, self.0.id)
    }
    /// Stable code, e.g. TOTAL_COST, LEGAL.
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Whole percent.
    async fn weight(&self) -> i32 {
        self.0.weight.get()
    }
}

/// A kommun scoring together with the owner.
#[derive(Clone)]
pub struct CoEvaluator(pub sourcing_coevaluator::Model);

#[Object]
impl CoEvaluator {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
    async fn state(&self) -> ParticipationState {
        self.0.state
    }
}

/// One kommun's score of one option on one criterion.
#[derive(Clone)]
pub struct SourcingScore(pub sourcing_score::Model);

#[Object]
impl SourcingScore {
    async fn option_id(&self) -> ID {
        ids::encode(RecordKind::SourcingOption, self.0.option_id)
    }
    async fn criterion_id(&self) -> ID {
        ids::encode(RecordKind::SourcingCriterion, self.0.criterion_id)
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
    /// 0–5.
    async fn score(&self) -> i32 {
        self.0.score.get()
    }
    async fn rationale(&self) -> &str {
        &self.0.rationale
    }
}
