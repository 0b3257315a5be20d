//! An evaluation's life: creation, edits, criteria, DRAFT → SCORING → DECIDED, cancellation.
use crate::domain::RecordKind;
use chrono::Utc;
use entity::{sourcing_coevaluator, sourcing_criterion, sourcing_evaluation, sourcing_option};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;

use crate::service::{Parent, Sourcing, text, visibility::Visible};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        ParticipationState as State, Visibility,
        sourcing::{STANDARD_CRITERIA, SourcingState},
    },
    error::{ApiError, ApiResult},
};

use super::{
    CriterionSpec, Eval, EvaluationPatch, NewEvaluation, SourcingDecision, criteria_json, result,
    validate_criteria,
};

impl Sourcing<'_, '_> {
    /// Creates an evaluation owned by the caller's kommun, with the standard criteria unless
    /// others are given.
    pub async fn create_evaluation(&self, input: NewEvaluation) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("createSourcingEvaluation").await?;
        let grant = tx.authorize(Action::Create, Standing::default())?;
        let me = tx.principal();
        if let Some(p) = input.subject_project {
            let visible = self.projects().projects_by_ids(&[p]).await?;
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
            visibility: Set(input.visibility),
            state: Set(SourcingState::Draft),
            confidentiality: Set(input.info.confidentiality),
            integrity: Set(input.info.integrity),
            availability: Set(input.info.availability),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        // The evaluation first: the event is named after its first change.
        let e = tx.insert(&grant, e).await?;
        tx.within(Parent::SourcingEvaluation(e.id));
        let criteria = self.insert_criteria(&mut tx, &grant, e.id, &specs).await?;
        tx.record(
            RecordKind::SourcingEvaluation,
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
        let (before, grant) = self
            .owned_evaluation(&tx, id, "id", &[SourcingState::Draft, SourcingState::Scoring])
            .await?
            .into_parts();
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
            after.visibility = v;
        }
        if let Some(i) = patch.info {
            after.confidentiality = i.confidentiality;
            after.integrity = i.integrity;
            after.availability = i.availability;
        }
        let saved = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Replaces the criteria while the evaluation is a draft.
    pub async fn set_criteria(
        &self,
        id: i64,
        version: i32,
        specs: &[CriterionSpec],
    ) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("setSourcingCriteria").await?;
        let (before, grant) = self
            .owned_evaluation(&tx, id, "id", &[SourcingState::Draft])
            .await?
            .into_parts();
        let specs = validate_criteria(specs)?;
        let old = sourcing_criterion::Entity::find()
            .filter(sourcing_criterion::Column::EvaluationId.eq(id))
            .all(tx.conn())
            .await?;
        // The evaluation's own change first: the event is about it, not about a criterion.
        let saved = tx.save(&grant, &before, before.clone(), version).await?;
        for c in &old {
            tx.delete(&grant, c).await?;
        }
        let new = self.insert_criteria(&mut tx, &grant, id, &specs).await?;
        tx.record(
            RecordKind::SourcingEvaluation,
            id,
            Some(json!({"criteria": criteria_json(&old)})),
            Some(json!({"criteria": criteria_json(&new)})),
        );
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Opens scoring: needs two options and criteria whose weights sum to exactly 100.
    pub async fn start_scoring(&self, id: i64, version: i32) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("startScoring").await?;
        let (before, grant) = self
            .owned_evaluation(&tx, id, "id", &[SourcingState::Draft])
            .await?
            .into_parts();
        let criteria = sourcing_criterion::Entity::find()
            .filter(sourcing_criterion::Column::EvaluationId.eq(id))
            .all(tx.conn())
            .await?;
        let sum: i32 = criteria.iter().map(|c| c.weight.get()).sum();
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
        after.state = SourcingState::Scoring;
        let saved = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Chooses an option and records the decision; a blocking risk flag on the chosen option
    /// needs a justification.
    pub async fn decide(&self, id: i64, version: i32, d: SourcingDecision) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("decideSourcingEvaluation").await?;
        let (before, grant) = self
            .owned_evaluation(&tx, id, "id", &[SourcingState::Scoring])
            .await?
            .into_parts();
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
        after.state = SourcingState::Decided;
        after.chosen_option_id = Some(d.option);
        after.decided_on = Some(d.date);
        after.deciding_body = Some(text("decision.decidingBody", &d.deciding_body, 200, true)?);
        after.diarienummer = Some(text("decision.diarienummer", &d.diarienummer, 100, true)?);
        after.decision_summary = Some(text("decision.summary", &d.summary, 4000, true)?);
        after.justification = justification
            .map(|j| text("justification", &j, 4000, false))
            .transpose()?;
        let saved = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Cancels an evaluation that has not been decided.
    pub async fn cancel_evaluation(&self, id: i64, version: i32) -> ApiResult<Visible<Eval>> {
        let mut tx = self.write("cancelSourcingEvaluation").await?;
        let (before, grant) = self
            .owned_evaluation(&tx, id, "id", &[SourcingState::Draft, SourcingState::Scoring])
            .await?
            .into_parts();
        let mut after = before.clone();
        after.state = SourcingState::Cancelled;
        let saved = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }
}
