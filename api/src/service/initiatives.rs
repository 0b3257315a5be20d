//! Vendor-influence initiatives: requirements, supporters, the vendor's responses and the
//! leverage the supporters bring.
use crate::domain::inventory::SupporterState;
use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use entity::{
    initiative_requirement, initiative_supporter, product, system_instance, vendor, vendor_initiative,
    vendor_response,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Select, Set};
use serde_json::json;

use super::{
    Parent, Scope, WriteTx, authorize,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    text, visibility,
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

fn not_found() -> ApiError {
    ApiError::NotFound("no vendor initiative with that id".into())
}

fn state(i: &Initiative) -> ApiResult<InitiativeState> {
    super::stored(&i.state)
}

super::audit::versioned!(
    vendor_initiative,
    "VendorInitiative",
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

impl Scope<'_> {
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
            q = q.filter(vendor_initiative::Column::State.is_in(states.iter().map(|s| s.as_str())));
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

    async fn visible_initiative_in(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<Initiative> {
        let i = self
            .visible_initiatives()
            .filter(vendor_initiative::Column::Id.eq(id))
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        tx.within(Parent::VendorInitiative(i.id));
        Ok(i)
    }

    async fn own_initiative(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<Initiative> {
        let i = self.visible_initiative_in(tx, id).await?;
        let me = tx.principal();
        let owner = i.owner_id == me.municipality_id;
        authorize(
            me,
            Action::Change,
            Standing {
                owner,
                ..Default::default()
            },
        )?;
        Ok(i)
    }

    async fn check_target(&self, tx: &WriteTx<'_>, vendor_id: i64, product_id: Option<i64>) -> ApiResult<()> {
        if vendor::Entity::find_by_id(vendor_id)
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(ApiError::input("vendorId", "no vendor with that id"));
        }
        if let Some(p) = product_id {
            let p = product::Entity::find_by_id(p)
                .one(tx.conn())
                .await?
                .ok_or_else(|| ApiError::input("productId", "no product with that id"))?;
            if p.vendor_id != vendor_id {
                return Err(ApiError::input(
                    "productId",
                    "the product is not the target vendor's",
                ));
            }
        }
        Ok(())
    }

    async fn replace_requirements(
        &self,
        tx: &mut WriteTx<'_>,
        id: i64,
        reqs: &[(String, RequirementPriority)],
    ) -> ApiResult<()> {
        if reqs.len() > 50 {
            return Err(ApiError::input("requirements", "at most 50 requirements"));
        }
        initiative_requirement::Entity::delete_many()
            .filter(initiative_requirement::Column::InitiativeId.eq(id))
            .exec(tx.writer())
            .await?;
        let now = Utc::now();
        for (n, (t, p)) in reqs.iter().enumerate() {
            let r = initiative_requirement::ActiveModel {
                initiative_id: Set(id),
                text: Set(text(&format!("requirements[{n}].text"), t, 2000, true)?),
                priority: Set(p.as_str().into()),
                position: Set(n as i32),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(tx.writer())
            .await?;
            tx.record(
                "InitiativeRequirement",
                r.id,
                None,
                Some(json!({"text": r.text, "priority": r.priority})),
            );
        }
        tx.record(
            "VendorInitiative",
            id,
            None,
            Some(json!({"requirements": reqs.iter().map(|(t, p)| json!({"text": t, "priority": p.as_str()})).collect::<Vec<_>>()})),
        );
        Ok(())
    }

    /// Starts an initiative in DRAFT, led by the caller's kommun.
    pub async fn create_initiative(&self, spec: InitiativeSpec) -> ApiResult<Visible<Initiative>> {
        let me = self.authorized(Action::Create, Standing::default())?;
        let mut tx = self.write("createVendorInitiative").await?;
        let vendor_id = spec
            .vendor_id
            .ok_or_else(|| ApiError::input("vendorId", "is required"))?;
        let product_id = spec.product_id.flatten();
        self.check_target(&tx, vendor_id, product_id).await?;
        let now = Utc::now();
        let i = vendor_initiative::ActiveModel {
            title: Set(text("title", spec.title.as_deref().unwrap_or(""), 200, true)?),
            description: Set(text(
                "description",
                spec.description.as_deref().unwrap_or(""),
                20_000,
                false,
            )?),
            vendor_id: Set(vendor_id),
            product_id: Set(product_id),
            owner_id: Set(me.municipality_id),
            county_id: Set(me.county_id),
            deadline: Set(spec.deadline.flatten()),
            visibility: Set(spec.visibility.unwrap_or(Visibility::County).as_str().into()),
            state: Set(InitiativeState::Draft.as_str().into()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        tx.within(Parent::VendorInitiative(i.id));
        tx.created(&i);
        self.replace_requirements(&mut tx, i.id, spec.requirements.as_deref().unwrap_or_default())
            .await?;
        tx.commit().await?;
        Ok(Visible::new(i))
    }

    /// Changes an initiative while it is a draft or open for support.
    pub async fn update_initiative(
        &self,
        id: i64,
        version: i32,
        spec: InitiativeSpec,
    ) -> ApiResult<Visible<Initiative>> {
        let mut tx = self.write("updateVendorInitiative").await?;
        let before = self.own_initiative(&tx, id).await?;
        if !matches!(
            state(&before)?,
            InitiativeState::Draft | InitiativeState::OpenForSupport
        ) {
            return Err(ApiError::Conflict(format!(
                "a {} initiative no longer changes",
                before.state
            )));
        }
        let mut after = before.clone();
        if let Some(t) = &spec.title {
            after.title = text("title", t, 200, true)?;
        }
        if let Some(d) = &spec.description {
            after.description = text("description", d, 20_000, false)?;
        }
        if let Some(v) = spec.vendor_id {
            after.vendor_id = v;
        }
        if let Some(p) = spec.product_id {
            after.product_id = p;
        }
        self.check_target(&tx, after.vendor_id, after.product_id).await?;
        if let Some(d) = spec.deadline {
            after.deadline = d;
        }
        if let Some(v) = spec.visibility {
            after.visibility = v.as_str().into();
        }
        let saved = tx.save(&before, after, version).await?;
        if let Some(reqs) = &spec.requirements {
            self.replace_requirements(&mut tx, id, reqs).await?;
        }
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Moves an initiative along its life cycle (initiator's editors).
    pub async fn transition_initiative(
        &self,
        id: i64,
        version: i32,
        to: InitiativeState,
    ) -> ApiResult<Visible<Initiative>> {
        let mut tx = self.write("transitionVendorInitiative").await?;
        let before = self.own_initiative(&tx, id).await?;
        let from = state(&before)?;
        if !from.may_become(to) {
            let hint = if to == InitiativeState::VendorResponded {
                "; record the vendor's response instead"
            } else {
                ""
            };
            return Err(ApiError::input(
                "to",
                format!(
                    "an initiative cannot go from {} to {}{hint}",
                    from.as_str(),
                    to.as_str()
                ),
            ));
        }
        let mut after = before.clone();
        after.state = to.as_str().into();
        let saved = tx.save(&before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Co-signs an open initiative for the caller's kommun.
    pub async fn support(&self, id: i64, comment: &str) -> ApiResult<initiative_supporter::Model> {
        let me = self.authorized(Action::Support, Standing::default())?;
        let mut tx = self.write("supportVendorInitiative").await?;
        let i = self.visible_initiative_in(&tx, id).await?;
        if state(&i)? != InitiativeState::OpenForSupport {
            return Err(ApiError::Conflict(format!(
                "support is given while OPEN_FOR_SUPPORT; the initiative is {}",
                i.state
            )));
        }
        let comment = text("comment", comment, 2000, false)?;
        let existing = initiative_supporter::Entity::find()
            .filter(initiative_supporter::Column::InitiativeId.eq(id))
            .filter(initiative_supporter::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        let now = Utc::now();
        let saved = match existing {
            Some(s) if s.state == SupporterState::Active.as_str() => {
                return Err(ApiError::Conflict(format!(
                    "kommun {} supports this initiative already",
                    me.kommun
                )));
            }
            Some(s) => {
                let mut a = s.into_active_model();
                a.state = Set(SupporterState::Active.as_str().into());
                a.comment = Set(comment);
                a.supported_on = Set(now.date_naive());
                a.updated_at = Set(now);
                a.update(tx.writer()).await?
            }
            None => {
                initiative_supporter::ActiveModel {
                    initiative_id: Set(id),
                    municipality_id: Set(me.municipality_id),
                    supported_on: Set(now.date_naive()),
                    comment: Set(comment),
                    state: Set(SupporterState::Active.as_str().into()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.writer())
                .await?
            }
        };
        tx.record("InitiativeSupporter", saved.id, None, Some(json!({"initiativeId": id, "municipalityId": saved.municipality_id, "comment": saved.comment, "state": SupporterState::Active.as_str()})));
        tx.commit().await?;
        Ok(saved)
    }

    /// Withdraws the caller's kommun's support while the initiative is open.
    pub async fn withdraw_support(&self, id: i64) -> ApiResult<initiative_supporter::Model> {
        let me = self.principal()?;
        let mut tx = self.write("withdrawSupport").await?;
        let i = self.visible_initiative_in(&tx, id).await?;
        let s = initiative_supporter::Entity::find()
            .filter(initiative_supporter::Column::InitiativeId.eq(id))
            .filter(initiative_supporter::Column::MunicipalityId.eq(me.municipality_id))
            .filter(initiative_supporter::Column::State.eq(SupporterState::Active.as_str()))
            .one(tx.conn())
            .await?;
        if s.is_some() {
            authorize(
                me,
                Action::ActAsMember,
                Standing {
                    member: true,
                    ..Default::default()
                },
            )?;
        } else {
            // Refusing a role comes before telling a kommun what it does not support.
            authorize(me, Action::Support, Standing::default())?;
        }
        if state(&i)? != InitiativeState::OpenForSupport {
            return Err(ApiError::Conflict(format!(
                "support is withdrawn while OPEN_FOR_SUPPORT; the initiative is {}",
                i.state
            )));
        }
        let s = s.ok_or_else(|| {
            ApiError::input(
                "initiativeId",
                format!("kommun {} does not support this initiative", me.kommun),
            )
        })?;
        let mut a = s.into_active_model();
        a.state = Set(SupporterState::Withdrawn.as_str().into());
        a.updated_at = Set(Utc::now());
        let saved = a.update(tx.writer()).await?;
        tx.record(
            "InitiativeSupporter",
            saved.id,
            Some(json!({"state": SupporterState::Active.as_str()})),
            Some(json!({"state": SupporterState::Withdrawn.as_str()})),
        );
        tx.commit().await?;
        Ok(saved)
    }

    /// Records the vendor's response to a submitted initiative (initiator's editors).
    pub async fn record_response(&self, id: i64, r: ResponseSpec) -> ApiResult<vendor_response::Model> {
        let mut tx = self.write("recordVendorResponse").await?;
        let before = self.own_initiative(&tx, id).await?;
        let from = state(&before)?;
        if !matches!(
            from,
            InitiativeState::Submitted | InitiativeState::VendorResponded
        ) {
            return Err(ApiError::Conflict(format!(
                "responses are recorded once SUBMITTED; the initiative is {}",
                before.state
            )));
        }
        let now = Utc::now();
        let saved = vendor_response::ActiveModel {
            initiative_id: Set(id),
            responded_on: Set(r.date),
            summary: Set(text("summary", &r.summary, 4000, true)?),
            commitment: Set(text("commitment", &r.commitment, 4000, false)?),
            promised_delivery: Set(r.promised_delivery),
            outcome: Set(r.outcome.as_str().into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        if from == InitiativeState::Submitted {
            let mut after = before.clone();
            after.state = InitiativeState::VendorResponded.as_str().into();
            let v = before.version;
            tx.save(&before, after, v).await?;
        }
        tx.record("VendorResponse", saved.id, None, Some(json!({"initiativeId": id, "respondedOn": saved.responded_on, "summary": saved.summary, "outcome": saved.outcome})));
        tx.commit().await?;
        Ok(saved)
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
            // (DOMAIN.md, "Visibility"): otherwise a PRIVATE system would be told by its kommun.
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
                    .filter(|s| s.initiative_id == *id && s.state == SupporterState::Active.as_str())
                    .map(|s| s.municipality_id)
                    .collect();
                let population = active
                    .iter()
                    .filter_map(|m| self.reference().municipality(*m))
                    .map(|m| m.population)
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
