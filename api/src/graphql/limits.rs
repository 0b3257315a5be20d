//! A bound on aliases, which async-graphql does not count itself: many aliases of one cheap
//! field are the classic way around depth and complexity limits.
//!
//! It runs in the HTTP layer on the document the request has already parsed (the schema
//! reuses it), not as a schema extension: any extension at all sends every field of every
//! response through async-graphql's per-field extension chain, which cost about a third of
//! the server's time on the 50-project list.
use async_graphql::{
    ServerError,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

fn count(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => usize::from(f.node.alias.is_some()) + count(&f.node.selection_set.node),
            Selection::InlineFragment(i) => count(&i.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Refuses a document with more than `max` aliased fields.
pub fn check_aliases(doc: &ExecutableDocument, max: usize) -> Result<(), ServerError> {
    let total: usize = doc
        .operations
        .iter()
        .map(|(_, op)| count(&op.node.selection_set.node))
        .sum::<usize>()
        + doc
            .fragments
            .values()
            .map(|f| count(&f.node.selection_set.node))
            .sum::<usize>();
    if total > max {
        let mut e = ServerError::new(
            format!("Query has {total} aliases, more than the limit of {max}"),
            None,
        );
        let mut ext = async_graphql::ErrorExtensionValues::default();
        ext.set("code", "QUERY_TOO_COMPLEX");
        e.extensions = Some(ext);
        return Err(e);
    }
    Ok(())
}
