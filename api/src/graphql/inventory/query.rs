//! Reading the inventory: vendors, products, systems, the system map and the county's questions.
use super::*;
use crate::domain::RecordKind;
use async_graphql::{
    Context, ID, Object, Result,
    connection::{Connection, EmptyFields},
};

use crate::graphql::{connection, ids, reference::municipality, scope};
use crate::{error::ApiError, service::pagination::PageArgs};

/// Queries on the inventory.
#[derive(Default)]
pub struct InventoryQuery;

#[Object]
impl InventoryQuery {
    /// Vendors, optionally whose name contains `search`.
    async fn vendors(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Vendor>> {
        let page = scope(ctx)
            .inventory()
            .vendors(
                search.as_deref(),
                &PageArgs {
                    first,
                    after,
                    ..Default::default()
                },
            )
            .await?;
        Ok(connection(page, EmptyFields, |_| None, |v| v.id, Vendor))
    }

    /// Products, optionally of one vendor.
    async fn products(
        &self,
        ctx: &Context<'_>,
        vendor_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Product>> {
        let vendor = vendor_id
            .as_ref()
            .map(|v| ids::decode("vendorId", RecordKind::Vendor, v))
            .transpose()?;
        let page = scope(ctx)
            .inventory()
            .products(
                vendor,
                &PageArgs {
                    first,
                    after,
                    ..Default::default()
                },
            )
            .await?;
        Ok(connection(page, EmptyFields, |_| None, |p| p.id, Product))
    }

    /// System instances the caller may see, optionally of one kommun (kommunkod) or product.
    async fn system_instances(
        &self,
        ctx: &Context<'_>,
        municipality: Option<String>,
        product_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, SystemInstance>> {
        let product = product_id
            .as_ref()
            .map(|p| ids::decode("productId", RecordKind::Product, p))
            .transpose()?;
        let page = scope(ctx)
            .inventory()
            .system_instances(
                municipality.as_deref(),
                product,
                &PageArgs {
                    first,
                    after,
                    ..Default::default()
                },
            )
            .await?;
        Ok(connection(page, EmptyFields, |_| None, |i| i.id, SystemInstance))
    }

    /// A kommun's systems and integrations as a graph.
    async fn system_map(&self, ctx: &Context<'_>, kommun: String) -> Result<SystemMap> {
        let s = scope(ctx);
        let (systems, integrations) = s.inventory().system_map(&kommun).await?;
        let id = s.projects().municipality_id("kommun", &kommun)?;
        Ok(SystemMap {
            municipality: municipality(ctx, id)?,
            systems: systems.into_iter().map(SystemInstance).collect(),
            integrations: integrations.into_iter().map(Integration).collect(),
        })
    }

    /// Per product, how many kommuner of the caller's county run it.
    async fn product_usage(&self, ctx: &Context<'_>) -> Result<Vec<ProductUsage>> {
        scope(ctx)
            .inventory()
            .product_usage()
            .await?
            .into_iter()
            .map(|u| {
                Ok(ProductUsage {
                    product: Product(u.product),
                    municipalities: u
                        .visible
                        .iter()
                        .map(|m| municipality(ctx, *m))
                        .collect::<Result<_>>()?,
                    total_municipalities: u.total,
                })
            })
            .collect()
    }

    /// Visible systems whose contract ends within the months given (default 18).
    async fn expiring_contracts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 18)] within_months: i32,
    ) -> Result<Vec<SystemInstance>> {
        if !(0..=120).contains(&within_months) {
            return Err(ApiError::input("withinMonths", "between 0 and 120").into());
        }
        Ok(scope(ctx)
            .inventory()
            .expiring_contracts(within_months as u32)
            .await?
            .into_iter()
            .map(SystemInstance)
            .collect())
    }

    /// Visible systems with confidentiality 3 or more hosted in a third country.
    async fn sensitive_third_country_systems(&self, ctx: &Context<'_>) -> Result<Vec<SystemInstance>> {
        Ok(scope(ctx)
            .inventory()
            .sensitive_third_country()
            .await?
            .into_iter()
            .map(SystemInstance)
            .collect())
    }
}
