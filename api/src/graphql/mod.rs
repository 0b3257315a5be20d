//! The GraphQL schema: thin resolvers that read input, call the service layer with the
//! caller's scope and convert the result. One module per domain area.

mod audit;
mod benefits;
mod catalogue;
pub mod cost;
mod ids;
mod in_order;
mod initiatives;
mod inventory;
mod node;
mod order;
mod procurement;
mod projects;
mod reference;
mod report;
mod scalars;
mod sourcing;
mod subscriptions;
mod support;

// The helpers every area uses, from `support`.
pub(crate) use order::restore as restore_field_order;
pub(crate) use support::{children, connection, loaders, money, rows_of, scope, stored_json};

use async_graphql::{MergedObject, Schema};

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
);

/// Every mutation field, merged from the areas.
#[derive(MergedObject, Default)]
pub struct Mutation(
    projects::ProjectMutation,
    benefits::BenefitMutation,
    sourcing::SourcingMutation,
    inventory::InventoryMutation,
    initiatives::InitiativeMutation,
    procurement::ProcurementMutation,
);

/// What one request brings to its resolvers.
pub struct RequestContext {
    /// Who is asking.
    pub caller: Caller,
    /// The id in the request's log lines and error extensions.
    pub request_id: String,
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

#[cfg(test)]
mod tests {
    use crate::domain::RecordKind;

    /// A record kind is the GraphQL type of its records, so that an audit event's
    /// `recordType` and a global id's kind name the type a client meets. Requirements and
    /// supporters are shown inside their initiative, not as types of their own.
    #[test]
    fn every_record_kind_is_a_type_of_the_schema() {
        let sdl = super::sdl();
        let inside = [RecordKind::InitiativeRequirement, RecordKind::InitiativeSupporter];
        for kind in RecordKind::ALL {
            let declared = sdl.contains(&format!("\ntype {} ", kind.as_str()));
            assert_eq!(declared, !inside.contains(kind), "{kind}");
        }
    }
}
