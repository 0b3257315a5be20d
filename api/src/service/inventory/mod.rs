//! The systems inventory: the area's types, reading system instances, the system map and the
//! county's questions. Beside this file: `vendors` (vendors and products, shared reference
//! data), `systems` (a kommun's system instances and integrations) and `import` (CSV).

mod import;
pub use import::IMPORT_COLUMNS;
mod systems;
mod vendors;

use crate::domain::RecordKind;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate, Utc};
use entity::{integration, product, system_instance};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Select, Set};
use serde_json::json;

use super::{
    Grant, Inventory, WriteTx,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    text, visibility,
};
use crate::{
    domain::{
        Visibility,
        inventory::Hosting,
        sourcing::{DataLocation, KlassaLevel},
    },
    error::{ApiError, ApiResult},
};

/// A system instance's fields as a client or an import row gives them.
#[derive(Clone, Debug)]
pub struct InstanceSpec {
    pub product_id: i64,
    pub product_version: String,
    pub maintenance_object: String,
    /// The pm3 roles, by key or exact name in the kommun's register.
    pub roles: crate::service::readiness::RoleRefs,
    pub last_reviewed: Option<NaiveDate>,
    pub hosting: Hosting,
    pub data_location: DataLocation,
    pub confidentiality: KlassaLevel,
    pub integrity: KlassaLevel,
    pub availability: KlassaLevel,
    pub contract_end: Option<NaiveDate>,
    pub annual_cost: Option<crate::domain::Sek>,
    pub visibility: Visibility,
}

pub use crate::error::RowError;

/// One product's use in the county.
#[derive(Clone, Debug)]
pub struct ProductUsage {
    pub product: product::Model,
    /// Kommuner whose use the caller may see in detail.
    pub visible: Vec<i32>,
    /// Every kommun running it, including those whose instance is private to them.
    pub total: usize,
}

fn input(field: &str) -> impl Fn(String) -> ApiError + '_ {
    move |m| ApiError::input(field, m)
}

super::audit::versioned!(
    system_instance,
    RecordKind::SystemInstance,
    "the system instance",
    |i| json!({
        "productId": i.product_id, "productVersion": i.product_version,
        "maintenanceObject": i.maintenance_object, "systemOwnerId": i.system_owner_id,
        "objectOwnerId": i.object_owner_id, "objectManagerBusinessId": i.object_manager_business_id,
        "objectManagerItId": i.object_manager_it_id, "lastReviewed": i.last_reviewed,
        "hosting": i.hosting, "dataLocation": i.data_location, "confidentiality": i.confidentiality,
        "integrity": i.integrity, "availability": i.availability, "contractEnd": i.contract_end, "annualCostOre": i.annual_cost_ore,
        "visibility": i.visibility, "version": i.version,
    })
);

fn check_instance(spec: &InstanceSpec) -> Result<(), (String, String)> {
    if !matches!(spec.visibility, Visibility::County | Visibility::Private) {
        return Err((
            "visibility".into(),
            "a system instance is COUNTY (the default) or PRIVATE".into(),
        ));
    }
    for (f, v, max) in [
        ("productVersion", &spec.product_version, 100),
        ("maintenanceObject", &spec.maintenance_object, 200),
        ("systemOwner", &spec.roles.system_owner, 200),
        ("objectOwner", &spec.roles.object_owner, 200),
        ("objectManagerBusiness", &spec.roles.object_manager_business, 200),
        ("objectManagerIt", &spec.roles.object_manager_it, 200),
    ] {
        text(f, v, max, false).map_err(|e| (f.to_owned(), e.message()))?;
    }
    Ok(())
}

impl Inventory<'_, '_> {
    fn visible_instances(&self) -> Select<system_instance::Entity> {
        system_instance::Entity::find().filter(visibility::system_instances(self.caller()))
    }

    /// System instances the caller may see, optionally of one kommun or product.
    pub async fn system_instances(
        &self,
        kommun: Option<&str>,
        product_id: Option<i64>,
        args: &PageArgs,
    ) -> ApiResult<Page<system_instance::Model>> {
        self.reader()?;
        let req = args.validate()?;
        let mut q = self.visible_instances();
        if let Some(code) = kommun {
            q = q.filter(
                system_instance::Column::OwnerId
                    .eq(self.projects().municipality_id("filter.municipality", code)?),
            );
        }
        if let Some(p) = product_id {
            q = q.filter(system_instance::Column::ProductId.eq(p));
        }
        let keyset = KeysetOrder {
            key: None,
            id: system_instance::Column::Id,
            ascending: true,
        };
        Ok(finish(keyset.apply(q, &req).all(self.db()).await?, &req))
    }

