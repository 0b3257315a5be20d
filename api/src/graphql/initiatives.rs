//! Vendor-influence initiatives (leverantörspåverkan).
use crate::domain::RecordKind;
use crate::domain::inventory::SupporterState;
use async_graphql::{
    Context, ID, InputObject, Object, Result, SimpleObject,
    connection::{Connection, EmptyFields},
};
use entity::{initiative_requirement, initiative_supporter, vendor_initiative, vendor_response};

use super::{
    connection, ids,
    inventory::{Product, Vendor},
    loaders,
    reference::{Municipality, municipality},
    rows_of,
    scalars::Date,
    scope,
};
use crate::{
    domain::{
        Visibility,
        inventory::{InitiativeState, RequirementPriority, ResponseOutcome},
    },
    service::visibility::Visible,
    service::{
        initiatives::{InitiativeSpec, Leverage, ResponseSpec},
        pagination::PageArgs,
    },
};

/// Kommuner pushing a vendor together: an open interface, a standard, a feature.
#[derive(Clone)]
pub struct VendorInitiative(pub Visible<vendor_initiative::Model>);

#[Object]
impl VendorInitiative {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::VendorInitiative, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The target vendor.
    async fn vendor(&self, ctx: &Context<'_>) -> Result<Option<Vendor>> {
        Ok(loaders(ctx).vendor(self.0.vendor_id).await?.map(Vendor))
    }
    /// The target product, if the initiative is about one.
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        match self.0.product_id {
            Some(p) => Ok(loaders(ctx).product(p).await?.map(Product)),
            None => Ok(None),
        }
    }
    /// The initiating kommun.
    async fn initiator(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.owner_id)
    }
    async fn deadline(&self) -> Option<Date> {
        self.0.deadline.map(Date)
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility
    }
    async fn state(&self) -> InitiativeState {
        self.0.state
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn requirements(&self, ctx: &Context<'_>) -> Result<Vec<Requirement>> {
        let mut rows = rows_of::<entity::initiative_requirement::Entity>(loaders(ctx), self.0.seen()).await?;
        rows.sort_by_key(|r| r.position);
        Ok(rows.into_iter().map(Requirement).collect())
    }
    /// Co-signers that still support it.
    async fn supporters(&self, ctx: &Context<'_>) -> Result<Vec<Supporter>> {
        let rows = rows_of::<entity::initiative_supporter::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows
            .into_iter()
            .filter(|s| s.state == SupporterState::Active)
            .map(Supporter)
            .collect())
    }
    /// Kommuner asked to co-sign (by a joint procurement window) that have not yet.
    async fn invited_supporters(&self, ctx: &Context<'_>) -> Result<Vec<Supporter>> {
        let rows = rows_of::<entity::initiative_supporter::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows
            .into_iter()
            .filter(|s| s.state == SupporterState::Invited)
            .map(Supporter)
            .collect())
    }
    async fn vendor_responses(&self, ctx: &Context<'_>) -> Result<Vec<VendorResponse>> {
        let rows = rows_of::<entity::vendor_response::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows.into_iter().map(VendorResponse).collect())
    }
    /// What the supporters bring: how many, their population, and how many of them run the
    /// vendor's products according to the inventory.
    async fn leverage(&self, ctx: &Context<'_>) -> Result<LeverageView> {
        let rows = rows_of::<entity::initiative_supporter::Entity>(loaders(ctx), self.0.seen()).await?;
        let l = scope(ctx)
            .influence()
            .leverage(&[(self.0.id, self.0.vendor_id)], &rows)
            .await?;
        let (_, l) = l.into_iter().next().unwrap_or((
            self.0.id,
            Leverage {
                supporters: 0,
                population: 0,
                running_vendor_products: 0,
            },
        ));
        Ok(LeverageView {
            supporters: l.supporters,
            combined_population: l.population,
            running_vendor_products: l.running_vendor_products,
        })
    }
}

/// The weight behind an initiative.
#[derive(SimpleObject)]
pub struct LeverageView {
    supporters: usize,
    combined_population: i64,
    running_vendor_products: usize,
}

/// One requirement.
pub struct Requirement(initiative_requirement::Model);

#[Object]
impl Requirement {
    async fn text(&self) -> &str {
        &self.0.text
    }
    async fn priority(&self) -> RequirementPriority {
        self.0.priority
    }
}

/// A co-signing kommun.
pub struct Supporter(initiative_supporter::Model);

