//! Sourcing evaluations: options, criteria, co-evaluators, scores, result and decision.
use chrono::{NaiveDate, Utc};
use entity::{
    sourcing_coevaluator, sourcing_criterion, sourcing_evaluation, sourcing_option, sourcing_score,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    Select, Set,
};
use serde_json::{Value, json};

use super::{
    Parent, Scope, Versioned, WriteTx, authorize,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    stored, text, visibility,
    visibility::Visible,
};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        ParticipationState as State, Sek, Visibility,
        sourcing::{
            CriterionIn, DataLocation, InfoClass, OptionIn, OptionKind, STANDARD_CRITERIA, ScoreIn,
            SourcingResult, SourcingState, evaluate,
        },
    },
    error::{ApiError, ApiResult},
};

type Eval = sourcing_evaluation::Model;

fn not_found() -> ApiError {
    ApiError::NotFound("no sourcing evaluation with that id".into())
}

/// The state of a stored evaluation.
pub fn state(e: &Eval) -> ApiResult<SourcingState> {
    stored(&e.state)
}

fn level(field: &str, v: i32) -> ApiResult<i32> {
    crate::domain::sourcing::klassa_level(v.into())
        .map(i32::from)
        .map_err(|m| ApiError::input(field, format!("{field}: {m}")))
}

super::audit::versioned!(
    sourcing_evaluation,
    "SourcingEvaluation",
    "the evaluation",
    |e| json!({
        "title": e.title, "subjectProjectId": e.subject_project_id, "subjectText": e.subject_text,
        "visibility": e.visibility, "state": e.state, "confidentiality": e.confidentiality,
        "integrity": e.integrity, "availability": e.availability, "chosenOptionId": e.chosen_option_id,
        "decidedOn": e.decided_on, "decidingBody": e.deciding_body, "diarienummer": e.diarienummer,
        "decisionSummary": e.decision_summary, "justification": e.justification, "version": e.version,
    })
);

fn option_json(o: &sourcing_option::Model) -> Value {
    json!({
        "evaluationId": o.evaluation_id, "kind": o.kind, "description": o.description,
        "oneOffOre": o.one_off_ore, "annualOre": o.annual_ore, "contractYears": o.contract_years,
        "dataLocation": o.data_location, "exitPlan": o.exit_plan,
    })
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
                .filter(|c| c.state == State::Accepted.as_str())
                .map(|c| c.municipality_id),
        )
        .collect()
}

