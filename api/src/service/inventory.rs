//! The systems inventory: vendors and products (shared reference data), each kommun's system
//! instances and their integrations, CSV import, and the county's questions.
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate, Utc};
use entity::{integration, product, system_instance, vendor};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Select, Set,
    sea_query::{Expr, ExprTrait, Func},
};
use serde_json::json;

use super::{
    Parent, Scope, WriteTx, authorize,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    visibility,
};
use crate::{
    domain::authz::{Action, Standing},
    domain::text::Shape,
    domain::{
        Visibility,
        inventory::{Hosting, ProductCategory},
        org_number::OrgNumber,
        sourcing::DataLocation,
    },
    error::{ApiError, ApiResult},
};

/// A system instance's fields as a client or an import row gives them.
#[derive(Clone, Debug)]
pub struct InstanceSpec {
    pub product_id: i64,
    pub product_version: String,
    pub system_owner: String,
    pub maintenance_object: String,
    pub object_owner: String,
    pub object_manager_business: String,
    pub object_manager_it: String,
    pub hosting: Hosting,
    pub data_location: DataLocation,
    pub confidentiality: i32,
    pub integrity: i32,
    pub availability: i32,
    pub contract_end: Option<NaiveDate>,
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

fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, String> {
    let shape = if max > 200 { Shape::Long } else { Shape::Line };
    crate::domain::text::parse(value, max, required, shape).map_err(|m| format!("{field} {m}"))
}

fn input(field: &str) -> impl Fn(String) -> ApiError + '_ {
    move |m| ApiError::input(field, m)
}

super::audit::versioned!(
    system_instance,
    "SystemInstance",
    "the system instance",
    |i| json!({
        "productId": i.product_id, "productVersion": i.product_version, "systemOwner": i.system_owner,
        "maintenanceObject": i.maintenance_object, "objectOwner": i.object_owner,
        "objectManagerBusiness": i.object_manager_business, "objectManagerIt": i.object_manager_it,
        "hosting": i.hosting, "dataLocation": i.data_location, "confidentiality": i.confidentiality,
        "integrity": i.integrity, "availability": i.availability, "contractEnd": i.contract_end,
        "visibility": i.visibility, "version": i.version,
    })
);

fn check_instance(spec: &InstanceSpec) -> Result<(), (String, String)> {
    for (f, v) in [
        ("confidentiality", spec.confidentiality),
        ("integrity", spec.integrity),
        ("availability", spec.availability),
    ] {
        if !(0..=4).contains(&v) {
            return Err((f.into(), "KLASSA levels run from 0 to 4".into()));
        }
    }
    if !matches!(spec.visibility, Visibility::County | Visibility::Private) {
        return Err((
            "visibility".into(),
            "a system instance is COUNTY (the default) or PRIVATE".into(),
        ));
    }
    for (f, v, max) in [
        ("productVersion", &spec.product_version, 100),
        ("systemOwner", &spec.system_owner, 200),
        ("maintenanceObject", &spec.maintenance_object, 200),
        ("objectOwner", &spec.object_owner, 200),
        ("objectManagerBusiness", &spec.object_manager_business, 200),
        ("objectManagerIt", &spec.object_manager_it, 200),
    ] {
        text(f, v, max, false).map_err(|m| (f.to_owned(), m))?;
    }
    Ok(())
}

