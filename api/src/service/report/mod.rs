//! The joint committee's report (rapport till gemensam nämnd): one true picture of the
//! county's portfolio, costs, benefits and decisions for a period, built once and served
//! both as GraphQL and as CSV for the minutes.
use chrono::NaiveDate;
use entity::{
    benefit, benefit_follow_up, county, project, project_share, project_share_sum, project_share_taking_sum,
};
use num_rational::Ratio;
use std::collections::HashMap;

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

mod parts;
mod sections;

pub use parts::PartFigures;
use parts::{BenefitOwners, PartBenefits, PhaseCounts};

use super::{
    Report,
    audit::{measures, shares},
    benefits::{benefit_realization, measured},
    projects::{ChunkPart, CostBasis, members_of, paying},
    visibility,
};
use crate::{
    domain::{
        Health, Phase, Sek,
        benefits::{BenefitKind, Measure},
        inventory::{InitiativeState, ResponseOutcome},
        sourcing::DataLocation,
    },
    error::{ApiError, ApiResult},
};

/// How many projects are in one phase with one health.
#[derive(Clone, Debug)]
pub struct PhaseHealthRow {
    pub phase: Phase,
    pub health: Option<Health>,
    pub count: u64,
}

/// One kommun's costs under the agreed keys.
#[derive(Clone, Debug)]
pub struct KommunCostRow {
    pub municipality_id: i32,
    /// Shares of projects past the PLANNING tollgate (EXECUTION or later, not cancelled).
    pub committed: Sek,
    /// Shares of projects still in IDEA, PRE_STUDY or PLANNING.
    pub planned: Sek,
    pub projects: usize,
}

/// One kommun's share of one project.
#[derive(Clone, Debug)]
pub struct ProjectCostRow {
    pub project_id: i64,
    pub title: String,
    pub phase: Phase,
    pub municipality_id: i32,
    pub amount: Sek,
    pub committed: bool,
    /// The reference year of the population figures the share used (PER_CAPITA, MIXED).
    pub population_year: Option<i32>,
}

/// Benefits a kommun owns and how far they are realised on average.
#[derive(Clone, Debug)]
pub struct KommunBenefitRow {
    pub municipality_id: i32,
    pub benefits: usize,
    pub realization: Option<Ratio<i128>>,
}

/// One benefit against its target.
#[derive(Clone, Debug)]
pub struct BenefitRow {
    pub project_id: i64,
    pub project_title: String,
    pub benefit_id: i64,
    pub description: String,
    pub owner_id: i32,
    pub metric: String,
    pub unit: String,
    pub baseline: Measure,
    pub target: Measure,
    pub latest: Option<Measure>,
    pub realization: Option<Ratio<i128>>,
}

/// A tollgate planned within the period.
#[derive(Clone, Debug)]
pub struct TollgateRow {
    pub project_id: i64,
    pub title: String,
    pub phase: Phase,
    pub next_phase: Option<Phase>,
    pub due: NaiveDate,
    pub owner_id: i32,
}

/// A sourcing decision taken within the period, with its score.
#[derive(Clone, Debug)]
pub struct SourcingRow {
    pub evaluation_id: i64,
    pub title: String,
    pub owner_id: i32,
    pub decided_on: NaiveDate,
    pub option_kind: String,
    pub option_description: String,
    pub score: Option<Ratio<i128>>,
    pub rank: Option<usize>,
    pub deciding_body: String,
    pub diarienummer: String,
}

/// A vendor initiative and where it stands.
#[derive(Clone, Debug)]
pub struct InitiativeRow {
    pub initiative_id: i64,
    pub title: String,
    pub vendor: String,
    pub owner_id: i32,
    pub state: InitiativeState,
    pub supporters: usize,
    /// The latest vendor response: date, outcome and summary.
    pub response: Option<(NaiveDate, ResponseOutcome, String)>,
}

/// A system in the inventory the committee should know about.
#[derive(Clone, Debug)]
pub struct SystemRow {
    pub instance_id: i64,
    pub owner_id: i32,
    pub product: String,
    pub vendor: String,
    pub confidentiality: i32,
    pub data_location: DataLocation,
    pub contract_end: Option<NaiveDate>,
}

/// The most decisions a report lists: a county's tollgate decisions in a year are tens to a
/// few hundred.
pub const DECISION_ROWS: usize = 500;

/// A tollgate decision taken in the period, as the minutes cite it.
#[derive(Clone, Debug)]
pub struct DecisionRow {
    pub decision_id: i64,
    pub project_id: i64,
    pub title: String,
    pub owner_id: i32,
    pub from_phase: Phase,
    pub to_phase: Phase,
    pub decided_on: NaiveDate,
    pub deciding_body: String,
    pub diarienummer: String,
}

/// Where the long lists' rows go when the report is written out whole (the CSV): each row as
/// the chunk walk reads it, in the walk's order, so that nothing holds the county's rows at
/// once.
pub trait RowSink: Send {
    /// One kommun's share of one project.
    fn project_cost(&mut self, row: &ProjectCostRow) -> std::io::Result<()>;
    /// One benefit against its target.
    fn benefit(&mut self, row: &BenefitRow) -> std::io::Result<()>;
}

