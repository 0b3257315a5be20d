//! Joint procurement windows of the caller's county, and starting a joint initiative from one.
//!
//! Windows are found among the system instances the caller may see: the dates, kommuner,
//! populations and costs of a window are all of visible instances. Kommuner that run the
//! product (or a product of the category) only in instances the caller may not see are
//! counted, never named or dated, as `productUsage` counts them.
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate, Utc};
use entity::{initiative_supporter, product, system_instance};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{Procurement, initiatives::InitiativeSpec, visibility};
use crate::{
    domain::{
        Sek,
        authz::{Action, Standing},
        inventory::{ProductCategory, SupporterState},
        procurement::{self, Contract, WINDOW_MONTHS},
    },
    error::{ApiError, ApiResult},
};

/// What a window gathers: one product, or one category across vendors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// Instances of one product.
    Product(i64),
    /// Instances of every product of one category.
    Category(ProductCategory),
}

/// A window's stable name: what it gathers and the day it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowKey {
    /// What the window gathers.
    pub subject: Subject,
    /// Its earliest contract end.
    pub starts: NaiveDate,
}

impl WindowKey {
    /// The key as text, for an opaque id.
    pub fn to_text(self) -> String {
        match self.subject {
            Subject::Product(id) => format!("product:{id}:{}", self.starts),
            Subject::Category(c) => format!("category:{}:{}", c.as_str(), self.starts),
        }
    }

    /// Reads a key written by [`WindowKey::to_text`].
    pub fn from_text(s: &str) -> Option<Self> {
        let mut parts = s.splitn(3, ':');
        let (kind, what, starts) = (parts.next()?, parts.next()?, parts.next()?);
        let subject = match kind {
            "product" => Subject::Product(what.parse().ok()?),
            "category" => Subject::Category(what.parse().ok()?),
            _ => return None,
        };
        Some(Self {
            subject,
            starts: starts.parse().ok()?,
        })
    }
}

/// One window as the API shows it.
#[derive(Clone, Debug)]
pub struct ProcurementWindow {
    /// Its stable name.
    pub key: WindowKey,
    /// The products of its instances.
    pub products: Vec<i64>,
    /// Their vendors.
    pub vendors: Vec<i64>,
    /// The earliest contract end.
    pub starts: NaiveDate,
    /// The latest contract end.
    pub ends: NaiveDate,
    /// When a joint procurement must start to be done by the earliest end.
    pub deadline: NaiveDate,
    /// The kommuner whose visible contracts are in the window.
    pub kommuner: Vec<i32>,
    /// Further kommuner of the county running the subject in instances the caller may not see.
    pub other_kommuner: usize,
    /// The named kommuner's combined population.
    pub population: i64,
    /// The instances' combined annual cost, where known.
    pub annual_cost: Option<Sek>,
    /// How many of the instances have a known annual cost.
    pub costed_instances: usize,
    /// The instances in the window.
    pub instances: Vec<system_instance::Model>,
}

/// How the windows are asked for; the default is the API's: 24 months ahead, two kommuner,
/// every category, a year's lead time.
#[derive(Clone, Copy, Debug)]
pub struct WindowQuery {
    /// Windows start within this many months from today.
    pub within_months: u32,
    /// At least this many kommuner per window.
    pub min_kommuner: u32,
    /// Only products of this category.
    pub category: Option<ProductCategory>,
    /// Months a joint procurement takes, for the deadline.
    pub lead_months: u32,
}

impl Default for WindowQuery {
    fn default() -> Self {
        Self {
            within_months: 24,
            min_kommuner: 2,
            category: None,
            lead_months: 12,
        }
    }
}

impl Procurement<'_, '_> {
    /// The county's joint procurement windows, by product and by category, earliest first.
    pub async fn procurement_windows(&self, q: WindowQuery) -> ApiResult<Vec<ProcurementWindow>> {
        let me = self.reader()?;
        self.procurement_windows_in(me.county_id, q).await
    }

