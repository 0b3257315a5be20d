//! Sourcing evaluations: types, the list, the result and the mutations.
use async_graphql::{
    ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject, connection::Connection,
};
use entity::{
    sourcing_coevaluator, sourcing_criterion, sourcing_evaluation, sourcing_option, sourcing_score,
};
use rust_decimal::Decimal;

use super::{
    children, connection, ids, loaders,
    projects::EServiceProject,
    reference::{Municipality, municipality},
    rows_of,
    scalars::Date,
    scope, stored,
};
use crate::{
    domain::{
        ParticipationState, Sek, Visibility,
        sourcing::{DataLocation, InfoClass, OptionKind, RiskCode, SourcingState},
    },
    error::ApiError,
    service::visibility::Visible,
    service::{
        pagination::PageArgs,
        sourcing::{
            self as svc, CriterionSpec, EvaluationFilter, EvaluationPatch, NewEvaluation, OptionSpec,
            SourcingDecision,
        },
    },
};

fn money(field: &str, d: Decimal) -> Result<Sek, ApiError> {
    Sek::parse_budget(d).map_err(|m| ApiError::input(field, format!("{field} {m}")))
}

fn ratio_to_decimal(q: num_rational::Ratio<i128>) -> Decimal {
    let scaled = q * num_rational::Ratio::from_integer(10_000i128);
    Decimal::from_i128_with_scale(scaled.round().to_integer(), 4).round_dp(2)
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
            crate::domain::sourcing::klassa_level(v.into()).map_err(|m| {
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
        ids::encode("SourcingEvaluation", self.0.id)
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
    async fn visibility(&self) -> Result<Visibility> {
        stored(&self.0.visibility)
    }
    async fn state(&self) -> Result<SourcingState> {
        stored(&self.0.state)
    }
    /// The information class of the data involved.
    async fn information_class(&self) -> InformationClass {
        InformationClass {
            confidentiality: self.0.confidentiality,
            integrity: self.0.integrity,
            availability: self.0.availability,
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
        ids::encode("SourcingOption", self.0.id)
    }
    async fn kind(&self) -> Result<OptionKind> {
        stored(&self.0.kind)
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// One-off cost in SEK.
    async fn one_off_cost(&self) -> Decimal {
        Sek::from_ore(self.0.one_off_ore).to_decimal()
    }
    /// Annual cost in SEK.
    async fn annual_cost(&self) -> Decimal {
        Sek::from_ore(self.0.annual_ore).to_decimal()
    }
    async fn contract_years(&self) -> i32 {
        self.0.contract_years
    }
    async fn data_location(&self) -> Result<DataLocation> {
        stored(&self.0.data_location)
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
        ids::encode("SourcingCriterion", self.0.id)
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
        self.0.weight
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
    async fn state(&self) -> Result<ParticipationState> {
        stored(&self.0.state)
    }
}

/// One kommun's score of one option on one criterion.
#[derive(Clone)]
pub struct SourcingScore(pub sourcing_score::Model);

#[Object]
impl SourcingScore {
    async fn option_id(&self) -> ID {
        ids::encode("SourcingOption", self.0.option_id)
    }
    async fn criterion_id(&self) -> ID {
        ids::encode("SourcingCriterion", self.0.criterion_id)
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
    /// 0–5.
    async fn score(&self) -> i32 {
        self.0.score
    }
    async fn rationale(&self) -> &str {
        &self.0.rationale
    }
}

/// The computed result of an evaluation.
pub struct SourcingResultView {
    r: crate::domain::sourcing::SourcingResult,
    parts: svc::EvaluationParts,
}

impl SourcingResultView {
    fn option(&self, id: i64) -> Option<SourcingOption> {
        self.parts
            .options
            .iter()
            .find(|o| o.id == id)
            .cloned()
            .map(SourcingOption)
    }
    fn criterion(&self, id: i64) -> Option<SourcingCriterion> {
        self.parts
            .criteria
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .map(SourcingCriterion)
    }
}

/// One option's standing.
#[derive(SimpleObject)]
pub struct OptionStanding {
    option: SourcingOption,
    /// Weighted score 0–100, the mean over kommuner that scored it on every criterion.
    weighted_score: Option<Decimal>,
    /// 1 for the best; tied options share a rank.
    rank: Option<i32>,
    /// Options with exactly the same score.
    tied_with: Vec<SourcingOption>,
    /// Total cost of ownership over the contract years, SEK.
    total_cost_of_ownership: Decimal,
    /// How many kommuner's complete scores the mean is over.
    scored_by: i32,
}

/// A score not yet given.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MissingScore {
    #[graphql(skip)]
    kommun: i32,
    option: Option<SourcingOption>,
    criterion: Option<SourcingCriterion>,
}

#[ComplexObject]
impl MissingScore {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.kommun)
    }
}

/// A risk found by rule, with a machine-readable code and a sentence.
#[derive(SimpleObject)]
pub struct RiskFlag {
    code: RiskCode,
    option: Option<SourcingOption>,
    /// Choosing this option needs a justification.
    blocking: bool,
    message: String,
}

/// A ±10-point weight change that would change the winner.
#[derive(SimpleObject)]
pub struct WeightFlip {
    criterion: Option<SourcingCriterion>,
    /// +10 or −10.
    change: i32,
    /// The new winner; null when it becomes a tie.
    new_winner: Option<SourcingOption>,
}

#[Object]
impl SourcingResultView {
    /// Options best first.
    async fn ranking(&self) -> Vec<OptionStanding> {
        self.r
            .options
            .iter()
            .filter_map(|o| {
                Some(OptionStanding {
                    option: self.option(o.option)?,
                    weighted_score: o.score.map(ratio_to_decimal),
                    rank: o.rank.map(|r| r as i32),
                    tied_with: o.tied_with.iter().filter_map(|t| self.option(*t)).collect(),
                    total_cost_of_ownership: o.tco.to_decimal(),
                    scored_by: o.scored_by as i32,
                })
            })
            .collect()
    }
    /// The single best option; null while nothing is scored or the top is tied.
    async fn winner(&self) -> Option<SourcingOption> {
        self.r.winner.and_then(|w| self.option(w))
    }
    /// True when the top options are tied.
    async fn tied(&self) -> bool {
        self.r.winner.is_none() && self.r.options.first().is_some_and(|o| !o.tied_with.is_empty())
    }
    /// Whether every scoring kommun has scored every option on every criterion.
    async fn complete(&self) -> bool {
        self.r.missing.is_empty()
    }
    /// The scores still missing, per kommun.
    async fn missing(&self) -> Vec<MissingScore> {
        self.r
            .missing
            .iter()
            .map(|m| MissingScore {
                kommun: m.kommun,
                option: self.option(m.option),
                criterion: self.criterion(m.criterion),
            })
            .collect()
    }
    async fn risk_flags(&self) -> Vec<RiskFlag> {
        self.r
            .flags
            .iter()
            .map(|f| RiskFlag {
                code: f.code,
                option: self.option(f.option),
                blocking: f.blocking,
                message: f.message.clone(),
            })
            .collect()
    }
    /// True when no single criterion's weight moved by ±10 points (the others renormalised)
    /// would change the winner; null without a single winner.
    async fn robust(&self) -> Option<bool> {
        self.r.winner.map(|_| self.r.flips.is_empty())
    }
    /// The weight changes that would change the winner.
    async fn flips(&self) -> Vec<WeightFlip> {
        self.r
            .flips
            .iter()
            .map(|f| WeightFlip {
                criterion: self.criterion(f.criterion),
                change: f.delta,
                new_winner: f.winner.and_then(|w| self.option(w)),
            })
            .collect()
    }
}

/// Filters on the evaluation list.
#[derive(InputObject, Default)]
pub struct SourcingEvaluationFilter {
    state: Option<Vec<SourcingState>>,
    /// Owned by this kommun (kommunkod).
    owner: Option<String>,
}

/// Extra fields of the evaluation connection.
pub struct EvaluationConnectionFields {
    filter: EvaluationFilter,
}

#[Object]
impl EvaluationConnectionFields {
    /// How many evaluations match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(scope(ctx).count_evaluations(&self.filter).await?)
    }
}

/// Queries on sourcing evaluations.
#[derive(Default)]
pub struct SourcingQuery;

#[Object]
impl SourcingQuery {
    /// The evaluations the caller may see, newest first.
    #[graphql(complexity = "(first.or(last).unwrap_or(20).clamp(0, 100) as usize) * child_complexity + 1")]
    async fn sourcing_evaluations(
        &self,
        ctx: &Context<'_>,
        filter: Option<SourcingEvaluationFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<String, SourcingEvaluation, EvaluationConnectionFields>> {
        let f = filter.unwrap_or_default();
        let filter = EvaluationFilter {
            states: f.state.unwrap_or_default(),
            owner: f.owner,
        };
        let page = scope(ctx)
            .list_evaluations(
                &filter,
                &PageArgs {
                    first,
                    after,
                    last,
                    before,
                },
            )
            .await?;
        let seen: Vec<_> = page.items.iter().map(|e| e.seen()).collect();
        let node = ctx.look_ahead().field("edges").field("node");
        let l = loaders(ctx);
        if node.field("result").exists() || node.field("options").exists() || node.field("decision").exists()
        {
            l.prefetch::<entity::sourcing_option::Entity>(&seen).await?;
        }
        if node.field("result").exists() || node.field("criteria").exists() {
            l.prefetch::<entity::sourcing_criterion::Entity>(&seen).await?;
        }
        if node.field("result").exists() || node.field("coEvaluators").exists() {
            l.prefetch::<entity::sourcing_coevaluator::Entity>(&seen).await?;
        }
        if node.field("result").exists() || node.field("scores").exists() {
            l.prefetch::<entity::sourcing_score::Entity>(&seen).await?;
        }
        Ok(connection(
            page,
            EvaluationConnectionFields { filter },
            |_| None,
            |e| e.id,
            SourcingEvaluation,
        ))
    }
}

/// A criterion as the client sets it.
#[derive(InputObject)]
pub struct SourcingCriterionInput {
    /// Stable code; omit for a custom criterion.
    code: Option<String>,
    name: String,
    /// Whole percent, 0–100.
    weight: i32,
}

fn specs(c: Vec<SourcingCriterionInput>) -> Vec<CriterionSpec> {
    c.into_iter()
        .map(|c| CriterionSpec {
            code: c.code,
            name: c.name,
            weight: c.weight,
        })
        .collect()
}

/// A new evaluation owned by the caller's kommun.
#[derive(InputObject)]
pub struct CreateSourcingEvaluationInput {
    title: String,
    /// The subject in words (always useful, even with a project).
    #[graphql(default)]
    subject_text: String,
    /// An e-service project as the subject.
    subject_project_id: Option<ID>,
    #[graphql(default_with = "Visibility::Participants")]
    visibility: Visibility,
    information_class: InformationClass,
    /// Omit to start from the standard set (total cost, information security, legal, exit
    /// and lock-in, competence supply, citizen benefit).
    criteria: Option<Vec<SourcingCriterionInput>>,
}

/// Changes to an evaluation.
#[derive(InputObject)]
pub struct UpdateSourcingEvaluationInput {
    id: ID,
    version: i32,
    title: Option<String>,
    subject_text: Option<String>,
    visibility: Option<Visibility>,
    information_class: Option<InformationClass>,
}

/// The evaluation after the change.
#[derive(SimpleObject)]
pub struct SourcingEvaluationPayload {
    evaluation: SourcingEvaluation,
}

/// A new option.
#[derive(InputObject)]
pub struct AddSourcingOptionInput {
    evaluation_id: ID,
    kind: OptionKind,
    #[graphql(default)]
    description: String,
    /// SEK.
    one_off_cost: Decimal,
    /// SEK per year.
    annual_cost: Decimal,
    contract_years: i32,
    #[graphql(default_with = "DataLocation::Sweden")]
    data_location: DataLocation,
    #[graphql(default)]
    exit_plan: String,
}

/// Changes to an option.
#[derive(InputObject)]
pub struct UpdateSourcingOptionInput {
    id: ID,
    kind: Option<OptionKind>,
    description: Option<String>,
    one_off_cost: Option<Decimal>,
    annual_cost: Option<Decimal>,
    contract_years: Option<i32>,
    data_location: Option<DataLocation>,
    exit_plan: Option<String>,
}

/// The option after the change, and its evaluation.
#[derive(SimpleObject)]
pub struct SourcingOptionPayload {
    option: SourcingOption,
    evaluation: SourcingEvaluation,
}

/// Removing an option.
#[derive(InputObject)]
pub struct RemoveSourcingOptionInput {
    id: ID,
}

/// The removed option's id and the evaluation.
#[derive(SimpleObject)]
pub struct RemoveSourcingOptionPayload {
    removed_option_id: ID,
    evaluation: SourcingEvaluation,
}

/// New criteria (replace the current ones; draft only).
#[derive(InputObject)]
pub struct SetSourcingCriteriaInput {
    evaluation_id: ID,
    version: i32,
    criteria: Vec<SourcingCriterionInput>,
}

/// Inviting a co-evaluating kommun.
#[derive(InputObject)]
pub struct InviteCoEvaluatorInput {
    evaluation_id: ID,
    municipality_code: String,
}

/// The invited kommun's answer.
#[derive(InputObject)]
pub struct RespondToCoEvaluationInput {
    evaluation_id: ID,
    accept: bool,
}

/// A co-evaluator and, while the caller may see it, the evaluation.
#[derive(SimpleObject)]
pub struct CoEvaluatorPayload {
    co_evaluator: CoEvaluator,
    evaluation: Option<SourcingEvaluation>,
}

/// Moving an evaluation on.
#[derive(InputObject)]
pub struct SourcingTransitionInput {
    id: ID,
    version: i32,
}

/// A score by the caller's kommun.
#[derive(InputObject)]
pub struct ScoreSourcingOptionInput {
    option_id: ID,
    criterion_id: ID,
    /// 0–5.
    score: i32,
    #[graphql(default)]
    rationale: String,
}

/// The score and the evaluation's new result.
#[derive(SimpleObject)]
pub struct ScoreSourcingOptionPayload {
    score: SourcingScore,
    evaluation: SourcingEvaluation,
}

/// The decision that ends an evaluation.
#[derive(InputObject)]
pub struct DecideSourcingEvaluationInput {
    id: ID,
    version: i32,
    option_id: ID,
    decision: super::projects::DecisionRecordInput,
    /// Needed when the chosen option has a blocking risk flag.
    justification: Option<String>,
}

/// Mutations on sourcing evaluations.
#[derive(Default)]
pub struct SourcingMutation;

#[Object]
impl SourcingMutation {
    /// Creates an evaluation owned by the caller's kommun (editor), in DRAFT.
    async fn create_sourcing_evaluation(
        &self,
        ctx: &Context<'_>,
        input: CreateSourcingEvaluationInput,
    ) -> Result<SourcingEvaluationPayload> {
        let subject_project = input
            .subject_project_id
            .as_ref()
            .map(|id| ids::decode("subjectProjectId", "EServiceProject", id))
            .transpose()?;
        let e = scope(ctx)
            .create_evaluation(NewEvaluation {
                title: input.title,
                subject_project,
                subject_text: input.subject_text,
                visibility: input.visibility,
                info: input.information_class.domain()?,
                criteria: input.criteria.map(specs),
            })
            .await?;
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(e),
        })
    }

    /// Changes title, subject, visibility or information class (owner's editors).
    async fn update_sourcing_evaluation(
        &self,
        ctx: &Context<'_>,
        input: UpdateSourcingEvaluationInput,
    ) -> Result<SourcingEvaluationPayload> {
        let id = ids::decode("id", "SourcingEvaluation", &input.id)?;
        let patch = EvaluationPatch {
            title: input.title,
            subject_text: input.subject_text,
            visibility: input.visibility,
            info: input.information_class.map(|i| i.domain()).transpose()?,
        };
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(scope(ctx).update_evaluation(id, input.version, patch).await?),
        })
    }

    /// Adds an option (DRAFT).
    async fn add_sourcing_option(
        &self,
        ctx: &Context<'_>,
        input: AddSourcingOptionInput,
    ) -> Result<SourcingOptionPayload> {
        let id = ids::decode("evaluationId", "SourcingEvaluation", &input.evaluation_id)?;
        let spec = OptionSpec {
            kind: Some(input.kind),
            description: Some(input.description),
            one_off: Some(money("oneOffCost", input.one_off_cost)?),
            annual: Some(money("annualCost", input.annual_cost)?),
            contract_years: Some(input.contract_years),
            location: Some(input.data_location),
            exit_plan: Some(input.exit_plan),
        };
        let s = scope(ctx);
        let o = s.add_option(id, spec).await?;
        let e = s.evaluation(o.evaluation_id).await?;
        Ok(SourcingOptionPayload {
            option: SourcingOption(o),
            evaluation: SourcingEvaluation(e),
        })
    }

    /// Changes an option (DRAFT or SCORING, e.g. to add an exit plan).
    async fn update_sourcing_option(
        &self,
        ctx: &Context<'_>,
        input: UpdateSourcingOptionInput,
    ) -> Result<SourcingOptionPayload> {
        let id = ids::decode("id", "SourcingOption", &input.id)?;
        let spec = OptionSpec {
            kind: input.kind,
            description: input.description,
            one_off: input.one_off_cost.map(|d| money("oneOffCost", d)).transpose()?,
            annual: input.annual_cost.map(|d| money("annualCost", d)).transpose()?,
            contract_years: input.contract_years,
            location: input.data_location,
            exit_plan: input.exit_plan,
        };
        let s = scope(ctx);
        let o = s.update_option(id, spec).await?;
        let e = s.evaluation(o.evaluation_id).await?;
        Ok(SourcingOptionPayload {
            option: SourcingOption(o),
            evaluation: SourcingEvaluation(e),
        })
    }

    /// Removes an option (DRAFT).
    async fn remove_sourcing_option(
        &self,
        ctx: &Context<'_>,
        input: RemoveSourcingOptionInput,
    ) -> Result<RemoveSourcingOptionPayload> {
        let id = ids::decode("id", "SourcingOption", &input.id)?;
        let s = scope(ctx);
        let evaluation = s.remove_option(id).await?;
        Ok(RemoveSourcingOptionPayload {
            removed_option_id: input.id,
            evaluation: SourcingEvaluation(s.evaluation(evaluation).await?),
        })
    }

    /// Replaces the criteria (DRAFT); weights are whole numbers.
    async fn set_sourcing_criteria(
        &self,
        ctx: &Context<'_>,
        input: SetSourcingCriteriaInput,
    ) -> Result<SourcingEvaluationPayload> {
        let id = ids::decode("evaluationId", "SourcingEvaluation", &input.evaluation_id)?;
        let e = scope(ctx)
            .set_criteria(id, input.version, &specs(input.criteria))
            .await?;
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(e),
        })
    }

    /// Invites a kommun of the county to score (owner's editors).
    async fn invite_co_evaluator(
        &self,
        ctx: &Context<'_>,
        input: InviteCoEvaluatorInput,
    ) -> Result<CoEvaluatorPayload> {
        let id = ids::decode("evaluationId", "SourcingEvaluation", &input.evaluation_id)?;
        let s = scope(ctx);
        let c = s.invite_coevaluator(id, &input.municipality_code).await?;
        Ok(CoEvaluatorPayload {
            co_evaluator: CoEvaluator(c),
            // A kommun that declined may no longer see the evaluation: null, not an error.
            evaluation: match s.evaluation(id).await {
                Ok(e) => Some(SourcingEvaluation(e)),
                Err(ApiError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
        })
    }

    /// Accepts or declines an invitation to co-evaluate (the invited kommun's admins).
    async fn respond_to_co_evaluation(
        &self,
        ctx: &Context<'_>,
        input: RespondToCoEvaluationInput,
    ) -> Result<CoEvaluatorPayload> {
        let id = ids::decode("evaluationId", "SourcingEvaluation", &input.evaluation_id)?;
        let s = scope(ctx);
        let c = s.respond_to_coevaluation(id, input.accept).await?;
        Ok(CoEvaluatorPayload {
            co_evaluator: CoEvaluator(c),
            // A kommun that declined may no longer see the evaluation: null, not an error.
            evaluation: match s.evaluation(id).await {
                Ok(e) => Some(SourcingEvaluation(e)),
                Err(ApiError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
        })
    }

    /// DRAFT → SCORING: weights must sum to exactly 100 and there must be two options.
    async fn start_scoring(
        &self,
        ctx: &Context<'_>,
        input: SourcingTransitionInput,
    ) -> Result<SourcingEvaluationPayload> {
        let id = ids::decode("id", "SourcingEvaluation", &input.id)?;
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(scope(ctx).start_scoring(id, input.version).await?),
        })
    }

    /// Sets the caller's kommun's score (SCORING); a kommun changes only its own scores.
    async fn score_sourcing_option(
        &self,
        ctx: &Context<'_>,
        input: ScoreSourcingOptionInput,
    ) -> Result<ScoreSourcingOptionPayload> {
        let option = ids::decode("optionId", "SourcingOption", &input.option_id)?;
        let criterion = ids::decode("criterionId", "SourcingCriterion", &input.criterion_id)?;
        let s = scope(ctx);
        let sc = s.score(option, criterion, input.score, &input.rationale).await?;
        let e = s.evaluation(sc.evaluation_id).await?;
        Ok(ScoreSourcingOptionPayload {
            score: SourcingScore(sc),
            evaluation: SourcingEvaluation(e),
        })
    }

    /// SCORING → DECIDED with the chosen option and the decision record.
    async fn decide_sourcing_evaluation(
        &self,
        ctx: &Context<'_>,
        input: DecideSourcingEvaluationInput,
    ) -> Result<SourcingEvaluationPayload> {
        let id = ids::decode("id", "SourcingEvaluation", &input.id)?;
        let option = ids::decode("optionId", "SourcingOption", &input.option_id)?;
        let d = crate::service::projects::DecisionInput::from(input.decision);
        let e = scope(ctx)
            .decide(
                id,
                input.version,
                SourcingDecision {
                    option,
                    date: d.date,
                    deciding_body: d.deciding_body,
                    diarienummer: d.diarienummer,
                    summary: d.summary,
                    justification: input.justification,
                },
            )
            .await?;
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(e),
        })
    }

    /// Cancels an evaluation that has not been decided.
    async fn cancel_sourcing_evaluation(
        &self,
        ctx: &Context<'_>,
        input: SourcingTransitionInput,
    ) -> Result<SourcingEvaluationPayload> {
        let id = ids::decode("id", "SourcingEvaluation", &input.id)?;
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(scope(ctx).cancel_evaluation(id, input.version).await?),
        })
    }
}
