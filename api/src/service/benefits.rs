//! Benefits (nyttokalkyl) and their follow-ups (effektbokslut).
use crate::domain::RecordKind;
use chrono::{NaiveDate, Utc};
use entity::{benefit, benefit_follow_up, participation};
use num_rational::Ratio;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::{Parent, Scope, WriteTx, audit::Guarded, text};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        ParticipationState,
        benefits::{BenefitCategory, BenefitKind, Measure, follow_up_order, realization},
    },
    error::{ApiError, ApiResult},
};

super::audit::audited!(benefit, RecordKind::Benefit, "the benefit", |b| json!({
    "projectId": b.project_id, "description": b.description, "category": b.category,
    "kind": b.kind, "ownerId": b.owner_id, "metric": b.metric, "unit": b.unit,
    "baselineE4": b.baseline_e4, "targetE4": b.target_e4, "targetDate": b.target_date,
}));

super::audit::audited!(
    benefit_follow_up,
    RecordKind::BenefitFollowUp,
    "the follow-up",
    |f| json!({
        "benefitId": f.benefit_id, "measuredOn": f.measured_on, "valueE4": f.value_e4,
        "comment": f.comment, "municipalityId": f.municipality_id,
    })
);

/// A benefit is followed up by the kommun that owns it, within its project.
impl Guarded for benefit::Model {
    const MISSING: &'static str = "no benefit with that id";

    async fn load(scope: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        let Some(b) = benefit::Entity::find_by_id(id).one(tx.conn()).await? else {
            return Ok(None);
        };
        let visible = scope.projects().project_visible_in(tx, b.project_id).await?;
        Ok(visible.then_some(b))
    }

    fn parent(&self) -> Parent {
        Parent::Project(self.project_id)
    }

    async fn standing(&self, _: &Scope<'_>, tx: &WriteTx<'_>, _: Action) -> ApiResult<Standing> {
        Ok(Standing {
            member: self.owner_id == tx.principal().municipality_id,
            ..Default::default()
        })
    }
}

/// A new benefit as the lead kommun describes it.
#[derive(Clone, Debug)]
pub struct NewBenefit {
    pub description: String,
    pub category: BenefitCategory,
    pub kind: BenefitKind,
    /// Kommunkod of the benefit owner (nyttoägare).
    pub owner: String,
    pub metric: String,
    pub unit: String,
    pub baseline: Measure,
    pub target: Measure,
    pub target_date: Option<NaiveDate>,
}

/// The latest follow-up of a benefit by its owner kommun, as of `until` if given.
pub fn latest<'a>(
    b: &benefit::Model,
    follow_ups: &'a [benefit_follow_up::Model],
    until: Option<NaiveDate>,
) -> Option<&'a benefit_follow_up::Model> {
    follow_ups
        .iter()
        .filter(|f| f.benefit_id == b.id && f.municipality_id == b.owner_id)
        .filter(|f| until.is_none_or(|u| f.measured_on <= u))
        .max_by_key(|f| follow_up_order(f.measured_on, f.id))
}

/// A quantitative benefit's realisation from its owner's latest follow-up.
pub fn benefit_realization(
    b: &benefit::Model,
    follow_ups: &[benefit_follow_up::Model],
    until: Option<NaiveDate>,
) -> Option<Ratio<i128>> {
    measured(
        b.kind,
        b.baseline_e4,
        b.target_e4,
        latest(b, follow_ups, until).map(|l| l.value_e4),
    )
}

/// A benefit's realisation from its kind, baseline, target and its owner's latest value, if
/// it has one: only a quantitative benefit is measured.
pub fn measured(
    kind: BenefitKind,
    baseline_e4: i64,
    target_e4: i64,
    latest_e4: Option<i64>,
) -> Option<Ratio<i128>> {
    if kind != BenefitKind::Quantitative {
        return None;
    }
    realization(
        Measure::from_e4(baseline_e4),
        Measure::from_e4(target_e4),
        Measure::from_e4(latest_e4?),
    )
}

async fn accepted_member(tx: &WriteTx<'_>, project: i64, kommun: i32) -> ApiResult<bool> {
    Ok(participation::Entity::find()
        .filter(participation::Column::ProjectId.eq(project))
        .filter(participation::Column::MunicipalityId.eq(kommun))
        .filter(participation::Column::State.eq(ParticipationState::Accepted))
        .one(tx.conn())
        .await?
        .is_some())
}

impl super::Projects<'_, '_> {
    /// Adds a benefit to a project (lead kommun's editors); its owner must take part.
    pub async fn add_benefit(&self, project_id: i64, input: NewBenefit) -> ApiResult<benefit::Model> {
        let mut tx = self.write("addBenefit").await?;
        let (p, grant) = self
            .lead_project_for(&tx, project_id, "projectId")
            .await?
            .into_parts();
        let owner = self.municipality_id("ownerCode", &input.owner)?;
        if !accepted_member(&tx, p.id, owner).await? {
            return Err(ApiError::input(
                "ownerCode",
                format!("kommun {} does not take part in this project", input.owner),
            ));
        }
        let qualitative = input.kind == BenefitKind::Qualitative;
        let now = Utc::now();
        let row = benefit::ActiveModel {
            project_id: Set(p.id),
            description: Set(text("description", &input.description, 4000, true)?),
            category: Set(input.category),
            kind: Set(input.kind),
            owner_id: Set(owner),
            metric: Set(text("metric", &input.metric, 200, !qualitative)?),
            unit: Set(text("unit", &input.unit, 50, !qualitative)?),
            baseline_e4: Set(input.baseline.e4()),
            target_e4: Set(input.target.e4()),
            target_date: Set(input.target_date),
            // As `WriteTx::commit` rewrites them: the one place that keeps them.
            county_id: Set(p.county_id),
            project_owner_id: Set(p.owner_id),
            project_visibility: Set(p.visibility),
            latest_e4: Set(None),
            latest_on: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let saved = tx.insert(&grant, row).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Records a measured value; only the benefit owner kommun's editors do.
    pub async fn record_follow_up(
        &self,
        benefit_id: i64,
        date: NaiveDate,
        value: Measure,
        comment: &str,
    ) -> ApiResult<benefit_follow_up::Model> {
        let mut tx = self.write("recordBenefitFollowUp").await?;
        let me = tx.principal();
        let (b, grant) = self
            .changeable::<benefit::Model>(&tx, benefit_id, Action::ActAsMember)
            .await?
            .into_parts();
        let now = Utc::now();
        let row = benefit_follow_up::ActiveModel {
            benefit_id: Set(b.id),
            project_id: Set(b.project_id),
            measured_on: Set(date),
            value_e4: Set(value.e4()),
            comment: Set(text("comment", comment, 4000, false)?),
            municipality_id: Set(me.municipality_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let saved = tx.insert(&grant, row).await?;
        tx.commit().await?;
        Ok(saved)
    }
}
