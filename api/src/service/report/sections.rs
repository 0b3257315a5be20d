//! The report's sections that read other areas: vendor initiatives with their latest
//! response, systems the committee should know about, and sourcing decisions with their score.
use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{
    sourcing_coevaluator, sourcing_criterion, sourcing_evaluation, sourcing_option, sourcing_score,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

use super::{InitiativeRow, SourcingRow, SystemRow};
use crate::{
    domain::{
        inventory::SupporterState,
        sourcing::{DataLocation, SourcingState},
    },
    error::ApiResult,
    service::{Report, sourcing, visibility},
};

impl Report<'_, '_> {
    pub(super) async fn initiative_rows(&self, county: i32) -> ApiResult<Vec<InitiativeRow>> {
        use entity::{initiative_supporter, vendor, vendor_initiative, vendor_response};
        let db = self.db();
        let rows = vendor_initiative::Entity::find()
            .filter(visibility::vendor_initiatives(self.caller()))
            .filter(vendor_initiative::Column::CountyId.eq(county))
            .order_by_asc(vendor_initiative::Column::Id)
            .all(db)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut supporters: HashMap<i64, usize> = HashMap::new();
        for s in initiative_supporter::Entity::find()
            .filter(initiative_supporter::Column::InitiativeId.is_in(ids.clone()))
            .filter(initiative_supporter::Column::State.eq(SupporterState::Active))
            .all(db)
            .await?
        {
            *supporters.entry(s.initiative_id).or_default() += 1;
        }
        let mut latest: HashMap<i64, vendor_response::Model> = HashMap::new();
        for r in vendor_response::Entity::find()
            .filter(vendor_response::Column::InitiativeId.is_in(ids))
            .all(db)
            .await?
        {
            let newer = latest
                .get(&r.initiative_id)
                .is_none_or(|l| (r.responded_on, r.id) > (l.responded_on, l.id));
            if newer {
                latest.insert(r.initiative_id, r);
            }
        }
        let vendors: HashMap<i64, String> = vendor::Entity::find()
            .filter(vendor::Column::Id.is_in(rows.iter().map(|r| r.vendor_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
        rows.into_iter()
            .map(|i| {
                Ok(InitiativeRow {
                    initiative_id: i.id,
                    vendor: vendors.get(&i.vendor_id).cloned().unwrap_or_default(),
                    supporters: supporters.get(&i.id).copied().unwrap_or(0),
                    response: match latest.remove(&i.id) {
                        Some(r) => Some((r.responded_on, r.outcome, r.summary)),
                        None => None,
                    },
                    state: i.state,
                    title: i.title,
                    owner_id: i.owner_id,
                })
            })
            .collect()
    }

    /// Systems the committee should know about: sensitive data outside the EU/EEA, and
    /// contracts ending within 18 months of the period's start. Both filters run in SQL so
    /// that a large inventory is not read whole.
    pub(super) async fn system_rows(
        &self,
        county: i32,
        from: NaiveDate,
    ) -> ApiResult<(Vec<SystemRow>, Vec<SystemRow>)> {
        use entity::{product, system_instance as si, vendor};
        let db = self.db();
        let third_country = DataLocation::ThirdCountry;
        let until = from.checked_add_months(chrono::Months::new(18)).unwrap_or(from);
        let instances = si::Entity::find()
            .filter(visibility::system_instances(self.caller()))
            .filter(si::Column::CountyId.eq(county))
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(si::Column::Confidentiality.gte(3))
                            .add(si::Column::DataLocation.eq(third_country)),
                    )
                    .add(si::Column::ContractEnd.between(from, until)),
            )
            .order_by_asc(si::Column::Id)
            .all(db)
            .await?;
        let products: HashMap<i64, product::Model> = product::Entity::find()
            .filter(product::Column::Id.is_in(instances.iter().map(|i| i.product_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let vendors: HashMap<i64, String> = vendor::Entity::find()
            .filter(vendor::Column::Id.is_in(products.values().map(|p| p.vendor_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
        let row = |i: &si::Model| -> ApiResult<SystemRow> {
            let p = products.get(&i.product_id);
            Ok(SystemRow {
                instance_id: i.id,
                owner_id: i.owner_id,
                product: p.map(|p| p.name.clone()).unwrap_or_default(),
                vendor: p
                    .and_then(|p| vendors.get(&p.vendor_id))
                    .cloned()
                    .unwrap_or_default(),
                confidentiality: i.confidentiality.get(),
                data_location: i.data_location,
                contract_end: i.contract_end,
            })
        };
        let sensitive = instances
            .iter()
            .filter(|i| i.confidentiality.get() >= 3 && i.data_location == third_country)
            .map(row)
            .collect::<ApiResult<_>>()?;
        let mut expiring: Vec<SystemRow> = instances
            .iter()
            .filter(|i| i.contract_end.is_some_and(|e| e >= from && e <= until))
            .map(row)
            .collect::<ApiResult<_>>()?;
        expiring.sort_by_key(|r| (r.contract_end, r.instance_id));
        Ok((sensitive, expiring))
    }

    pub(super) async fn sourcing_decisions(
        &self,
        county: i32,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ApiResult<Vec<SourcingRow>> {
        let db = self.db();
        let decided = sourcing_evaluation::Entity::find()
            .filter(visibility::sourcing_evaluations(self.caller()))
            .filter(sourcing_evaluation::Column::CountyId.eq(county))
            .filter(sourcing_evaluation::Column::State.eq(SourcingState::Decided))
            .filter(sourcing_evaluation::Column::DecidedOn.gte(from))
            .filter(sourcing_evaluation::Column::DecidedOn.lte(to))
            .order_by_asc(sourcing_evaluation::Column::DecidedOn)
            .order_by_asc(sourcing_evaluation::Column::Id)
            .all(db)
            .await?;
        if decided.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = decided.iter().map(|e| e.id).collect();
        let options = sourcing_option::Entity::find()
            .filter(sourcing_option::Column::EvaluationId.is_in(ids.clone()))
            .all(db)
            .await?;
        let criteria = sourcing_criterion::Entity::find()
            .filter(sourcing_criterion::Column::EvaluationId.is_in(ids.clone()))
            .all(db)
            .await?;
        let coevaluators = sourcing_coevaluator::Entity::find()
            .filter(sourcing_coevaluator::Column::EvaluationId.is_in(ids.clone()))
            .all(db)
            .await?;
        let scores = sourcing_score::Entity::find()
            .filter(sourcing_score::Column::EvaluationId.is_in(ids))
            .all(db)
            .await?;
        let mut rows = Vec::new();
        for e in decided {
            let parts = sourcing::EvaluationParts {
                options: options
                    .iter()
                    .filter(|o| o.evaluation_id == e.id)
                    .cloned()
                    .collect(),
                criteria: criteria
                    .iter()
                    .filter(|c| c.evaluation_id == e.id)
                    .cloned()
                    .collect(),
                coevaluators: coevaluators
                    .iter()
                    .filter(|c| c.evaluation_id == e.id)
                    .cloned()
                    .collect(),
                scores: scores
                    .iter()
                    .filter(|s| s.evaluation_id == e.id)
                    .cloned()
                    .collect(),
            };
            let result = sourcing::result(&e, &parts)?;
            let chosen = e
                .chosen_option_id
                .and_then(|id| parts.options.iter().find(|o| o.id == id));
            let standing = e
                .chosen_option_id
                .and_then(|id| result.options.iter().find(|o| o.option == id));
            rows.push(SourcingRow {
                evaluation_id: e.id,
                title: e.title.clone(),
                owner_id: e.owner_id,
                decided_on: e.decided_on.unwrap_or(from),
                option_kind: chosen.map(|o| o.kind.to_string()).unwrap_or_default(),
                option_description: chosen.map(|o| o.description.clone()).unwrap_or_default(),
                score: standing.and_then(|s| s.score),
                rank: standing.and_then(|s| s.rank),
                deciding_body: e.deciding_body.clone().unwrap_or_default(),
                diarienummer: e.diarienummer.clone().unwrap_or_default(),
            });
        }
        Ok(rows)
    }

    pub(super) async fn window_rows(&self, county: i32) -> ApiResult<Vec<super::WindowRow>> {
        use crate::service::procurement::{Subject, WindowQuery};
        use entity::{product, vendor};
        let windows = self
            .procurement()
            .procurement_windows_in(county, WindowQuery::default())
            .await?;
        let products: HashMap<i64, String> = product::Entity::find()
            .filter(product::Column::Id.is_in(windows.iter().flat_map(|w| w.products.clone())))
            .all(self.db())
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let vendors: HashMap<i64, String> = vendor::Entity::find()
            .filter(vendor::Column::Id.is_in(windows.iter().flat_map(|w| w.vendors.clone())))
            .all(self.db())
            .await?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
        Ok(windows
            .into_iter()
            .map(|w| super::WindowRow {
                subject: match w.key.subject {
                    Subject::Product(p) => products.get(&p).cloned().unwrap_or_default(),
                    Subject::Category(c) => c.as_str().to_owned(),
                },
                vendors: w.vendors.iter().filter_map(|v| vendors.get(v).cloned()).collect(),
                window: w,
            })
            .collect())
    }
}
