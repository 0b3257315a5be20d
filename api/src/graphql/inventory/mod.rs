//! The systems inventory: vendors, products, system instances, integrations, the system map
//! and the county's questions.
//!
//! The inventory types live here; `query` the county's questions, `mutations` the inputs,
//! payloads and mutations.

mod mutations;
mod query;
pub use mutations::*;
pub use query::*;

use crate::domain::RecordKind;
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{integration, product, system_instance, vendor};

use super::{
    ids, loaders,
    reference::{Municipality, municipality},
    scalars::Date,
};
use crate::domain::{
    Visibility,
    inventory::{Hosting, ProductCategory},
    sourcing::DataLocation,
};

/// A vendor (leverantör).
#[derive(Clone)]
pub struct Vendor(pub vendor::Model);

#[Object]
impl Vendor {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::Vendor, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Organisationsnummer, `NNNNNN-NNNN`.
    async fn org_number(&self) -> &str {
        self.0.org_number.as_str()
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
        ids::encode(RecordKind::Product, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn category(&self) -> ProductCategory {
        self.0.category
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
        ids::encode(RecordKind::SystemInstance, self.0.id)
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
    /// Systemägare's name; empty when nobody holds the role, and outside the system's own
    /// kommun, where people are not named (`roles` tells who is filled).
    async fn system_owner(&self, ctx: &Context<'_>) -> Result<String> {
        name_of(ctx, self.0.system_owner_id).await
    }
    /// The pm3 förvaltningsobjekt.
    async fn maintenance_object(&self) -> &str {
        &self.0.maintenance_object
    }
    /// Objektägare's name, as `systemOwner`.
    async fn object_owner(&self, ctx: &Context<'_>) -> Result<String> {
        name_of(ctx, self.0.object_owner_id).await
    }
    /// Förvaltningsledare (verksamhet)'s name, as `systemOwner`.
    async fn object_manager_business(&self, ctx: &Context<'_>) -> Result<String> {
        name_of(ctx, self.0.object_manager_business_id).await
    }
    /// IT-förvaltningsledare's name, as `systemOwner`.
    async fn object_manager_it(&self, ctx: &Context<'_>) -> Result<String> {
        name_of(ctx, self.0.object_manager_it_id).await
    }
    /// The pm3 roles: who holds each (named to the system's own kommun only) and whether the
    /// system is at key-person risk.
    async fn roles(&self) -> SystemRoles {
        SystemRoles(self.0.clone())
    }
    /// When the kommun last reviewed the entry.
    async fn last_reviewed(&self) -> Option<Date> {
        self.0.last_reviewed.map(Date)
    }
    async fn hosting(&self) -> Hosting {
        self.0.hosting
    }
    async fn data_location(&self) -> DataLocation {
        self.0.data_location
    }
    async fn confidentiality(&self) -> i32 {
        self.0.confidentiality.get()
    }
    async fn integrity(&self) -> i32 {
        self.0.integrity.get()
    }
    async fn availability(&self) -> i32 {
        self.0.availability.get()
    }
    async fn contract_end(&self) -> Option<Date> {
        self.0.contract_end.map(Date)
    }
    /// What the kommun pays for it per year, in SEK, where known.
    async fn annual_cost(&self) -> Option<Decimal> {
        self.0
            .annual_cost_ore
            .map(|o| crate::domain::Sek::from_ore(o).to_decimal().into())
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

async fn name_of(ctx: &Context<'_>, id: Option<i64>) -> Result<String> {
    Ok(match id {
        Some(id) => loaders(ctx)
            .role_holder(id)
            .await?
            .map(|h| h.display_name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

async fn holder(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<RoleHolder>> {
    Ok(match id {
        Some(id) => loaders(ctx).role_holder(id).await?.map(RoleHolder),
        None => None,
    })
}

/// A person in a pm3 role, in their kommun's own register.
#[derive(Clone)]
pub struct RoleHolder(pub entity::role_holder::Model);

#[Object]
impl RoleHolder {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::RoleHolder, self.0.id)
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// The kommun's own key for the person (an employee number).
    async fn key(&self) -> Option<&str> {
        self.0.holder_key.as_deref()
    }
    /// Since when the person has held no role (null while they hold one): the county's
    /// retention period for released role holders counts from it.
    async fn released_on(&self) -> Option<chrono::NaiveDate> {
        self.0.released_on
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A system's pm3 roles. Holders are named to the system's own kommun only; everyone who sees
/// the system sees which roles are filled and whether it is at key-person risk.
pub struct SystemRoles(system_instance::Model);

#[Object]
impl SystemRoles {
    /// Systemägare.
    async fn system_owner(&self, ctx: &Context<'_>) -> Result<Option<RoleHolder>> {
        holder(ctx, self.0.system_owner_id).await
    }
    /// Objektägare.
    async fn object_owner(&self, ctx: &Context<'_>) -> Result<Option<RoleHolder>> {
        holder(ctx, self.0.object_owner_id).await
    }
    /// Förvaltningsledare (verksamhet).
    async fn object_manager_business(&self, ctx: &Context<'_>) -> Result<Option<RoleHolder>> {
        holder(ctx, self.0.object_manager_business_id).await
    }
    /// IT-förvaltningsledare.
    async fn object_manager_it(&self, ctx: &Context<'_>) -> Result<Option<RoleHolder>> {
        holder(ctx, self.0.object_manager_it_id).await
    }
    /// System owner, object owner and business maintenance lead (the critical roles) are all
    /// filled.
    async fn critical_filled(&self) -> bool {
        crate::service::readiness::critical_of(&self.0)
            .iter()
            .all(Option::is_some)
    }
    /// At key-person risk: a critical role empty, or one person in all of them.
    async fn key_person_risk(&self) -> bool {
        crate::service::readiness::at_risk(&self.0)
    }
}

/// How two systems of a kommun talk.
#[derive(Clone)]
pub struct Integration(pub integration::Model);

#[Object]
impl Integration {
    async fn id(&self) -> ID {
        ids::encode(RecordKind::Integration, self.0.id)
    }
    async fn from_instance_id(&self) -> ID {
        ids::encode(RecordKind::SystemInstance, self.0.from_instance_id)
    }
    async fn to_instance_id(&self) -> ID {
        ids::encode(RecordKind::SystemInstance, self.0.to_instance_id)
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
