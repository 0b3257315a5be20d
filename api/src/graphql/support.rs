//! What every area's resolvers share: the caller's scope, the request's loaders, Relay
//! connections and child rows.
use async_graphql::Context;

use crate::service::{
    Scope, Services,
    loaders::{Child, HasLoader, Loaders},
    visibility::Seen,
};

use super::RequestContext;

/// A value read back from the database that no longer parses is the server's fault.
/// A JSON column read back; one that no longer parses is the server's fault, not hidden.
pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(s: &str) -> async_graphql::Result<T> {
    serde_json::from_str(s)
        .map_err(|e| crate::error::ApiError::Internal(anyhow::anyhow!("stored JSON: {e}")).into())
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

/// The caller's scope for a resolver.
pub(crate) fn scope<'a>(ctx: &Context<'a>) -> Scope<'a> {
    let services = ctx.data_unchecked::<Services>();
    let req = ctx.data_unchecked::<RequestContext>();
    services.scope(&req.caller, &req.request_id)
}

/// The request's loaders.
pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// An amount of money from the client: non-negative, whole öre.
pub(crate) fn money(
    field: &str,
    d: crate::graphql::scalars::Decimal,
) -> Result<crate::domain::Sek, crate::error::ApiError> {
    crate::domain::Sek::parse_budget(d.0)
        .map_err(|m| crate::error::ApiError::input(field, format!("{field} {m}")))
}
