//! The options an evaluation weighs (in-house, shared, outsourced, cloud).
use chrono::Utc;
use entity::sourcing_option;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};

use crate::service::{Grant, Sourcing, WriteTx, text};
use crate::{
    domain::sourcing::{DataLocation, SourcingState},
    error::{ApiError, ApiResult},
};

use super::OptionSpec;

impl Sourcing<'_, '_> {
    fn apply_option(o: &mut sourcing_option::Model, spec: &OptionSpec) -> ApiResult<()> {
        if let Some(k) = spec.kind {
            o.kind = k;
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
            o.data_location = l;
        }
        if let Some(x) = &spec.exit_plan {
            o.exit_plan = text("exitPlan", x, 4000, false)?;
        }
        Ok(())
    }

    /// Adds an option while the evaluation is a draft.
    pub async fn add_option(&self, evaluation: i64, spec: OptionSpec) -> ApiResult<sourcing_option::Model> {
        let mut tx = self.write("addSourcingOption").await?;
        let (_, grant) = self
            .owned_evaluation(&tx, evaluation, "evaluationId", &[SourcingState::Draft])
            .await?
            .into_parts();
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
            kind,
            description: String::new(),
            one_off_ore: 0,
            annual_ore: 0,
            contract_years: 1,
            data_location: DataLocation::Sweden,
            exit_plan: String::new(),
            created_at: now,
            updated_at: now,
        };
        Self::apply_option(&mut m, &spec)?;
        let mut row = m.into_active_model().reset_all();
        row.id = sea_orm::NotSet;
        let saved = tx.insert(&grant, row).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn option_for_change(
        &self,
        tx: &WriteTx<'_>,
        id: i64,
        states: &[SourcingState],
    ) -> ApiResult<(sourcing_option::Model, Grant)> {
        let o = sourcing_option::Entity::find_by_id(id)
            .one(tx.conn())
            .await?
            .ok_or_else(|| ApiError::NotFound("no sourcing option with that id".into()))?;
        match self.owned_evaluation(tx, o.evaluation_id, "id", states).await {
            Err(ApiError::NotFound(_)) => Err(ApiError::NotFound("no sourcing option with that id".into())),
            Err(e) => Err(e),
            Ok(e) => Ok((o, e.into_parts().1)),
        }
    }

    /// Changes an option; while scoring only costs, data location and exit plan may change.
    pub async fn update_option(&self, id: i64, spec: OptionSpec) -> ApiResult<sourcing_option::Model> {
        let mut tx = self.write("updateSourcingOption").await?;
        let (before, grant) = self
            .option_for_change(&tx, id, &[SourcingState::Draft, SourcingState::Scoring])
            .await?;
        let mut after = before.clone();
        Self::apply_option(&mut after, &spec)?;
        after.updated_at = Utc::now();
        let saved = tx.update(&grant, &before, after).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Removes an option while the evaluation is a draft.
    pub async fn remove_option(&self, id: i64) -> ApiResult<i64> {
        let mut tx = self.write("removeSourcingOption").await?;
        let (before, grant) = self.option_for_change(&tx, id, &[SourcingState::Draft]).await?;
        tx.delete(&grant, &before).await?;
        tx.commit().await?;
        Ok(before.evaluation_id)
    }
}
