//! The joint committee's report as GraphQL.
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, Object, Result, SimpleObject};

use super::{
    reference::{County, Municipality, municipality},
    scalars::Date,
    scope,
};
use crate::{
    domain::{
        Health, Phase,
        benefits::percent,
        inventory::{InitiativeState, ResponseOutcome},
        sourcing::DataLocation,
    },
    service::report::{CommitteeReport as Report, Sections},
};

/// Projects in one phase with one health.
#[derive(SimpleObject)]
pub struct PhaseHealthCount {
    phase: Phase,
    /// Null before the first status report.
    health: Option<Health>,
    count: u64,
}

/// One kommun's costs under the agreed keys.
#[derive(SimpleObject)]
pub struct MunicipalityCost {
    municipality: Municipality,
    /// SEK: shares of projects in EXECUTION or later (not cancelled).
    committed: Decimal,
    /// SEK: shares of projects still being prepared (IDEA to PLANNING).
    planned: Decimal,
    projects: usize,
}

/// One kommun's share of one project.
#[derive(SimpleObject)]
pub struct ProjectCost {
    project_title: String,
    phase: Phase,
    municipality: Municipality,
    amount: Decimal,
    committed: bool,
    /// The reference year of the population figures the share used; null under a key that
    /// weighs no population.
    population_year: Option<i32>,
}

/// Benefits one kommun owns.
#[derive(SimpleObject)]
pub struct MunicipalityBenefits {
    municipality: Municipality,
    benefits: usize,
    /// Mean realisation of its measured benefits, percent.
    realization_percent: Option<Decimal>,
}

/// One benefit against its target, as of the end of the period.
#[derive(SimpleObject)]
pub struct BenefitLine {
    project_title: String,
    description: String,
    owner: Municipality,
    metric: String,
    unit: String,
    baseline: Decimal,
    target: Decimal,
    latest: Option<Decimal>,
    realization_percent: Option<Decimal>,
}

/// A tollgate planned in the period.
#[derive(SimpleObject)]
pub struct TollgateDue {
    project_title: String,
    owner: Municipality,
    phase: Phase,
    next_phase: Option<Phase>,
    due: Date,
}

/// A tollgate decision taken in the period, as the minutes cite it.
#[derive(SimpleObject)]
pub struct TollgateDecisionLine {
    project_title: String,
    owner: Municipality,
    from_phase: Phase,
    to_phase: Phase,
    decided_on: Date,
    deciding_body: String,
    diarienummer: String,
}

/// A sourcing decision taken in the period.
#[derive(SimpleObject)]
pub struct SourcingDecisionLine {
    title: String,
    owner: Municipality,
    decided_on: Date,
    chosen_option_kind: String,
    chosen_option_description: String,
    /// The chosen option's weighted score (0–100).
    weighted_score: Option<Decimal>,
    /// The chosen option's rank (1 = best scored).
    rank: Option<usize>,
    deciding_body: String,
    diarienummer: String,
}

/// A vendor initiative in the report.
#[derive(SimpleObject)]
pub struct InitiativeLine {
    title: String,
    vendor: String,
    initiator: Municipality,
    state: InitiativeState,
    supporters: usize,
    latest_response_date: Option<Date>,
    latest_response_outcome: Option<ResponseOutcome>,
    latest_response_summary: Option<String>,
}

/// A system in the report.
#[derive(SimpleObject)]
pub struct SystemLine {
    municipality: Municipality,
    product: String,
    vendor: String,
    confidentiality: i32,
    data_location: DataLocation,
    contract_end: Option<Date>,
}

fn system_line(ctx: &Context<'_>, r: &crate::service::report::SystemRow) -> Result<SystemLine> {
    Ok(SystemLine {
        municipality: municipality(ctx, r.owner_id)?,
        product: r.product.clone(),
        vendor: r.vendor.clone(),
        confidentiality: r.confidentiality,
        data_location: r.data_location,
        contract_end: r.contract_end.map(Date),
    })
}

/// The report to the joint committee (gemensam nämnd) for a county and period.
pub struct CommitteeReport(pub Report);

