//! The published e-service catalogue read by municipal portals.
use crate::domain::RecordKind;
use crate::service::visibility::Visible;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, connection::Connection};
use entity::catalogue_entry;

use super::{
    connection, ids, loaders,
    reference::{Municipality, municipality},
    rows_of, scope,
};
use crate::service::{catalogue::CatalogueFilter, pagination::PageArgs};

/// A live e-service a kommun offers, as listed for portals. It shows nothing else of the
/// project behind it.
#[derive(Clone)]
pub struct PublishedEService(pub Visible<catalogue_entry::Model>);

#[Object]
impl PublishedEService {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::PublishedEService, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Where citizens find the e-service.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The kommun that published this entry.
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
    /// Every kommun that offers the same e-service.
    async fn offered_by(&self, ctx: &Context<'_>) -> Result<Vec<Municipality>> {
        let rows = rows_of::<entity::catalogue_entry::Entity>(loaders(ctx), self.0.project()).await?;
        rows.iter()
            .map(|r| municipality(ctx, r.municipality_id))
            .collect()
    }
    async fn published_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// The e-service's accessibility statement (tillgänglighetsredogörelse), which every
    /// public e-service must publish under DOS-lagen; null while the kommun has set none.
    async fn accessibility_statement(&self) -> Option<AccessibilityStatement> {
        match (
            &self.0.accessibility_statement_url,
            self.0.accessibility_conformance,
        ) {
            (Some(url), Some(conformance)) => Some(AccessibilityStatement {
                url: url.clone(),
                conformance,
            }),
            _ => None,
        }
    }
}

/// Where an e-service's accessibility statement is published and what it declares against
/// EN 301 549 (WCAG 2.1 level AA).
#[derive(SimpleObject)]
pub struct AccessibilityStatement {
    /// The statement's address.
    url: String,
    conformance: crate::domain::catalogue::AccessibilityConformance,
}

/// Filters on the catalogue.
#[derive(InputObject, Default)]
pub struct PublishedEServiceFilter {
    /// Published by this kommun (kommunkod).
    municipality: Option<String>,
    /// Published by kommuner of this county (länskod).
    county: Option<String>,
}

/// Extra fields of the catalogue connection.
pub struct CatalogueConnectionFields {
    filter: CatalogueFilter,
}

#[Object]
impl CatalogueConnectionFields {
    /// How many entries match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(scope(ctx).publishing().count_published(&self.filter).await?)
    }
    /// How many matching entries have no accessibility statement yet.
    async fn without_accessibility_statement(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(scope(ctx)
            .publishing()
            .count_without_statement(&self.filter)
            .await?)
    }
}

/// Queries on the catalogue.
#[derive(Default)]
pub struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// Published e-services, newest first. Readable without a token and with the
    /// `integration` role.
    #[graphql(complexity = "(first.or(last).unwrap_or(20).clamp(0, 100) as usize) * child_complexity + 1")]
    async fn published_e_services(
        &self,
        ctx: &Context<'_>,
        filter: Option<PublishedEServiceFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<String, PublishedEService, CatalogueConnectionFields>> {
        let f = filter.unwrap_or_default();
        let filter = CatalogueFilter {
            municipality: f.municipality,
            county: f.county,
        };
        let page = scope(ctx)
            .publishing()
            .published_eservices(
                &filter,
                &PageArgs {
                    first,
                    after,
                    last,
                    before,
                },
            )
            .await?;
        Ok(connection(
            page,
            CatalogueConnectionFields { filter },
            |_| None,
            |e| e.id,
            PublishedEService,
        ))
    }
}
