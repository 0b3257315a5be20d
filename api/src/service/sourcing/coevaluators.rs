//! Co-evaluating kommuner: invitations by the owner, answers by the invited kommun's admins.
use chrono::Utc;
use entity::sourcing_coevaluator;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::Eval;
use crate::service::Sourcing;
use crate::{
    domain::authz::Action,
    domain::{ParticipationState as State, Visibility, sourcing::SourcingState},
    error::{ApiError, ApiResult},
};

use super::not_found;

impl Sourcing<'_, '_> {
    /// Invites a kommun of the county to score together with the owner.
    pub async fn invite_coevaluator(
        &self,
        evaluation: i64,
        code: &str,
    ) -> ApiResult<sourcing_coevaluator::Model> {
        let mut tx = self.write("inviteCoEvaluator").await?;
        let (e, grant) = self
            .owned_evaluation(
                &tx,
                evaluation,
                "evaluationId",
                &[SourcingState::Draft, SourcingState::Scoring],
            )
            .await?
            .into_parts();
        if e.visibility == Visibility::Private {
            return Err(ApiError::input(
                "evaluationId",
                "a PRIVATE evaluation cannot have co-evaluators; widen its visibility first",
            ));
        }
        let mid = self.projects().municipality_id("municipalityCode", code)?;
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
                let mut after = x.clone();
                after.state = State::Invited;
                after.updated_at = now;
                tx.update(&grant, &x, after).await?
            }
            None => {
                let row = sourcing_coevaluator::ActiveModel {
                    evaluation_id: Set(evaluation),
                    municipality_id: Set(mid),
                    state: Set(State::Invited),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                tx.insert(&grant, row).await?
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
        let (e, grant) = self
            .changeable::<Eval>(&tx, evaluation, Action::AnswerForKommun)
            .await?
            .into_parts();
        let mine = sourcing_coevaluator::Entity::find()
            .filter(sourcing_coevaluator::Column::EvaluationId.eq(e.id))
            .filter(sourcing_coevaluator::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        let mine = mine.ok_or_else(|| {
            ApiError::input(
                "evaluationId",
                format!("kommun {} has not been invited", me.kommun),
            )
        })?;
        if mine.state != State::Invited {
            return Err(ApiError::Conflict(format!("the invitation is {}", mine.state)));
        }
        let mut after = mine.clone();
        after.state = if accept { State::Accepted } else { State::Declined };
        after.updated_at = Utc::now();
        let saved = tx.update(&grant, &mine, after).await?;
        tx.commit().await?;
        Ok(saved)
    }
}
