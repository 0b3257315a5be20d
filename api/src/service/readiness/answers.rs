//! The nine answers, key-person risk and what kommuner pay for the same product, each from a
//! fixed number of statements over the records the caller may see (the rules themselves are
//! `domain::readiness`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use entity::{
    benefit, benefit_follow_up, county_audit_threshold, decision, governing_document, initiative_supporter,
    participation, project, sourcing_evaluation, system_instance,
};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Query, SelectStatement},
};

use crate::service::{
    Scope,
    pagination::{Page, PageArgs, page_of_ids},
    visibility,
    visibility::Visible,
};
use crate::{
    domain::{
        ParticipationRole, ParticipationState, Sek,
        benefits::{BenefitCategory, BenefitKind},
        inventory::{Hosting, SupporterState},
        readiness::{self, Answer, AnswerStatus, Instance, Records, Thresholds},
        sourcing::SourcingState,
    },
    error::{ApiError, ApiResult},
};

/// The system owner, object owner and business maintenance lead: the critical roles.
pub fn critical_of(i: &system_instance::Model) -> [Option<i64>; 3] {
    [i.system_owner_id, i.object_owner_id, i.object_manager_business_id]
}

fn instance_of(i: &system_instance::Model) -> Instance {
    Instance {
        id: i.id,
        created_on: i.created_at.date_naive(),
        maintenance_object: !i.maintenance_object.trim().is_empty(),
        last_reviewed: i.last_reviewed,
        critical: critical_of(i),
        availability: i.availability.get(),
        shared_hosting: i.hosting == Hosting::SharedCounty,
    }
}

/// A critical role empty, or one person in all of them.
pub fn at_risk(i: &system_instance::Model) -> bool {
    instance_of(i).risk().is_some()
}

/// Key-person risk in one kommun, as counts: what other kommuner and the committee see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KommunKeyPersons {
    pub municipality_id: i32,
    /// Systems counted (those the caller may see).
    pub systems: usize,
    /// Systems with a critical role empty or one person in all of them.
    pub at_risk: usize,
    /// People who are key persons.
    pub key_persons: usize,
}

/// The answers for one kommun at one date, and how they stood at the last eight quarter ends.
pub struct Readiness {
    pub municipality_id: i32,
    pub as_of: NaiveDate,
    pub thresholds: Thresholds,
    pub answers: Vec<Answer>,
    pub trend: Vec<(NaiveDate, Vec<AnswerStatus>)>,
}

/// Key-person risk in one kommun's systems, as far as the caller may see them.
pub struct KeyPersonRisk {
    pub municipality_id: i32,
    /// Systems counted.
    pub systems: usize,
    /// Systems at risk, with why.
    pub at_risk: Vec<(system_instance::Model, readiness::Risk)>,
    /// How many people are key persons.
    pub key_person_count: usize,
    /// The key persons and the systems that make them one: only for the caller's own kommun.
    pub key_persons: Option<Vec<(entity::role_holder::Model, Vec<i64>)>>,
}

/// What the kommuner of the county pay for one product.
pub struct ProductCost {
    pub product_id: i64,
    /// Instances the caller may see: (instance, annual cost, cost per inhabitant in öre).
    pub named: Vec<(system_instance::Model, Sek, Option<i64>)>,
    /// The costs of instances the caller may not see, only when there are at least three:
    /// (count, min, median, max), in öre.
    pub hidden: Option<(usize, i64, i64, i64)>,
    /// How many hidden instances have a cost (shown even when the distribution is not).
    pub hidden_count: usize,
}

/// The county's cost comparison.
pub struct CostComparison {
    pub products: Vec<ProductCost>,
    /// Per kommun: the annual cost of the systems the caller may see, in öre.
    pub totals: Vec<(i32, i64)>,
}

/// A project's id among the projects of `kommun` the caller may see.
fn projects_of(scope: &Scope<'_>, kommun: i32) -> SelectStatement {
    Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .cond_where(visibility::projects(scope.caller()))
        .and_where(project::Column::OwnerId.eq(kommun))
        .to_owned()
}

