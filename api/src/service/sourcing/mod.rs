//! Sourcing evaluations: the area's types, reading evaluations, the result, and the checks
//! changes start with. The changes live beside this file: `lifecycle` (create, edit, criteria,
//! the state machine, decision), `options`, `coevaluators` and `scoring`.

mod coevaluators;
mod lifecycle;
mod options;
mod scoring;

use crate::domain::RecordKind;
use chrono::{NaiveDate, Utc};
use entity::{
    sourcing_coevaluator, sourcing_criterion, sourcing_evaluation, sourcing_option, sourcing_score,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Select, Set};
use serde_json::{Value, json};

use super::{
    Grant, Parent, Scope, WriteTx,
    audit::{Changeable, Guarded},
    pagination::{KeysetOrder, Page, PageArgs, finish},
    text, visibility,
    visibility::Visible,
};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        ParticipationState as State, Sek, Visibility,
        sourcing::{
            CriterionIn, DataLocation, InfoClass, OptionIn, OptionKind, ScoreIn, SourcingResult,
            SourcingState, Weight, evaluate,
        },
    },
    error::{ApiError, ApiResult},
};

type Eval = sourcing_evaluation::Model;

/// Refuses a change of an evaluation that is not in one of `states`.
fn in_state(e: &Eval, field: &'static str, states: &[SourcingState]) -> ApiResult<()> {
    if states.contains(&e.state) {
        return Ok(());
    }
    let needed: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
    Err(ApiError::input(
        field,
        format!(
            "this needs the evaluation to be {}; it is {}",
            needed.join(" or "),
            e.state.with_next()
        ),
    ))
}

fn not_found() -> ApiError {
    ApiError::NotFound("no sourcing evaluation with that id".into())
}

super::audit::versioned!(
    sourcing_evaluation,
    RecordKind::SourcingEvaluation,
    "the evaluation",
    |e| json!({
        "title": e.title, "subjectProjectId": e.subject_project_id, "subjectText": e.subject_text,
        "visibility": e.visibility, "state": e.state, "confidentiality": e.confidentiality,
        "integrity": e.integrity, "availability": e.availability, "chosenOptionId": e.chosen_option_id,
        "decidedOn": e.decided_on, "decidingBody": e.deciding_body, "diarienummer": e.diarienummer,
        "decisionSummary": e.decision_summary, "justification": e.justification, "version": e.version,
    })
);

super::audit::audited!(
    sourcing_option,
    RecordKind::SourcingOption,
    "the option",
    |o| json!({
        "evaluationId": o.evaluation_id, "kind": o.kind, "description": o.description,
        "oneOffOre": o.one_off_ore, "annualOre": o.annual_ore, "contractYears": o.contract_years,
        "dataLocation": o.data_location, "exitPlan": o.exit_plan,
    })
);

super::audit::audited!(
    sourcing_criterion,
    RecordKind::SourcingCriterion,
    "the criterion",
    |c| json!({
        "code": c.code, "name": c.name, "weight": c.weight,
    })
);

super::audit::audited!(
    sourcing_coevaluator,
    RecordKind::CoEvaluator,
    "the co-evaluation",
    |c| json!({
        "evaluationId": c.evaluation_id, "municipalityId": c.municipality_id, "state": c.state,
    })
);

super::audit::audited!(
    sourcing_score,
    RecordKind::SourcingScore,
    "the score",
    |s| json!({
        "optionId": s.option_id, "criterionId": s.criterion_id, "municipalityId": s.municipality_id,
        "score": s.score, "rationale": s.rationale,
    })
);

/// The owner kommun owns an evaluation; an invited kommun answers its own invitation; the
/// owner and the accepted co-evaluators are its scoring members.
impl Guarded for Eval {
    const MISSING: &'static str = "no sourcing evaluation with that id";

    async fn load(scope: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        Ok(scope
            .sourcing()
            .visible_evaluations()
            .filter(sourcing_evaluation::Column::Id.eq(id))
            .one(tx.conn())
            .await?)
    }

    fn parent(&self) -> Parent {
        Parent::SourcingEvaluation(self.id)
    }

    async fn standing(&self, _: &Scope<'_>, tx: &WriteTx<'_>, action: Action) -> ApiResult<Standing> {
        let me = tx.principal().municipality_id;
        let mut s = Standing {
            owner: self.owner_id == me,
            ..Default::default()
        };
        if matches!(action, Action::ActAsMember | Action::AnswerForKommun) {
            let coevaluators = sourcing_coevaluator::Entity::find()
                .filter(sourcing_coevaluator::Column::EvaluationId.eq(self.id))
                .all(tx.conn())
                .await?;
            s.member = scoring_kommuner(self, &coevaluators).contains(&me);
            s.own_invitation = coevaluators.iter().any(|c| c.municipality_id == me);
        }
        Ok(s)
    }
}