#[Object]
impl Supporter {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
    async fn date(&self) -> Date {
        Date(self.0.supported_on)
    }
    async fn comment(&self) -> &str {
        &self.0.comment
    }
}

/// The vendor's answer.
pub struct VendorResponse(vendor_response::Model);

#[Object]
impl VendorResponse {
    async fn date(&self) -> Date {
        Date(self.0.responded_on)
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn commitment(&self) -> &str {
        &self.0.commitment
    }
    async fn promised_delivery(&self) -> Option<Date> {
        self.0.promised_delivery.map(Date)
    }
    async fn outcome(&self) -> ResponseOutcome {
        self.0.outcome
    }
}

/// Queries on initiatives.
#[derive(Default)]
pub struct InitiativeQuery;

#[Object]
impl InitiativeQuery {
    /// Initiatives the caller may see, newest first.
    #[graphql(complexity = "(first.unwrap_or(20).clamp(0, 100) as usize) * child_complexity + 1")]
    async fn vendor_initiatives(
        &self,
        ctx: &Context<'_>,
        state: Option<Vec<InitiativeState>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, VendorInitiative>> {
        let page = scope(ctx)
            .influence()
            .initiatives(
                &state.unwrap_or_default(),
                &PageArgs {
                    first,
                    after,
                    ..Default::default()
                },
            )
            .await?;
        let seen: Vec<_> = page.items.iter().map(|i| i.seen()).collect();
        let node = ctx.look_ahead().field("edges").field("node");
        let l = loaders(ctx);
        if node.field("supporters").exists() || node.field("leverage").exists() {
            l.prefetch::<entity::initiative_supporter::Entity>(&seen).await?;
        }
        if node.field("requirements").exists() {
            l.prefetch::<entity::initiative_requirement::Entity>(&seen)
                .await?;
        }
        if node.field("vendorResponses").exists() {
            l.prefetch::<entity::vendor_response::Entity>(&seen).await?;
        }
        if node.field("vendor").exists() {
            l.vendors(page.items.iter().map(|i| i.vendor_id)).await?;
        }
        Ok(connection(
            page,
            EmptyFields,
            |_| None,
            |i| i.id,
            VendorInitiative,
        ))
    }
}

/// A requirement as the client gives it.
#[derive(InputObject)]
pub struct RequirementInput {
    text: String,
    priority: RequirementPriority,
}

/// A new initiative.
#[derive(InputObject)]
pub struct CreateVendorInitiativeInput {
    title: String,
    #[graphql(default)]
    description: String,
    vendor_id: ID,
    product_id: Option<ID>,
    deadline: Option<Date>,
    /// COUNTY by default: the point is to recruit co-signers.
    #[graphql(default_with = "Visibility::County")]
    visibility: Visibility,
    #[graphql(default)]
    requirements: Vec<RequirementInput>,
}

/// Changes to an initiative (DRAFT or OPEN_FOR_SUPPORT).
#[derive(InputObject)]
pub struct UpdateVendorInitiativeInput {
    id: ID,
    version: i32,
    title: Option<String>,
    description: Option<String>,
    deadline: Option<Date>,
    visibility: Option<Visibility>,
    /// Replaces all requirements.
    requirements: Option<Vec<RequirementInput>>,
}

/// A move along the life cycle.
#[derive(InputObject)]
pub struct TransitionVendorInitiativeInput {
    id: ID,
    version: i32,
    to: InitiativeState,
}

/// The initiative after the change.
#[derive(SimpleObject)]
pub struct VendorInitiativePayload {
    pub(super) initiative: VendorInitiative,
}

/// Co-signing.
#[derive(InputObject)]
pub struct SupportVendorInitiativeInput {
    initiative_id: ID,
    #[graphql(default)]
    comment: String,
}

/// Withdrawing support.
#[derive(InputObject)]
pub struct WithdrawSupportInput {
    initiative_id: ID,
}

/// The initiative with its supporters, while the caller may see it.
#[derive(SimpleObject)]
pub struct SupportPayload {
    initiative: Option<VendorInitiative>,
}

/// The vendor's response.
#[derive(InputObject)]
pub struct RecordVendorResponseInput {
    initiative_id: ID,
    date: Date,
    summary: String,
    #[graphql(default)]
    commitment: String,
    promised_delivery: Option<Date>,
    outcome: ResponseOutcome,
}

pub(super) fn reqs(r: Vec<RequirementInput>) -> Vec<(String, RequirementPriority)> {
    r.into_iter().map(|r| (r.text, r.priority)).collect()
}

/// Mutations on initiatives.
#[derive(Default)]
pub struct InitiativeMutation;

#[Object]
impl InitiativeMutation {
    /// Starts an initiative in DRAFT, led by the caller's kommun (editor).
    async fn create_vendor_initiative(
        &self,
        ctx: &Context<'_>,
        input: CreateVendorInitiativeInput,
    ) -> Result<VendorInitiativePayload> {
        let spec = InitiativeSpec {
            title: Some(input.title),
            description: Some(input.description),
            vendor_id: Some(ids::decode("vendorId", RecordKind::Vendor, &input.vendor_id)?),
            product_id: Some(
                input
                    .product_id
                    .as_ref()
                    .map(|p| ids::decode("productId", RecordKind::Product, p))
                    .transpose()?,
            ),
            deadline: Some(input.deadline.map(|d| d.0)),
            visibility: Some(input.visibility),
            requirements: Some(reqs(input.requirements)),
        };
        Ok(VendorInitiativePayload {
            initiative: VendorInitiative(scope(ctx).influence().create_initiative(spec).await?),
        })
    }