impl crate::service::Readiness<'_, '_> {
    /// A page of the system instances an answer counted, as the caller may see them now.
    pub async fn counted_systems(
        &self,
        ids: &[i64],
        args: &PageArgs,
    ) -> ApiResult<Page<system_instance::Model>> {
        let (page, has_previous, has_next) = page_of_ids(ids, &args.validate()?)?;
        let mut items = system_instance::Entity::find()
            .filter(visibility::system_instances(self.caller()))
            .filter(system_instance::Column::Id.is_in(page))
            .all(self.db())
            .await?;
        items.sort_by_key(|i| i.id);
        Ok(Page {
            items,
            has_previous,
            has_next,
        })
    }

    /// A page of the projects an answer counted, as the caller may see them now.
    pub async fn counted_projects(
        &self,
        ids: &[i64],
        args: &PageArgs,
    ) -> ApiResult<Page<Visible<project::Model>>> {
        let (page, has_previous, has_next) = page_of_ids(ids, &args.validate()?)?;
        let mut items = self.projects().projects_by_ids(&page).await?;
        items.sort_by_key(|p| p.id);
        Ok(Page {
            items,
            has_previous,
            has_next,
        })
    }

    /// The documents an answer counted.
    pub async fn counted_documents(&self, ids: &[i64]) -> ApiResult<Vec<Visible<governing_document::Model>>> {
        let mut items: Vec<Visible<governing_document::Model>> = governing_document::Entity::find()
            .filter(visibility::governing_documents(self.caller()))
            .filter(governing_document::Column::Id.is_in(ids.to_vec()))
            .all(self.db())
            .await?
            .into_iter()
            .map(Visible::new)
            .collect();
        items.sort_by_key(|d| d.id);
        Ok(items)
    }

    /// The county's thresholds, or docs/domain.md's.
    pub async fn audit_thresholds(&self, county_id: i32) -> ApiResult<Thresholds> {
        let row = county_audit_threshold::Entity::find_by_id(county_id)
            .one(self.db())
            .await?;
        Ok(row
            .and_then(|r| serde_json::from_str(&r.thresholds).ok())
            .unwrap_or_default())
    }

    fn kommun_in_view(&self, field: &str, code: &str) -> ApiResult<i32> {
        self.reader()?;
        self.projects().municipality_id(field, code)
    }

