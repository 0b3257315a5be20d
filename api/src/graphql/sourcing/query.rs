//! The list of evaluations the caller may see.
use super::*;
use async_graphql::{Context, InputObject, Object, Result, connection::Connection};

use crate::graphql::{connection, loaders, scope};
use crate::{
    domain::sourcing::SourcingState,
    service::{pagination::PageArgs, sourcing::EvaluationFilter},
};

/// Filters on the evaluation list.
#[derive(InputObject, Default)]
pub struct SourcingEvaluationFilter {
    state: Option<Vec<SourcingState>>,
    /// Owned by this kommun (kommunkod).
    owner: Option<String>,
}

/// Extra fields of the evaluation connection.
pub struct EvaluationConnectionFields {
    filter: EvaluationFilter,
}

#[Object]
impl EvaluationConnectionFields {
    /// How many evaluations match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(scope(ctx).sourcing().count_evaluations(&self.filter).await?)
    }
}

/// Queries on sourcing evaluations.
#[derive(Default)]
pub struct SourcingQuery;

#[Object]
impl SourcingQuery {
    /// The evaluations the caller may see, newest first.
    #[graphql(complexity = "(first.or(last).unwrap_or(20).clamp(0, 100) as usize) * child_complexity + 1")]
    async fn sourcing_evaluations(
        &self,
        ctx: &Context<'_>,
        filter: Option<SourcingEvaluationFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<String, SourcingEvaluation, EvaluationConnectionFields>> {
        let f = filter.unwrap_or_default();
        let filter = EvaluationFilter {
            states: f.state.unwrap_or_default(),
            owner: f.owner,
        };
        let page = scope(ctx)
            .sourcing()
            .list_evaluations(
                &filter,
                &PageArgs {
                    first,
                    after,
                    last,
                    before,
                },
            )
            .await?;
        let seen: Vec<_> = page.items.iter().map(|e| e.seen()).collect();
        let node = ctx.look_ahead().field("edges").field("node");
        let l = loaders(ctx);
        if node.field("result").exists() || node.field("options").exists() || node.field("decision").exists()
        {
            l.prefetch::<entity::sourcing_option::Entity>(&seen).await?;
        }
        if node.field("result").exists() || node.field("criteria").exists() {
            l.prefetch::<entity::sourcing_criterion::Entity>(&seen).await?;
        }
        if node.field("result").exists() || node.field("coEvaluators").exists() {
            l.prefetch::<entity::sourcing_coevaluator::Entity>(&seen).await?;
        }
        if node.field("result").exists() || node.field("scores").exists() {
            l.prefetch::<entity::sourcing_score::Entity>(&seen).await?;
        }
        Ok(connection(
            page,
            EvaluationConnectionFields { filter },
            |_| None,
            |e| e.id,
            SourcingEvaluation,
        ))
    }
}
