//! The schema assembled from the areas, and how it is built for serving and for the SDL.
use async_graphql::{MergedObject, Schema};

use super::{
    audit, budget, catalogue, initiatives, inventory, node, procurement, projects, readiness, reference,
    report, sourcing, subscriptions,
};
use crate::{auth::Caller, service::Services, settings::Limits};

/// The schema type served over HTTP and written to `schema.graphql`.
pub type SamverkanSchema = Schema<Query, Mutation, subscriptions::Subscription>;

/// Every query field, merged from the areas.
#[derive(MergedObject, Default)]
pub struct Query(
    reference::ReferenceQuery,
    node::NodeQuery,
    projects::ProjectQuery,
    projects::CostSharePreviewQuery,
    catalogue::CatalogueQuery,
    sourcing::SourcingQuery,
    audit::AuditQuery,
    report::ReportQuery,
    inventory::InventoryQuery,
    initiatives::InitiativeQuery,
    procurement::ProcurementQuery,
    readiness::ReadinessQuery,
    budget::BudgetQuery,
);

/// Every mutation field, merged from the areas.
#[derive(MergedObject, Default)]
pub struct Mutation(
    projects::ProjectMutation,
    projects::BenefitMutation,
    sourcing::SourcingMutation,
    inventory::InventoryMutation,
    initiatives::InitiativeMutation,
    procurement::ProcurementMutation,
    readiness::ReadinessMutation,
    audit::AuditMutation,
);

/// What one request brings to its resolvers.
pub struct RequestContext {
    /// Who is asking.
    pub caller: Caller,
    /// The id in the request's log lines and error extensions.
    pub request_id: String,
    /// Set when an answer holds a bound for a `totalCount` not yet counted: such an answer
    /// is not kept by the response cache, so the next reader gets the count.
    pub inexact_count: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Builds the schema with its limits; `services` is `None` only for exporting the SDL.
///
/// No schema extensions: an extension sends every field through a per-field chain (the
/// limits run in `http` and `cost` instead), and `in_order::InOrder` objects bypass them.
pub fn build_schema(services: Option<Services>, limits: &Limits, introspection: bool) -> SamverkanSchema {
    let mut b = Schema::build(Query::default(), Mutation::default(), subscriptions::Subscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(limits.max_depth.max(16) * 2)
        .limit_directives(10)
        .disable_suggestions();
    if !introspection {
        b = b.disable_introspection();
    }
    if let Some(s) = services {
        b = b.data(s);
    }
    b.finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, &Limits::default(), true).sdl()
}
