//! The systems inventory: vendors, products, system instances, integrations, the system map
//! and the county's questions.
use async_graphql::{
    Context, ID, InputObject, Object, Result, SimpleObject,
    connection::{Connection, EmptyFields},
};
use entity::{integration, product, system_instance, vendor};

use super::{
    connection, ids, loaders,
    reference::{Municipality, municipality},
    scalars::Date,
    scope, stored,
};
use crate::{
    domain::{
        Visibility,
        inventory::{Hosting, ProductCategory},
        sourcing::DataLocation,
    },
    error::ApiError,
    service::{inventory::InstanceSpec, pagination::PageArgs},
};

/// A vendor (leverantör).
#[derive(Clone)]
pub struct Vendor(pub vendor::Model);

#[Object]
impl Vendor {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Vendor", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Organisationsnummer, `NNNNNN-NNNN`.
    async fn org_number(&self) -> &str {
        &self.0.org_number
    }
    async fn website(&self) -> &str {
        &self.0.website
    }
}

/// A vendor's product.
#[derive(Clone)]
pub struct Product(pub product::Model);

#[Object]
impl Product {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Product", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn category(&self) -> Result<ProductCategory> {
        stored(&self.0.category)
    }
    /// Standards it claims, e.g. SS 12000.
    async fn standards(&self) -> Result<Vec<String>> {
        super::stored_json(&self.0.standards)
    }
    async fn vendor(&self, ctx: &Context<'_>) -> Result<Option<Vendor>> {
        Ok(loaders(ctx).vendor(self.0.vendor_id).await?.map(Vendor))
    }
}

/// One kommun's use of a product (a system in its inventory).
#[derive(Clone)]
pub struct SystemInstance(pub system_instance::Model);

#[Object]
impl SystemInstance {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("SystemInstance", self.0.id)
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.owner_id)
    }
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        Ok(loaders(ctx).product(self.0.product_id).await?.map(Product))
    }
    async fn product_version(&self) -> &str {
        &self.0.product_version
    }
    /// Systemägare.
    async fn system_owner(&self) -> &str {
        &self.0.system_owner
    }
    /// The pm3 förvaltningsobjekt.
    async fn maintenance_object(&self) -> &str {
        &self.0.maintenance_object
    }
    /// Objektägare.
    async fn object_owner(&self) -> &str {
        &self.0.object_owner
    }
    /// Objektledare verksamhet.
    async fn object_manager_business(&self) -> &str {
        &self.0.object_manager_business
    }
    /// Objektledare IT.
    async fn object_manager_it(&self) -> &str {
        &self.0.object_manager_it
    }
    async fn hosting(&self) -> Result<Hosting> {
        stored(&self.0.hosting)
    }
    async fn data_location(&self) -> Result<DataLocation> {
        stored(&self.0.data_location)
    }
    async fn confidentiality(&self) -> i32 {
        self.0.confidentiality
    }
    async fn integrity(&self) -> i32 {
        self.0.integrity
    }
    async fn availability(&self) -> i32 {
        self.0.availability
    }
    async fn contract_end(&self) -> Option<Date> {
        self.0.contract_end.map(Date)
    }
    async fn visibility(&self) -> Result<Visibility> {
        stored(&self.0.visibility)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// How two systems of a kommun talk.
#[derive(Clone)]
pub struct Integration(pub integration::Model);

#[Object]
impl Integration {
    async fn id(&self) -> ID {
        ids::encode("Integration", self.0.id)
    }
    async fn from_instance_id(&self) -> ID {
        ids::encode("SystemInstance", self.0.from_instance_id)
    }
    async fn to_instance_id(&self) -> ID {
        ids::encode("SystemInstance", self.0.to_instance_id)
    }
    /// Protocol or format, e.g. REST/JSON, SFTP/CSV.
    async fn protocol(&self) -> &str {
        &self.0.protocol
    }
    /// The standard used, e.g. SS 12000.
    async fn standard(&self) -> &str {
        &self.0.standard
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
}

/// A kommun's systems and how they talk: nodes and edges for a drawing.
#[derive(SimpleObject)]
pub struct SystemMap {
    municipality: Municipality,
    systems: Vec<SystemInstance>,
    integrations: Vec<Integration>,
}

/// One product's use in the county.
#[derive(SimpleObject)]
pub struct ProductUsage {
    product: Product,
    /// Kommuner whose use the caller may see in detail.
    municipalities: Vec<Municipality>,
    /// How many kommuner run it in all, including uses private to a kommun.
    total_municipalities: usize,
}

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
            .map(|v| ids::decode("vendorId", "Vendor", v))
            .transpose()?;
        let page = scope(ctx)
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
            .map(|p| ids::decode("productId", "Product", p))
            .transpose()?;
        let page = scope(ctx)
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
        let (systems, integrations) = s.system_map(&kommun).await?;
        let id = s.municipality_id("kommun", &kommun)?;
        Ok(SystemMap {
            municipality: municipality(ctx, id)?,
            systems: systems.into_iter().map(SystemInstance).collect(),
            integrations: integrations.into_iter().map(Integration).collect(),
        })
    }

    /// Per product, how many kommuner of the caller's county run it.
    async fn product_usage(&self, ctx: &Context<'_>) -> Result<Vec<ProductUsage>> {
        scope(ctx)
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
            .expiring_contracts(within_months as u32)
            .await?
            .into_iter()
            .map(SystemInstance)
            .collect())
    }

    /// Visible systems with confidentiality 3 or more hosted in a third country.
    async fn sensitive_third_country_systems(&self, ctx: &Context<'_>) -> Result<Vec<SystemInstance>> {
        Ok(scope(ctx)
            .sensitive_third_country()
            .await?
            .into_iter()
            .map(SystemInstance)
            .collect())
    }
}

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
    #[graphql(default)]
    system_owner: String,
    #[graphql(default)]
    maintenance_object: String,
    #[graphql(default)]
    object_owner: String,
    #[graphql(default)]
    object_manager_business: String,
    #[graphql(default)]
    object_manager_it: String,
    hosting: Hosting,
    data_location: DataLocation,
    #[graphql(default)]
    confidentiality: i32,
    #[graphql(default)]
    integrity: i32,
    #[graphql(default)]
    availability: i32,
    contract_end: Option<Date>,
    /// COUNTY (default) or PRIVATE.
    #[graphql(default_with = "Visibility::County")]
    visibility: Visibility,
}

