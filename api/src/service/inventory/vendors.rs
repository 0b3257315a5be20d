//! Vendors (Luhn-checked organisationsnummer) and their products: reference data every kommun shares.

use crate::domain::RecordKind;
use chrono::Utc;
use entity::{product, vendor};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, ExprTrait, Func},
};
use serde_json::json;

use crate::service::{
    Inventory, Parent,
    pagination::{KeysetOrder, Page, PageArgs, finish},
};
use crate::{
    domain::authz::{Action, Standing},
    domain::{inventory::ProductCategory, org_number::OrgNumber},
    error::{ApiError, ApiResult},
};

use super::{input, text};

crate::service::audit::audited!(vendor, RecordKind::Vendor, "the vendor", |v| json!({
    "name": v.name, "orgNumber": v.org_number, "website": v.website,
}));

crate::service::audit::audited!(product, RecordKind::Product, "the product", |p| json!({
    "vendorId": p.vendor_id, "name": p.name, "category": p.category,
    "standards": serde_json::from_str::<serde_json::Value>(&p.standards).unwrap_or_default(),
}));

impl Inventory<'_, '_> {
    /// Vendors by name, optionally containing `search`.
    pub async fn vendors(&self, search: Option<&str>, args: &PageArgs) -> ApiResult<Page<vendor::Model>> {
        self.reader()?;
        let req = args.validate()?;
        let mut q = vendor::Entity::find();
        let search = match search {
            Some(s) => crate::domain::text::search(s)
                .map_err(|m| ApiError::input("search", format!("search {m}")))?,
            None => None,
        };
        if let Some(s) = search.as_deref() {
            let escaped = s
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            q = q.filter(
                Expr::expr(Func::lower(Expr::col(vendor::Column::Name)))
                    .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            );
        }
        let keyset = KeysetOrder {
            key: None,
            id: vendor::Column::Id,
            ascending: true,
        };
        Ok(finish(keyset.apply(q, &req).all(self.db()).await?, &req))
    }

    /// Vendors by id, for products.
    pub async fn vendor(&self, id: i64) -> ApiResult<Option<vendor::Model>> {
        Ok(vendor::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// Adds a vendor; a number already registered is refused, naming the existing vendor.
    pub async fn create_vendor(
        &self,
        name: &str,
        org_number: &str,
        website: &str,
    ) -> ApiResult<vendor::Model> {
        self.refuse_early(Action::AddReferenceData)?;
        let org = OrgNumber::parse(org_number).map_err(input("orgNumber"))?;
        let name = text("name", name, 200, true)?;
        let website = text("website", website, 500, false)?;
        let mut tx = self.write("createVendor").await?;
        let grant = tx.authorize(Action::AddReferenceData, Standing::default())?;
        if let Some(v) = vendor::Entity::find()
            .filter(vendor::Column::OrgNumber.eq(org.clone()))
            .one(tx.conn())
            .await?
        {
            return Err(ApiError::Conflict(format!(
                "vendor {} ({}) is already registered",
                v.name, v.org_number
            )));
        }
        let now = Utc::now();
        let v = vendor::ActiveModel {
            name: Set(name),
            org_number: Set(org),
            website: Set(website),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let v = tx.insert(&grant, v).await?;
        tx.within(Parent::Vendor(v.id));
        tx.commit().await?;
        Ok(v)
    }

    /// Products, optionally of one vendor.
    pub async fn products(&self, vendor_id: Option<i64>, args: &PageArgs) -> ApiResult<Page<product::Model>> {
        self.reader()?;
        let req = args.validate()?;
        let mut q = product::Entity::find();
        if let Some(v) = vendor_id {
            q = q.filter(product::Column::VendorId.eq(v));
        }
        let keyset = KeysetOrder {
            key: None,
            id: product::Column::Id,
            ascending: true,
        };
        Ok(finish(keyset.apply(q, &req).all(self.db()).await?, &req))
    }

    /// Products by id.
    pub async fn products_by_ids(&self, ids: &[i64]) -> ApiResult<Vec<product::Model>> {
        Ok(product::Entity::find()
            .filter(product::Column::Id.is_in(ids.iter().copied()))
            .all(self.db())
            .await?)
    }

    /// Adds a product of a vendor; a product of the same name is refused, naming it.
    pub async fn create_product(
        &self,
        vendor_id: i64,
        name: &str,
        category: ProductCategory,
        standards: &[String],
    ) -> ApiResult<product::Model> {
        self.refuse_early(Action::AddReferenceData)?;
        let name = text("name", name, 200, true)?;
        if standards.len() > 20 {
            return Err(ApiError::input("standards", "at most 20 standards"));
        }
        let standards: Vec<String> = standards
            .iter()
            .enumerate()
            .map(|(i, s)| {
                text(&format!("standards[{i}]"), s, 100, false)
                    .map_err(|e| ApiError::input("standards", e.message()))
            })
            .collect::<ApiResult<Vec<_>>>()?
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        let mut tx = self.write("createProduct").await?;
        let grant = tx.authorize(Action::AddReferenceData, Standing::default())?;
        let v = vendor::Entity::find_by_id(vendor_id)
            .one(tx.conn())
            .await?
            .ok_or_else(|| ApiError::input("vendorId", "no vendor with that id"))?;
        let existing = product::Entity::find()
            .filter(product::Column::VendorId.eq(v.id))
            .all(tx.conn())
            .await?;
        if let Some(p) = existing
            .iter()
            .find(|p| p.name.to_lowercase() == name.to_lowercase())
        {
            return Err(ApiError::Conflict(format!(
                "{} already has a product named {}",
                v.name, p.name
            )));
        }
        let now = Utc::now();
        let p = product::ActiveModel {
            vendor_id: Set(v.id),
            name: Set(name),
            category: Set(category),
            standards: Set(serde_json::to_string(&standards).unwrap_or_else(|_| "[]".into())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let p = tx.insert(&grant, p).await?;
        tx.within(Parent::Vendor(v.id));
        tx.commit().await?;
        Ok(p)
    }
}
