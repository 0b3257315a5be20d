//! Scores: option × criterion × scoring kommun, 0–5 with a rationale.
use crate::domain::RecordKind;
use chrono::Utc;
use entity::{
    sourcing_coevaluator, sourcing_criterion, sourcing_evaluation, sourcing_option, sourcing_score,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;

use crate::service::{Parent, Scope, authorize, text};
use crate::{
    domain::authz::{Action, Standing},
    domain::sourcing::SourcingState,
    error::{ApiError, ApiResult},
};

use super::scoring_kommuner;

impl Scope<'_> {
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
        if e.state != SourcingState::Scoring {
            return Err(ApiError::input(
                "optionId",
                format!(
                    "scores are given while the evaluation is SCORING; it is {}",
                    e.state.with_next()
                ),
            ));
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
                tx.record(
                    RecordKind::SourcingScore,
                    saved.id,
                    Some(before),
                    Some(json_of(&saved)),
                );
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
                tx.record(RecordKind::SourcingScore, saved.id, None, Some(json_of(&saved)));
                saved
            }
        };
        tx.commit().await?;
        Ok(saved)
    }
}