    /// The windows of `county` as the caller sees them.
    pub(in crate::service) async fn procurement_windows_in(
        &self,
        county: i32,
        q: WindowQuery,
    ) -> ApiResult<Vec<ProcurementWindow>> {
        self.reader()?;
        if q.within_months > 120 {
            return Err(ApiError::input(
                "withinMonths",
                "withinMonths must be at most 120",
            ));
        }
        if q.lead_months > 60 {
            return Err(ApiError::input("leadMonths", "leadMonths must be at most 60"));
        }
        let today = Utc::now().date_naive();
        let horizon = today
            .checked_add_months(Months::new(q.within_months + WINDOW_MONTHS))
            .unwrap_or(NaiveDate::MAX);
        let visible = system_instance::Entity::find()
            .filter(visibility::system_instances(self.caller()))
            .filter(system_instance::Column::CountyId.eq(county))
            .filter(system_instance::Column::ContractEnd.gte(today))
            .filter(system_instance::Column::ContractEnd.lte(horizon))
            .all(self.db())
            .await?;
        let products: BTreeMap<i64, product::Model> = product::Entity::find()
            .filter(product::Column::Id.is_in(visible.iter().map(|i| i.product_id).collect::<BTreeSet<_>>()))
            .all(self.db())
            .await?
            .into_iter()
            .filter(|p| q.category.is_none_or(|c| p.category == c))
            .map(|p| (p.id, p))
            .collect();
        let mut groups: BTreeMap<Subject, Vec<&system_instance::Model>> = BTreeMap::new();
        for i in &visible {
            if let Some(p) = products.get(&i.product_id) {
                groups.entry(Subject::Product(p.id)).or_default().push(i);
                groups.entry(Subject::Category(p.category)).or_default().push(i);
            }
        }
        let mut out = Vec::new();
        for (subject, instances) in groups {
            let by_id: BTreeMap<i64, &system_instance::Model> =
                instances.iter().map(|i| (i.id, *i)).collect();
            let contracts = instances
                .iter()
                .filter_map(|i| {
                    i.contract_end.map(|ends| Contract {
                        instance: i.id,
                        kommun: i.owner_id,
                        ends,
                    })
                })
                .collect();
            for w in procurement::windows(contracts, today, q.within_months, q.min_kommuner as usize) {
                let members: Vec<&system_instance::Model> =
                    w.contracts.iter().map(|c| by_id[&c.instance]).collect();
                let kommuner = w.kommuner();
                let product_ids: BTreeSet<i64> = members.iter().map(|i| i.product_id).collect();
                let costs: Vec<i64> = members.iter().filter_map(|i| i.annual_cost_ore).collect();
                out.push(ProcurementWindow {
                    key: WindowKey {
                        subject,
                        starts: w.starts,
                    },
                    vendors: product_ids
                        .iter()
                        .map(|p| products[p].vendor_id)
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect(),
                    products: product_ids.into_iter().collect(),
                    starts: w.starts,
                    ends: w.ends,
                    deadline: w.procurement_deadline(q.lead_months),
                    population: kommuner
                        .iter()
                        .filter_map(|k| self.reference().current_population(*k))
                        .sum(),
                    other_kommuner: 0,
                    kommuner,
                    annual_cost: (!costs.is_empty())
                        .then(|| Sek::from_ore(costs.iter().fold(0i64, |a, c| a.saturating_add(*c)))),
                    costed_instances: costs.len(),
                    instances: members.into_iter().cloned().collect(),
                });
            }
        }
        self.count_others(county, &mut out).await?;
        // Product windows before the category windows that contain them, earliest first.
        out.sort_by_key(|w| {
            (
                w.starts,
                matches!(w.key.subject, Subject::Category(_)),
                w.key.to_text(),
            )
        });
        Ok(out)
    }

