//! A bound on aliases, which async-graphql does not count itself: many aliases of one cheap
//! field are the classic way around depth and complexity limits.
use std::sync::Arc;

use async_graphql::{
    ServerError, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// Refuses documents with more than `.0` aliased fields.
pub struct AliasLimit(pub usize);

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimitExt(self.0))
    }
}

struct AliasLimitExt(usize);

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

#[async_graphql::async_trait::async_trait]
impl Extension for AliasLimitExt {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
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
        if total > self.0 {
            let mut e = ServerError::new(
                format!("Query has {total} aliases, more than the limit of {}", self.0),
                None,
            );
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", "QUERY_TOO_COMPLEX");
            e.extensions = Some(ext);
            return Err(e);
        }
        Ok(doc)
    }
}
