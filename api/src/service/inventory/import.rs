//! The all-or-nothing CSV import of a kommun's systems.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::{product, system_instance, vendor};
use sea_orm::EntityTrait;

use crate::service::{Inventory, Parent};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        Visibility,
        inventory::Hosting,
        org_number::OrgNumber,
        sourcing::{DataLocation, KlassaLevel},
    },
    error::{ApiError, ApiResult},
};

use super::{InstanceSpec, RowError, check_instance};

impl Inventory<'_, '_> {
    /// Imports a CSV inventory for the caller's kommun: every row is checked first; either all
    /// rows are written in one transaction, or the bad rows are reported and nothing is.
    pub async fn import_instances(&self, csv_text: &str) -> ApiResult<Vec<system_instance::Model>> {
        self.refuse_early(Action::Create)?;
        let rows = parse_import(csv_text)?;
        let vendors = vendor::Entity::find().all(self.db()).await?;
        let products = product::Entity::find().all(self.db()).await?;
        let register = self.readiness().own_register().await?;
        let mut specs = Vec::new();
        let mut errors = Vec::new();
        for row in rows {
            match resolve_row(&row, &vendors, &products, &register) {
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
        let grant = tx.authorize(Action::Create, Standing::default())?;
        let mut register = self.readiness().register(&tx).await?;
        let mut out = Vec::with_capacity(specs.len());
        let mut touched = Vec::new();
        for (spec, named) in specs {
            let roles = self
                .readiness()
                .holders_for(&mut tx, &grant, &mut register, named)
                .await?;
            touched.extend(roles.into_iter().flatten());
            let i = self.insert_instance(&mut tx, &grant, &spec, roles).await?;
            tx.within(Parent::SystemInstance(i.id));
            out.push(i);
        }
        self.readiness().settle_releases(&mut tx, &grant, touched).await?;
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

/// Columns a file may add after those: when the entry was last reviewed.
pub const OPTIONAL_COLUMNS: &[&str] = &["last_reviewed"];

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
        for c in OPTIONAL_COLUMNS {
            if let Some(idx) = header.iter().position(|h| h == c) {
                cells.insert(*c, record.get(idx).unwrap_or("").trim().to_owned());
            }
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
    register: &crate::service::readiness::Register,
) -> Result<(InstanceSpec, [crate::service::readiness::Named; 4]), RowError> {
    let err = |column: &str, reason: String| RowError {
        line: row.line,
        column: column.into(),
        reason,
    };
    let cell = |c: &str| row.cells.get(c).map(String::as_str).unwrap_or("");
    let org = OrgNumber::parse(cell("vendor_org_number")).map_err(|m| err("vendor_org_number", m))?;
    let v = vendors
        .iter()
        .find(|v| v.org_number == org)
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
    let level = |c: &str| -> Result<KlassaLevel, RowError> {
        cell(c)
            .parse::<i64>()
            .ok()
            .and_then(|v| KlassaLevel::new(v).ok())
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
    let date = |c: &str| -> Result<Option<NaiveDate>, RowError> {
        match cell(c) {
            "" => Ok(None),
            d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| err(c, format!("'{d}' is not a date (YYYY-MM-DD)"))),
        }
    };
    let last_reviewed = date("last_reviewed")?;
    let visibility = match cell("visibility").to_uppercase().as_str() {
        "" | "COUNTY" => Visibility::County,
        "PRIVATE" => Visibility::Private,
        other => return Err(err("visibility", format!("'{other}' is not COUNTY or PRIVATE"))),
    };
    let spec = InstanceSpec {
        product_id: p.id,
        product_version: cell("version").into(),
        maintenance_object: cell("maintenance_object").into(),
        roles: crate::service::readiness::RoleRefs {
            system_owner: cell("system_owner").into(),
            object_owner: cell("object_owner").into(),
            object_manager_business: cell("object_manager_business").into(),
            object_manager_it: cell("object_manager_it").into(),
        },
        last_reviewed,
        hosting,
        data_location: location,
        confidentiality: level("confidentiality")?,
        integrity: level("integrity")?,
        availability: level("availability")?,
        contract_end,
        annual_cost: None,
        visibility,
    };
    check_instance(&spec).map_err(|(c, m)| err(&c, m))?;
    let column = |f: &str| match f {
        "systemOwner" => "system_owner",
        "objectOwner" => "object_owner",
        "objectManagerBusiness" => "object_manager_business",
        _ => "object_manager_it",
    };
    let roles = register
        .resolve_all(&spec.roles)
        .map_err(|(f, m)| err(column(f), m))?;
    Ok((spec, roles))
}
