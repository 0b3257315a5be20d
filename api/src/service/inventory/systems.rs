//! A kommun's system instances and the integrations between them.

use crate::domain::RecordKind;
use chrono::Utc;
use entity::{integration, product, system_instance};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::service::{Parent, Scope, WriteTx, audit::Guarded};
use crate::{
    domain::authz::{Action, Standing},
    error::{ApiError, ApiResult},
};

use super::{InstanceSpec, check_instance, text};

impl crate::service::Inventory<'_, '_> {
    /// Registers a system the caller's kommun runs.
    pub async fn register_instance(&self, spec: InstanceSpec) -> ApiResult<system_instance::Model> {
        self.refuse_early(Action::Create)?;
        check_instance(&spec).map_err(|(f, m)| ApiError::input(f, m))?;
        let mut tx = self.write("registerSystemInstance").await?;
        let grant = tx.authorize(Action::Create, Standing::default())?;
        if product::Entity::find_by_id(spec.product_id)
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(ApiError::input("productId", "no product with that id"));
        }
        let mut register = self.readiness().register(&tx).await?;
        let named = register
            .resolve_all(&spec.roles)
            .map_err(|(f, m)| ApiError::input(f, m))?;
        let roles = self
            .readiness()
            .holders_for(&mut tx, &grant, &mut register, named)
            .await?;
        let i = self.insert_instance(&mut tx, &grant, &spec, roles).await?;
        tx.within(Parent::SystemInstance(i.id));
        self.readiness()
            .settle_releases(&mut tx, &grant, roles.into_iter().flatten())
            .await?;
        tx.commit().await?;
        Ok(i)
    }

    /// Changes one of the caller's kommun's instances; `CONFLICT` on a stale version.
    pub async fn update_instance(
        &self,
        id: i64,
        version: i32,
        spec: InstanceSpec,
    ) -> ApiResult<system_instance::Model> {
        self.principal()?;
        check_instance(&spec).map_err(|(f, m)| ApiError::input(f, m))?;
        let mut tx = self.write("updateSystemInstance").await?;
        if product::Entity::find_by_id(spec.product_id)
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(ApiError::input("system.productId", "no product with that id"));
        }
        let (before, grant) = self
            .changeable::<system_instance::Model>(&tx, id, Action::Change)
            .await?
            .into_parts();
        let mut register = self.readiness().register(&tx).await?;
        let named = register
            .resolve_all(&spec.roles)
            .map_err(|(f, m)| ApiError::input(format!("system.{f}"), m))?;
        let roles = self
            .readiness()
            .holders_for(&mut tx, &grant, &mut register, named)
            .await?;
        let mut after = before.clone();
        after.product_id = spec.product_id;
        after.product_version = spec.product_version.trim().into();
        after.maintenance_object = spec.maintenance_object.trim().into();
        [
            after.system_owner_id,
            after.object_owner_id,
            after.object_manager_business_id,
            after.object_manager_it_id,
        ] = roles;
        after.last_reviewed = spec.last_reviewed;
        after.hosting = spec.hosting;
        after.data_location = spec.data_location;
        after.confidentiality = spec.confidentiality;
        after.integrity = spec.integrity;
        after.availability = spec.availability;
        after.contract_end = spec.contract_end;
        after.annual_cost_ore = spec.annual_cost.map(|c| c.ore());
        after.visibility = spec.visibility;
        let after = tx.save(&grant, &before, after, version).await?;
        let held = |i: &system_instance::Model| {
            [
                i.system_owner_id,
                i.object_owner_id,
                i.object_manager_business_id,
                i.object_manager_it_id,
            ]
        };
        self.readiness()
            .settle_releases(
                &mut tx,
                &grant,
                held(&before).into_iter().chain(held(&after)).flatten(),
            )
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Connects two of the caller's kommun's systems.
    pub async fn add_integration(
        &self,
        from: i64,
        to: i64,
        protocol: &str,
        standard: &str,
        description: &str,
    ) -> ApiResult<integration::Model> {
        let me = self.principal()?;
        if from == to {
            return Err(ApiError::input(
                "toInstanceId",
                "an integration connects two different systems",
            ));
        }
        let mut tx = self.write("addIntegration").await?;
        let ends = self
            .visible_instances()
            .filter(system_instance::Column::Id.is_in([from, to]))
            .all(tx.conn())
            .await?;
        for (field, id) in [("fromInstanceId", from), ("toInstanceId", to)] {
            if !ends.iter().any(|i| i.id == id) {
                return Err(ApiError::input(field, "no system instance with that id"));
            }
        }
        tx.within(Parent::SystemInstance(from));
        tx.names(Parent::SystemInstance(to));
        let own = ends.iter().all(|i| i.owner_id == me.municipality_id);
        let grant = tx.authorize(
            Action::Change,
            Standing {
                owner: own,
                ..Default::default()
            },
        )?;
        let now = Utc::now();
        let g = integration::ActiveModel {
            owner_id: Set(me.municipality_id),
            from_instance_id: Set(from),
            to_instance_id: Set(to),
            protocol: Set(text("protocol", protocol, 100, true)?),
            standard: Set(text("standard", standard, 100, false)?),
            description: Set(text("description", description, 4000, false)?),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let g = tx.insert(&grant, g).await?;
        tx.commit().await?;
        Ok(g)
    }

    /// Removes an integration of the caller's kommun.
    pub async fn remove_integration(&self, id: i64) -> ApiResult<integration::Model> {
        let mut tx = self.write("removeIntegration").await?;
        let (g, grant) = self
            .changeable::<integration::Model>(&tx, id, Action::Change)
            .await?
            .into_parts();
        tx.names(Parent::SystemInstance(g.to_instance_id));
        tx.delete(&grant, &g).await?;
        tx.commit().await?;
        Ok(g)
    }
}

super::super::audit::audited!(
    integration,
    RecordKind::Integration,
    "the integration",
    |g| json!({
        "from": g.from_instance_id, "to": g.to_instance_id, "protocol": g.protocol,
        "standard": g.standard, "description": g.description,
    })
);

impl Guarded for system_instance::Model {
    const MISSING: &'static str = "no system instance with that id";

    async fn load(scope: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        Ok(scope
            .inventory()
            .visible_instances()
            .filter(system_instance::Column::Id.eq(id))
            .one(tx.conn())
            .await?)
    }

    fn parent(&self) -> Parent {
        Parent::SystemInstance(self.id)
    }

    async fn standing(&self, _: &Scope<'_>, tx: &WriteTx<'_>, _: Action) -> ApiResult<Standing> {
        Ok(Standing {
            owner: self.owner_id == tx.principal().municipality_id,
            ..Default::default()
        })
    }
}

/// An integration is its kommun's alone: another kommun's integrations are not found, since
/// reading one would tell of a system that kommun may keep PRIVATE.
impl Guarded for integration::Model {
    const MISSING: &'static str = "no integration with that id";

    async fn load(_: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        let me = tx.principal().municipality_id;
        Ok(integration::Entity::find_by_id(id)
            .one(tx.conn())
            .await?
            .filter(|g| g.owner_id == me))
    }

    fn parent(&self) -> Parent {
        Parent::SystemInstance(self.from_instance_id)
    }

    async fn standing(&self, _: &Scope<'_>, _: &WriteTx<'_>, _: Action) -> ApiResult<Standing> {
        Ok(Standing {
            owner: true,
            ..Default::default()
        })
    }
}
