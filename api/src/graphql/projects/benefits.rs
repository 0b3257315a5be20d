//! Benefits and follow-ups on projects (a part of the project area: a benefit hangs off its
//! project and is read and changed only through it).
use crate::domain::RecordKind;
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::{benefit, benefit_follow_up, project};

use super::EServiceProject;
use crate::graphql::{
    children, ids, loaders,
    reference::{Municipality, municipality},
    rows_of,
    scalars::Date,
    scope,
};
use crate::{
    domain::benefits::{BenefitCategory, BenefitKind, Measure, percent},
    error::ApiError,
    service::benefits::{NewBenefit, benefit_realization, latest},
    service::visibility::Seen,
};

fn measure(field: &str, d: Decimal) -> Result<Measure, ApiError> {
    Measure::parse(d.0).map_err(|m| ApiError::input(field, format!("{field} {m}")))
}

/// A benefit (nytta) in the project's nyttokalkyl.
#[derive(Clone)]
pub struct Benefit(pub benefit::Model, pub Seen<project::Entity>);

impl Benefit {
    async fn follow_up_rows(&self, ctx: &Context<'_>) -> Result<Vec<benefit_follow_up::Model>> {
        rows_of::<entity::benefit_follow_up::Entity>(loaders(ctx), self.1).await
    }
}

#[Object]
impl Benefit {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::Benefit, self.0.id)
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn category(&self) -> BenefitCategory {
        self.0.category
    }
    async fn kind(&self) -> BenefitKind {
        self.0.kind
    }
    /// The benefit owner (nyttoägare).
    async fn owner(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.owner_id)
    }
    /// Mätetal.
    async fn metric(&self) -> &str {
        &self.0.metric
    }
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    /// Nuläge.
    async fn baseline(&self) -> Decimal {
        Measure::from_e4(self.0.baseline_e4).to_decimal().into()
    }
    /// Målvärde.
    async fn target(&self) -> Decimal {
        Measure::from_e4(self.0.target_e4).to_decimal().into()
    }
    async fn target_date(&self) -> Option<Date> {
        self.0.target_date.map(Date)
    }
    /// Follow-ups (effektbokslut) by every kommun, by measurement date, then in the order
    /// they were entered.
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<BenefitFollowUp>> {
        let mut rows: Vec<_> = self
            .follow_up_rows(ctx)
            .await?
            .into_iter()
            .filter(|f| f.benefit_id == self.0.id)
            .collect();
        rows.sort_by_key(|f| crate::domain::benefits::follow_up_order(f.measured_on, f.id));
        Ok(rows.into_iter().map(BenefitFollowUp).collect())
    }
    /// The owner's latest measured value: the follow-up with the latest measurement date
    /// (of two on one date, the one entered last).
    async fn latest_value(&self, ctx: &Context<'_>) -> Result<Option<Decimal>> {
        Ok(latest(&self.0, &self.follow_up_rows(ctx).await?, None)
            .map(|f| Measure::from_e4(f.value_e4).to_decimal().into()))
    }
    /// (latest − baseline) / (target − baseline) in percent, for quantitative benefits.
    async fn realization_percent(&self, ctx: &Context<'_>) -> Result<Option<Decimal>> {
        Ok(benefit_realization(&self.0, &self.follow_up_rows(ctx).await?, None).map(|r| percent(r).into()))
    }
}

/// A measured value (effektbokslut).
#[derive(Clone)]
pub struct BenefitFollowUp(pub benefit_follow_up::Model);

#[Object]
impl BenefitFollowUp {
    async fn id(&self) -> ID {
        ids::encode(RecordKind::BenefitFollowUp, self.0.id)
    }
    async fn date(&self) -> Date {
        Date(self.0.measured_on)
    }
    async fn value(&self) -> Decimal {
        Measure::from_e4(self.0.value_e4).to_decimal().into()
    }
    async fn comment(&self) -> &str {
        &self.0.comment
    }
    /// The kommun that recorded it.
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
}