/// Which sections of the report to build: a GraphQL client that asks for two sections gets
/// the work of two; the CSV asks for all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sections {
    /// `projectsByPhase`: one grouped count.
    pub phases: bool,
    /// `costPerMunicipality`, `projectCosts`: the projects' participations and keys.
    pub costs: bool,
    /// `projectCosts`: a row per kommun and project (not only the sums per kommun).
    pub cost_rows: bool,
    /// `benefits`, `benefitsPerMunicipality`: the projects' benefits and follow-ups.
    pub benefits: bool,
    /// `benefits`: a row per benefit (not only the figures per owner).
    pub benefit_rows: bool,
    /// At most this many rows of `projectCosts` and of `benefits` (the first by project);
    /// `None`: all.
    pub row_cap: Option<usize>,
    /// `tollgatesDue`: projects whose next tollgate falls in the period.
    pub tollgates: bool,
    /// `decisions`: tollgate decisions taken in the period.
    pub decisions: bool,
    pub sourcing: bool,
    pub initiatives: bool,
    /// `sensitiveSystemsOutsideEu`, `contractsEnding`.
    pub systems: bool,
    pub procurement_windows: bool,
    pub key_person_risk: bool,
    pub audit_chain_head: bool,
}

impl Sections {
    /// Every section (the CSV).
    pub const ALL: Sections = Sections {
        phases: true,
        costs: true,
        cost_rows: true,
        benefits: true,
        benefit_rows: true,
        row_cap: None,
        tollgates: true,
        decisions: true,
        sourcing: true,
        initiatives: true,
        systems: true,
        procurement_windows: true,
        key_person_risk: true,
        audit_chain_head: true,
    };
}

/// The whole report.
#[derive(Clone, Debug)]
pub struct CommitteeReport {
    pub county: county::Model,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub phases: Vec<PhaseHealthRow>,
    pub costs: Vec<KommunCostRow>,
    pub project_costs: Vec<ProjectCostRow>,
    /// Rows `project_costs` would hold without the cap.
    pub project_cost_count: usize,
    pub benefits_per_kommun: Vec<KommunBenefitRow>,
    pub benefits: Vec<BenefitRow>,
    /// Rows `benefits` would hold without the cap.
    pub benefit_count: usize,
    pub tollgates: Vec<TollgateRow>,
    /// How many tollgates fall in the period (`tollgates` holds at most the sections' cap).
    pub tollgate_count: usize,
    /// At most [`DECISION_ROWS`], the first by date.
    pub decisions: Vec<DecisionRow>,
    pub sourcing: Vec<SourcingRow>,
    pub initiatives: Vec<InitiativeRow>,
    /// Confidentiality 3 or more, data outside the EU/EEA.
    pub sensitive_systems: Vec<SystemRow>,
    /// Contracts ending within 18 months of the period's start.
    pub expiring_contracts: Vec<SystemRow>,
    /// Joint procurement windows of the county, as of today.
    pub procurement_windows: Vec<WindowRow>,
    /// Key-person risk per kommun of the county, as counts (people are never named here).
    pub key_person_risk: Vec<crate::service::readiness::KommunKeyPersons>,
    /// The county's audit chain as it stood at the period's end (the end of `to`, UTC), for
    /// the minutes to anchor it; only for the committee and the auditors, since its count
    /// covers every kommun's events, PRIVATE ones too.
    pub audit_chain_head: Option<crate::service::audit::chain::ChainHead>,
}

/// A joint procurement window with the names the minutes need.
#[derive(Clone, Debug)]
pub struct WindowRow {
    /// The window.
    pub window: crate::service::procurement::ProcurementWindow,
    /// The product's name, or the category's.
    pub subject: String,
    /// The vendors' names.
    pub vendors: Vec<String>,
}

/// The longest period a report covers: ten years of a committee's terms.
pub const MAX_PERIOD_DAYS: i64 = 3_660;

impl super::Services {
    /// Measures the report's figures kept per part ([`PartFigures`]) for every kommun that owns
    /// projects, as its viewers read them: its county's shared part (which the committee and
    /// every kommun of the county read under the same names), its own part and its
    /// taking-part part. The first report after a start then reads kept figures instead of
    /// every benefit and phase of the county (at 500,000 projects on PostgreSQL 0.53–0.56 s
    /// first, 0.24 s with them measured at start). Benefits are measured by today, which
    /// holds for any later period end while nothing is followed up after today
    /// (`PartFigures::benefits`). Each kommun's figures take a heavy turn and the heavy
    /// threads, as a report does.
    pub async fn warm_report_figures(&self) -> ApiResult<()> {
        for viewer in self.owners_as_viewers("report-warm-up").await? {
            self.scope(&viewer, "report-warm-up")
                .report()
                .warm_figures()
                .await?;
        }
        Ok(())
    }
}

impl Report<'_, '_> {
    /// The caller's parts' phase counts and benefits measured by today, kept for its reports.
    async fn warm_figures(&self) -> ApiResult<()> {
        let county_id = self.principal()?.county_id;
        let today = chrono::Utc::now().date_naive();
        let _turn = self.heavy_turn().await?;
        self.off_workers(move |scope| {
            Box::pin(async move {
                let report = scope.report();
                report.phase_counts(county_id).await?;
                report.benefit_sums(county_id, today).await?;
                Ok(())
            })
        })
        .await
    }

