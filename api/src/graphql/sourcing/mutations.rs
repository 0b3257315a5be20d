//! The sourcing mutations with their inputs and payloads.
use super::*;
use crate::domain::RecordKind;
use crate::graphql::money;
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{ids, scope};
use crate::{
    domain::{
        Visibility,
        sourcing::{DataLocation, OptionKind},
    },
    error::ApiError,
    service::sourcing::{CriterionSpec, EvaluationPatch, NewEvaluation, OptionSpec, SourcingDecision},
};

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
    decision: crate::graphql::projects::DecisionRecordInput,
    /// Needed when the chosen option has a blocking risk flag.
    justification: Option<String>,
}

/// Mutations on sourcing evaluations.
/// The evaluation after a change of the caller's own standing in it, if the caller may still
/// see it: a kommun that declined may not, which is null, not an error.
async fn still_visible(s: &crate::service::Scope<'_>, id: i64) -> Result<Option<SourcingEvaluation>> {
    match s.sourcing().evaluation(id).await {
        Ok(e) => Ok(Some(SourcingEvaluation(e))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

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
            .map(|id| ids::decode("subjectProjectId", RecordKind::EServiceProject, id))
            .transpose()?;
        let e = scope(ctx)
            .sourcing()
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
        let id = ids::decode("id", RecordKind::SourcingEvaluation, &input.id)?;
        let patch = EvaluationPatch {
            title: input.title,
            subject_text: input.subject_text,
            visibility: input.visibility,
            info: input.information_class.map(|i| i.domain()).transpose()?,
        };
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(
                scope(ctx)
                    .sourcing()
                    .update_evaluation(id, input.version, patch)
                    .await?,
            ),
        })
    }

    /// Adds an option (DRAFT).
    async fn add_sourcing_option(
        &self,
        ctx: &Context<'_>,
        input: AddSourcingOptionInput,
    ) -> Result<SourcingOptionPayload> {
        let id = ids::decode(
            "evaluationId",
            RecordKind::SourcingEvaluation,
            &input.evaluation_id,
        )?;
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
        let o = s.sourcing().add_option(id, spec).await?;
        let e = s.sourcing().evaluation(o.evaluation_id).await?;
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
        let id = ids::decode("id", RecordKind::SourcingOption, &input.id)?;
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
        let o = s.sourcing().update_option(id, spec).await?;
        let e = s.sourcing().evaluation(o.evaluation_id).await?;
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
        let id = ids::decode("id", RecordKind::SourcingOption, &input.id)?;
        let s = scope(ctx);
        let evaluation = s.sourcing().remove_option(id).await?;
        Ok(RemoveSourcingOptionPayload {
            removed_option_id: input.id,
            evaluation: SourcingEvaluation(s.sourcing().evaluation(evaluation).await?),
        })
    }

    /// Replaces the criteria (DRAFT); weights are whole numbers.
    async fn set_sourcing_criteria(
        &self,
        ctx: &Context<'_>,
        input: SetSourcingCriteriaInput,
    ) -> Result<SourcingEvaluationPayload> {
        let id = ids::decode(
            "evaluationId",
            RecordKind::SourcingEvaluation,
            &input.evaluation_id,
        )?;
        let e = scope(ctx)
            .sourcing()
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
        let id = ids::decode(
            "evaluationId",
            RecordKind::SourcingEvaluation,
            &input.evaluation_id,
        )?;
        let s = scope(ctx);
        let c = s
            .sourcing()
            .invite_coevaluator(id, &input.municipality_code)
            .await?;
        Ok(CoEvaluatorPayload {
            co_evaluator: CoEvaluator(c),
            evaluation: still_visible(&s, id).await?,
        })
    }

    /// Accepts or declines an invitation to co-evaluate (the invited kommun's admins).
    async fn respond_to_co_evaluation(
        &self,
        ctx: &Context<'_>,
        input: RespondToCoEvaluationInput,
    ) -> Result<CoEvaluatorPayload> {
        let id = ids::decode(
            "evaluationId",
            RecordKind::SourcingEvaluation,
            &input.evaluation_id,
        )?;
        let s = scope(ctx);
        let c = s.sourcing().respond_to_coevaluation(id, input.accept).await?;
        Ok(CoEvaluatorPayload {
            co_evaluator: CoEvaluator(c),
            evaluation: still_visible(&s, id).await?,
        })
    }

    /// DRAFT → SCORING: weights must sum to exactly 100 and there must be two options.
    async fn start_scoring(
        &self,
        ctx: &Context<'_>,
        input: SourcingTransitionInput,
    ) -> Result<SourcingEvaluationPayload> {
        let id = ids::decode("id", RecordKind::SourcingEvaluation, &input.id)?;
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(scope(ctx).sourcing().start_scoring(id, input.version).await?),
        })
    }

    /// Sets the caller's kommun's score (SCORING); a kommun changes only its own scores.
    async fn score_sourcing_option(
        &self,
        ctx: &Context<'_>,
        input: ScoreSourcingOptionInput,
    ) -> Result<ScoreSourcingOptionPayload> {
        let option = ids::decode("optionId", RecordKind::SourcingOption, &input.option_id)?;
        let criterion = ids::decode("criterionId", RecordKind::SourcingCriterion, &input.criterion_id)?;
        let s = scope(ctx);
        let sc = s
            .sourcing()
            .score(option, criterion, input.score, &input.rationale)
            .await?;
        let e = s.sourcing().evaluation(sc.evaluation_id).await?;
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
        let id = ids::decode("id", RecordKind::SourcingEvaluation, &input.id)?;
        let option = ids::decode("optionId", RecordKind::SourcingOption, &input.option_id)?;
        let d = crate::service::projects::DecisionInput::from(input.decision);
        let e = scope(ctx)
            .sourcing()
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
        let id = ids::decode("id", RecordKind::SourcingEvaluation, &input.id)?;
        Ok(SourcingEvaluationPayload {
            evaluation: SourcingEvaluation(scope(ctx).sourcing().cancel_evaluation(id, input.version).await?),
        })
    }
}
