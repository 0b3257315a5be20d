//! Scores: option × criterion × scoring kommun, 0–5 with a rationale.
use chrono::Utc;
use entity::{sourcing_criterion, sourcing_option, sourcing_score};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::Eval;
use crate::service::{Sourcing, text};
use crate::{
    domain::authz::Action,
    domain::sourcing::{Score, SourcingState},
    error::{ApiError, ApiResult},
};

impl Sourcing<'_, '_> {
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
        let (e, grant) = self
            .changeable::<Eval>(&tx, o.evaluation_id, Action::ActAsMember)
            .await
            .map_err(|e| match e {
                ApiError::NotFound(_) => ApiError::NotFound("no sourcing option with that id".into()),
                e => e,
            })?
            .into_parts();
        let c = sourcing_criterion::Entity::find_by_id(criterion)
            .one(tx.conn())
            .await?
            .filter(|c| c.evaluation_id == e.id)
            .ok_or_else(|| ApiError::input("criterionId", "no criterion of this evaluation has that id"))?;
        if e.state != SourcingState::Scoring {
            return Err(ApiError::input(
                "optionId",
                format!(
                    "scores are given while the evaluation is SCORING; it is {}",
                    e.state.with_next()
                ),
            ));
        }
        let score = Score::new(score.into()).map_err(|m| ApiError::input("score", m))?;
        let rationale = text("rationale", rationale, 4000, false)?;
        let existing = sourcing_score::Entity::find()
            .filter(sourcing_score::Column::OptionId.eq(o.id))
            .filter(sourcing_score::Column::CriterionId.eq(c.id))
            .filter(sourcing_score::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        let now = Utc::now();
        let saved = match existing {
            Some(x) => {
                let mut after = x.clone();
                after.score = score;
                after.rationale = rationale;
                after.updated_at = now;
                tx.update(&grant, &x, after).await?
            }
            None => {
                let row = sourcing_score::ActiveModel {
                    evaluation_id: Set(e.id),
                    option_id: Set(o.id),
                    criterion_id: Set(c.id),
                    municipality_id: Set(me.municipality_id),
                    score: Set(score),
                    rationale: Set(rationale),
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
}