    /// Everything of `kommun` the answers read, as far as the caller may see it, in nine
    /// statements whatever the number of records.
    async fn readiness_records(&self, kommun: i32) -> ApiResult<Records> {
        let db = self.db();
        let documents = governing_document::Entity::find()
            .filter(visibility::governing_documents(self.caller()))
            .filter(governing_document::Column::OwnerId.eq(kommun))
            .all(db)
            .await?;
        let instances = system_instance::Entity::find()
            .filter(visibility::system_instances(self.caller()))
            .filter(system_instance::Column::OwnerId.eq(kommun))
            .all(db)
            .await?;
        let projects: Vec<(i64, chrono::DateTime<chrono::Utc>, Option<i32>)> = project::Entity::find()
            .select_only()
            .columns([
                project::Column::Id,
                project::Column::CreatedAt,
                project::Column::PlanYear,
            ])
            .filter(visibility::projects(self.caller()))
            .filter(project::Column::OwnerId.eq(kommun))
            .into_tuple()
            .all(db)
            .await?;
        let decisions = decision::Entity::find()
            .filter(decision::Column::ProjectId.in_subquery(projects_of(self, kommun)))
            .all(db)
            .await?;
        let benefits = benefit::Entity::find()
            .select_only()
            .columns([
                benefit::Column::Id,
                benefit::Column::ProjectId,
                benefit::Column::Category,
                benefit::Column::Kind,
                benefit::Column::BaselineE4,
                benefit::Column::TargetE4,
                benefit::Column::CreatedAt,
            ])
            .filter(benefit::Column::ProjectId.in_subquery(projects_of(self, kommun)))
            .into_tuple::<(
                i64,
                i64,
                BenefitCategory,
                BenefitKind,
                i64,
                i64,
                chrono::DateTime<chrono::Utc>,
            )>()
            .all(db)
            .await?;
        let follow_ups: Vec<(i64, NaiveDate)> = benefit_follow_up::Entity::find()
            .select_only()
            .columns([
                benefit_follow_up::Column::BenefitId,
                benefit_follow_up::Column::MeasuredOn,
            ])
            .filter(benefit_follow_up::Column::ProjectId.in_subquery(projects_of(self, kommun)))
            .into_tuple()
            .all(db)
            .await?;
        let evaluations: Vec<(Option<i64>, Option<NaiveDate>)> = sourcing_evaluation::Entity::find()
            .select_only()
            .columns([
                sourcing_evaluation::Column::SubjectProjectId,
                sourcing_evaluation::Column::DecidedOn,
            ])
            .filter(visibility::sourcing_evaluations(self.caller()))
            .filter(sourcing_evaluation::Column::State.eq(SourcingState::Decided))
            .filter(sourcing_evaluation::Column::SubjectProjectId.in_subquery(projects_of(self, kommun)))
            .into_tuple()
            .all(db)
            .await?;
        let payers: Vec<(i64, chrono::DateTime<chrono::Utc>)> = participation::Entity::find()
            .select_only()
            .columns([participation::Column::ProjectId, participation::Column::UpdatedAt])
            .filter(participation::Column::ProjectId.in_subquery(projects_of(self, kommun)))
            .filter(participation::Column::MunicipalityId.ne(kommun))
            .filter(participation::Column::State.eq(ParticipationState::Accepted))
            .filter(participation::Column::Role.ne(ParticipationRole::Observer))
            .into_tuple()
            .all(db)
            .await?;
        let initiatives = Query::select()
            .column(entity::vendor_initiative::Column::Id)
            .from(entity::vendor_initiative::Entity)
            .cond_where(visibility::vendor_initiatives(self.caller()))
            .to_owned();
        let supported_on: Vec<NaiveDate> = initiative_supporter::Entity::find()
            .select_only()
            .column(initiative_supporter::Column::SupportedOn)
            .filter(initiative_supporter::Column::MunicipalityId.eq(kommun))
            .filter(initiative_supporter::Column::State.eq(SupporterState::Active))
            .filter(initiative_supporter::Column::InitiativeId.in_subquery(initiatives))
            .into_tuple()
            .all(db)
            .await?;

        let mut by_benefit: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        for (b, on) in follow_ups {
            by_benefit.entry(b).or_default().push(on);
        }
        let mut out: BTreeMap<i64, readiness::Project> = projects
            .into_iter()
            .map(|(id, created_at, plan_year)| {
                (
                    id,
                    readiness::Project {
                        id,
                        created_at,
                        plan_year,
                        decisions: Vec::new(),
                        benefits: Vec::new(),
                        sourcing_decided_on: None,
                        other_payers_since: Vec::new(),
                    },
                )
            })
            .collect();
        for d in decisions {
            if let Some(p) = out.get_mut(&d.project_id) {
                p.decisions.push(readiness::Decision {
                    to_phase: d.to_phase,
                    decided_on: d.decided_on,
                    recorded_at: d.created_at,
                });
            }
        }
        for (id, project_id, category, kind, baseline, target, created_at) in benefits {
            if let Some(p) = out.get_mut(&project_id) {
                let quantitative = kind != BenefitKind::Qualitative;
                p.benefits.push(readiness::Benefit {
                    of_working: matches!(
                        category,
                        BenefitCategory::WorkMethods | BenefitCategory::Productivity
                    ),
                    measurable: quantitative && baseline != target,
                    quantitative,
                    recorded_at: created_at,
                    follow_ups: by_benefit.remove(&id).unwrap_or_default(),
                });
            }
        }
        for (subject, on) in evaluations {
            if let (Some(p), Some(on)) = (subject.and_then(|s| out.get_mut(&s)), on) {
                p.sourcing_decided_on = Some(p.sourcing_decided_on.map_or(on, |d| d.min(on)));
            }
        }
        for (project_id, since) in payers {
            if let Some(p) = out.get_mut(&project_id) {
                p.other_payers_since.push(since);
            }
        }
        Ok(Records {
            documents: documents
                .into_iter()
                .map(|d| readiness::Document {
                    id: d.id,
                    kind: d.kind,
                    elected: d.body_kind == readiness::BodyKind::Elected,
                    decided_on: d.decided_on,
                    replaced_on: d.replaced_on,
                })
                .collect(),
            instances: instances.iter().map(instance_of).collect(),
            projects: out.into_values().collect(),
            supported_on,
        })
    }

