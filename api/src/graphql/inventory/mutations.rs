//! The inventory mutations with their inputs and payloads.
use super::*;
use crate::domain::RecordKind;
use crate::graphql::money;
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{ids, scalars::Date, scope};
use crate::{
    domain::{
        Visibility,
        inventory::{Hosting, ProductCategory},
        sourcing::{DataLocation, KlassaLevel},
    },
    error::ApiError,
    service::inventory::InstanceSpec,
};

/// A new vendor.
#[derive(InputObject)]
pub struct CreateVendorInput {
    name: String,
    /// `556677-8899` or `5566778899`.
    org_number: String,
    #[graphql(default)]
    website: String,
}

/// The new vendor.
#[derive(SimpleObject)]
pub struct CreateVendorPayload {
    vendor: Vendor,
}

/// A new product.
#[derive(InputObject)]
pub struct CreateProductInput {
    vendor_id: ID,
    name: String,
    category: ProductCategory,
    #[graphql(default)]
    standards: Vec<String>,
}

/// The new product.
#[derive(SimpleObject)]
pub struct CreateProductPayload {
    product: Product,
}

/// A system the caller's kommun runs.
#[derive(InputObject)]
pub struct SystemInstanceInput {
    product_id: ID,
    #[graphql(default)]
    product_version: String,
    /// Systemägare: the key or exact name of someone in the kommun's register (empty: nobody).
    #[graphql(default)]
    system_owner: String,
    #[graphql(default)]
    maintenance_object: String,
    /// Objektägare, as `systemOwner`.
    #[graphql(default)]
    object_owner: String,
    /// Förvaltningsledare (verksamhet), as `systemOwner`.
    #[graphql(default)]
    object_manager_business: String,
    /// IT-förvaltningsledare, as `systemOwner`.
    #[graphql(default)]
    object_manager_it: String,
    /// When the kommun last reviewed the entry.
    last_reviewed: Option<Date>,
    hosting: Hosting,
    data_location: DataLocation,
    #[graphql(default)]
    confidentiality: i32,
    #[graphql(default)]
    integrity: i32,
    #[graphql(default)]
    availability: i32,
    contract_end: Option<Date>,
    /// What the kommun pays for the system per year, in SEK, where known (summed in
    /// procurement windows).
    annual_cost: Option<Decimal>,
    /// COUNTY (default) or PRIVATE.
    #[graphql(default_with = "Visibility::County")]
    visibility: Visibility,
}

impl SystemInstanceInput {
    fn spec(self) -> Result<InstanceSpec, ApiError> {
        let level = |field: &str, v: i32| KlassaLevel::new(v.into()).map_err(|m| ApiError::input(field, m));
        Ok(InstanceSpec {
            product_id: ids::decode("productId", RecordKind::Product, &self.product_id)?,
            product_version: self.product_version,
            maintenance_object: self.maintenance_object,
            roles: crate::service::readiness::RoleRefs {
                system_owner: self.system_owner,
                object_owner: self.object_owner,
                object_manager_business: self.object_manager_business,
                object_manager_it: self.object_manager_it,
            },
            last_reviewed: self.last_reviewed.map(|d| d.0),
            hosting: self.hosting,
            data_location: self.data_location,
            confidentiality: level("confidentiality", self.confidentiality)?,
            integrity: level("integrity", self.integrity)?,
            availability: level("availability", self.availability)?,
            contract_end: self.contract_end.map(|d| d.0),
            annual_cost: self.annual_cost.map(|c| money("annualCost", c)).transpose()?,
            visibility: self.visibility,
        })
    }
}

/// Changing a system: all fields, with the version last seen.
#[derive(InputObject)]
pub struct UpdateSystemInstanceInput {
    id: ID,
    version: i32,
    system: SystemInstanceInput,
}

/// The system after the change.
#[derive(SimpleObject)]
pub struct SystemInstancePayload {
    system_instance: SystemInstance,
}

/// A new integration between two of the caller's kommun's systems.
#[derive(InputObject)]
pub struct AddIntegrationInput {
    from_instance_id: ID,
    to_instance_id: ID,
    protocol: String,
    #[graphql(default)]
    standard: String,
    #[graphql(default)]
    description: String,
}

/// Removing an integration.
#[derive(InputObject)]
pub struct RemoveIntegrationInput {
    id: ID,
}