#[Object]
impl CommitteeReport {
    async fn county(&self) -> County {
        County(self.0.county.clone())
    }
    async fn from(&self) -> Date {
        Date(self.0.from)
    }
    async fn to(&self) -> Date {
        Date(self.0.to)
    }
    /// Projects by phase and health (now).
    async fn projects_by_phase(&self) -> Vec<PhaseHealthCount> {
        self.0
            .phases
            .iter()
            .map(|r| PhaseHealthCount {
                phase: r.phase,
                health: r.health,
                count: r.count,
            })
            .collect()
    }
    /// Cost per kommun under the agreed keys.
    async fn cost_per_municipality(&self, ctx: &Context<'_>) -> Result<Vec<MunicipalityCost>> {
        self.0
            .costs
            .iter()
            .map(|r| {
                Ok(MunicipalityCost {
                    municipality: municipality(ctx, r.municipality_id)?,
                    committed: r.committed.to_decimal().into(),
                    planned: r.planned.to_decimal().into(),
                    projects: r.projects,
                })
            })
            .collect()
    }
    /// Each kommun's share of each project that is not cancelled: at most 1,000 rows, the first
    /// by project (`projectCostCount` says how many there are; the CSV has them all).
    async fn project_costs(&self, ctx: &Context<'_>) -> Result<Vec<ProjectCost>> {
        self.0
            .project_costs
            .iter()
            .map(|r| {
                Ok(ProjectCost {
                    project_title: r.title.clone(),
                    phase: r.phase,
                    municipality: municipality(ctx, r.municipality_id)?,
                    amount: r.amount.to_decimal().into(),
                    committed: r.committed,
                    population_year: r.population_year,
                })
            })
            .collect()
    }
    /// Benefits realised against target, per owner kommun.
    async fn benefits_per_municipality(&self, ctx: &Context<'_>) -> Result<Vec<MunicipalityBenefits>> {
        self.0
            .benefits_per_kommun
            .iter()
            .map(|r| {
                Ok(MunicipalityBenefits {
                    municipality: municipality(ctx, r.municipality_id)?,
                    benefits: r.benefits,
                    realization_percent: r.realization.map(|q| percent(q).into()),
                })
            })
            .collect()
    }
    /// How many rows `projectCosts` would hold without its bound.
    async fn project_cost_count(&self) -> usize {
        self.0.project_cost_count
    }
    /// Every benefit against its target as of the end of the period, by project and then by
    /// when they were added: at most 1,000, the first in that order (`benefitCount` says how
    /// many there are; the CSV has them all, in the same order).
    async fn benefits(&self, ctx: &Context<'_>) -> Result<Vec<BenefitLine>> {
        self.0
            .benefits
            .iter()
            .map(|r| {
                Ok(BenefitLine {
                    project_title: r.project_title.clone(),
                    description: r.description.clone(),
                    owner: municipality(ctx, r.owner_id)?,
                    metric: r.metric.clone(),
                    unit: r.unit.clone(),
                    baseline: r.baseline.to_decimal().into(),
                    target: r.target.to_decimal().into(),
                    latest: r.latest.map(|m| m.to_decimal().into()),
                    realization_percent: r.realization.map(|q| percent(q).into()),
                })
            })
            .collect()
    }
    /// How many tollgates `tollgatesDue` would hold without its bound.
    async fn tollgate_count(&self) -> usize {
        self.0.tollgate_count
    }
    /// How many benefits `benefits` would hold without its bound.
    async fn benefit_count(&self) -> usize {
        self.0.benefit_count
    }
    /// Tollgate decisions taken in the period on projects the caller sees, by date (at most
    /// 500).
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<TollgateDecisionLine>> {
        self.0
            .decisions
            .iter()
            .map(|d| {
                Ok(TollgateDecisionLine {
                    project_title: d.title.clone(),
                    owner: municipality(ctx, d.owner_id)?,
                    from_phase: d.from_phase,
                    to_phase: d.to_phase,
                    decided_on: Date(d.decided_on),
                    deciding_body: d.deciding_body.clone(),
                    diarienummer: d.diarienummer.clone(),
                })
            })
            .collect()
    }