    /// Fills in, per window, the kommuner of the county that run its subject only where the
    /// caller may not look: a count, whatever their contract dates.
    async fn count_others(&self, county: i32, windows: &mut [ProcurementWindow]) -> ApiResult<()> {
        if windows.is_empty() {
            return Ok(());
        }
        let seen_users: BTreeSet<(i64, i32)> = system_instance::Entity::find()
            .filter(visibility::system_instances(self.caller()))
            .filter(system_instance::Column::CountyId.eq(county))
            .all(self.db())
            .await?
            .into_iter()
            .map(|i| (i.product_id, i.owner_id))
            .collect();
        let all: Vec<(i64, i32)> = system_instance::Entity::find()
            .filter(system_instance::Column::CountyId.eq(county))
            .all(self.db())
            .await?
            .into_iter()
            .map(|i| (i.product_id, i.owner_id))
            .collect();
        let categories: BTreeMap<i64, ProductCategory> = product::Entity::find()
            .filter(product::Column::Id.is_in(all.iter().map(|(p, _)| *p).collect::<BTreeSet<_>>()))
            .all(self.db())
            .await?
            .into_iter()
            .map(|p| (p.id, p.category))
            .collect();
        let matches = |s: Subject, product: i64| match s {
            Subject::Product(p) => p == product,
            Subject::Category(c) => categories.get(&product) == Some(&c),
        };
        for w in windows {
            let seen: BTreeSet<i32> = seen_users
                .iter()
                .filter(|(p, _)| matches(w.key.subject, *p))
                .map(|(_, k)| *k)
                .collect();
            let hidden: BTreeSet<i32> = all
                .iter()
                .filter(|(p, k)| matches(w.key.subject, *p) && !seen.contains(k))
                .map(|(_, k)| *k)
                .collect();
            w.other_kommuner = hidden.len();
        }
        Ok(())
    }

    /// One window, found again by its key with the default bounds (the window's start must
    /// still lie ahead).
    pub async fn procurement_window(&self, key: WindowKey) -> ApiResult<ProcurementWindow> {
        let category = match key.subject {
            Subject::Category(c) => Some(c),
            Subject::Product(_) => None,
        };
        self.procurement_windows(WindowQuery {
            within_months: 120,
            min_kommuner: 1,
            category,
            lead_months: 12,
        })
        .await?
        .into_iter()
        .find(|w| w.key == key)
        .ok_or_else(|| {
            ApiError::NotFound("no procurement window with that id (the contracts may have changed)".into())
        })
    }

    /// Starts a DRAFT vendor initiative for a window: its vendor (and product, for a product
    /// window), led by the caller's kommun, with the window's other kommuner invited to
    /// co-sign. For a category window with several vendors, `vendor` chooses one of them.
    pub async fn start_joint_procurement_initiative(
        &self,
        key: WindowKey,
        vendor: Option<i64>,
        mut spec: InitiativeSpec,
    ) -> ApiResult<visibility::Visible<entity::vendor_initiative::Model>> {
        self.refuse_early(Action::Create)?;
        let me = self.principal()?;
        let window = self.procurement_window(key).await?;
        let vendor_id = match (vendor, window.vendors.as_slice()) {
            (Some(v), vs) if vs.contains(&v) => v,
            (Some(_), _) => {
                return Err(ApiError::input(
                    "vendorId",
                    "is not a vendor of the window's products",
                ));
            }
            (None, [only]) => *only,
            (None, _) => {
                return Err(ApiError::input(
                    "vendorId",
                    "the window spans several vendors; choose one of them",
                ));
            }
        };
        spec.vendor_id = Some(vendor_id);
        spec.product_id = Some(match key.subject {
            Subject::Product(p) => Some(p),
            Subject::Category(_) => None,
        });
        if spec.deadline.is_none() {
            spec.deadline = Some(Some(window.deadline));
        }
        let mut tx = self.write("startJointProcurementInitiative").await?;
        let grant = tx.authorize(Action::Create, Standing::default())?;
        let initiative = self.influence().insert_initiative(&mut tx, &grant, spec).await?;
        let now = Utc::now();
        for kommun in window.kommuner.iter().filter(|k| **k != me.municipality_id) {
            let s = initiative_supporter::ActiveModel {
                initiative_id: Set(initiative.id),
                municipality_id: Set(*kommun),
                supported_on: Set(now.date_naive()),
                comment: Set(String::new()),
                state: Set(SupporterState::Invited),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            tx.insert(&grant, s).await?;
        }
        tx.commit().await?;
        Ok(visibility::Visible::new(initiative))
    }
}
