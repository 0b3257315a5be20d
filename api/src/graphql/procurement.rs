//! Joint procurement windows and starting a joint initiative from one.
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{
    ids,
    initiatives::{RequirementInput, VendorInitiative, VendorInitiativePayload, reqs},
    inventory::{Product, SystemInstance, Vendor},
    loaders,
    reference::{Municipality, municipality},
    scalars::Date,
    scope,
};
use crate::{
    domain::{RecordKind, Visibility, inventory::ProductCategory},
    error::ApiError,
    service::{
        initiatives::InitiativeSpec,
        procurement::{ProcurementWindow as Window, Subject, WindowKey, WindowQuery},
    },
};

const PREFIX: &str = "ProcurementWindow:";

fn encode(key: WindowKey) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{PREFIX}{}", key.to_text())))
}

fn decode(field: &str, id: &ID) -> Result<WindowKey, ApiError> {
    URL_SAFE_NO_PAD
        .decode(id.as_str())
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|t| t.strip_prefix(PREFIX).and_then(WindowKey::from_text))
        .ok_or_else(|| ApiError::input(field, format!("{field} is not the id of a procurement window")))
}

/// What a window gathers.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ProcurementWindowKind {
    /// Instances of one product.
    Product,
    /// Instances of every product of one category, across vendors.
    Category,
}

/// Contracts of the county for the same product (or the same category) that end within a
/// year of each other: a chance to procure together, or to press the vendor together. Built
/// from the systems the caller may see; other kommuner running it are only counted.
pub struct ProcurementWindow(pub(super) Window);

#[Object]
impl ProcurementWindow {
    /// Stable while the contracts in it stay; give it to `startJointProcurementInitiative`.
    async fn id(&self) -> ID {
        encode(self.0.key)
    }
    async fn kind(&self) -> ProcurementWindowKind {
        match self.0.key.subject {
            Subject::Product(_) => ProcurementWindowKind::Product,
            Subject::Category(_) => ProcurementWindowKind::Category,
        }
    }
    /// The product, for a window of one product.
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        Ok(match self.0.key.subject {
            Subject::Product(id) => loaders(ctx).product(id).await?.map(Product),
            Subject::Category(_) => None,
        })
    }
    /// The category, for a window of one category.
    async fn category(&self) -> Option<ProductCategory> {
        match self.0.key.subject {
            Subject::Category(c) => Some(c),
            Subject::Product(_) => None,
        }
    }
    /// The products of the window's systems.
    async fn products(&self, ctx: &Context<'_>) -> Result<Vec<Product>> {
        let mut found = loaders(ctx).products(self.0.products.iter().copied()).await?;
        Ok(self
            .0
            .products
            .iter()
            .filter_map(|id| found.remove(id))
            .map(Product)
            .collect())
    }
    /// Their vendors.
    async fn vendors(&self, ctx: &Context<'_>) -> Result<Vec<Vendor>> {
        let mut found = loaders(ctx).vendors(self.0.vendors.iter().copied()).await?;
        Ok(self
            .0
            .vendors
            .iter()
            .filter_map(|id| found.remove(id))
            .map(Vendor)
            .collect())
    }
    /// The kommuner whose contracts (that the caller may see) are in the window.
    async fn kommuner(&self, ctx: &Context<'_>) -> Result<Vec<Municipality>> {
        self.0.kommuner.iter().map(|k| municipality(ctx, *k)).collect()
    }
    /// Further kommuner of the county that run it in systems the caller may not see: counted,
    /// never named or dated.
    async fn other_kommuner(&self) -> i32 {
        self.0.other_kommuner as i32
    }
    async fn earliest_contract_end(&self) -> Date {
        Date(self.0.starts)
    }
    async fn latest_contract_end(&self) -> Date {
        Date(self.0.ends)
    }
    /// When a joint procurement would have to start to be done before the earliest end.
    async fn procurement_deadline(&self) -> Date {
        Date(self.0.deadline)
    }
    /// The named kommuner's inhabitants together.
    async fn combined_population(&self) -> i32 {
        i32::try_from(self.0.population).unwrap_or(i32::MAX)
    }
    /// What the systems cost per year together, in SEK, over those with a known cost; null
    /// when none is known.
    async fn combined_annual_cost(&self) -> Option<Decimal> {
        self.0.annual_cost.map(|c| c.to_decimal().into())
    }
    /// How many of the systems have a known annual cost.
    async fn costed_systems(&self) -> i32 {
        self.0.costed_instances as i32
    }
    /// The systems in the window, earliest contract end first.
    async fn systems(&self) -> Vec<SystemInstance> {
        let mut rows = self.0.instances.clone();
        rows.sort_by_key(|i| (i.contract_end, i.id));
        rows.into_iter().map(SystemInstance).collect()
    }
}