    /// A visible instance.
    pub async fn system_instance(&self, id: i64) -> ApiResult<Option<system_instance::Model>> {
        self.reader()?;
        Ok(self
            .visible_instances()
            .filter(system_instance::Column::Id.eq(id))
            .one(self.db())
            .await?)
    }

    async fn insert_instance(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &Grant,
        spec: &InstanceSpec,
        roles: [Option<i64>; 4],
    ) -> ApiResult<system_instance::Model> {
        let me = tx.principal();
        let now = Utc::now();
        let i = system_instance::ActiveModel {
            owner_id: Set(me.municipality_id),
            county_id: Set(me.county_id),
            product_id: Set(spec.product_id),
            product_version: Set(spec.product_version.trim().into()),
            maintenance_object: Set(spec.maintenance_object.trim().into()),
            system_owner_id: Set(roles[0]),
            object_owner_id: Set(roles[1]),
            object_manager_business_id: Set(roles[2]),
            object_manager_it_id: Set(roles[3]),
            last_reviewed: Set(spec.last_reviewed),
            hosting: Set(spec.hosting),
            data_location: Set(spec.data_location),
            confidentiality: Set(spec.confidentiality),
            integrity: Set(spec.integrity),
            availability: Set(spec.availability),
            contract_end: Set(spec.contract_end),
            annual_cost_ore: Set(spec.annual_cost.map(|c| c.ore())),
            visibility: Set(spec.visibility),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        tx.insert(grant, i).await
    }

    /// A kommun's systems and integrations, as far as the caller may see them.
    pub async fn system_map(
        &self,
        code: &str,
    ) -> ApiResult<(Vec<system_instance::Model>, Vec<integration::Model>)> {
        self.reader()?;
        let owner = self.projects().municipality_id("kommun", code)?;
        let instances = self
            .visible_instances()
            .filter(system_instance::Column::OwnerId.eq(owner))
            .order_by_asc(system_instance::Column::Id)
            .all(self.db())
            .await?;
        let ids: BTreeSet<i64> = instances.iter().map(|i| i.id).collect();
        let integrations = integration::Entity::find()
            .filter(integration::Column::OwnerId.eq(owner))
            .order_by_asc(integration::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .filter(|g| ids.contains(&g.from_instance_id) && ids.contains(&g.to_instance_id))
            .collect();
        Ok((instances, integrations))
    }

    /// Per product: the kommuner whose use the caller may see, and how many run it in all.
    pub async fn product_usage(&self) -> ApiResult<Vec<ProductUsage>> {
        let p = self.reader()?;
        let county_ids: Vec<i32> = self
            .reference()
            .municipalities()
            .iter()
            .filter(|m| m.county_id == p.county_id)
            .map(|m| m.id)
            .collect();
        let all = system_instance::Entity::find()
            .filter(system_instance::Column::OwnerId.is_in(county_ids))
            .all(self.db())
            .await?;
        let visible: BTreeSet<i64> = self
            .visible_instances()
            .all(self.db())
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        let mut by_product: BTreeMap<i64, (BTreeSet<i32>, BTreeSet<i32>)> = BTreeMap::new();
        for i in &all {
            let e = by_product.entry(i.product_id).or_default();
            e.1.insert(i.owner_id);
            if visible.contains(&i.id) {
                e.0.insert(i.owner_id);
            }
        }
        let products = self
            .products_by_ids(&by_product.keys().copied().collect::<Vec<_>>())
            .await?;
        Ok(products
            .into_iter()
            .filter_map(|product| {
                let (v, t) = by_product.remove(&product.id)?;
                Some(ProductUsage {
                    product,
                    visible: v.into_iter().collect(),
                    total: t.len(),
                })
            })
            .collect())
    }

    /// Visible instances whose contract ends within `months` from today.
    pub async fn expiring_contracts(&self, months: u32) -> ApiResult<Vec<system_instance::Model>> {
        self.reader()?;
        let today = Utc::now().date_naive();
        let until = today
            .checked_add_months(Months::new(Ord::min(months, 600)))
            .unwrap_or(today);
        Ok(self
            .visible_instances()
            .filter(system_instance::Column::ContractEnd.gte(today))
            .filter(system_instance::Column::ContractEnd.lte(until))
            .order_by_asc(system_instance::Column::ContractEnd)
            .all(self.db())
            .await?)
    }

    /// Visible instances with confidentiality 3 or more whose data is in a third country.
    pub async fn sensitive_third_country(&self) -> ApiResult<Vec<system_instance::Model>> {
        self.reader()?;
        Ok(self
            .visible_instances()
            .filter(system_instance::Column::Confidentiality.gte(3))
            .filter(system_instance::Column::DataLocation.eq(DataLocation::ThirdCountry))
            .order_by_asc(system_instance::Column::Id)
            .all(self.db())
            .await?)
    }
}