/// The integration added or removed.
#[derive(SimpleObject)]
pub struct IntegrationPayload {
    integration: Integration,
}

/// A CSV inventory for the caller's kommun.
#[derive(InputObject)]
pub struct ImportSystemInstancesInput {
    /// The file's content, `;` or `,` separated, with the header
    /// `vendor_org_number;product;version;system_owner;maintenance_object;object_owner;object_manager_business;object_manager_it;hosting;data_location;confidentiality;integrity;availability;contract_end;visibility`.
    csv: String,
}

/// The imported systems (all rows, or none with every bad row in `extensions.rows`).
#[derive(SimpleObject)]
pub struct ImportSystemInstancesPayload {
    imported: Vec<SystemInstance>,
}

/// Mutations on the inventory.
#[derive(Default)]
pub struct InventoryMutation;

#[Object]
impl InventoryMutation {
    /// Adds a vendor (any editor); a registered organisationsnummer is a CONFLICT naming it.
    async fn create_vendor(
        &self,
        ctx: &Context<'_>,
        input: CreateVendorInput,
    ) -> Result<CreateVendorPayload> {
        let v = scope(ctx)
            .inventory()
            .create_vendor(&input.name, &input.org_number, &input.website)
            .await?;
        Ok(CreateVendorPayload { vendor: Vendor(v) })
    }

    /// Adds a product (any editor); a product name the vendor has already is a CONFLICT.
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: CreateProductInput,
    ) -> Result<CreateProductPayload> {
        let vendor = ids::decode("vendorId", RecordKind::Vendor, &input.vendor_id)?;
        let p = scope(ctx)
            .inventory()
            .create_product(vendor, &input.name, input.category, &input.standards)
            .await?;
        Ok(CreateProductPayload { product: Product(p) })
    }

    /// Registers a system the caller's kommun runs.
    async fn register_system_instance(
        &self,
        ctx: &Context<'_>,
        input: SystemInstanceInput,
    ) -> Result<SystemInstancePayload> {
        let i = scope(ctx).inventory().register_instance(input.spec()?).await?;
        Ok(SystemInstancePayload {
            system_instance: SystemInstance(i),
        })
    }

    /// Changes a system of the caller's kommun.
    async fn update_system_instance(
        &self,
        ctx: &Context<'_>,
        input: UpdateSystemInstanceInput,
    ) -> Result<SystemInstancePayload> {
        let id = ids::decode("id", RecordKind::SystemInstance, &input.id)?;
        let i = scope(ctx)
            .inventory()
            .update_instance(id, input.version, input.system.spec()?)
            .await?;
        Ok(SystemInstancePayload {
            system_instance: SystemInstance(i),
        })
    }

    /// Connects two systems of the caller's kommun.
    async fn add_integration(
        &self,
        ctx: &Context<'_>,
        input: AddIntegrationInput,
    ) -> Result<IntegrationPayload> {
        let from = ids::decode(
            "fromInstanceId",
            RecordKind::SystemInstance,
            &input.from_instance_id,
        )?;
        let to = ids::decode("toInstanceId", RecordKind::SystemInstance, &input.to_instance_id)?;
        let g = scope(ctx)
            .inventory()
            .add_integration(from, to, &input.protocol, &input.standard, &input.description)
            .await?;
        Ok(IntegrationPayload {
            integration: Integration(g),
        })
    }

    /// Removes an integration of the caller's kommun.
    async fn remove_integration(
        &self,
        ctx: &Context<'_>,
        input: RemoveIntegrationInput,
    ) -> Result<IntegrationPayload> {
        let id = ids::decode("id", RecordKind::Integration, &input.id)?;
        Ok(IntegrationPayload {
            integration: Integration(scope(ctx).inventory().remove_integration(id).await?),
        })
    }

    /// Imports a CSV inventory: all rows in one transaction, or none and every bad row
    /// reported (line, column, reason) in `extensions.rows`.
    async fn import_system_instances(
        &self,
        ctx: &Context<'_>,
        input: ImportSystemInstancesInput,
    ) -> Result<ImportSystemInstancesPayload> {
        let rows = scope(ctx).inventory().import_instances(&input.csv).await?;
        Ok(ImportSystemInstancesPayload {
            imported: rows.into_iter().map(SystemInstance).collect(),
        })
    }
}