    /// Builds the committee report for `county` over `[from, to]`, from what the caller may
    /// see: the committee (`namnd`) sees the county's shared records, a kommun also its own.
    pub async fn committee_report(
        &self,
        county_code: &str,
        from: NaiveDate,
        to: NaiveDate,
        sections: Sections,
    ) -> ApiResult<CommitteeReport> {
        self.check_period(from, to)?;
        let _turn = self.heavy_turn().await?;
        self.build_apart(county_code, from, to, sections).await
    }

    /// [`Self::build_committee_report`] with its rows kept, on the heavy-read threads.
    async fn build_apart(
        &self,
        county_code: &str,
        from: NaiveDate,
        to: NaiveDate,
        sections: Sections,
    ) -> ApiResult<CommitteeReport> {
        let county = county_code.to_owned();
        self.off_workers(move |scope| {
            Box::pin(async move {
                scope
                    .report()
                    .build_committee_report(&county, from, to, sections, None)
                    .await
            })
        })
        .await
    }

    /// The whole committee report with its long lists (`projectCosts`, `benefits`) handed to
    /// `sink` row by row as they are read, rather than kept: what the CSV is written from. The
    /// sink comes back with the report.
    pub async fn committee_report_into<S: RowSink + 'static>(
        &self,
        county_code: &str,
        from: NaiveDate,
        to: NaiveDate,
        sink: S,
    ) -> ApiResult<(CommitteeReport, S)> {
        self.check_period(from, to)?;
        let _turn = self.heavy_turn().await?;
        let county = county_code.to_owned();
        self.off_workers(move |scope| {
            Box::pin(async move {
                let mut sink = sink;
                let report = scope
                    .report()
                    .build_committee_report(&county, from, to, Sections::ALL, Some(&mut sink))
                    .await?;
                Ok((report, sink))
            })
        })
        .await
    }

    /// The whole committee report, its per-project lists cut at `rows` (counted in full), handed
    /// to `make` (the committee's PDF typesetter), which runs on a blocking thread of the heavy
    /// reads (at their priority) while this request still holds its heavy turn: rendering is
    /// CPU work that the turns bound as they bound the reading.
    pub async fn committee_paper<R: Send + 'static>(
        &self,
        county_code: &str,
        from: NaiveDate,
        to: NaiveDate,
        rows: usize,
        make: impl FnOnce(CommitteeReport) -> R + Send + 'static,
    ) -> ApiResult<R> {
        self.check_period(from, to)?;
        let _turn = self.heavy_turn().await?;
        let sections = Sections {
            row_cap: Some(rows),
            ..Sections::ALL
        };
        let report = self.build_apart(county_code, from, to, sections).await?;
        super::blocking_on_heavy_threads(move || make(report))
            .await
            .map_err(|e| {
                ApiError::Internal(anyhow::anyhow!("the committee document's renderer stopped: {e}"))
            })
    }

    fn check_period(&self, from: NaiveDate, to: NaiveDate) -> ApiResult<()> {
        self.reader()?;
        if from > to {
            return Err(ApiError::input("to", "the period ends before it starts"));
        }
        let days = to.signed_duration_since(from).num_days();
        if days > MAX_PERIOD_DAYS {
            return Err(ApiError::input(
                "to",
                format!("a report covers at most {MAX_PERIOD_DAYS} days (ten years); this period has {days}"),
            ));
        }
        Ok(())
    }

    async fn build_committee_report(
        &self,
        county_code: &str,
        from: NaiveDate,
        to: NaiveDate,
        sections: Sections,
        sink: Option<&mut dyn RowSink>,
    ) -> ApiResult<CommitteeReport> {
        let county = self.known_county(county_code)?;
        if county.id != self.principal()?.county_id {
            // It would hold nothing of that county for this caller; saying so is plainer.
            return Err(ApiError::Forbidden(format!(
                "county {county_code}'s committee report is its own kommuner's and committee's"
            )));
        }
        // The benefits per kommun are the report's longest read (a probe per benefit of the
        // county); it runs on a second connection beside the rest, so a report reads on at
        // most two of the pool's connections and takes about as long as the longer lane.
        let benefits_apart = sink.is_none() && sections.benefits;
        let benefit_sums = async {
            if benefits_apart {
                self.benefit_sums(county.id, to).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let code_of = |id: i32| {
            self.reference()
                .municipality(id)
                .map(|m| m.code.to_string())
                .unwrap_or_default()
        };
        let rest = async {
            let Portfolio {
                project_costs,
                cost_sums,
                benefit_rows,
                benefit_owners,
            } = if sections.costs || sections.benefits {
                self.portfolio(county.id, to, sections, sink).await?
            } else {
                Portfolio::default()
            };
            let project_cost_count = cost_sums.values().map(|c| c.projects).sum();
            let phases = if sections.phases {
                self.phase_counts(county.id).await?
            } else {
                Vec::new()
            };
            let (tollgates, tollgate_count) = if sections.tollgates {
                self.tollgates_due(county.id, from, to, sections.row_cap).await?
            } else {
                (Vec::new(), 0)
            };
            let decisions = if sections.decisions {
                self.decisions_in(county.id, from, to).await?
            } else {
                Vec::new()
            };
            let mut costs: Vec<KommunCostRow> = cost_sums.into_values().collect();
            costs.sort_by_key(|r| code_of(r.municipality_id));
            let sourcing = if sections.sourcing {
                self.sourcing_decisions(county.id, from, to).await?
            } else {
                Vec::new()
            };
            let initiatives = if sections.initiatives {
                self.initiative_rows(county.id).await?
            } else {
                Vec::new()
            };
            let (sensitive_systems, expiring_contracts) = if sections.systems {
                self.system_rows(county.id, from).await?
            } else {
                Default::default()
            };
            let procurement_windows = if sections.procurement_windows {
                self.window_rows(county.id).await?
            } else {
                Vec::new()
            };
            let key_person_risk = if sections.key_person_risk {
                self.readiness().key_person_counts(county.id).await?
            } else {
                Vec::new()
            };
            let period_end = (to + chrono::Days::new(1))
                .and_time(chrono::NaiveTime::MIN)
                .and_utc();
            let audit_chain_head = if sections.audit_chain_head
                && self
                    .principal()
                    .is_ok_and(crate::service::audit::chain::reads_the_chain)
            {
                Some(crate::service::audit::chain::head_before(self.db(), county.id, period_end).await?)
            } else {
                None
            };
            let report = CommitteeReport {
                county: county.clone(),
                from,
                to,
                phases,
                costs,
                project_costs,
                project_cost_count,
                // Filled below, once both lanes are read.
                benefits_per_kommun: Vec::new(),
                benefits: benefit_rows,
                benefit_count: 0,
                tollgates,
                tollgate_count,
                decisions,
                sourcing,
                initiatives,
                sensitive_systems,
                expiring_contracts,
                procurement_windows,
                key_person_risk,
                audit_chain_head,
            };
            Ok::<_, ApiError>((report, benefit_owners))
        };
        let (benefit_sums, (mut report, walked_owners)) = tokio::try_join!(benefit_sums, rest)?;
        let benefit_owners = benefit_sums.unwrap_or(walked_owners);
        report.benefit_count = benefit_owners.values().map(|b| b.0).sum();
        report.benefits_per_kommun = benefit_owners
            .into_iter()
            .map(|(municipality_id, (benefits, measured))| KommunBenefitRow {
                municipality_id,
                benefits,
                realization: measured.mean(),
            })
            .collect();
        report
            .benefits_per_kommun
            .sort_by_key(|r| code_of(r.municipality_id));
        Ok(report)
    }

    /// The project sections of the report (cost sums and rows, benefit rows; the benefits per
    /// kommun too when walking for the CSV, else [`Self::benefit_sums`] reads them) from the
    /// county's projects the caller sees. The sums per kommun come from the kept shares
    /// (`project_share`) once the county's are complete, with the projects whose kept rows
    /// followed another population year than the caller's reference data names split on the
    /// spot; the rows (the first by project, up to the cap) from a walk that stops there. The CSV,
    /// which wants every row, walks once for all.
    async fn portfolio(
        &self,
        county_id: i32,
        to: NaiveDate,
        sections: Sections,
        sink: Option<&mut dyn RowSink>,
    ) -> ApiResult<Portfolio> {
        if sink.is_some() {
            return self.walk(county_id, to, sections, sink, Walk::default()).await;
        }
        let mut out = Portfolio::default();
        if sections.costs {
            let sums_only = Sections {
                cost_rows: false,
                benefits: false,
                benefit_rows: false,
                ..sections
            };
            if shares::complete(self.db(), county_id).await? {
                let current = self.reference().current_year(county_id);
                // Usually there are none: the kept sums say so at the cost of a few rows,
                // where the share rows would take a scan of the county's.
                if shares::any_stale(self.db(), county_id, current).await? {
                    let stale = sea_orm::sea_query::Query::select()
                        .column(project_share::Column::ProjectId)
                        .from(project_share::Entity)
                        .and_where(project_share::Column::CountyId.eq(county_id))
                        .cond_where(shares::stale(current))
                        .to_owned();
                    let only = Walk {
                        only: Some(project::Column::Id.in_subquery(stale)),
                        rows_only: false,
                    };
                    out = self.walk(county_id, to, sums_only, None, only).await?;
                }
                self.add_kept_sums(&mut out, county_id, current).await?;
            } else {
                out = self.walk(county_id, to, sums_only, None, Walk::default()).await?;
            }
        }
        if sections.cost_rows || sections.benefit_rows {
            let rows = Sections {
                costs: sections.cost_rows,
                benefits: sections.benefit_rows,
                ..sections
            };
            let first = Walk {
                only: None,
                rows_only: true,
            };
            let walked = self.walk(county_id, to, rows, None, first).await?;
            out.project_costs = walked.project_costs;
            out.benefit_rows = walked.benefit_rows;
        }
        Ok(out)
    }

    /// Counts the benefits of the county's projects the caller sees per owner kommun, each
    /// measured by its owner's latest follow-up by `to`: a read of the benefits per visibility
    /// part on the project columns kept on them (`ix_benefit_county`), with the latest
    /// follow-up kept on each benefit too; only a benefit followed up after `to` probes its
    /// follow-ups (`ix_benefit_follow_up_latest`).
    async fn benefit_sums(&self, county_id: i32, to: NaiveDate) -> ApiResult<BenefitOwners> {
        use sea_orm::{QuerySelect, sea_query::Expr};
        let probe = measures::sub(measures::latest_follow_up(
            benefit_follow_up::Column::ValueE4,
            Some(to),
        ));
        let latest = Expr::case(benefit::Column::LatestOn.is_null(), Expr::null())
            .case(
                benefit::Column::LatestOn.lte(to),
                Expr::col(benefit::Column::LatestE4),
            )
            .finally(probe);
        // Kept per owner's slice of the county's part: a change to one kommun's project has
        // the next report read that kommun's benefits again, not the county's.
        let kommuner: Vec<i32> = self.reference().kommuner_of(county_id).map(|m| m.id).collect();
        let parts = visibility::benefit_parts_by_owner(self.caller(), &kommuner);
        let generations = self.part_generations(&parts).await?;
        let mut owners = BenefitOwners::new();
        // The parts are disjoint.
        for ((name, part), generation) in parts.into_iter().zip(generations) {
            let read = async {
                let rows: Vec<BenefitSumRow> = benefit::Entity::find()
                    .select_only()
                    .columns([
                        benefit::Column::OwnerId,
                        benefit::Column::Kind,
                        benefit::Column::BaselineE4,
                        benefit::Column::TargetE4,
                        benefit::Column::LatestOn,
                    ])
                    .expr_as(latest.clone(), "latest")
                    .filter(benefit::Column::CountyId.eq(county_id))
                    .filter(part)
                    .into_tuple()
                    .all(self.db())
                    .await?;
                let mut owners = BenefitOwners::new();
                let mut last_follow_up = None;
                for (owner_id, kind, baseline_e4, target_e4, latest_on, latest) in rows {
                    let owner = owners.entry(owner_id).or_default();
                    owner.0 += 1;
                    if let Some(r) = measured(kind, baseline_e4, target_e4, latest) {
                        owner.1.add(r);
                    }
                    last_follow_up = last_follow_up.max(latest_on);
                }
                Ok(PartBenefits {
                    owners,
                    last_follow_up,
                })
            };
            let of_part = self
                .svc
                .part_figures
                .benefits(&name, generation, to, read)
                .await?;
            for (&owner_id, &(n, realizations)) in of_part.owners.iter() {
                let owner = owners.entry(owner_id).or_default();
                owner.0 += n;
                owner.1.merge(realizations);
            }
        }
        Ok(owners)
    }

    /// The generation each of `parts` last moved at, read before their figures
    /// ([`PartFigures`]).
    async fn part_generations<T>(&self, parts: &[(String, T)]) -> ApiResult<Vec<i64>> {
        let names: Vec<String> = parts.iter().map(|(name, _)| name.clone()).collect();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        Ok(super::generation::read_parts(self.db(), &names).await?)
    }

    /// Adds the county's kept shares the caller sees to the sums per kommun, but for those
    /// whose split followed another population year than `current` (which the walk splits):
    /// a grouped read of the kept sums of each part (`visibility::project_share_parts`).
    async fn add_kept_sums(
        &self,
        out: &mut Portfolio,
        county_id: i32,
        current: Option<i32>,
    ) -> ApiResult<()> {
        use sea_orm::{QuerySelect, sea_query::Expr};
        use visibility::SharePart;
        // The parts are disjoint.
        for (_, part) in visibility::project_share_parts(self.caller()) {
            // PostgreSQL sums BIGINT as NUMERIC.
            let sums: Vec<(i32, bool, i64, i64)> = match part {
                SharePart::Sums(part) => {
                    project_share_sum::Entity::find()
                        .select_only()
                        .column(project_share_sum::Column::MunicipalityId)
                        .column(project_share_sum::Column::Committed)
                        .column_as(Expr::cust("CAST(SUM(amount_ore) AS BIGINT)"), "amount")
                        .column_as(Expr::cust("CAST(SUM(projects) AS BIGINT)"), "n")
                        .filter(project_share_sum::Column::CountyId.eq(county_id))
                        .filter(part)
                        .filter(shares::stale_sums(current).not())
                        .group_by(project_share_sum::Column::MunicipalityId)
                        .group_by(project_share_sum::Column::Committed)
                        .into_tuple()
                        .all(self.db())
                        .await?
                }
                SharePart::Taking(part) => {
                    project_share_taking_sum::Entity::find()
                        .select_only()
                        .column(project_share_taking_sum::Column::MunicipalityId)
                        .column(project_share_taking_sum::Column::Committed)
                        .column_as(Expr::cust("CAST(SUM(amount_ore) AS BIGINT)"), "amount")
                        .column_as(Expr::cust("CAST(SUM(projects) AS BIGINT)"), "n")
                        .filter(project_share_taking_sum::Column::CountyId.eq(county_id))
                        .filter(part)
                        .filter(shares::stale_taking_sums(current).not())
                        .group_by(project_share_taking_sum::Column::MunicipalityId)
                        .group_by(project_share_taking_sum::Column::Committed)
                        .into_tuple()
                        .all(self.db())
                        .await?
                }
            };
            for (municipality_id, committed, amount, n) in sums {
                let sum = out.cost_sum(municipality_id);
                let side = if committed {
                    &mut sum.committed
                } else {
                    &mut sum.planned
                };
                *side = Sek::from_ore(side.ore() + amount);
                sum.projects += n as usize;
            }
        }
        Ok(())
    }

    /// The walk of the county's projects the caller sees (`walk.only` of them), read in keyset
    /// chunks of `Services::report_chunk` projects with their participations, benefits and
    /// follow-ups: what is held at once is one chunk's records, not the county's.
    async fn walk(
        &self,
        county_id: i32,
        to: NaiveDate,
        sections: Sections,
        mut sink: Option<&mut dyn RowSink>,
        walk: Walk,
    ) -> ApiResult<Portfolio> {
        use sea_orm::QuerySelect;
        let chunk = self.svc.report_chunk.max(1);
        let db = self.db();
        let mut out = Portfolio::default();
        let mut after: Option<i64> = None;
        let cap = sections.row_cap.unwrap_or(usize::MAX);
        loop {
            let mut page = project::Entity::find()
                .filter(visibility::projects(self.caller()))
                .filter(project::Column::CountyId.eq(county_id))
                .order_by_asc(project::Column::Id)
                .limit(chunk);
            if let Some(only) = &walk.only {
                page = page.filter(only.clone());
            }
            if let Some(last) = after {
                page = page.filter(project::Column::Id.gt(last));
            }
            let projects: Vec<ChunkProject> = page
                .select_only()
                .columns([
                    project::Column::Id,
                    project::Column::Title,
                    project::Column::Phase,
                    project::Column::CountyId,
                    project::Column::BudgetOre,
                    project::Column::CostKey,
                    project::Column::MixedEqualBp,
                    project::Column::PopulationYear,
                ])
                .into_tuple::<ChunkProjectRow>()
                .all(db)
                .await?
                .into_iter()
                .map(ChunkProject::from)
                .collect();
            let Some(last) = projects.last() else {
                break;
            };
            after = Some(last.id);
            let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
            if sections.costs {
                let parts = members_of(db, &ids).await?;
                let rows = Rows::of(sections.cost_rows, sections.row_cap, sink.as_deref_mut());
                self.add_costs(&mut out, &projects, &parts, rows)?;
            }
            if sections.benefits {
                let benefits = benefit::Entity::find()
                    .filter(benefit::Column::ProjectId.is_in(ids.iter().copied()))
                    .order_by_asc(benefit::Column::ProjectId)
                    .order_by_asc(benefit::Column::Id)
                    .all(db)
                    .await?;
                let follow_ups = benefit_follow_up::Entity::find()
                    .filter(benefit_follow_up::Column::ProjectId.is_in(ids.iter().copied()))
                    .order_by_asc(benefit_follow_up::Column::BenefitId)
                    .all(db)
                    .await?;
                let rows = Rows::of(sections.benefit_rows, sections.row_cap, sink.as_deref_mut());
                add_benefits(&mut out, &projects, &benefits, &follow_ups, to, rows)?;
            }
            let full = (!sections.cost_rows || out.project_costs.len() >= cap)
                && (!sections.benefit_rows || out.benefit_rows.len() >= cap);
            if (projects.len() as u64) < chunk || (walk.rows_only && full) {
                break;
            }
        }
        Ok(out)
    }

    /// Adds one chunk of projects' cost shares, `parts` being all their participations
    /// ordered by project (each project's are one run of it).
    fn add_costs(
        &self,
        out: &mut Portfolio,
        projects: &[ChunkProject],
        parts: &[ChunkPart],
        mut rows: Rows<'_, '_>,
    ) -> ApiResult<()> {
        let area = self.projects();
        for pr in projects.iter().filter(|p| p.phase != Phase::Cancelled) {
            let committed = pr.phase >= Phase::Execution;
            let population_year = area.basis_year(&pr.basis);
            let paying = paying(parts, pr.id);
            for s in area.shares(&pr.basis, paying)? {
                let sum = out.cost_sum(s.municipality_id);
                if committed {
                    sum.committed = Sek::from_ore(sum.committed.ore() + s.amount.ore());
                } else {
                    sum.planned = Sek::from_ore(sum.planned.ore() + s.amount.ore());
                }
                sum.projects += 1;
                if rows.wanted(out.project_costs.len()) {
                    let row = ProjectCostRow {
                        project_id: pr.id,
                        title: pr.title.clone(),
                        phase: pr.phase,
                        municipality_id: s.municipality_id,
                        amount: s.amount,
                        committed,
                        population_year,
                    };
                    match &mut rows {
                        Rows::Sink(sink) => sink.project_cost(&row).map_err(written)?,
                        _ => out.project_costs.push(row),
                    }
                }
            }
        }
        Ok(())
    }

    /// Projects by phase and health, counted in the database.
    async fn phase_counts(&self, county_id: i32) -> ApiResult<Vec<PhaseHealthRow>> {
        use sea_orm::QuerySelect;
        // Counted per disjoint part of what the caller sees, each through its own index,
        // rather than the visibility rule evaluated on every project of the county.
        let parts = visibility::project_parts(self.caller());
        let generations = self.part_generations(&parts).await?;
        let mut counts = PhaseCounts::new();
        for ((name, part), generation) in parts.into_iter().zip(generations) {
            let read = async {
                let rows = project::Entity::find()
                    .select_only()
                    .column(project::Column::Phase)
                    .column(project::Column::Health)
                    .column_as(project::Column::Id.count(), "n")
                    .filter(part)
                    .filter(project::Column::CountyId.eq(county_id))
                    .group_by(project::Column::Phase)
                    .group_by(project::Column::Health)
                    .into_tuple::<(Phase, Option<Health>, i64)>()
                    .all(self.db())
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(phase, health, n)| ((phase, health), n as u64))
                    .collect())
            };
            let of_part = self.svc.part_figures.phases(&name, generation, read).await?;
            for (&key, &n) in of_part.iter() {
                *counts.entry(key).or_default() += n;
            }
        }
        Ok(counts
            .into_iter()
            .map(|((phase, health), count)| PhaseHealthRow { phase, health, count })
            .collect())
    }

    /// Tollgate decisions taken within `[from, to]` on projects of the county the caller sees,
    /// by date: at most [`DECISION_ROWS`], read through the index on (decided_on, id).
    async fn decisions_in(
        &self,
        county_id: i32,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ApiResult<Vec<DecisionRow>> {
        let seen = sea_orm::sea_query::Query::select()
            .column(project::Column::Id)
            .from(project::Entity)
            .cond_where(visibility::projects(self.caller()))
            .and_where(project::Column::CountyId.eq(county_id))
            .to_owned();
        let decisions = entity::decision::Entity::find()
            .filter(entity::decision::Column::DecidedOn.between(from, to))
            .filter(entity::decision::Column::ProjectId.in_subquery(seen))
            .order_by_asc(entity::decision::Column::DecidedOn)
            .order_by_asc(entity::decision::Column::Id)
            .limit(DECISION_ROWS as u64)
            .all(self.db())
            .await?;
        let projects: HashMap<i64, project::Model> = project::Entity::find()
            .filter(project::Column::Id.is_in(decisions.iter().map(|d| d.project_id)))
            .all(self.db())
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        Ok(decisions
            .into_iter()
            .filter_map(|d| {
                let p = projects.get(&d.project_id)?;
                Some(DecisionRow {
                    decision_id: d.id,
                    project_id: d.project_id,
                    title: p.title.clone(),
                    owner_id: p.owner_id,
                    from_phase: d.from_phase,
                    to_phase: d.to_phase,
                    decided_on: d.decided_on,
                    deciding_body: d.deciding_body,
                    diarienummer: d.diarienummer,
                })
            })
            .collect())
    }

    /// Open projects whose next tollgate falls within `[from, to]`, soonest first: bounded by
    /// the period, read through the index on the due date.
    async fn tollgates_due(
        &self,
        county_id: i32,
        from: NaiveDate,
        to: NaiveDate,
        cap: Option<usize>,
    ) -> ApiResult<(Vec<TollgateRow>, usize)> {
        let due = |seen: Condition| {
            project::Entity::find()
                .filter(seen)
                .filter(project::Column::CountyId.eq(county_id))
                .filter(project::Column::NextTollgateDue.between(from, to))
                .filter(project::Column::Phase.is_not_in([Phase::Closed, Phase::Cancelled]))
        };
        // Only the columns a row shows: the CSV takes every due project of the county
        // (60,274 at 500,000 projects), whose whole rows held at once were most of its memory.
        let rows: Vec<(i64, String, Phase, Option<NaiveDate>, i32)> =
            due(visibility::projects(self.caller()))
                .select_only()
                .columns([
                    project::Column::Id,
                    project::Column::Title,
                    project::Column::Phase,
                    project::Column::NextTollgateDue,
                    project::Column::OwnerId,
                ])
                .order_by_asc(project::Column::NextTollgateDue)
                .order_by_asc(project::Column::Id)
                .limit(cap.map(|c| c as u64))
                .into_tuple()
                .all(self.db())
                .await?;
        let count = match cap {
            // Counted per disjoint part of what the caller sees, as the phases are: the rule
            // tested on every due project took 210 ms for a kommun at 500,000 projects on
            // PostgreSQL, the parts 96 ms.
            Some(c) if rows.len() >= c => {
                let mut n = 0;
                for (_, part) in visibility::project_parts(self.caller()) {
                    n += sea_orm::PaginatorTrait::count(due(part), self.db()).await? as usize;
                }
                n
            }
            _ => rows.len(),
        };
        let rows = rows
            .into_iter()
            .filter_map(|(project_id, title, phase, due, owner_id)| {
                Some(TollgateRow {
                    project_id,
                    due: due?,
                    next_phase: phase.next(),
                    phase,
                    owner_id,
                    title,
                })
            })
            .collect();
        Ok((rows, count))
    }
}

