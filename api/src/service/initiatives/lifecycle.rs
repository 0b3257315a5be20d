//! An initiative's life: creation, edits, requirements, the state machine and the vendor's responses.

use crate::domain::RecordKind;
use chrono::Utc;
use entity::{initiative_requirement, product, vendor, vendor_initiative, vendor_response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::service::{Grant, Influence, Parent, WriteTx, text, visibility::Visible};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        Visibility,
        inventory::{InitiativeState, RequirementPriority},
    },
    error::{ApiError, ApiResult},
};

use super::{Initiative, InitiativeSpec, ResponseSpec};

impl Influence<'_, '_> {
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
        grant: &Grant,
        id: i64,
        reqs: &[(String, RequirementPriority)],
    ) -> ApiResult<()> {
        if reqs.len() > 50 {
            return Err(ApiError::input("requirements", "at most 50 requirements"));
        }
        let old = initiative_requirement::Entity::find()
            .filter(initiative_requirement::Column::InitiativeId.eq(id))
            .all(tx.conn())
            .await?;
        for r in &old {
            tx.delete(grant, r).await?;
        }
        let now = Utc::now();
        for (n, (t, p)) in reqs.iter().enumerate() {
            let r = initiative_requirement::ActiveModel {
                initiative_id: Set(id),
                text: Set(text(&format!("requirements[{n}].text"), t, 2000, true)?),
                priority: Set(*p),
                position: Set(n as i32),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            tx.insert(grant, r).await?;
        }
        tx.record(
            RecordKind::VendorInitiative,
            id,
            None,
            Some(json!({"requirements": reqs.iter().map(|(t, p)| json!({"text": t, "priority": p})).collect::<Vec<_>>()})),
        );
        Ok(())
    }

    /// Starts an initiative in DRAFT, led by the caller's kommun.
    pub async fn create_initiative(&self, spec: InitiativeSpec) -> ApiResult<Visible<Initiative>> {
        self.refuse_early(Action::Create)?;
        let mut tx = self.write("createVendorInitiative").await?;
        let grant = tx.authorize(Action::Create, Standing::default())?;
        let i = self.insert_initiative(&mut tx, &grant, spec).await?;
        tx.commit().await?;
        Ok(Visible::new(i))
    }

    /// Writes a new DRAFT initiative of the caller's kommun, with its requirements, within a
    /// mutation that has checked the caller may create one.
    pub(in crate::service) async fn insert_initiative(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &Grant,
        spec: InitiativeSpec,
    ) -> ApiResult<Initiative> {
        let me = tx.principal();
        let vendor_id = spec
            .vendor_id
            .ok_or_else(|| ApiError::input("vendorId", "is required"))?;
        let product_id = spec.product_id.flatten();
        self.check_target(tx, vendor_id, product_id).await?;
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
            visibility: Set(spec.visibility.unwrap_or(Visibility::County)),
            state: Set(InitiativeState::Draft),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let i = tx.insert(grant, i).await?;
        tx.within(Parent::VendorInitiative(i.id));
        self.replace_requirements(tx, grant, i.id, spec.requirements.as_deref().unwrap_or_default())
            .await?;
        Ok(i)
    }

    /// Changes an initiative while it is a draft or open for support.
    pub async fn update_initiative(
        &self,
        id: i64,
        version: i32,
        spec: InitiativeSpec,
    ) -> ApiResult<Visible<Initiative>> {
        let mut tx = self.write("updateVendorInitiative").await?;
        let (before, grant) = self.own_initiative(&tx, id).await?.into_parts();
        if !matches!(
            before.state,
            InitiativeState::Draft | InitiativeState::OpenForSupport
        ) {
            return Err(ApiError::input(
                "id",
                format!(
                    "an initiative changes while DRAFT or OPEN_FOR_SUPPORT; it is {}",
                    before.state.with_next()
                ),
            ));
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
            after.visibility = v;
        }
        let saved = tx.save(&grant, &before, after, version).await?;
        if let Some(reqs) = &spec.requirements {
            self.replace_requirements(&mut tx, &grant, id, reqs).await?;
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
        let (before, grant) = self.own_initiative(&tx, id).await?.into_parts();
        let from = before.state;
        if !from.may_become(to) {
            let hint = if to == InitiativeState::VendorResponded {
                "; record the vendor's response instead"
            } else {
                ""
            };
            return Err(ApiError::input(
                "to",
                format!(
                    "an initiative cannot go to {to}: it is {}{hint}",
                    from.with_next()
                ),
            ));
        }
        let mut after = before.clone();
        after.state = to;
        let saved = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Records the vendor's response to a submitted initiative (initiator's editors).
    pub async fn record_response(&self, id: i64, r: ResponseSpec) -> ApiResult<vendor_response::Model> {
        let mut tx = self.write("recordVendorResponse").await?;
        let (before, grant) = self.own_initiative(&tx, id).await?.into_parts();
        let from = before.state;
        if !matches!(
            from,
            InitiativeState::Submitted | InitiativeState::VendorResponded
        ) {
            return Err(ApiError::input(
                "initiativeId",
                format!(
                    "responses are recorded once SUBMITTED; the initiative is {}",
                    from.with_next()
                ),
            ));
        }
        let now = Utc::now();
        let row = vendor_response::ActiveModel {
            initiative_id: Set(id),
            responded_on: Set(r.date),
            summary: Set(text("summary", &r.summary, 4000, true)?),
            commitment: Set(text("commitment", &r.commitment, 4000, false)?),
            promised_delivery: Set(r.promised_delivery),
            outcome: Set(r.outcome),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        // The initiative's change comes first: it is the record the event is about.
        if from == InitiativeState::Submitted {
            let mut after = before.clone();
            after.state = InitiativeState::VendorResponded;
            let v = before.version;
            tx.save(&grant, &before, after, v).await?;
        }
        let saved = tx.insert(&grant, row).await?;
        tx.commit().await?;
        Ok(saved)
    }
}
