//! Objects whose fields resolve in the query's order, without a task per field.
//!
//! async-graphql resolves an object's fields as a `FuturesUnordered` of boxed futures: per
//! object a shared queue, per field a box and a reference-counted task, and the answer in
//! the order the fields finished. For the objects a list returns by the hundred (a project
//! page's projects, their participations and kommuner) that machinery was where most of the
//! uncached list read's allocations came from (`perf`, 2026-11-26). [`InOrder`] resolves the
//! same fields with the same semantics (response keys, fragments and their type conditions,
//! `__typename`, merged duplicate keys, field errors) as one `join_all` over futures of a
//! single type, so the fields still wait for their loaders together, and the object comes
//! out in the query's order.
//!
//! A field with a directive left after `@skip` and `@include` have been applied takes
//! async-graphql's own path. Schema extensions would be passed by: the schema has none
//! (`build_schema` says why).
use std::borrow::Cow;

use async_graphql::{
    ContainerType, ContextSelectionSet, Name, OutputType, Positioned, ServerError, ServerResult, Value,
    indexmap::{IndexMap, map::Entry},
    parser::types::{Field, Selection, SelectionSet},
    registry::Registry,
    resolver_utils::resolve_container,
};

/// `T` as the same GraphQL type, its fields resolved in the query's order.
pub(crate) struct InOrder<T>(pub T);

impl<T: ContainerType> OutputType for InOrder<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_in_order(ctx, &self.0).await
    }
}

async fn resolve_in_order<T: ContainerType>(ctx: &ContextSelectionSet<'_>, root: &T) -> ServerResult<Value> {
    let mut fields = Vec::with_capacity(ctx.item.node.items.len());
    if !collect(ctx, root, &ctx.item.node, &mut fields)? {
        return resolve_container(ctx, root).await;
    }
    let resolved = futures_util::future::join_all(fields.into_iter().map(|field| async move {
        let ctx_field = ctx.with_field(field);
        let key = ctx_field.item.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            return Ok((key, Value::String(root.introspection_type_name().into_owned())));
        }
        Ok((key, root.resolve_field(&ctx_field).await?.unwrap_or_default()))
    }))
    .await;
    let mut object = IndexMap::with_capacity(resolved.len());
    for field in resolved {
        match field {
            Ok((key, value)) => insert(&mut object, key, value),
            Err(e) => ctx.add_error(e),
        }
    }
    Ok(if object.is_empty() {
        Value::Null
    } else {
        Value::Object(object)
    })
}

/// The fields `set` selects on `root`, fragments expanded where their type condition holds,
/// in the query's order; `false` when one carries a directive (async-graphql's path applies
/// those).
fn collect<'a, T: ContainerType>(
    ctx: &ContextSelectionSet<'a>,
    root: &T,
    set: &'a SelectionSet,
    fields: &mut Vec<&'a Positioned<Field>>,
) -> ServerResult<bool> {
    for selection in &set.items {
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                if !field.node.directives.is_empty() {
                    return Ok(false);
                }
                fields.push(field);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let Some(fragment) = ctx.query_env.fragments.get(&spread.node.fragment_name.node) else {
                    return Err(ServerError::new(
                        format!(r#"Unknown fragment "{}"."#, spread.node.fragment_name.node),
                        Some(spread.pos),
                    ));
                };
                (Some(&fragment.node.type_condition), &fragment.node.selection_set)
            }
            Selection::InlineFragment(fragment) => (
                fragment.node.type_condition.as_ref(),
                &fragment.node.selection_set,
            ),
        };
        if !selection.node.directives().is_empty() {
            return Ok(false);
        }
        let condition = condition.map(|c| c.node.on.node.as_str());
        let name = root.introspection_type_name();
        let applies = condition.is_none_or(|c| {
            name == c
                || T::type_name() == c
                || ctx
                    .schema_env
                    .registry
                    .implements
                    .get(&*name)
                    .is_some_and(|interfaces| interfaces.contains(c))
        });
        if applies && !collect(ctx, root, &inner.node, fields)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Adds a field's value under its response key; a key selected twice merges its objects, as
/// async-graphql does.
fn insert(object: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    let existing = match object.entry(key) {
        Entry::Vacant(slot) => {
            slot.insert(value);
            return;
        }
        Entry::Occupied(slot) => slot.into_mut(),
    };
    match (existing, value) {
        (Value::Object(existing), Value::Object(more)) => {
            for (k, v) in more {
                insert(existing, k, v);
            }
        }
        (Value::List(existing), Value::List(more)) => {
            for (i, v) in more.into_iter().enumerate() {
                if let (Some(Value::Object(target)), Value::Object(more)) = (existing.get_mut(i), v) {
                    for (k, v) in more {
                        insert(target, k, v);
                    }
                }
            }
        }
        _ => {}
    }
}