/// Adds one chunk of projects' benefits, each measured by its owner's latest follow-up by the
/// end of the period among the chunk's follow-ups (ordered by benefit).
fn add_benefits(
    out: &mut Portfolio,
    projects: &[ChunkProject],
    benefits: &[benefit::Model],
    follow_ups: &[benefit_follow_up::Model],
    to: NaiveDate,
    mut rows: Rows<'_, '_>,
) -> ApiResult<()> {
    let titles: HashMap<i64, &str> = projects.iter().map(|p| (p.id, p.title.as_str())).collect();
    for b in benefits {
        // Each benefit looks among its own follow-ups, not the chunk's.
        let follow_ups = run_of(follow_ups, b.id, |f| f.benefit_id);
        let realization = benefit_realization(b, follow_ups, Some(to));
        let owner = out.benefit_owners.entry(b.owner_id).or_default();
        owner.0 += 1;
        if let Some(r) = realization {
            owner.1.add(r);
        }
        if !rows.wanted(out.benefit_rows.len()) {
            continue;
        }
        let row = BenefitRow {
            project_id: b.project_id,
            project_title: titles.get(&b.project_id).copied().unwrap_or_default().to_owned(),
            benefit_id: b.id,
            description: b.description.clone(),
            owner_id: b.owner_id,
            metric: b.metric.clone(),
            unit: b.unit.clone(),
            baseline: Measure::from_e4(b.baseline_e4),
            target: Measure::from_e4(b.target_e4),
            latest: super::benefits::latest(b, follow_ups, Some(to)).map(|f| Measure::from_e4(f.value_e4)),
            realization,
        };
        match &mut rows {
            Rows::Sink(sink) => sink.benefit(&row).map_err(written)?,
            _ => out.benefit_rows.push(row),
        }
    }
    Ok(())
}