/// Computes the result of an evaluation from its parts.
pub fn result(e: &Eval, parts: &EvaluationParts) -> ApiResult<SourcingResult> {
    let info = InfoClass {
        confidentiality: e.confidentiality as u8,
        integrity: e.integrity as u8,
        availability: e.availability as u8,
    };
    let options = parts
        .options
        .iter()
        .map(|o| {
            Ok(OptionIn {
                id: o.id,
                kind: stored(&o.kind)?,
                one_off: Sek::from_ore(o.one_off_ore),
                annual: Sek::from_ore(o.annual_ore),
                contract_years: o.contract_years.max(0) as u32,
                location: stored(&o.data_location)?,
                exit_plan: o.exit_plan.clone(),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let criteria: Vec<CriterionIn> = parts
        .criteria
        .iter()
        .map(|c| CriterionIn {
            id: c.id,
            weight: c.weight,
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
            score: s.score as u8,
        })
        .collect();
    Ok(evaluate(info, &options, &criteria, &kommuner, &scores))
}

fn validate_criteria(specs: &[CriterionSpec]) -> ApiResult<Vec<(String, String, i32)>> {
    if specs.is_empty() || specs.len() > 20 {
        return Err(ApiError::input("criteria", "give between 1 and 20 criteria"));
    }
    let mut out: Vec<(String, String, i32)> = Vec::new();
    for (i, c) in specs.iter().enumerate() {
        let name = text(&format!("criteria[{i}].name"), &c.name, 200, true)?;
        if !(0..=100).contains(&c.weight) {
            return Err(ApiError::input(
                format!("criteria[{i}].weight"),
                "weights are whole numbers from 0 to 100",
            ));
        }
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
        out.push((code, name, c.weight));
    }
    Ok(out)
}

impl Scope<'_> {
    fn visible_evaluations(&self) -> Select<sourcing_evaluation::Entity> {
        sourcing_evaluation::Entity::find().filter(visibility::sourcing_evaluations(self.caller()))
    }

    fn evaluation_condition(&self, f: &EvaluationFilter) -> ApiResult<Condition> {
        let mut c = Condition::all();
        if !f.states.is_empty() {
            c = c.add(sourcing_evaluation::Column::State.is_in(f.states.iter().map(|s| s.as_str())));
        }
        if let Some(code) = &f.owner {
            c = c.add(sourcing_evaluation::Column::OwnerId.eq(self.municipality_id("filter.owner", code)?));
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
    async fn owned_evaluation(&self, tx: &WriteTx<'_>, id: i64, states: &[SourcingState]) -> ApiResult<Eval> {
        let e = self
            .visible_evaluations()
            .filter(sourcing_evaluation::Column::Id.eq(id))
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        tx.within(Parent::SourcingEvaluation(e.id));
        let me = tx.principal();
        let owner = e.owner_id == me.municipality_id;
        authorize(
            me,
            Action::Change,
            Standing {
                owner,
                ..Default::default()
            },
        )?;
        let s = state(&e)?;
        if !states.contains(&s) {
            let allowed: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
            return Err(ApiError::Conflict(format!(
                "the evaluation is {}; this needs it to be {}",
                s.as_str(),
                allowed.join(" or ")
            )));
        }
        Ok(e)
    }

    async fn insert_criteria(
        &self,
        tx: &mut WriteTx<'_>,
        evaluation: i64,
        specs: &[(String, String, i32)],
    ) -> ApiResult<Vec<sourcing_criterion::Model>> {
        let now = Utc::now();
        let mut out = Vec::with_capacity(specs.len());
        for (i, (code, name, weight)) in specs.iter().enumerate() {
            let c = sourcing_criterion::ActiveModel {
                evaluation_id: Set(evaluation),
                code: Set(code.clone()),
                name: Set(name.clone()),
                weight: Set(*weight),
                position: Set(i as i32),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(tx.writer())
            .await?;
            tx.record(
                "SourcingCriterion",
                c.id,
                None,
                Some(json!({"code": c.code, "name": c.name, "weight": c.weight})),
            );
            out.push(c);
        }
        Ok(out)
    }

    /// Creates an evaluation owned by the caller's kommun, with the standard criteria unless
    /// others are given.
    pub async fn create_evaluation(&self, input: NewEvaluation) -> ApiResult<Visible<Eval>> {
        let me = self.authorized(Action::Create, Standing::default())?;
        let mut tx = self.write("createSourcingEvaluation").await?;
        if let Some(p) = input.subject_project {
            let visible = self.projects_by_ids(&[p]).await?;
            if visible.is_empty() {
                return Err(ApiError::input(
                    "subjectProjectId",
                    "no e-service project with that id",
                ));
            }
        }
        let specs = match &input.criteria {
            Some(c) => validate_criteria(c)?,
            None => STANDARD_CRITERIA
                .iter()
                .map(|(c, n, w)| (c.to_string(), n.to_string(), *w))
                .collect(),
        };
        let now = Utc::now();
        let e = sourcing_evaluation::ActiveModel {
            title: Set(text("title", &input.title, 200, true)?),
            subject_project_id: Set(input.subject_project),
            subject_text: Set(text("subjectText", &input.subject_text, 4000, false)?),
            owner_id: Set(me.municipality_id),
            county_id: Set(me.county_id),
            visibility: Set(input.visibility.as_str().into()),
            state: Set(SourcingState::Draft.as_str().into()),
            confidentiality: Set(level(
                "informationClass.confidentiality",
                input.info.confidentiality as i32,
            )?),
            integrity: Set(level("informationClass.integrity", input.info.integrity as i32)?),
            availability: Set(level(
                "informationClass.availability",
                input.info.availability as i32,
            )?),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        tx.within(Parent::SourcingEvaluation(e.id));
        // The evaluation first: the event is named after its first change.
        tx.record("SourcingEvaluation", e.id, None, Some(e.audit_json()));
        let criteria = self.insert_criteria(&mut tx, e.id, &specs).await?;
        tx.record(
            "SourcingEvaluation",
            e.id,
            None,
            Some(json!({"criteria": criteria_json(&criteria)})),
        );
        tx.commit().await?;
        Ok(Visible::new(e))
    }

    /// Changes an evaluation's title, subject, visibility or information class.
    pub async fn update_evaluation(
        &self,
        id: i64,
        version: i32,
        patch: EvaluationPatch,
    ) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("updateSourcingEvaluation").await?;
        let before = self
            .owned_evaluation(&tx, id, &[SourcingState::Draft, SourcingState::Scoring])
            .await?;
        let mut after = before.clone();
        if let Some(t) = &patch.title {
            after.title = text("title", t, 200, true)?;
        }
        if let Some(t) = &patch.subject_text {
            after.subject_text = text("subjectText", t, 4000, false)?;
        }
        if let Some(v) = patch.visibility {
            if v == Visibility::Private {
                let others = sourcing_coevaluator::Entity::find()
                    .filter(sourcing_coevaluator::Column::EvaluationId.eq(id))
                    .filter(
                        sourcing_coevaluator::Column::State
                            .is_in([State::Invited.as_str(), State::Accepted.as_str()]),
                    )
                    .count(tx.conn())
                    .await?;
                if others > 0 {
                    return Err(ApiError::input(
                        "visibility",
                        "an evaluation with co-evaluators cannot be PRIVATE",
                    ));
                }
            }
            after.visibility = v.as_str().into();
        }
        if let Some(i) = patch.info {
            after.confidentiality = level("informationClass.confidentiality", i.confidentiality as i32)?;
            after.integrity = level("informationClass.integrity", i.integrity as i32)?;
            after.availability = level("informationClass.availability", i.availability as i32)?;
        }
        let saved = tx.save(&before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    fn apply_option(o: &mut sourcing_option::Model, spec: &OptionSpec) -> ApiResult<()> {
        if let Some(k) = spec.kind {
            o.kind = k.as_str().into();
        }
        if let Some(d) = &spec.description {
            o.description = text("description", d, 4000, false)?;
        }
        if let Some(c) = spec.one_off {
            o.one_off_ore = c.ore();
        }
        if let Some(c) = spec.annual {
            o.annual_ore = c.ore();
        }
        if let Some(y) = spec.contract_years {
            if !(1..=30).contains(&y) {
                return Err(ApiError::input(
                    "contractYears",
                    "contracts run from 1 to 30 years",
                ));
            }
            o.contract_years = y;
        }
        if let Some(l) = spec.location {
            o.data_location = l.as_str().into();
        }
        if let Some(x) = &spec.exit_plan {
            o.exit_plan = text("exitPlan", x, 4000, false)?;
        }
        Ok(())
    }

    /// Adds an option while the evaluation is a draft.
    pub async fn add_option(&self, evaluation: i64, spec: OptionSpec) -> ApiResult<sourcing_option::Model> {
        let mut tx = self.write("addSourcingOption").await?;
        self.owned_evaluation(&tx, evaluation, &[SourcingState::Draft])
            .await?;
        let count = sourcing_option::Entity::find()
            .filter(sourcing_option::Column::EvaluationId.eq(evaluation))
            .count(tx.conn())
            .await?;
        if count >= 20 {
            return Err(ApiError::input(
                "evaluationId",
                "an evaluation has at most 20 options",
            ));
        }
        let kind = spec.kind.ok_or_else(|| ApiError::input("kind", "is required"))?;
        let now = Utc::now();
        let mut m = sourcing_option::Model {
            id: 0,
            evaluation_id: evaluation,
            kind: kind.as_str().into(),
            description: String::new(),
            one_off_ore: 0,
            annual_ore: 0,
            contract_years: 1,
            data_location: DataLocation::Sweden.as_str().into(),
            exit_plan: String::new(),
            created_at: now,
            updated_at: now,
        };
        Self::apply_option(&mut m, &spec)?;
        let mut a = m.into_active_model().reset_all();
        a.id = sea_orm::NotSet;
        let saved = a.insert(tx.writer()).await?;
        tx.record("SourcingOption", saved.id, None, Some(option_json(&saved)));
        tx.commit().await?;
        Ok(saved)
    }

    async fn option_for_change(
        &self,
        tx: &WriteTx<'_>,
        id: i64,
        states: &[SourcingState],
    ) -> ApiResult<sourcing_option::Model> {
        let o = sourcing_option::Entity::find_by_id(id)
            .one(tx.conn())
            .await?
            .ok_or_else(|| ApiError::NotFound("no sourcing option with that id".into()))?;
        match self.owned_evaluation(tx, o.evaluation_id, states).await {
            Err(ApiError::NotFound(_)) => Err(ApiError::NotFound("no sourcing option with that id".into())),
            Err(e) => Err(e),
            Ok(_) => Ok(o),
        }
    }

    /// Changes an option; while scoring only costs, data location and exit plan may change.
    pub async fn update_option(&self, id: i64, spec: OptionSpec) -> ApiResult<sourcing_option::Model> {
        let mut tx = self.write("updateSourcingOption").await?;
        let before = self
            .option_for_change(&tx, id, &[SourcingState::Draft, SourcingState::Scoring])
            .await?;
        let mut after = before.clone();
        Self::apply_option(&mut after, &spec)?;
        after.updated_at = Utc::now();
        let saved = after.into_active_model().reset_all().update(tx.writer()).await?;
        tx.record(
            "SourcingOption",
            id,
            Some(option_json(&before)),
            Some(option_json(&saved)),
        );
        tx.commit().await?;
        Ok(saved)
    }

    /// Removes an option while the evaluation is a draft.
    pub async fn remove_option(&self, id: i64) -> ApiResult<i64> {
        let mut tx = self.write("removeSourcingOption").await?;
        let before = self.option_for_change(&tx, id, &[SourcingState::Draft]).await?;
        sourcing_option::Entity::delete_by_id(id)
            .exec(tx.writer())
            .await?;
        tx.record("SourcingOption", id, Some(option_json(&before)), None);
        tx.commit().await?;
        Ok(before.evaluation_id)
    }

    /// Replaces the criteria while the evaluation is a draft.
    pub async fn set_criteria(
        &self,
        id: i64,
        version: i32,
        specs: &[CriterionSpec],
    ) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("setSourcingCriteria").await?;
        let before = self.owned_evaluation(&tx, id, &[SourcingState::Draft]).await?;
        let specs = validate_criteria(specs)?;
        let old = sourcing_criterion::Entity::find()
            .filter(sourcing_criterion::Column::EvaluationId.eq(id))
            .all(tx.conn())
            .await?;
        sourcing_criterion::Entity::delete_many()
            .filter(sourcing_criterion::Column::EvaluationId.eq(id))
            .exec(tx.writer())
            .await?;
        let new = self.insert_criteria(&mut tx, id, &specs).await?;
        tx.record(
            "SourcingEvaluation",
            id,
            Some(json!({"criteria": criteria_json(&old)})),
            Some(json!({"criteria": criteria_json(&new)})),
        );
        let saved = tx.save(&before, before.clone(), version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Invites a kommun of the county to score together with the owner.
    pub async fn invite_coevaluator(
        &self,
        evaluation: i64,
        code: &str,
    ) -> ApiResult<sourcing_coevaluator::Model> {
        let mut tx = self.write("inviteCoEvaluator").await?;
        let e = self
            .owned_evaluation(&tx, evaluation, &[SourcingState::Draft, SourcingState::Scoring])
            .await?;
        if e.visibility == Visibility::Private.as_str() {
            return Err(ApiError::input(
                "evaluationId",
                "a PRIVATE evaluation cannot have co-evaluators; widen its visibility first",
            ));
        }
        let mid = self.municipality_id("municipalityCode", code)?;
        if mid == e.owner_id {
            return Err(ApiError::input(
                "municipalityCode",
                "the owner kommun scores already",
            ));
        }
        let invited = self.reference().municipality(mid).ok_or_else(not_found)?;
        if invited.county_id != e.county_id {
            return Err(ApiError::input(
                "municipalityCode",
                format!("kommun {code} belongs to another county"),
            ));
        }
        let existing = sourcing_coevaluator::Entity::find()
            .filter(sourcing_coevaluator::Column::EvaluationId.eq(evaluation))
            .filter(sourcing_coevaluator::Column::MunicipalityId.eq(mid))
            .one(tx.conn())
            .await?;
        let now = Utc::now();
        let saved = match existing {
            Some(x) if x.state == State::Invited.as_str() || x.state == State::Accepted.as_str() => {
                return Err(ApiError::Conflict(format!(
                    "kommun {code} is already {} as co-evaluator",
                    x.state
                )));
            }
            Some(x) => {
                let before = json!({"state": x.state});
                let mut a = x.into_active_model();
                a.state = Set(State::Invited.as_str().into());
                a.updated_at = Set(now);
                let saved = a.update(tx.writer()).await?;
                tx.record(
                    "CoEvaluator",
                    saved.id,
                    Some(before),
                    Some(json!({"state": saved.state})),
                );
                saved
            }
            None => {
                let saved = sourcing_coevaluator::ActiveModel {
                    evaluation_id: Set(evaluation),
                    municipality_id: Set(mid),
                    state: Set(State::Invited.as_str().into()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.writer())
                .await?;
                tx.record(
                    "CoEvaluator",
                    saved.id,
                    None,
                    Some(json!({"evaluationId": evaluation, "municipalityId": mid, "state": saved.state})),
                );
                saved
            }
        };
        tx.commit().await?;
        Ok(saved)
    }

    /// Accepts or declines an invitation to co-evaluate, as an admin of the invited kommun.
    pub async fn respond_to_coevaluation(
        &self,
        evaluation: i64,
        accept: bool,
    ) -> ApiResult<sourcing_coevaluator::Model> {
        let mut tx = self.write("respondToCoEvaluation").await?;
        let me = tx.principal();
        let e = self
            .visible_evaluations()
            .filter(sourcing_evaluation::Column::Id.eq(evaluation))
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        tx.within(Parent::SourcingEvaluation(e.id));
        let mine = sourcing_coevaluator::Entity::find()
            .filter(sourcing_coevaluator::Column::EvaluationId.eq(e.id))
            .filter(sourcing_coevaluator::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        authorize(
            me,
            Action::AnswerForKommun,
            Standing {
                own_invitation: mine.is_some(),
                ..Default::default()
            },
        )?;
        let mine = mine.ok_or_else(|| {
            ApiError::input(
                "evaluationId",
                format!("kommun {} has not been invited", me.kommun),
            )
        })?;
        if mine.state != State::Invited.as_str() {
            return Err(ApiError::Conflict(format!("the invitation is {}", mine.state)));
        }
        let before = json!({"state": mine.state});
        let mut a = mine.into_active_model();
        a.state = Set(if accept { State::Accepted } else { State::Declined }
            .as_str()
            .into());
        a.updated_at = Set(Utc::now());
        let saved = a.update(tx.writer()).await?;
        tx.record(
            "CoEvaluator",
            saved.id,
            Some(before),
            Some(json!({"state": saved.state})),
        );
        tx.commit().await?;
        Ok(saved)
    }

    /// Opens scoring: needs two options and criteria whose weights sum to exactly 100.
    pub async fn start_scoring(&self, id: i64, version: i32) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("startScoring").await?;
        let before = self.owned_evaluation(&tx, id, &[SourcingState::Draft]).await?;
        let criteria = sourcing_criterion::Entity::find()
            .filter(sourcing_criterion::Column::EvaluationId.eq(id))
            .all(tx.conn())
            .await?;
        let sum: i32 = criteria.iter().map(|c| c.weight).sum();
        if sum != 100 {
            return Err(ApiError::input(
                "criteria",
                format!(
                    "the criteria weights sum to {sum}; they must sum to exactly 100 before scoring starts"
                ),
            ));
        }
        let options = sourcing_option::Entity::find()
            .filter(sourcing_option::Column::EvaluationId.eq(id))
            .count(tx.conn())
            .await?;
        if options < 2 {
            return Err(ApiError::input(
                "options",
                format!("a choice needs at least two options; there are {options}"),
            ));
        }
        let mut after = before.clone();
        after.state = SourcingState::Scoring.as_str().into();
        let saved = tx.save(&before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Sets the caller's kommun's score of one option on one criterion.
    pub async fn score(
        &self,
        option: i64,
        criterion: i64,
        score: i32,
        rationale: &str,
    ) -> ApiResult<sourcing_score::Model> {
        let mut tx = self.write("scoreSourcingOption").await?;
        let me = tx.principal();
        let o = sourcing_option::Entity::find_by_id(option)
            .one(tx.conn())
            .await?
            .ok_or_else(|| ApiError::NotFound("no sourcing option with that id".into()))?;
        let e = self
            .visible_evaluations()
            .filter(sourcing_evaluation::Column::Id.eq(o.evaluation_id))
            .one(tx.conn())
            .await?
            .ok_or_else(|| ApiError::NotFound("no sourcing option with that id".into()))?;
        tx.within(Parent::SourcingEvaluation(e.id));
        let c = sourcing_criterion::Entity::find_by_id(criterion)
            .one(tx.conn())
            .await?
            .filter(|c| c.evaluation_id == e.id)
            .ok_or_else(|| ApiError::input("criterionId", "no criterion of this evaluation has that id"))?;
        let coevaluators = sourcing_coevaluator::Entity::find()
            .filter(sourcing_coevaluator::Column::EvaluationId.eq(e.id))
            .all(tx.conn())
            .await?;
        let member = scoring_kommuner(&e, &coevaluators).contains(&me.municipality_id);
        authorize(
            me,
            Action::ActAsMember,
            Standing {
                member,
                ..Default::default()
            },
        )?;
        if state(&e)? != SourcingState::Scoring {
            return Err(ApiError::Conflict(format!(
                "scores are given while SCORING; the evaluation is {}",
                e.state
            )));
        }
        if !(0..=5).contains(&score) {
            return Err(ApiError::input("score", "scores run from 0 to 5"));
        }
        let rationale = text("rationale", rationale, 4000, false)?;
        let existing = sourcing_score::Entity::find()
            .filter(sourcing_score::Column::OptionId.eq(o.id))
            .filter(sourcing_score::Column::CriterionId.eq(c.id))
            .filter(sourcing_score::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        let now = Utc::now();
        let json_of = |s: &sourcing_score::Model| json!({"optionId": s.option_id, "criterionId": s.criterion_id, "municipalityId": s.municipality_id, "score": s.score, "rationale": s.rationale});
        let saved = match existing {
            Some(x) => {
                let before = json_of(&x);
                let mut a = x.into_active_model();
                a.score = Set(score);
                a.rationale = Set(rationale);
                a.updated_at = Set(now);
                let saved = a.update(tx.writer()).await?;
                tx.record("SourcingScore", saved.id, Some(before), Some(json_of(&saved)));
                saved
            }
            None => {
                let saved = sourcing_score::ActiveModel {
                    evaluation_id: Set(e.id),
                    option_id: Set(o.id),
                    criterion_id: Set(c.id),
                    municipality_id: Set(me.municipality_id),
                    score: Set(score),
                    rationale: Set(rationale),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.writer())
                .await?;
                tx.record("SourcingScore", saved.id, None, Some(json_of(&saved)));
                saved
            }
        };
        tx.commit().await?;
        Ok(saved)
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

    /// Chooses an option and records the decision; a blocking risk flag on the chosen option
    /// needs a justification.
    pub async fn decide(&self, id: i64, version: i32, d: SourcingDecision) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("decideSourcingEvaluation").await?;
        let before = self.owned_evaluation(&tx, id, &[SourcingState::Scoring]).await?;
        let parts = self.parts_in(&tx, id).await?;
        if !parts.options.iter().any(|o| o.id == d.option) {
            return Err(ApiError::input(
                "optionId",
                "no option of this evaluation has that id",
            ));
        }
        let res = result(&before, &parts)?;
        let blocking: Vec<&str> = res
            .flags
            .iter()
            .filter(|f| f.option == d.option && f.blocking)
            .map(|f| f.code.as_str())
            .collect();
        let justification = d
            .justification
            .as_deref()
            .map(str::trim)
            .filter(|j| !j.is_empty())
            .map(str::to_owned);
        if !blocking.is_empty() && justification.is_none() {
            return Err(ApiError::input(
                "justification",
                format!(
                    "the chosen option has unresolved risk flags ({}); choosing it needs a justification",
                    blocking.join(", ")
                ),
            ));
        }
        let mut after = before.clone();
        after.state = SourcingState::Decided.as_str().into();
        after.chosen_option_id = Some(d.option);
        after.decided_on = Some(d.date);
        after.deciding_body = Some(text("decision.decidingBody", &d.deciding_body, 200, true)?);
        after.diarienummer = Some(text("decision.diarienummer", &d.diarienummer, 100, true)?);
        after.decision_summary = Some(text("decision.summary", &d.summary, 4000, true)?);
        after.justification = justification
            .map(|j| text("justification", &j, 4000, false))
            .transpose()?;
        let saved = tx.save(&before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Cancels an evaluation that has not been decided.
    pub async fn cancel_evaluation(&self, id: i64, version: i32) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("cancelSourcingEvaluation").await?;
        let before = self
            .owned_evaluation(&tx, id, &[SourcingState::Draft, SourcingState::Scoring])
            .await?;
        let mut after = before.clone();
        after.state = SourcingState::Cancelled.as_str().into();
        let saved = tx.save(&before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }
}