    /// The nine answers for kommun `code` on `as_of` (today by default), counting only what the
    /// caller may see, with their trend over the last eight quarter ends.
    pub async fn audit_readiness(&self, code: &str, as_of: Option<NaiveDate>) -> ApiResult<Readiness> {
        let kommun = self.kommun_in_view("kommun", code)?;
        let today = chrono::Utc::now().date_naive();
        let as_of = as_of.unwrap_or(today);
        if as_of > today {
            return Err(ApiError::input("asOf", "asOf must not be in the future"));
        }
        let _turn = self.heavy_turn().await?;
        let county = self
            .reference()
            .municipality(kommun)
            .map(|m| m.county_id)
            .unwrap_or_default();
        let thresholds = self.audit_thresholds(county).await?;
        let records = self.readiness_records(kommun).await?;
        let answers = readiness::answer(&records, as_of, &thresholds);
        let trend = readiness::quarter_ends(as_of, 8)
            .into_iter()
            .map(|q| {
                let statuses = readiness::answer(&records, q, &thresholds)
                    .into_iter()
                    .map(|a| a.status)
                    .collect();
                (q, statuses)
            })
            .collect();
        Ok(Readiness {
            municipality_id: kommun,
            as_of,
            thresholds,
            answers,
            trend,
        })
    }

    /// Key-person risk among the systems of kommun `code` the caller may see; the people are
    /// named only to the kommun itself.
    pub async fn key_person_risk(&self, code: &str) -> ApiResult<KeyPersonRisk> {
        let kommun = self.kommun_in_view("kommun", code)?;
        let p = self.principal()?;
        let instances = system_instance::Entity::find()
            .filter(visibility::system_instances(self.caller()))
            .filter(system_instance::Column::OwnerId.eq(kommun))
            .all(self.db())
            .await?;
        let county = self
            .reference()
            .municipality(kommun)
            .map(|m| m.county_id)
            .unwrap_or_default();
        let t = self.audit_thresholds(county).await?;
        let rules: Vec<Instance> = instances.iter().map(instance_of).collect();
        let keys = readiness::key_persons(&rules, &t);
        let own = p.reads_as_kommun() && p.municipality_id == kommun;
        let key_persons = if own {
            let holders = self
                .role_holders_by_ids(&keys.keys().copied().collect::<Vec<_>>())
                .await?;
            Some(
                holders
                    .into_iter()
                    .filter_map(|h| keys.get(&h.id).cloned().map(|s| (h, s)))
                    .collect(),
            )
        } else {
            None
        };
        let at_risk = instances
            .iter()
            .zip(&rules)
            .filter_map(|(m, r)| r.risk().map(|why| (m.clone(), why)))
            .collect();
        Ok(KeyPersonRisk {
            municipality_id: kommun,
            systems: instances.len(),
            at_risk,
            key_person_count: keys.len(),
            key_persons,
        })
    }

    /// Key-person risk for every kommun of the caller's county: counts only, over the systems
    /// the caller may see, in one statement.
    pub async fn key_person_risk_by_kommun(&self) -> ApiResult<Vec<KommunKeyPersons>> {
        let p = self.reader()?;
        self.key_person_counts(p.county_id).await
    }