/// The project's benefits, read through the project.
pub(crate) async fn project_benefits(
    ctx: &Context<'_>,
    project: Seen<project::Entity>,
) -> Result<Vec<Benefit>> {
    children::<entity::benefit::Entity, _>(loaders(ctx), project, |b| Benefit(b, project)).await
}

/// The mean realisation of a project's quantitative benefits, in percent.
pub(crate) async fn project_realization(
    ctx: &Context<'_>,
    project: Seen<project::Entity>,
) -> Result<Option<Decimal>> {
    let l = loaders(ctx);
    let benefits = rows_of::<entity::benefit::Entity>(l, project).await?;
    let follow_ups = rows_of::<entity::benefit_follow_up::Entity>(l, project).await?;
    let values: Vec<_> = benefits
        .iter()
        .filter_map(|b| benefit_realization(b, &follow_ups, None))
        .collect();
    Ok(crate::domain::benefits::mean(&values).map(|r| percent(r).into()))
}

/// A new benefit.
#[derive(InputObject)]
pub struct AddBenefitInput {
    project_id: ID,
    description: String,
    category: BenefitCategory,
    kind: BenefitKind,
    /// Kommunkod of the benefit owner, a kommun taking part.
    owner_code: String,
    #[graphql(default)]
    metric: String,
    #[graphql(default)]
    unit: String,
    #[graphql(default)]
    baseline: Decimal,
    #[graphql(default)]
    target: Decimal,
    target_date: Option<Date>,
}

/// The new benefit and its project.
#[derive(SimpleObject)]
pub struct AddBenefitPayload {
    benefit: Benefit,
    project: Option<EServiceProject>,
}

/// A measured value.
#[derive(InputObject)]
pub struct RecordBenefitFollowUpInput {
    benefit_id: ID,
    date: Date,
    value: Decimal,
    #[graphql(default)]
    comment: String,
}

/// The follow-up and the benefit.
#[derive(SimpleObject)]
pub struct RecordBenefitFollowUpPayload {
    follow_up: BenefitFollowUp,
    project: Option<EServiceProject>,
}

/// Mutations on benefits.
#[derive(Default)]
pub struct BenefitMutation;

#[Object]
impl BenefitMutation {
    /// Adds a benefit to a project's nyttokalkyl (lead kommun's editors).
    async fn add_benefit(&self, ctx: &Context<'_>, input: AddBenefitInput) -> Result<AddBenefitPayload> {
        let id = ids::decode("projectId", RecordKind::EServiceProject, &input.project_id)?;
        let s = scope(ctx);
        let b = s
            .projects()
            .add_benefit(
                id,
                NewBenefit {
                    description: input.description,
                    category: input.category,
                    kind: input.kind,
                    owner: input.owner_code,
                    metric: input.metric,
                    unit: input.unit,
                    baseline: measure("baseline", input.baseline)?,
                    target: measure("target", input.target)?,
                    target_date: input.target_date.map(|d| d.0),
                },
            )
            .await?;
        let project = s
            .projects()
            .project_of_child(b.project_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("no project with that id".into()))?;
        Ok(AddBenefitPayload {
            benefit: Benefit(b, project.seen()),
            project: Some(EServiceProject(project)),
        })
    }

    /// Records a follow-up (the benefit owner kommun's editors).
    async fn record_benefit_follow_up(
        &self,
        ctx: &Context<'_>,
        input: RecordBenefitFollowUpInput,
    ) -> Result<RecordBenefitFollowUpPayload> {
        let id = ids::decode("benefitId", RecordKind::Benefit, &input.benefit_id)?;
        let s = scope(ctx);
        let f = s
            .projects()
            .record_follow_up(id, input.date.0, measure("value", input.value)?, &input.comment)
            .await?;
        let project = s
            .projects()
            .project_of_child(f.project_id)
            .await?
            .map(EServiceProject);
        Ok(RecordBenefitFollowUpPayload {
            follow_up: BenefitFollowUp(f),
            project,
        })
    }
}
