//! The GraphQL schema: thin resolvers that read input, call the service layer with the
//! caller's scope and convert the result. One module per domain area.

mod audit;
mod benefits;
mod catalogue;
pub mod cost;
mod ids;
mod initiatives;
mod inventory;
mod node;
mod projects;
mod reference;
mod report;
mod scalars;
mod sourcing;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema};

use crate::{
    auth::Caller,
    service::{
        Scope, Services,
        loaders::{Child, HasLoader, Loaders},
        visibility::Seen,
    },
    settings::Limits,
};

/// The schema type served over HTTP and written to `schema.graphql`.
pub type SamverkanSchema = Schema<Query, Mutation, EmptySubscription>;

/// Every query field, merged from the areas.
#[derive(MergedObject, Default)]
pub struct Query(
    reference::ReferenceQuery,
    node::NodeQuery,
    projects::ProjectQuery,
    catalogue::CatalogueQuery,
    sourcing::SourcingQuery,
    audit::AuditQuery,
    report::ReportQuery,
    inventory::InventoryQuery,
    initiatives::InitiativeQuery,
);

/// Every mutation field, merged from the areas.
#[derive(MergedObject, Default)]
pub struct Mutation(
    projects::ProjectMutation,
    benefits::BenefitMutation,
    sourcing::SourcingMutation,
    inventory::InventoryMutation,
    initiatives::InitiativeMutation,
);

/// What one request brings to its resolvers.
pub struct RequestContext {
    pub caller: Caller,
    pub request_id: String,
}

/// Builds the schema with its limits; `services` is `None` only for exporting the SDL.
pub fn build_schema(services: Option<Services>, limits: &Limits, introspection: bool) -> SamverkanSchema {
    let mut b = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
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

/// The caller's scope for a resolver.
/// A value read back from the database that no longer parses is the server's fault.
pub(crate) fn stored<T: std::str::FromStr<Err = String>>(s: &str) -> async_graphql::Result<T> {
    Ok(crate::service::stored(s)?)
}

/// A page as a Relay connection; each edge's cursor is the row's place in the keyset order,
/// `key` giving the sort key when the order is not by id alone.
pub(crate) fn connection<M, N, F>(
    page: crate::service::pagination::Page<M>,
    fields: F,
    key: impl Fn(&M) -> Option<String>,
    id: impl Fn(&M) -> i64,
    node: impl Fn(M) -> N,
) -> async_graphql::connection::Connection<String, N, F>
where
    N: async_graphql::OutputType,
    F: async_graphql::ObjectType,
{
    use async_graphql::connection::{Connection, Edge};
    let mut c = Connection::with_additional_fields(page.has_previous, page.has_next, fields);
    c.edges.extend(page.items.into_iter().map(|m| {
        let cursor = crate::service::pagination::Cursor {
            key: key(&m),
            id: id(&m),
        };
        Edge::new(cursor.encode(), node(m))
    }));
    c
}

/// The rows of `E` under `parent`, from the request's loader, wrapped for GraphQL.
pub(crate) async fn children<E, N>(
    loaders: &Loaders,
    parent: Seen<E::Parent>,
    wrap: impl Fn(E::Model) -> N,
) -> async_graphql::Result<Vec<N>>
where
    E: Child + Send + Sync + 'static,
    E::Model: Send + Sync + Clone + 'static,
    Loaders: HasLoader<E>,
{
    Ok(loaders.rows::<E>(parent).await?.into_iter().map(wrap).collect())
}

/// The rows of `E` under `parent`, from the request's loader.
pub(crate) async fn rows_of<E>(
    loaders: &Loaders,
    parent: Seen<E::Parent>,
) -> async_graphql::Result<Vec<E::Model>>
where
    E: Child + Send + Sync + 'static,
    E::Model: Send + Sync + Clone + 'static,
    Loaders: HasLoader<E>,
{
    Ok(loaders.rows::<E>(parent).await?)
}

pub(crate) fn scope<'a>(ctx: &Context<'a>) -> Scope<'a> {
    let services = ctx.data_unchecked::<Services>();
    let req = ctx.data_unchecked::<RequestContext>();
    services.scope(&req.caller, &req.request_id)
}

/// The request's loaders.
pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