/// Joint procurement questions.
#[derive(Default)]
pub struct ProcurementQuery;

#[Object]
impl ProcurementQuery {
    /// Joint procurement windows of the caller's county: contracts of one product (kind
    /// PRODUCT) or one category across vendors (kind CATEGORY) that end within 12 months of
    /// each other, the window starting within `withinMonths` from today, with at least
    /// `minKommuner` kommuner. Earliest first.
    async fn procurement_windows(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 24)] within_months: i32,
        #[graphql(default = 2)] min_kommuner: i32,
        category: Option<ProductCategory>,
        #[graphql(default = 12, desc = "Months a joint procurement takes (for the deadline).")]
        lead_months: i32,
    ) -> Result<Vec<ProcurementWindow>> {
        let within_months = u32::try_from(within_months)
            .map_err(|_| ApiError::input("withinMonths", "withinMonths must not be negative"))?;
        let min_kommuner = u32::try_from(min_kommuner)
            .map_err(|_| ApiError::input("minKommuner", "minKommuner must not be negative"))?;
        let lead_months = u32::try_from(lead_months)
            .map_err(|_| ApiError::input("leadMonths", "leadMonths must not be negative"))?;
        Ok(scope(ctx)
            .procurement()
            .procurement_windows(WindowQuery {
                within_months,
                min_kommuner,
                category,
                lead_months,
            })
            .await?
            .into_iter()
            .map(ProcurementWindow)
            .collect())
    }
}

/// A joint initiative from a procurement window.
#[derive(InputObject)]
pub struct StartJointProcurementInitiativeInput {
    window_id: ID,
    title: String,
    #[graphql(default)]
    description: String,
    /// Needed when a category window spans several vendors: which one to press.
    vendor_id: Option<ID>,
    /// Defaults to the window's procurement deadline.
    deadline: Option<Date>,
    /// COUNTY by default: the point is to recruit co-signers.
    #[graphql(default_with = "Visibility::County")]
    visibility: Visibility,
    #[graphql(default)]
    requirements: Vec<RequirementInput>,
}

/// Starting joint work from a window.
#[derive(Default)]
pub struct ProcurementMutation;

#[Object]
impl ProcurementMutation {
    /// Creates a DRAFT vendor initiative for a window, with the window's vendor and product,
    /// led by the caller's kommun, and invites the window's other kommuner to co-sign it.
    async fn start_joint_procurement_initiative(
        &self,
        ctx: &Context<'_>,
        input: StartJointProcurementInitiativeInput,
    ) -> Result<VendorInitiativePayload> {
        let key = decode("windowId", &input.window_id)?;
        let vendor = input
            .vendor_id
            .as_ref()
            .map(|v| ids::decode("vendorId", RecordKind::Vendor, v))
            .transpose()?;
        let spec = InitiativeSpec {
            title: Some(input.title),
            description: Some(input.description),
            vendor_id: None,
            product_id: None,
            deadline: input.deadline.map(|d| Some(d.0)),
            visibility: Some(input.visibility),
            requirements: Some(reqs(input.requirements)),
        };
        let i = scope(ctx)
            .procurement()
            .start_joint_procurement_initiative(key, vendor, spec)
            .await?;
        Ok(VendorInitiativePayload {
            initiative: VendorInitiative(i),
        })
    }
}