fn criteria_json(c: &[sourcing_criterion::Model]) -> Value {
    json!(
        c.iter()
            .map(|c| json!({"code": c.code, "name": c.name, "weight": c.weight}))
            .collect::<Vec<_>>()
    )
}

/// A new evaluation as the client describes it.
#[derive(Clone, Debug)]
pub struct NewEvaluation {
    pub title: String,
    pub subject_project: Option<i64>,
    pub subject_text: String,
    pub visibility: Visibility,
    pub info: InfoClass,
    /// `None` offers the standard set.
    pub criteria: Option<Vec<CriterionSpec>>,
}

/// A criterion as the client sets it.
#[derive(Clone, Debug)]
pub struct CriterionSpec {
    pub code: Option<String>,
    pub name: String,
    pub weight: i32,
}

/// Changes to an evaluation; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct EvaluationPatch {
    pub title: Option<String>,
    pub subject_text: Option<String>,
    pub visibility: Option<Visibility>,
    pub info: Option<InfoClass>,
}

/// An option's fields; on update `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct OptionSpec {
    pub kind: Option<OptionKind>,
    pub description: Option<String>,
    pub one_off: Option<Sek>,
    pub annual: Option<Sek>,
    pub contract_years: Option<i32>,
    pub location: Option<DataLocation>,
    pub exit_plan: Option<String>,
}

/// The decision that ends an evaluation.
#[derive(Clone, Debug)]
pub struct SourcingDecision {
    pub option: i64,
    pub date: NaiveDate,
    pub deciding_body: String,
    pub diarienummer: String,
    pub summary: String,
    pub justification: Option<String>,
}

/// Filters on the evaluation list.
#[derive(Clone, Debug, Default)]
pub struct EvaluationFilter {
    pub states: Vec<SourcingState>,
    pub owner: Option<String>,
}

/// Everything the result computation reads, loaded in one go.
pub struct EvaluationParts {
    pub options: Vec<sourcing_option::Model>,
    pub criteria: Vec<sourcing_criterion::Model>,
    pub coevaluators: Vec<sourcing_coevaluator::Model>,
    pub scores: Vec<sourcing_score::Model>,
}

/// The kommuner whose scores count: the owner and accepted co-evaluators.
pub fn scoring_kommuner(e: &Eval, coevaluators: &[sourcing_coevaluator::Model]) -> Vec<i32> {
    std::iter::once(e.owner_id)
        .chain(
            coevaluators
                .iter()
                .filter(|c| c.state == State::Accepted)
                .map(|c| c.municipality_id),
        )
        .collect()
}

