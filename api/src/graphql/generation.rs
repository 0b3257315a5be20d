//! Reads the data generation ([`crate::service::generation`]) once a query has passed
//! validation and the limits, just before it runs: a refused document costs no database
//! work, and everything the query reads is at least as new as the generation it is kept under.
use std::sync::{Arc, OnceLock};

use async_graphql::{
    Response, ServerError,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute},
};

use crate::service::{Services, generation::Stamp};

/// Put in a query's request data by the HTTP layer; holds the stamp the query ran at (set
/// beforehand when the HTTP layer has read it already).
#[derive(Clone, Default)]
pub struct StampSlot(pub Arc<OnceLock<Stamp>>);

/// The extension that fills a request's [`StampSlot`].
pub struct ReadsGeneration;

impl ExtensionFactory for ReadsGeneration {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ReadsGeneration)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ReadsGeneration {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let (Some(slot), Some(services)) = (ctx.data_opt::<StampSlot>(), ctx.data_opt::<Services>())
            && slot.0.get().is_none()
        {
            match services.stamp().await {
                Ok(stamp) => {
                    let _ = slot.0.set(stamp);
                }
                Err(e) => {
                    let e: async_graphql::Error = e.into();
                    return Response::from_errors(vec![ServerError {
                        message: e.message,
                        source: None,
                        locations: Vec::new(),
                        path: Vec::new(),
                        extensions: e.extensions,
                    }]);
                }
            }
        }
        next.run(ctx, operation).await
    }
}
