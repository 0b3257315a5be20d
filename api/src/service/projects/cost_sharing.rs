//! The cost-sharing key (kostnadsfördelning) and CUSTOM percentages, set while planning.
use crate::domain::RecordKind;
use chrono::Utc;
use entity::{participation, project};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use super::{CostSharingInput, participation_json};
use crate::service::{Scope, visibility::Visible};
use crate::{
    domain::{CostKey, ParticipationRole as Role, ParticipationState as State, Phase},
    error::{ApiError, ApiResult},
};

impl Scope<'_> {
    /// Sets the cost-sharing key (and CUSTOM percentages) while the project is being planned.
    pub async fn set_cost_sharing(
        &self,
        project_id: i64,
        version: i32,
        input: CostSharingInput,
    ) -> ApiResult<Visible<project::Model>> {
        let mut tx = self.write("setCostSharing").await?;
        let before = self.lead_project(&tx, project_id, "projectId").await?;
        if before.phase > Phase::Planning {
            return Err(ApiError::input(
                "projectId",
                "the cost-sharing key is fixed once the project has left PLANNING",
            ));
        }
        let mut after = before.clone();
        after.cost_key = input.key;
        after.mixed_equal_bp = match (input.key, input.mixed_equal_bp) {
            (CostKey::Mixed, Some(bp)) if (0..=10_000).contains(&bp) => bp,
            (CostKey::Mixed, _) => {
                return Err(ApiError::input(
                    "mixedEqualPercent",
                    "MIXED needs the equally split percentage, 0 to 100",
                ));
            }
            (_, Some(_)) => {
                return Err(ApiError::input(
                    "mixedEqualPercent",
                    "only the MIXED key takes mixedEqualPercent",
                ));
            }
            (_, None) => 0,
        };
        if input.key != CostKey::Custom && !input.custom.is_empty() {
            return Err(ApiError::input(
                "customPercents",
                "only the CUSTOM key takes percentages",
            ));
        }
        let parts = participation::Entity::find()
            .filter(participation::Column::ProjectId.eq(project_id))
            .all(tx.conn())
            .await?;
        let mut wanted: Vec<(i64, Option<i32>)> = Vec::new();
        let mut total = 0i64;
        for (i, (code, bp)) in input.custom.iter().enumerate() {
            let field = format!("customPercents[{i}]");
            let mid = self.municipality_id(&format!("{field}.municipalityCode"), code)?;
            if !(0..=10_000).contains(bp) {
                return Err(ApiError::input(
                    format!("{field}.percent"),
                    "must be between 0 and 100",
                ));
            }
            let part = parts
                .iter()
                .find(|p| {
                    p.municipality_id == mid
                        && p.role != Role::Observer
                        && (p.state == State::Accepted || p.state == State::Invited)
                })
                .ok_or_else(|| {
                    ApiError::input(
                        format!("{field}.municipalityCode"),
                        format!("kommun {code} is not a paying member of this project"),
                    )
                })?;
            if wanted.iter().any(|(id, _)| *id == part.id) {
                return Err(ApiError::input(
                    format!("{field}.municipalityCode"),
                    format!("kommun {code} is listed twice"),
                ));
            }
            total += *bp as i64;
            wanted.push((part.id, Some(*bp)));
        }
        if total > 10_000 {
            return Err(ApiError::input(
                "customPercents",
                format!(
                    "the percentages sum to {} %, more than 100 %",
                    rust_decimal::Decimal::new(total, 2)
                ),
            ));
        }
        for p in &parts {
            let new_bp = wanted.iter().find(|(id, _)| *id == p.id).and_then(|(_, bp)| *bp);
            if p.custom_bp != new_bp {
                let before_json = participation_json(p);
                let mut a = p.clone().into_active_model();
                a.custom_bp = Set(new_bp);
                a.updated_at = Set(Utc::now());
                let saved = a.update(tx.writer()).await?;
                tx.record(
                    RecordKind::Participation,
                    saved.id,
                    Some(before_json),
                    Some(participation_json(&saved)),
                );
            }
        }
        let saved = tx.save(&before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }
}
