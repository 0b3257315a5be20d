//! "What would each of us pay if Kumla joined?": cost shares recomputed without writing.
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::CustomPercentInput;
use crate::{
    domain::{CostKey, RecordKind},
    graphql::{
        ids, money,
        reference::{Municipality, municipality},
        scalars::percent_to_bp,
        scope,
    },
    service::projects::{Preview, PreviewInput},
};

/// What to try: an existing project changed, or a project not yet created.
#[derive(InputObject)]
pub struct CostSharePreviewInput {
    /// The project to start from; leave out for a project not yet created (then `key` and
    /// `budget` are needed and the caller's kommun leads).
    project_id: Option<ID>,
    /// Kommuner (kommunkod) that would join as paying participants.
    #[graphql(default)]
    add: Vec<String>,
    /// Kommuner (kommunkod) that would leave.
    #[graphql(default)]
    remove: Vec<String>,
    /// Another key; the project's by default.
    key: Option<CostKey>,
    /// For MIXED: the percentage split equally; the project's by default.
    mixed_equal_percent: Option<Decimal>,
    /// Another budget in SEK; the project's by default.
    budget: Option<Decimal>,
    /// For CUSTOM: percentages of paying kommuner, over the project's.
    #[graphql(default)]
    custom_percents: Vec<CustomPercentInput>,
    /// Another reference year of the population figures (one the county has); the project's
    /// by default: pinned when its key was agreed, else the county's current year.
    population_year: Option<i32>,
}

/// One kommun's share in a preview, beside what it pays today.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PreviewedShare {
    #[graphql(skip)]
    municipality_id: i32,
    /// Share of the budget in percent (the exact fraction, half-up to four decimals).
    percent: Decimal,
    /// What it would pay, in SEK (whole öre by largest remainder, as the real shares).
    amount: Decimal,
    /// What it pays today (0 when it does not pay today).
    current_amount: Decimal,
    /// `amount − currentAmount`.
    change: Decimal,
}

#[async_graphql::ComplexObject]
impl PreviewedShare {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.municipality_id)
    }
}

/// The shares as they would be. Nothing is written.
#[derive(SimpleObject)]
pub struct CostSharePreview {
    key: CostKey,
    /// The budget shared, in SEK.
    budget: Decimal,
    /// The reference year of the population figures used; null when the key weighs none.
    population_year: Option<i32>,
    /// Every kommun paying today or in the preview, by kommunkod; one that would leave shows 0.
    shares: Vec<PreviewedShare>,
}

impl From<Preview> for CostSharePreview {
    fn from(p: Preview) -> Self {
        Self {
            key: p.key,
            budget: p.budget.to_decimal().into(),
            population_year: p.population_year,
            shares: p
                .shares
                .into_iter()
                .map(|s| PreviewedShare {
                    municipality_id: s.municipality_id,
                    percent: s.share.percent().into(),
                    amount: s.share.amount.to_decimal().into(),
                    current_amount: s.today.to_decimal().into(),
                    change: crate::domain::Sek::from_ore(s.share.amount.ore() - s.today.ore())
                        .to_decimal()
                        .into(),
                })
                .collect(),
        }
    }
}

/// The preview query.
#[derive(Default)]
pub struct CostSharePreviewQuery;

#[Object]
impl CostSharePreviewQuery {
    /// Each kommun's share if kommuner joined or left, or the key or budget changed; also for
    /// a project not yet created. Same arithmetic as the real shares; only for projects the
    /// caller may see.
    async fn cost_share_preview(
        &self,
        ctx: &Context<'_>,
        input: CostSharePreviewInput,
    ) -> Result<CostSharePreview> {
        let custom_bp = input
            .custom_percents
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Ok((
                    c.municipality_code.clone(),
                    percent_to_bp(&format!("customPercents[{i}].percent"), c.percent)?,
                ))
            })
            .collect::<Result<Vec<_>, crate::error::ApiError>>()?;
        let preview = scope(ctx)
            .projects()
            .cost_share_preview(PreviewInput {
                project: input
                    .project_id
                    .as_ref()
                    .map(|id| ids::decode("projectId", RecordKind::EServiceProject, id))
                    .transpose()?,
                add: input.add,
                remove: input.remove,
                key: input.key,
                mixed_equal_bp: input
                    .mixed_equal_percent
                    .map(|d| percent_to_bp("mixedEqualPercent", d))
                    .transpose()?,
                budget: input.budget.map(|b| money("budget", b)).transpose()?,
                custom_bp,
                population_year: input.population_year,
            })
            .await?;
        Ok(preview.into())
    }
}
