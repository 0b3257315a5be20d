//! The caller's cost budget, as the request found it (`http::budget` charges it).
use async_graphql::{Context, Object, SimpleObject};

use crate::error::ApiError;

/// The cost budget of the caller's kommun (or, without a token, of the client's address) in
/// the current minute. Every request is charged what its document costs (fields resolved,
/// lists counted by their page size: the walk that admits it) and says so in
/// `extensions.cost`; a request over the budget is refused with `RATE_LIMITED` and
/// `Retry-After`. On PostgreSQL every replica draws on the same budget.
#[derive(Clone, Copy, Debug, SimpleObject)]
pub struct RateLimit {
    /// The budget per minute.
    pub limit: i64,
    /// What this request was charged: nothing for a request that asks only for `rateLimit`.
    pub requested: i64,
    /// What is left of this minute's budget after this request (on PostgreSQL with several
    /// replicas, at most a lease per replica lower than the exact figure).
    pub remaining: i64,
    /// When the budget is whole again: the start of the next minute.
    pub reset_at: chrono::DateTime<chrono::Utc>,
}

/// The budget's query field.
#[derive(Default)]
pub struct BudgetQuery;

#[Object]
impl BudgetQuery {
    /// The caller's cost budget; asking for it alone spends none of it.
    async fn rate_limit(&self, ctx: &Context<'_>) -> async_graphql::Result<RateLimit> {
        ctx.data_opt::<RateLimit>()
            .copied()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the request carries no budget")).into())
    }
}