/// A benefit's columns its owner's figures need, with its owner's latest value by the
/// period's end.
type BenefitSumRow = (i32, BenefitKind, i64, i64, Option<NaiveDate>, Option<i64>);

/// The columns of a project the walk reads (the rest of the row, its texts and timestamps,
/// decoded 500,000 times, was most of a report's time).
type ChunkProjectRow = (
    i64,
    String,
    Phase,
    i32,
    i64,
    crate::domain::CostKey,
    crate::domain::cost_sharing::BasisPoints,
    Option<i32>,
);

/// A project as the walk reads it.
struct ChunkProject {
    id: i64,
    title: String,
    phase: Phase,
    basis: CostBasis,
}

impl From<ChunkProjectRow> for ChunkProject {
    fn from(
        (id, title, phase, county_id, budget_ore, cost_key, mixed_equal_bp, pinned_year): ChunkProjectRow,
    ) -> Self {
        ChunkProject {
            id,
            title,
            phase,
            basis: CostBasis {
                county_id,
                budget_ore,
                cost_key,
                mixed_equal_bp,
                pinned_year,
            },
        }
    }
}

/// The items of `sorted` (ordered by `key`) whose key is `id`.
fn run_of<T>(sorted: &[T], id: i64, key: impl Fn(&T) -> i64) -> &[T] {
    let start = sorted.partition_point(|x| key(x) < id);
    let len = sorted[start..].partition_point(|x| key(x) == id);
    &sorted[start..start + len]
}