    /// Key-person risk counts per kommun of county `county_id` (the committee report's
    /// section), over the systems the caller may see.
    pub(in crate::service) async fn key_person_counts(
        &self,
        county_id: i32,
    ) -> ApiResult<Vec<KommunKeyPersons>> {
        let t = self.audit_thresholds(county_id).await?;
        let instances = system_instance::Entity::find()
            .filter(visibility::system_instances(self.caller()))
            .filter(system_instance::Column::CountyId.eq(county_id))
            .all(self.db())
            .await?;
        let mut by: BTreeMap<i32, Vec<Instance>> = self
            .reference()
            .kommuner_of(county_id)
            .map(|m| (m.id, Vec::new()))
            .collect();
        for i in &instances {
            by.entry(i.owner_id).or_default().push(instance_of(i));
        }
        let mut rows: Vec<KommunKeyPersons> = by
            .into_iter()
            .map(|(municipality_id, rules)| KommunKeyPersons {
                municipality_id,
                systems: rules.len(),
                at_risk: rules.iter().filter(|r| r.risk().is_some()).count(),
                key_persons: readiness::key_persons(&rules, &t).len(),
            })
            .collect();
        let code = |id: i32| self.reference().municipality(id).map(|m| m.code.clone());
        rows.sort_by_key(|r| code(r.municipality_id));
        Ok(rows)
    }

    /// What the county's kommuner pay per product: named for the instances the caller may see,
    /// only as a distribution of three or more for those it may not.
    pub async fn cost_comparison(&self, product: Option<i64>) -> ApiResult<CostComparison> {
        let p = self.reader()?;
        let mut q = system_instance::Entity::find()
            .filter(system_instance::Column::CountyId.eq(p.county_id))
            .filter(system_instance::Column::AnnualCostOre.is_not_null());
        if let Some(id) = product {
            q = q.filter(system_instance::Column::ProductId.eq(id));
        }
        let all = q.all(self.db()).await?;
        let mut vq = system_instance::Entity::find()
            .select_only()
            .column(system_instance::Column::Id)
            .filter(visibility::system_instances(self.caller()))
            .filter(system_instance::Column::CountyId.eq(p.county_id))
            .filter(system_instance::Column::AnnualCostOre.is_not_null());
        if let Some(id) = product {
            vq = vq.filter(system_instance::Column::ProductId.eq(id));
        }
        let visible: BTreeSet<i64> = vq.into_tuple::<i64>().all(self.db()).await?.into_iter().collect();
        let mut by_product: BTreeMap<i64, (Vec<system_instance::Model>, Vec<i64>)> = BTreeMap::new();
        let mut totals: BTreeMap<i32, i64> = BTreeMap::new();
        for i in all {
            let cost = i.annual_cost_ore.unwrap_or(0);
            let e = by_product.entry(i.product_id).or_default();
            if visible.contains(&i.id) {
                *totals.entry(i.owner_id).or_default() += cost;
                e.0.push(i);
            } else {
                e.1.push(cost);
            }
        }
        let products = by_product
            .into_iter()
            .map(|(product_id, (named, mut hidden))| {
                hidden.sort_unstable();
                let n = hidden.len();
                let distribution = (n >= 3).then(|| {
                    let median = if n % 2 == 1 {
                        hidden[n / 2]
                    } else {
                        (hidden[n / 2 - 1] + hidden[n / 2]) / 2
                    };
                    (n, hidden[0], median, hidden[n - 1])
                });
                let named = named
                    .into_iter()
                    .map(|i| {
                        let cost = Sek::from_ore(i.annual_cost_ore.unwrap_or(0));
                        let per = self
                            .reference()
                            .current_population(i.owner_id)
                            .filter(|n| *n > 0)
                            .map(|n| (cost.ore() as f64 / n as f64).round() as i64);
                        (i, cost, per)
                    })
                    .collect();
                ProductCost {
                    product_id,
                    named,
                    hidden: distribution,
                    hidden_count: n,
                }
            })
            .collect();
        Ok(CostComparison {
            products,
            totals: totals.into_iter().collect(),
        })
    }
}
