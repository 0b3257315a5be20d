//! Vendor-influence initiatives: the area's types, reading initiatives, leverage and the checks
//! changes start with. Beside this file: `lifecycle` (create, edit, the state machine, vendor
//! responses) and `supporters` (co-signing and withdrawing).

mod lifecycle;
mod supporters;

use crate::domain::RecordKind;
use crate::domain::inventory::SupporterState;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use entity::{initiative_supporter, product, system_instance, vendor_initiative};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};
use serde_json::json;

use super::{
    Parent, Scope, WriteTx,
    audit::{Changeable, Guarded},
    pagination::{KeysetOrder, Page, PageArgs, finish},
    visibility,
    visibility::Visible,
};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        Visibility,
        inventory::{InitiativeState, RequirementPriority, ResponseOutcome},
    },
    error::{ApiError, ApiResult},
};

type Initiative = vendor_initiative::Model;

/// The initiator owns an initiative; an active supporter is a member of it (withdrawing); any
/// kommun that sees it may support it.
impl Guarded for Initiative {
    const MISSING: &'static str = "no vendor initiative with that id";

    async fn load(scope: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        Ok(scope
            .influence()
            .visible_initiatives()
            .filter(vendor_initiative::Column::Id.eq(id))
            .one(tx.conn())
            .await?)
    }

    fn parent(&self) -> Parent {
        Parent::VendorInitiative(self.id)
    }

    async fn standing(&self, _: &Scope<'_>, tx: &WriteTx<'_>, action: Action) -> ApiResult<Standing> {
        let me = tx.principal();
        let member = action == Action::ActAsMember
            && initiative_supporter::Entity::find()
                .filter(initiative_supporter::Column::InitiativeId.eq(self.id))
                .filter(initiative_supporter::Column::MunicipalityId.eq(me.municipality_id))
                .filter(initiative_supporter::Column::State.eq(SupporterState::Active))
                .one(tx.conn())
                .await?
                .is_some();
        Ok(Standing {
            owner: self.owner_id == me.municipality_id,
            member,
            ..Default::default()
        })
    }
}

super::audit::audited!(
    initiative_requirement,
    RecordKind::InitiativeRequirement,
    "the requirement",
    |r| json!({
        "text": r.text, "priority": r.priority,
    })
);

super::audit::audited!(
    initiative_supporter,
    RecordKind::InitiativeSupporter,
    "the support",
    |s| json!({
        "initiativeId": s.initiative_id, "municipalityId": s.municipality_id, "comment": s.comment,
        "state": s.state,
    })
);

super::audit::audited!(
    vendor_response,
    RecordKind::VendorResponse,
    "the response",
    |r| json!({
        "initiativeId": r.initiative_id, "respondedOn": r.responded_on, "summary": r.summary,
        "outcome": r.outcome,
    })
);

fn not_found() -> ApiError {
    ApiError::NotFound("no vendor initiative with that id".into())
}

super::audit::versioned!(
    vendor_initiative,
    RecordKind::VendorInitiative,
    "the initiative",
    |i| json!({
        "title": i.title, "description": i.description, "vendorId": i.vendor_id, "productId": i.product_id,
        "deadline": i.deadline, "visibility": i.visibility, "state": i.state, "version": i.version,
    })
);

/// A new initiative, or the fields to change (`None` keeps a field).
#[derive(Clone, Debug, Default)]
pub struct InitiativeSpec {
    pub title: Option<String>,
    pub description: Option<String>,
    pub vendor_id: Option<i64>,
    pub product_id: Option<Option<i64>>,
    pub deadline: Option<Option<NaiveDate>>,
    pub visibility: Option<Visibility>,
    pub requirements: Option<Vec<(String, RequirementPriority)>>,
}

/// A vendor's response.
#[derive(Clone, Debug)]
pub struct ResponseSpec {
    pub date: NaiveDate,
    pub summary: String,
    pub commitment: String,
    pub promised_delivery: Option<NaiveDate>,
    pub outcome: ResponseOutcome,
}

/// What the supporters bring to the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leverage {
    pub supporters: usize,
    pub population: i64,
    /// Supporters that run one of the vendor's products according to the inventory.
    pub running_vendor_products: usize,
}

impl crate::service::Influence<'_, '_> {
    fn visible_initiatives(&self) -> Select<vendor_initiative::Entity> {
        vendor_initiative::Entity::find().filter(visibility::vendor_initiatives(self.caller()))
    }

    /// Initiatives the caller may see, newest first, optionally in some states.
    pub async fn initiatives(
        &self,
        states: &[InitiativeState],
        args: &PageArgs,
    ) -> ApiResult<Page<Visible<Initiative>>> {
        self.reader()?;
        let req = args.validate()?;
        let mut q = self.visible_initiatives();
        if !states.is_empty() {
            q = q.filter(vendor_initiative::Column::State.is_in(states.iter().copied()));
        }
        let keyset = KeysetOrder {
            key: None,
            id: vendor_initiative::Column::Id,
            ascending: false,
        };
        Ok(finish(
            Visible::all(keyset.apply(q, &req).all(self.db()).await?),
            &req,
        ))
    }

    /// A visible initiative.
    pub async fn initiative(&self, id: i64) -> ApiResult<Option<Visible<Initiative>>> {
        self.reader()?;
        Ok(self
            .visible_initiatives()
            .filter(vendor_initiative::Column::Id.eq(id))
            .one(self.db())
            .await?
            .map(Visible::new))
    }

    async fn own_initiative(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<Changeable<Initiative>> {
        self.changeable::<Initiative>(tx, id, Action::Change).await
    }

    /// The leverage of the active supporters of each initiative in one go.
    pub async fn leverage(
        &self,
        initiatives: &[(i64, i64)],
        supporters: &[initiative_supporter::Model],
    ) -> ApiResult<Vec<(i64, Leverage)>> {
        let vendors: Vec<i64> = initiatives.iter().map(|(_, v)| *v).collect();
        let running: Vec<(i32, i64)> = if vendors.is_empty() {
            Vec::new()
        } else {
            let products = product::Entity::find()
                .filter(product::Column::VendorId.is_in(vendors))
                .all(self.db())
                .await?;
            let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
            // Shown beside the named supporters, so only systems the caller may see count
            // (docs/domain.md, "Visibility"): otherwise a PRIVATE system would be told by its kommun.
            let instances = system_instance::Entity::find()
                .filter(super::visibility::system_instances(self.caller()))
                .filter(system_instance::Column::ProductId.is_in(ids))
                .all(self.db())
                .await?;
            instances
                .iter()
                .filter_map(|i| {
                    products
                        .iter()
                        .find(|p| p.id == i.product_id)
                        .map(|p| (i.owner_id, p.vendor_id))
                })
                .collect()
        };
        Ok(initiatives
            .iter()
            .map(|(id, vendor)| {
                let active: BTreeSet<i32> = supporters
                    .iter()
                    .filter(|s| s.initiative_id == *id && s.state == SupporterState::Active)
                    .map(|s| s.municipality_id)
                    .collect();
                let population = active
                    .iter()
                    .filter_map(|m| self.reference().current_population(*m))
                    .sum();
                let running_vendor_products = active
                    .iter()
                    .filter(|m| running.iter().any(|(o, v)| o == *m && v == vendor))
                    .count();
                (
                    *id,
                    Leverage {
                        supporters: active.len(),
                        population,
                        running_vendor_products,
                    },
                )
            })
            .collect())
    }
}
