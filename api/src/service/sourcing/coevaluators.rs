//! Co-evaluating kommuner: invitations by the owner, answers by the invited kommun's admins.
use crate::domain::RecordKind;
use chrono::Utc;
use entity::{sourcing_coevaluator, sourcing_evaluation};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;

use crate::service::{Parent, Scope, authorize};
use crate::{
    domain::authz::{Action, Standing},
    domain::{ParticipationState as State, Visibility, sourcing::SourcingState},
    error::{ApiError, ApiResult},
};

use super::not_found;

impl Scope<'_> {
    /// Invites a kommun of the county to score together with the owner.
    pub async fn invite_coevaluator(
        &self,
        evaluation: i64,
        code: &str,
    ) -> ApiResult<sourcing_coevaluator::Model> {
        let mut tx = self.write("inviteCoEvaluator").await?;
        let e = self
            .owned_evaluation(
                &tx,
                evaluation,
                "evaluationId",
                &[SourcingState::Draft, SourcingState::Scoring],
            )
            .await?;
        if e.visibility == Visibility::Private {
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
            Some(x) if x.state == State::Invited || x.state == State::Accepted => {
                return Err(ApiError::Conflict(format!(
                    "kommun {code} is already {} as co-evaluator",
                    x.state
                )));
            }
            Some(x) => {
                let before = json!({"state": x.state});
                let mut a = x.into_active_model();
                a.state = Set(State::Invited);
                a.updated_at = Set(now);
                let saved = a.update(tx.writer()).await?;
                tx.record(
                    RecordKind::CoEvaluator,
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
                    state: Set(State::Invited),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.writer())
                .await?;
                tx.record(
                    RecordKind::CoEvaluator,
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
        if mine.state != State::Invited {
            return Err(ApiError::Conflict(format!("the invitation is {}", mine.state)));
        }
        let before = json!({"state": mine.state});
        let mut a = mine.into_active_model();
        a.state = Set(if accept { State::Accepted } else { State::Declined });
        a.updated_at = Set(Utc::now());
        let saved = a.update(tx.writer()).await?;
        tx.record(
            RecordKind::CoEvaluator,
            saved.id,
            Some(before),
            Some(json!({"state": saved.state})),
        );
        tx.commit().await?;
        Ok(saved)
    }
}