impl SystemInstanceInput {
    fn spec(self) -> Result<InstanceSpec, ApiError> {
        Ok(InstanceSpec {
            product_id: ids::decode("productId", "Product", &self.product_id)?,
            product_version: self.product_version,
            system_owner: self.system_owner,
            maintenance_object: self.maintenance_object,
            object_owner: self.object_owner,
            object_manager_business: self.object_manager_business,
            object_manager_it: self.object_manager_it,
            hosting: self.hosting,
            data_location: self.data_location,
            confidentiality: self.confidentiality,
            integrity: self.integrity,
            availability: self.availability,
            contract_end: self.contract_end.map(|d| d.0),
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
        let vendor = ids::decode("vendorId", "Vendor", &input.vendor_id)?;
        let p = scope(ctx)
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
        let i = scope(ctx).register_instance(input.spec()?).await?;
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
        let id = ids::decode("id", "SystemInstance", &input.id)?;
        let i = scope(ctx)
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
        let from = ids::decode("fromInstanceId", "SystemInstance", &input.from_instance_id)?;
        let to = ids::decode("toInstanceId", "SystemInstance", &input.to_instance_id)?;
        let g = scope(ctx)
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
        let id = ids::decode("id", "Integration", &input.id)?;
        Ok(IntegrationPayload {
            integration: Integration(scope(ctx).remove_integration(id).await?),
        })
    }

    /// Imports a CSV inventory: all rows in one transaction, or none and every bad row
    /// reported (line, column, reason) in `extensions.rows`.
    async fn import_system_instances(
        &self,
        ctx: &Context<'_>,
        input: ImportSystemInstancesInput,
    ) -> Result<ImportSystemInstancesPayload> {
        let rows = scope(ctx).import_instances(&input.csv).await?;
        Ok(ImportSystemInstancesPayload {
            imported: rows.into_iter().map(SystemInstance).collect(),
        })
    }
}