/// What becomes of a long list's rows as the chunks are read.
enum Rows<'a, 's> {
    /// Not asked for: only the sums.
    Skipped,
    /// Kept, at most this many (the first in the walk's order: by project).
    Kept(usize),
    /// Handed on as they are read.
    Sink(&'a mut (dyn RowSink + 's)),
}

impl<'a, 's> Rows<'a, 's> {
    fn of(asked: bool, cap: Option<usize>, sink: Option<&'a mut (dyn RowSink + 's)>) -> Self {
        match (asked, sink) {
            (false, _) => Rows::Skipped,
            (true, Some(sink)) => Rows::Sink(sink),
            (true, None) => Rows::Kept(cap.unwrap_or(usize::MAX)),
        }
    }

    /// Whether the next row is wanted, with `kept` rows kept so far.
    fn wanted(&self, kept: usize) -> bool {
        match self {
            Rows::Skipped => false,
            Rows::Kept(cap) => kept < *cap,
            Rows::Sink(_) => true,
        }
    }
}

/// A sink that could not take a row (the CSV's temporary file): the server's trouble.
fn written(e: std::io::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("cannot write the report's rows: {e}"))
}

/// Which of the county's projects a walk reads, and how far.
#[derive(Default)]
struct Walk {
    /// Only these (besides the visibility rule and the county).
    only: Option<sea_orm::sea_query::SimpleExpr>,
    /// Stops once the rows asked for (cost rows, benefit rows) reach the cap: only the rows
    /// are wanted, not the sums.
    rows_only: bool,
}

/// The report's project sections as the chunks add up.
#[derive(Default)]
struct Portfolio {
    /// Only when the rows are asked for and kept.
    project_costs: Vec<ProjectCostRow>,
    cost_sums: std::collections::BTreeMap<i32, KommunCostRow>,
    /// Only when the rows are asked for and kept: the first by project, then benefit.
    benefit_rows: Vec<BenefitRow>,
    benefit_owners: BenefitOwners,
}

impl Portfolio {
    /// Kommun `municipality_id`'s sums, made on first use.
    fn cost_sum(&mut self, municipality_id: i32) -> &mut KommunCostRow {
        self.cost_sums
            .entry(municipality_id)
            .or_insert_with(|| KommunCostRow {
                municipality_id,
                committed: Sek::default(),
                planned: Sek::default(),
                projects: 0,
            })
    }
}