/// Computes the result of an evaluation from its parts.
pub fn result(e: &Eval, parts: &EvaluationParts) -> ApiResult<SourcingResult> {
    let info = InfoClass {
        confidentiality: e.confidentiality,
        integrity: e.integrity,
        availability: e.availability,
    };
    let options = parts
        .options
        .iter()
        .map(|o| {
            Ok(OptionIn {
                id: o.id,
                kind: o.kind,
                one_off: Sek::from_ore(o.one_off_ore),
                annual: Sek::from_ore(o.annual_ore),
                contract_years: o.contract_years.max(0) as u32,
                location: o.data_location,
                exit_plan: o.exit_plan.clone(),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let criteria: Vec<CriterionIn> = parts
        .criteria
        .iter()
        .map(|c| CriterionIn {
            id: c.id,
            weight: c.weight.get(),
        })
        .collect();
    let kommuner = scoring_kommuner(e, &parts.coevaluators);
    let scores: Vec<ScoreIn> = parts
        .scores
        .iter()
        .filter(|s| kommuner.contains(&s.municipality_id))
        .map(|s| ScoreIn {
            option: s.option_id,
            criterion: s.criterion_id,
            kommun: s.municipality_id,
            score: s.score.get() as u8,
        })
        .collect();
    Ok(evaluate(info, &options, &criteria, &kommuner, &scores))
}

fn validate_criteria(specs: &[CriterionSpec]) -> ApiResult<Vec<(String, String, Weight)>> {
    if specs.is_empty() || specs.len() > 20 {
        return Err(ApiError::input("criteria", "give between 1 and 20 criteria"));
    }
    let mut out: Vec<(String, String, Weight)> = Vec::new();
    for (i, c) in specs.iter().enumerate() {
        let name = text(&format!("criteria[{i}].name"), &c.name, 200, true)?;
        let weight =
            Weight::new(c.weight.into()).map_err(|m| ApiError::input(format!("criteria[{i}].weight"), m))?;
        let code = match &c.code {
            Some(code) => text(&format!("criteria[{i}].code"), code, 50, true)?.to_uppercase(),
            None => format!("CUSTOM_{}", i + 1),
        };
        if out.iter().any(|(k, _, _)| *k == code) {
            return Err(ApiError::input(
                format!("criteria[{i}].code"),
                format!("criterion {code} is listed twice"),
            ));
        }
        out.push((code, name, weight));
    }
    Ok(out)
}

impl super::Sourcing<'_, '_> {
    fn visible_evaluations(&self) -> Select<sourcing_evaluation::Entity> {
        sourcing_evaluation::Entity::find().filter(visibility::sourcing_evaluations(self.caller()))
    }

    fn evaluation_condition(&self, f: &EvaluationFilter) -> ApiResult<Condition> {
        let mut c = Condition::all();
        if !f.states.is_empty() {
            c = c.add(sourcing_evaluation::Column::State.is_in(f.states.iter().map(|s| s.as_str())));
        }
        if let Some(code) = &f.owner {
            c = c.add(
                sourcing_evaluation::Column::OwnerId
                    .eq(self.projects().municipality_id("filter.owner", code)?),
            );
        }
        Ok(c)
    }

    /// One page of the evaluations the caller may see, newest first.
    pub async fn list_evaluations(
        &self,
        filter: &EvaluationFilter,
        args: &PageArgs,
    ) -> ApiResult<Page<Visible<Eval>>> {
        self.reader()?;
        let req = args.validate()?;
        let cond = self.evaluation_condition(filter)?;
        let keyset = KeysetOrder {
            key: None,
            id: sourcing_evaluation::Column::Id,
            ascending: false,
        };
        let rows = keyset
            .apply(self.visible_evaluations().filter(cond), &req)
            .all(self.db())
            .await?;
        Ok(finish(Visible::all(rows), &req))
    }

    /// How many visible evaluations match.
    pub async fn count_evaluations(&self, filter: &EvaluationFilter) -> ApiResult<u64> {
        self.reader()?;
        let cond = self.evaluation_condition(filter)?;
        Ok(self.visible_evaluations().filter(cond).count(self.db()).await?)
    }

    /// An evaluation the caller may see, or `NOT_FOUND`.
    pub async fn evaluation(&self, id: i64) -> ApiResult<Visible<Eval>> {
        self.reader()?;
        self.visible_evaluations()
            .filter(sourcing_evaluation::Column::Id.eq(id))
            .one(self.db())
            .await?
            .map(Visible::new)
            .ok_or_else(not_found)
    }

    /// An option whose evaluation the caller may see.
    pub async fn sourcing_option(&self, id: i64) -> ApiResult<Option<sourcing_option::Model>> {
        let Some(o) = sourcing_option::Entity::find_by_id(id).one(self.db()).await? else {
            return Ok(None);
        };
        match self.evaluation(o.evaluation_id).await {
            Ok(_) => Ok(Some(o)),
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Loads an evaluation for a change by its owner: visible, the caller an editor of the
    /// owner kommun, and in one of `states`.
    async fn owned_evaluation(
        &self,
        tx: &WriteTx<'_>,
        id: i64,
        field: &'static str,
        states: &[SourcingState],
    ) -> ApiResult<Changeable<Eval>> {
        let e = self.changeable::<Eval>(tx, id, Action::Change).await?;
        in_state(&e, field, states)?;
        Ok(e)
    }

    async fn insert_criteria(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &Grant,
        evaluation: i64,
        specs: &[(String, String, Weight)],
    ) -> ApiResult<Vec<sourcing_criterion::Model>> {
        let now = Utc::now();
        let mut out = Vec::with_capacity(specs.len());
        for (i, (code, name, weight)) in specs.iter().enumerate() {
            let row = sourcing_criterion::ActiveModel {
                evaluation_id: Set(evaluation),
                code: Set(code.clone()),
                name: Set(name.clone()),
                weight: Set(*weight),
                position: Set(i as i32),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            out.push(tx.insert(grant, row).await?);
        }
        Ok(out)
    }

    async fn parts_in(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<EvaluationParts> {
        Ok(EvaluationParts {
            options: sourcing_option::Entity::find()
                .filter(sourcing_option::Column::EvaluationId.eq(id))
                .all(tx.conn())
                .await?,
            criteria: sourcing_criterion::Entity::find()
                .filter(sourcing_criterion::Column::EvaluationId.eq(id))
                .all(tx.conn())
                .await?,
            coevaluators: sourcing_coevaluator::Entity::find()
                .filter(sourcing_coevaluator::Column::EvaluationId.eq(id))
                .all(tx.conn())
                .await?,
            scores: sourcing_score::Entity::find()
                .filter(sourcing_score::Column::EvaluationId.eq(id))
                .all(tx.conn())
                .await?,
        })
    }
}