    /// Tollgates planned within the period, soonest first: at most 1,000 (`tollgateCount`
    /// says how many there are; the CSV has them all).
    async fn tollgates_due(&self, ctx: &Context<'_>) -> Result<Vec<TollgateDue>> {
        self.0
            .tollgates
            .iter()
            .map(|r| {
                Ok(TollgateDue {
                    project_title: r.title.clone(),
                    owner: municipality(ctx, r.owner_id)?,
                    phase: r.phase,
                    next_phase: r.next_phase,
                    due: Date(r.due),
                })
            })
            .collect()
    }
    /// Sourcing decisions taken within the period, with the chosen option's score.
    async fn sourcing_decisions(&self, ctx: &Context<'_>) -> Result<Vec<SourcingDecisionLine>> {
        self.0
            .sourcing
            .iter()
            .map(|r| {
                Ok(SourcingDecisionLine {
                    title: r.title.clone(),
                    owner: municipality(ctx, r.owner_id)?,
                    decided_on: Date(r.decided_on),
                    chosen_option_kind: r.option_kind.clone(),
                    chosen_option_description: r.option_description.clone(),
                    weighted_score: r
                        .score
                        .map(|q| percent(q / num_rational::Ratio::from_integer(100)).into()),
                    rank: r.rank,
                    deciding_body: r.deciding_body.clone(),
                    diarienummer: r.diarienummer.clone(),
                })
            })
            .collect()
    }
    /// Vendor initiatives and the vendors' latest responses.
    async fn vendor_initiatives(&self, ctx: &Context<'_>) -> Result<Vec<InitiativeLine>> {
        self.0
            .initiatives
            .iter()
            .map(|r| {
                Ok(InitiativeLine {
                    title: r.title.clone(),
                    vendor: r.vendor.clone(),
                    initiator: municipality(ctx, r.owner_id)?,
                    state: r.state,
                    supporters: r.supporters,
                    latest_response_date: r.response.as_ref().map(|x| Date(x.0)),
                    latest_response_outcome: r.response.as_ref().map(|x| x.1),
                    latest_response_summary: r.response.as_ref().map(|x| x.2.clone()),
                })
            })
            .collect()
    }
    /// Systems with confidentiality 3 or more whose data is outside the EU/EEA.
    async fn sensitive_systems_outside_eu(&self, ctx: &Context<'_>) -> Result<Vec<SystemLine>> {
        self.0
            .sensitive_systems
            .iter()
            .map(|r| system_line(ctx, r))
            .collect()
    }
    /// Contracts ending within 18 months of the period's start.
    async fn contracts_ending(&self, ctx: &Context<'_>) -> Result<Vec<SystemLine>> {
        self.0
            .expiring_contracts
            .iter()
            .map(|r| system_line(ctx, r))
            .collect()
    }
    /// Joint procurement windows of the county as of today (24 months ahead, at least two
    /// kommuner), as `procurementWindows` gives them.
    /// Key-person risk per kommun of the county, as counts over the systems the caller may
    /// see; people are never named in the report.
    async fn key_person_risk(&self, ctx: &Context<'_>) -> Result<Vec<super::readiness::KeyPersonRiskCount>> {
        self.0
            .key_person_risk
            .iter()
            .map(|r| super::readiness::KeyPersonRiskCount::of(ctx, r))
            .collect()
    }
    /// The county's audit chain at the period's end (the end of `to`, UTC): state it in the
    /// minutes, and a later `verify-audit` or `auditChain` shows the trail unchanged since.
    /// For the committee (`namnd`) and the auditors (`revisor`) only, null for others: its
    /// count covers every kommun's events, PRIVATE ones too.
    async fn audit_chain_head(&self) -> Option<AuditChainHead> {
        self.0.audit_chain_head.as_ref().map(|h| AuditChainHead {
            event_count: h.events,
            head_hash: h.hash.clone(),
        })
    }
    async fn procurement_windows(&self) -> Vec<super::procurement::ProcurementWindow> {
        self.0
            .procurement_windows
            .iter()
            .map(|r| super::procurement::ProcurementWindow(r.window.clone()))
            .collect()
    }
}

/// Rows `projectCosts` and `benefits` hold at most: the screen's share of a county; the CSV
/// has them all, and the counts say how many there are.
pub const REPORT_ROWS: usize = 1_000;

/// The committee report query.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The report to the joint committee for a county (länskod) and period, from what the
    /// caller may see. Also as CSV: `GET /reports/{county}/committee.csv?from=&to=`.
    async fn committee_report(
        &self,
        ctx: &Context<'_>,
        county: String,
        from: Date,
        to: Date,
    ) -> Result<CommitteeReport> {
        // Only the sections the document asks for are built (fragments included).
        let asked = ctx.look_ahead();
        let any = |fields: &[&str]| fields.iter().any(|f| asked.field(f).exists());
        let sections = Sections {
            phases: any(&["projectsByPhase"]),
            costs: any(&["costPerMunicipality", "projectCosts", "projectCostCount"]),
            cost_rows: any(&["projectCosts"]),
            benefits: any(&["benefits", "benefitsPerMunicipality", "benefitCount"]),
            benefit_rows: any(&["benefits"]),
            row_cap: Some(REPORT_ROWS),
            tollgates: any(&["tollgatesDue", "tollgateCount"]),
            decisions: any(&["decisions"]),
            sourcing: any(&["sourcingDecisions"]),
            initiatives: any(&["vendorInitiatives"]),
            systems: any(&["sensitiveSystemsOutsideEu", "contractsEnding"]),
            procurement_windows: any(&["procurementWindows"]),
            key_person_risk: any(&["keyPersonRisk"]),
            audit_chain_head: any(&["auditChainHead"]),
        };
        Ok(CommitteeReport(
            scope(ctx)
                .report()
                .committee_report(&county, from.0, to.0, sections)
                .await?,
        ))
    }
}

/// A county's audit chain at an instant.
#[derive(async_graphql::SimpleObject)]
pub struct AuditChainHead {
    /// Events in the chain up to then.
    event_count: i64,
    /// Hex SHA-256 of the last of them (64 zeros before the first).
    head_hash: String,
}