impl Scope<'_> {
    fn visible_instances(&self) -> Select<system_instance::Entity> {
        system_instance::Entity::find().filter(visibility::system_instances(self.caller()))
    }

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
        self.authorized(Action::AddReferenceData, Standing::default())?;
        let org = OrgNumber::parse(org_number).map_err(input("orgNumber"))?;
        let name = text("name", name, 200, true).map_err(input("name"))?;
        let website = text("website", website, 500, false).map_err(input("website"))?;
        let mut tx = self.write("createVendor").await?;
        if let Some(v) = vendor::Entity::find()
            .filter(vendor::Column::OrgNumber.eq(org.as_str()))
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
            org_number: Set(org.to_string()),
            website: Set(website),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        tx.within(Parent::Vendor(v.id));
        tx.record(
            "Vendor",
            v.id,
            None,
            Some(json!({"name": v.name, "orgNumber": v.org_number, "website": v.website})),
        );
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
        self.authorized(Action::AddReferenceData, Standing::default())?;
        let name = text("name", name, 200, true).map_err(input("name"))?;
        if standards.len() > 20 {
            return Err(ApiError::input("standards", "at most 20 standards"));
        }
        let standards: Vec<String> = standards
            .iter()
            .enumerate()
            .map(|(i, s)| text(&format!("standards[{i}]"), s, 100, false).map_err(input("standards")))
            .collect::<ApiResult<Vec<_>>>()?
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        let mut tx = self.write("createProduct").await?;
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
            category: Set(category.as_str().into()),
            standards: Set(serde_json::to_string(&standards).unwrap_or_else(|_| "[]".into())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        tx.within(Parent::Vendor(v.id));
        tx.record(
            "Product",
            p.id,
            None,
            Some(json!({"vendorId": v.id, "name": p.name, "category": p.category, "standards": standards})),
        );
        tx.commit().await?;
        Ok(p)
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
                system_instance::Column::OwnerId.eq(self.municipality_id("filter.municipality", code)?),
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
        spec: &InstanceSpec,
    ) -> ApiResult<system_instance::Model> {
        let me = tx.principal();
        let now = Utc::now();
        let i = system_instance::ActiveModel {
            owner_id: Set(me.municipality_id),
            county_id: Set(me.county_id),
            product_id: Set(spec.product_id),
            product_version: Set(spec.product_version.trim().into()),
            system_owner: Set(spec.system_owner.trim().into()),
            maintenance_object: Set(spec.maintenance_object.trim().into()),
            object_owner: Set(spec.object_owner.trim().into()),
            object_manager_business: Set(spec.object_manager_business.trim().into()),
            object_manager_it: Set(spec.object_manager_it.trim().into()),
            hosting: Set(spec.hosting.as_str().into()),
            data_location: Set(spec.data_location.as_str().into()),
            confidentiality: Set(spec.confidentiality),
            integrity: Set(spec.integrity),
            availability: Set(spec.availability),
            contract_end: Set(spec.contract_end),
            visibility: Set(spec.visibility.as_str().into()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        Ok(i)
    }

    /// Registers a system the caller's kommun runs.
    pub async fn register_instance(&self, spec: InstanceSpec) -> ApiResult<system_instance::Model> {
        self.authorized(Action::Create, Standing::default())?;
        check_instance(&spec).map_err(|(f, m)| ApiError::input(f, m))?;
        let mut tx = self.write("registerSystemInstance").await?;
        if product::Entity::find_by_id(spec.product_id)
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(ApiError::input("productId", "no product with that id"));
        }
        let i = self.insert_instance(&mut tx, &spec).await?;
        tx.within(Parent::SystemInstance(i.id));
        tx.created(&i);
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
        let me = self.principal()?;
        check_instance(&spec).map_err(|(f, m)| ApiError::input(f, m))?;
        let mut tx = self.write("updateSystemInstance").await?;
        if product::Entity::find_by_id(spec.product_id)
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(ApiError::input("system.productId", "no product with that id"));
        }
        let before = self
            .visible_instances()
            .filter(system_instance::Column::Id.eq(id))
            .one(tx.conn())
            .await?
            .ok_or_else(|| ApiError::NotFound("no system instance with that id".into()))?;
        tx.within(Parent::SystemInstance(id));
        authorize(
            me,
            Action::Change,
            Standing {
                owner: before.owner_id == me.municipality_id,
                ..Default::default()
            },
        )?;
        let mut after = before.clone();
        after.product_id = spec.product_id;
        after.product_version = spec.product_version.trim().into();
        after.system_owner = spec.system_owner.trim().into();
        after.maintenance_object = spec.maintenance_object.trim().into();
        after.object_owner = spec.object_owner.trim().into();
        after.object_manager_business = spec.object_manager_business.trim().into();
        after.object_manager_it = spec.object_manager_it.trim().into();
        after.hosting = spec.hosting.as_str().into();
        after.data_location = spec.data_location.as_str().into();
        after.confidentiality = spec.confidentiality;
        after.integrity = spec.integrity;
        after.availability = spec.availability;
        after.contract_end = spec.contract_end;
        after.visibility = spec.visibility.as_str().into();
        let after = tx.save(&before, after, version).await?;
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
        authorize(
            me,
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
            protocol: Set(text("protocol", protocol, 100, true).map_err(input("protocol"))?),
            standard: Set(text("standard", standard, 100, false).map_err(input("standard"))?),
            description: Set(text("description", description, 4000, false).map_err(input("description"))?),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        tx.record("Integration", g.id, None, Some(json!({"from": from, "to": to, "protocol": g.protocol, "standard": g.standard, "description": g.description})));
        tx.commit().await?;
        Ok(g)
    }

    /// Removes an integration of the caller's kommun.
    pub async fn remove_integration(&self, id: i64) -> ApiResult<integration::Model> {
        let me = self.principal()?;
        let mut tx = self.write("removeIntegration").await?;
        let g = integration::Entity::find_by_id(id)
            .one(tx.conn())
            .await?
            .filter(|g| g.owner_id == me.municipality_id)
            .ok_or_else(|| ApiError::NotFound("no integration with that id".into()))?;
        tx.within(Parent::SystemInstance(g.from_instance_id));
        tx.names(Parent::SystemInstance(g.to_instance_id));
        authorize(
            me,
            Action::Change,
            Standing {
                owner: true,
                ..Default::default()
            },
        )?;
        integration::Entity::delete_by_id(id).exec(tx.writer()).await?;
        tx.record(
            "Integration",
            id,
            Some(json!({"from": g.from_instance_id, "to": g.to_instance_id, "protocol": g.protocol})),
            None,
        );
        tx.commit().await?;
        Ok(g)
    }

    /// A kommun's systems and integrations, as far as the caller may see them.
    pub async fn system_map(
        &self,
        code: &str,
    ) -> ApiResult<(Vec<system_instance::Model>, Vec<integration::Model>)> {
        self.reader()?;
        let owner = self.municipality_id("kommun", code)?;
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
            .filter(system_instance::Column::DataLocation.eq(DataLocation::ThirdCountry.as_str()))
            .order_by_asc(system_instance::Column::Id)
            .all(self.db())
            .await?)
    }

    /// Imports a CSV inventory for the caller's kommun: every row is checked first; either all
    /// rows are written in one transaction, or the bad rows are reported and nothing is.
    pub async fn import_instances(&self, csv_text: &str) -> ApiResult<Vec<system_instance::Model>> {
        self.authorized(Action::Create, Standing::default())?;
        let rows = parse_import(csv_text)?;
        let vendors = vendor::Entity::find().all(self.db()).await?;
        let products = product::Entity::find().all(self.db()).await?;
        let mut specs = Vec::new();
        let mut errors = Vec::new();
        for row in rows {
            match resolve_row(&row, &vendors, &products) {
                Ok(spec) => specs.push(spec),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::ImportRows(errors));
        }
        if specs.is_empty() {
            return Err(ApiError::input("csv", "the file has no rows"));
        }
        let mut tx = self.write("importSystemInstances").await?;
        let mut out = Vec::with_capacity(specs.len());
        for spec in &specs {
            let i = self.insert_instance(&mut tx, spec).await?;
            tx.within(Parent::SystemInstance(i.id));
            tx.created(&i);
            out.push(i);
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// The import file's columns, in order. The header row must name them.
pub const IMPORT_COLUMNS: &[&str] = &[
    "vendor_org_number",
    "product",
    "version",
    "system_owner",
    "maintenance_object",
    "object_owner",
    "object_manager_business",
    "object_manager_it",
    "hosting",
    "data_location",
    "confidentiality",
    "integrity",
    "availability",
    "contract_end",
    "visibility",
];

struct ImportRow {
    line: usize,
    cells: BTreeMap<&'static str, String>,
}

fn parse_import(text: &str) -> ApiResult<Vec<ImportRow>> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::input("csv", format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    for c in IMPORT_COLUMNS {
        if !header.iter().any(|h| h == c) {
            return Err(ApiError::input(
                "csv",
                format!(
                    "the header row lacks the column {c}; expected {}",
                    IMPORT_COLUMNS.join(";")
                ),
            ));
        }
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ApiError::input("csv", format!("line {}: {e}", n + 2)))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut cells = BTreeMap::new();
        for c in IMPORT_COLUMNS {
            let idx = header.iter().position(|h| h == c).unwrap_or(0);
            cells.insert(*c, record.get(idx).unwrap_or("").trim().to_owned());
        }
        rows.push(ImportRow {
            line: record.position().map(|p| p.line() as usize).unwrap_or(n + 2),
            cells,
        });
    }
    if rows.len() > 10_000 {
        return Err(ApiError::input("csv", "at most 10,000 rows per import"));
    }
    Ok(rows)
}

fn resolve_row(
    row: &ImportRow,
    vendors: &[vendor::Model],
    products: &[product::Model],
) -> Result<InstanceSpec, RowError> {
    let err = |column: &str, reason: String| RowError {
        line: row.line,
        column: column.into(),
        reason,
    };
    let cell = |c: &str| row.cells.get(c).map(String::as_str).unwrap_or("");
    let org = OrgNumber::parse(cell("vendor_org_number")).map_err(|m| err("vendor_org_number", m))?;
    let v = vendors
        .iter()
        .find(|v| v.org_number == org.as_str())
        .ok_or_else(|| err("vendor_org_number", format!("no vendor {org} is registered")))?;
    let p = products
        .iter()
        .find(|p| p.vendor_id == v.id && p.name.to_lowercase() == cell("product").to_lowercase())
        .ok_or_else(|| {
            err(
                "product",
                format!("{} has no product named '{}'", v.name, cell("product")),
            )
        })?;
    let level = |c: &str| -> Result<i32, RowError> {
        cell(c)
            .parse::<i32>()
            .ok()
            .filter(|v| (0..=4).contains(v))
            .ok_or_else(|| err(c, format!("'{}' is not a KLASSA level 0–4", cell(c))))
    };
    let hosting: Hosting = cell("hosting").to_uppercase().parse().map_err(|_| {
        err(
            "hosting",
            format!(
                "'{}' is not one of OWN_DATACENTER, SHARED_COUNTY, OUTSOURCED, CLOUD_SAAS",
                cell("hosting")
            ),
        )
    })?;
    let location: DataLocation = cell("data_location").to_uppercase().parse().map_err(|_| {
        err(
            "data_location",
            format!(
                "'{}' is not one of SWEDEN, EU_EEA, THIRD_COUNTRY",
                cell("data_location")
            ),
        )
    })?;
    let contract_end = match cell("contract_end") {
        "" => None,
        d => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| err("contract_end", format!("'{d}' is not a date (YYYY-MM-DD)")))?,
        ),
    };
    let visibility = match cell("visibility").to_uppercase().as_str() {
        "" | "COUNTY" => Visibility::County,
        "PRIVATE" => Visibility::Private,
        other => return Err(err("visibility", format!("'{other}' is not COUNTY or PRIVATE"))),
    };
    let spec = InstanceSpec {
        product_id: p.id,
        product_version: cell("version").into(),
        system_owner: cell("system_owner").into(),
        maintenance_object: cell("maintenance_object").into(),
        object_owner: cell("object_owner").into(),
        object_manager_business: cell("object_manager_business").into(),
        object_manager_it: cell("object_manager_it").into(),
        hosting,
        data_location: location,
        confidentiality: level("confidentiality")?,
        integrity: level("integrity")?,
        availability: level("availability")?,
        contract_end,
        visibility,
    };
    check_instance(&spec).map_err(|(c, m)| err(&c, m))?;
    Ok(spec)
}
