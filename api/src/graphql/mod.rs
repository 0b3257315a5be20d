//! The GraphQL schema: thin resolvers that read input, call the service layer with the
//! caller's scope and convert the result. One module per domain area.

mod audit;
pub mod budget;
mod catalogue;
pub mod cost;
pub(crate) mod ids;
mod in_order;
mod initiatives;
mod inventory;
mod node;
mod order;
mod procurement;
mod projects;
mod readiness;
mod reference;
mod report;
mod scalars;
mod sourcing;
mod subscriptions;
mod support;

// The helpers every area uses, from `support`.
pub(crate) use order::restore as restore_field_order;
pub(crate) use support::{children, connection, loaders, money, rows_of, scope, stored_json};

mod schema;
pub use schema::{Mutation, Query, RequestContext, SamverkanSchema, build_schema, sdl};

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