    /// Changes an initiative (initiator's editors, DRAFT or OPEN_FOR_SUPPORT).
    async fn update_vendor_initiative(
        &self,
        ctx: &Context<'_>,
        input: UpdateVendorInitiativeInput,
    ) -> Result<VendorInitiativePayload> {
        let id = ids::decode("id", RecordKind::VendorInitiative, &input.id)?;
        let spec = InitiativeSpec {
            title: input.title,
            description: input.description,
            deadline: input.deadline.map(|d| Some(d.0)),
            visibility: input.visibility,
            requirements: input.requirements.map(reqs),
            ..Default::default()
        };
        Ok(VendorInitiativePayload {
            initiative: VendorInitiative(
                scope(ctx)
                    .influence()
                    .update_initiative(id, input.version, spec)
                    .await?,
            ),
        })
    }

    /// DRAFT → OPEN_FOR_SUPPORT → SUBMITTED; after a response ACCEPTED, PARTIALLY_ACCEPTED or
    /// REJECTED; then DELIVERED; WITHDRAWN from any open state (initiator's editors).
    async fn transition_vendor_initiative(
        &self,
        ctx: &Context<'_>,
        input: TransitionVendorInitiativeInput,
    ) -> Result<VendorInitiativePayload> {
        let id = ids::decode("id", RecordKind::VendorInitiative, &input.id)?;
        Ok(VendorInitiativePayload {
            initiative: VendorInitiative(
                scope(ctx)
                    .influence()
                    .transition_initiative(id, input.version, input.to)
                    .await?,
            ),
        })
    }

    /// Co-signs an initiative that is open for support (any kommun's editor).
    async fn support_vendor_initiative(
        &self,
        ctx: &Context<'_>,
        input: SupportVendorInitiativeInput,
    ) -> Result<SupportPayload> {
        let id = ids::decode("initiativeId", RecordKind::VendorInitiative, &input.initiative_id)?;
        let s = scope(ctx);
        s.influence().support(id, &input.comment).await?;
        Ok(SupportPayload {
            initiative: s.influence().initiative(id).await?.map(VendorInitiative),
        })
    }

    /// Withdraws the caller's kommun's support while the initiative is open.
    async fn withdraw_support(
        &self,
        ctx: &Context<'_>,
        input: WithdrawSupportInput,
    ) -> Result<SupportPayload> {
        let id = ids::decode("initiativeId", RecordKind::VendorInitiative, &input.initiative_id)?;
        let s = scope(ctx);
        s.influence().withdraw_support(id).await?;
        Ok(SupportPayload {
            initiative: s.influence().initiative(id).await?.map(VendorInitiative),
        })
    }

    /// Records the vendor's response to a submitted initiative (initiator's editors).
    async fn record_vendor_response(
        &self,
        ctx: &Context<'_>,
        input: RecordVendorResponseInput,
    ) -> Result<SupportPayload> {
        let id = ids::decode("initiativeId", RecordKind::VendorInitiative, &input.initiative_id)?;
        let s = scope(ctx);
        s.influence()
            .record_response(
                id,
                ResponseSpec {
                    date: input.date.0,
                    summary: input.summary,
                    commitment: input.commitment,
                    promised_delivery: input.promised_delivery.map(|d| d.0),
                    outcome: input.outcome,
                },
            )
            .await?;
        Ok(SupportPayload {
            initiative: s.influence().initiative(id).await?.map(VendorInitiative),
        })
    }
}
