//! The audit's nine questions answered from the records (docs/domain.md, "The audit's
//! questions, answered from the records"): the vocabulary of governing documents, the
//! key-person rule, and [`answer`], which turns one kommun's records as they stood at a date
//! into a status per question. Nothing here reads a database: the service hands over the
//! records the caller may see, so an answer can never count one it may not.
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::project::text_enum;

text_enum!(
    /// What a governing document (styrdokument) governs.
    DocumentKind {
        /// IT-strategi.
        ItStrategy = "IT_STRATEGY",
        /// Digitaliseringsstrategi.
        DigitalisationStrategy = "DIGITALISATION_STRATEGY",
        /// Riktlinjer för IT.
        ItGuidelines = "IT_GUIDELINES",
        /// Informationssäkerhetspolicy.
        InformationSecurityPolicy = "INFORMATION_SECURITY_POLICY",
        /// Arkitekturprinciper.
        ArchitecturePrinciples = "ARCHITECTURE_PRINCIPLES",
        /// Sourcingstrategi.
        SourcingStrategy = "SOURCING_STRATEGY",
        /// Molnstrategi.
        CloudStrategy = "CLOUD_STRATEGY",
        /// Förvaltningsmodell, e.g. pm3.
        MaintenanceModel = "MAINTENANCE_MODEL",
        /// Projektmodell, e.g. PROJEKTiL.
        ProjectModel = "PROJECT_MODEL",
    }
);

text_enum!(
    /// Who adopted a governing document.
    BodyKind {
        /// An elected body: kommunfullmäktige, kommunstyrelsen, a nämnd.
        Elected = "ELECTED",
        /// An official, e.g. the kommundirektör.
        Official = "OFFICIAL",
    }
);

text_enum!(
    /// Where a kommun stands on one of the audit's questions.
    AnswerStatus {
        /// The records show the question is met.
        Meets = "MEETS",
        /// Partly met.
        Partly = "PARTLY",
        /// Not met.
        NotMet = "NOT_MET",
        /// Nothing to judge by: no records of the kind the rule counts.
        NoData = "NO_DATA",
    }
);

text_enum!(
    /// The nine questions of the audit, in the report's order.
    Question {
        /// A politically adopted instrument for IT.
        Instrument = "INSTRUMENT",
        /// Guidelines on principles for maintenance and development.
        Guidelines = "GUIDELINES",
        /// A common IT architecture.
        Architecture = "ARCHITECTURE",
        /// Clear roles.
        Roles = "ROLES",
        /// A working model for new systems.
        WorkingModel = "WORKING_MODEL",
        /// Planning in the yearly business plan.
        Planning = "PLANNING",
        /// A benefit calculation before and a follow-up after.
        CalculationAndFollowUp = "CALCULATION_AND_FOLLOW_UP",
        /// Regular evaluation of sourcing.
        Sourcing = "SOURCING",
        /// Cooperation with other kommuner.
        Cooperation = "COOPERATION",
    }
);

/// A plan year outside this range is refused.
pub const PLAN_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Whether a role holder's key looks like a personnummer or samordningsnummer (10 or 12
/// digits, with or without `-`/`+`, whose date part is a date, the day plus 60 allowed): a
/// register of names keyed by personnummer is exactly what the kommun must not keep here.
pub fn looks_like_personnummer(key: &str) -> bool {
    let digits: String = key.chars().filter(|c| !matches!(c, '-' | '+' | ' ')).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(digits.len() == 10 || digits.len() == 12) {
        return false;
    }
    let date = &digits[digits.len() - 10..digits.len() - 4];
    let (m, d): (u32, u32) = (date[2..4].parse().unwrap_or(0), date[4..6].parse().unwrap_or(0));
    let d = if d > 60 { d - 60 } else { d };
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// The county's thresholds for the answers, in percent; docs/domain.md's by default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Thresholds {
    /// Q2: share of systems with a maintenance object.
    pub maintenance_object: u32,
    /// Q3: share of systems reviewed within `review_months`.
    pub reviewed: u32,
    /// How recent a review must be for the inventory to be current.
    pub review_months: u32,
    /// Q4: share of systems with every critical role filled, for MEETS and for PARTLY.
    pub roles_meets: u32,
    /// See `roles_meets`.
    pub roles_partly: u32,
    /// Q5–Q7: the MEETS and PARTLY bands of a share.
    pub share_meets: u32,
    /// See `share_meets`.
    pub share_partly: u32,
    /// Q8: share of executed projects subject of a decided sourcing evaluation.
    pub sourcing: u32,
    /// Q9: share of projects with another paying participant.
    pub cooperation: u32,
    /// A person holding critical roles on this many systems is a key person.
    pub key_person_systems: u32,
    /// A system of this availability class or higher needs more than one holder.
    pub key_person_availability: i32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            maintenance_object: 80,
            reviewed: 80,
            review_months: 12,
            roles_meets: 90,
            roles_partly: 50,
            share_meets: 80,
            share_partly: 30,
            sourcing: 50,
            cooperation: 50,
            key_person_systems: 3,
            key_person_availability: 3,
        }
    }
}

impl Thresholds {
    /// Refuses a percentage above 100 or a review window outside 1–120 months, naming it.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        for (f, v) in [
            ("maintenanceObject", self.maintenance_object),
            ("reviewed", self.reviewed),
            ("rolesMeets", self.roles_meets),
            ("rolesPartly", self.roles_partly),
            ("shareMeets", self.share_meets),
            ("sharePartly", self.share_partly),
            ("sourcing", self.sourcing),
            ("cooperation", self.cooperation),
        ] {
            if v > 100 {
                return Err((f, format!("{f} is a percentage, 0–100")));
            }
        }
        if !(1..=120).contains(&self.review_months) {
            return Err(("reviewMonths", "reviewMonths is 1–120".into()));
        }
        if !(1..=1000).contains(&self.key_person_systems) {
            return Err(("keyPersonSystems", "keyPersonSystems is 1–1000".into()));
        }
        if crate::sourcing::KlassaLevel::new(self.key_person_availability.into()).is_err() {
            return Err((
                "keyPersonAvailability",
                "keyPersonAvailability is a KLASSA level 0–4".into(),
            ));
        }
        Ok(())
    }
}

/// A governing document as the rules read it.
#[derive(Clone, Debug)]
pub struct Document {
    /// Its id.
    pub id: i64,
    /// What it governs.
    pub kind: DocumentKind,
    /// Adopted by an elected body.
    pub elected: bool,
    /// In force from this date.
    pub decided_on: NaiveDate,
    /// In force until this date (its replacement's decision), if replaced.
    pub replaced_on: Option<NaiveDate>,
}

impl Document {
    /// In force on `day`: decided by then and not yet replaced.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.decided_on <= day && self.replaced_on.is_none_or(|r| r > day)
    }
}

/// A system instance as the rules read it.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Its id.
    pub id: i64,
    /// When it was registered.
    pub created_on: NaiveDate,
    /// It names a pm3 maintenance object.
    pub maintenance_object: bool,
    /// When it was last reviewed.
    pub last_reviewed: Option<NaiveDate>,
    /// Holders of the critical roles: system owner, object owner, business maintenance lead.
    pub critical: [Option<i64>; 3],
    /// Its availability class (KLASSA 0–4).
    pub availability: i32,
    /// Hosted together in the county (SHARED_COUNTY).
    pub shared_hosting: bool,
}

/// Why a system is at key-person risk, if it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Risk {
    /// A critical role is empty.
    EmptyRole,
    /// One person holds every critical role.
    OnePerson,
}

impl Instance {
    /// Every critical role is filled.
    pub fn roles_filled(&self) -> bool {
        self.critical.iter().all(Option::is_some)
    }

    /// The key-person risk: a critical role empty, or one person in all of them.
    pub fn risk(&self) -> Option<Risk> {
        match self.critical {
            [Some(a), Some(b), Some(c)] if a == b && b == c => Some(Risk::OnePerson),
            [Some(_), Some(_), Some(_)] => None,
            _ => Some(Risk::EmptyRole),
        }
    }

    fn holders(&self) -> BTreeSet<i64> {
        self.critical.iter().flatten().copied().collect()
    }
}

/// The key persons among `instances`: holder → the systems that make them one (every system
/// they hold a critical role on, when on `key_person_systems` or more; else the systems of high
/// availability on which they are the only holder of critical roles).
pub fn key_persons(instances: &[Instance], t: &Thresholds) -> BTreeMap<i64, Vec<i64>> {
    let mut held: BTreeMap<i64, Vec<&Instance>> = BTreeMap::new();
    for i in instances {
        for h in i.holders() {
            held.entry(h).or_default().push(i);
        }
    }
    held.into_iter()
        .filter_map(|(h, systems)| {
            let because: Vec<i64> = if systems.len() >= t.key_person_systems as usize {
                systems.iter().map(|i| i.id).collect()
            } else {
                systems
                    .iter()
                    .filter(|i| i.availability >= t.key_person_availability && i.holders().len() == 1)
                    .map(|i| i.id)
                    .collect()
            };
            (!because.is_empty()).then_some((h, because))
        })
        .collect()
}

/// A tollgate decision of a project, as the rules read it.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The phase it moved the project into.
    pub to_phase: crate::Phase,
    /// The decision's own date.
    pub decided_on: NaiveDate,
    /// When it was recorded here.
    pub recorded_at: DateTime<Utc>,
}

/// A benefit of a project, as the rules read it.
#[derive(Clone, Debug)]
pub struct Benefit {
    /// WORK_METHODS or PRODUCTIVITY: a benefit of how the work is done.
    pub of_working: bool,
    /// QUANTITATIVE with a target different from its baseline.
    pub measurable: bool,
    /// QUANTITATIVE at all.
    pub quantitative: bool,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Its follow-ups' measurement dates.
    pub follow_ups: Vec<NaiveDate>,
}

/// A project of the kommun, as the rules read it.
#[derive(Clone, Debug)]
pub struct Project {
    /// Its id.
    pub id: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The plan year of the business plan it belongs to.
    pub plan_year: Option<i32>,
    /// Its tollgate decisions.
    pub decisions: Vec<Decision>,
    /// Its benefits.
    pub benefits: Vec<Benefit>,
    /// When a sourcing evaluation of it was decided, the earliest.
    pub sourcing_decided_on: Option<NaiveDate>,
    /// When each other kommun paying its share joined (accepted its invitation).
    pub other_payers_since: Vec<DateTime<Utc>>,
}

impl Project {
    /// The EXECUTION decision taken within (from, to], if any.
    fn executed_in(&self, from: NaiveDate, to: NaiveDate) -> Option<&Decision> {
        self.decisions
            .iter()
            .find(|d| d.to_phase == crate::Phase::Execution && d.decided_on > from && d.decided_on <= to)
    }

    /// The phase on `day`, by the decisions dated by then.
    fn phase_on(&self, day: NaiveDate) -> crate::Phase {
        self.decisions
            .iter()
            .filter(|d| d.decided_on <= day)
            .max_by_key(|d| (d.decided_on, d.recorded_at))
            .map_or(crate::Phase::Idea, |d| d.to_phase)
    }
}

/// One kommun's records the caller may see.
#[derive(Clone, Debug, Default)]
pub struct Records {
    /// Its governing documents.
    pub documents: Vec<Document>,
    /// Its system instances.
    pub instances: Vec<Instance>,
    /// The projects it owns.
    pub projects: Vec<Project>,
    /// When it co-signed each vendor initiative it supports.
    pub supported_on: Vec<NaiveDate>,
}

/// One figure behind an answer: `value` of `of` (a share), or a plain count when `of` is None.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    /// Its name, e.g. `systemsWithMaintenanceObject`.
    pub name: &'static str,
    /// The count.
    pub value: i64,
    /// Out of how many, for a share.
    pub of: Option<i64>,
}

/// The answer to one question.
#[derive(Clone, Debug)]
pub struct Answer {
    /// Which question.
    pub question: Question,
    /// Where the kommun stands.
    pub status: AnswerStatus,
    /// The rule, in words, with the thresholds in force.
    pub rule: String,
    /// The figures behind it.
    pub figures: Vec<Figure>,
    /// The documents counted.
    pub documents: Vec<i64>,
    /// The system instances counted.
    pub systems: Vec<i64>,
    /// The projects counted.
    pub projects: Vec<i64>,
}

impl Answer {
    /// How many records the answer counted.
    pub fn counted(&self) -> usize {
        self.documents.len() + self.systems.len() + self.projects.len()
    }
}

/// `part` is at least `pct` percent of `whole` (exactly, in integers); false when `whole` is 0.
fn at_least(part: usize, whole: usize, pct: u32) -> bool {
    whole > 0 && part * 100 >= whole * pct as usize
}

fn share(name: &'static str, value: usize, of: usize) -> Figure {
    Figure {
        name,
        value: value as i64,
        of: Some(of as i64),
    }
}

fn count(name: &'static str, value: usize) -> Figure {
    Figure {
        name,
        value: value as i64,
        of: None,
    }
}

/// Both parts (MEETS), one (PARTLY), none (NOT_MET).
fn both(a: bool, b: bool) -> AnswerStatus {
    match (a, b) {
        (true, true) => AnswerStatus::Meets,
        (false, false) => AnswerStatus::NotMet,
        _ => AnswerStatus::Partly,
    }
}

/// A share against the MEETS and PARTLY bands; NO_DATA when there is nothing to share.
fn banded(part: usize, whole: usize, meets: u32, partly: u32) -> AnswerStatus {
    if whole == 0 {
        AnswerStatus::NoData
    } else if at_least(part, whole, meets) {
        AnswerStatus::Meets
    } else if at_least(part, whole, partly) {
        AnswerStatus::Partly
    } else {
        AnswerStatus::NotMet
    }
}

/// The last day of each of the `n` quarters that ended on or before `day`, oldest first.
pub fn quarter_ends(day: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let q_start = |y: i32, q: u32| NaiveDate::from_ymd_opt(y, q * 3 + 1, 1);
    let mut out = Vec::with_capacity(n);
    let (mut y, mut q) = (day.year(), day.month0() / 3);
    // The quarter `day` is in ended the day before the next one starts; count it only if
    // `day` is that last day.
    let next = if q == 3 {
        q_start(y + 1, 0)
    } else {
        q_start(y, q + 1)
    };
    if next.and_then(|n| n.pred_opt()) != Some(day) {
        if q == 0 {
            y -= 1;
            q = 3;
        } else {
            q -= 1;
        }
    }
    while out.len() < n {
        let end = if q == 3 {
            q_start(y + 1, 0)
        } else {
            q_start(y, q + 1)
        }
        .and_then(|d| d.pred_opt());
        let Some(end) = end else { break };
        out.push(end);
        if q == 0 {
            y -= 1;
            q = 3;
        } else {
            q -= 1;
        }
    }
    out.reverse();
    out
}

/// The nine answers for `records` as they stood at the end of `day`, over the twelve months
/// up to it.
pub fn answer(records: &Records, day: NaiveDate, t: &Thresholds) -> Vec<Answer> {
    let from = day.checked_sub_months(Months::new(12)).unwrap_or(day);
    let end_of_day = day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let docs: Vec<&Document> = records.documents.iter().filter(|d| d.in_force(day)).collect();
    let docs_of = |kinds: &[DocumentKind]| -> Vec<i64> {
        docs.iter()
            .filter(|d| kinds.contains(&d.kind))
            .map(|d| d.id)
            .collect()
    };
    let instances: Vec<&Instance> = records.instances.iter().filter(|i| i.created_on <= day).collect();
    let systems: Vec<i64> = instances.iter().map(|i| i.id).collect();
    let projects: Vec<&Project> = records
        .projects
        .iter()
        .filter(|p| p.created_at < end_of_day)
        .collect();
    let executed: Vec<(&Project, &Decision)> = projects
        .iter()
        .filter_map(|p| p.executed_in(from, day).map(|d| (*p, d)))
        .collect();
    let executed_ids: Vec<i64> = executed.iter().map(|(p, _)| p.id).collect();
    let mut out = Vec::with_capacity(9);

    // 1. A politically adopted instrument.
    let strategies = docs_of(&[DocumentKind::ItStrategy, DocumentKind::DigitalisationStrategy]);
    let elected = docs
        .iter()
        .filter(|d| strategies.contains(&d.id) && d.elected)
        .count();
    out.push(Answer {
        question: Question::Instrument,
        status: if elected > 0 {
            AnswerStatus::Meets
        } else if !strategies.is_empty() {
            AnswerStatus::Partly
        } else {
            AnswerStatus::NotMet
        },
        rule: "An IT_STRATEGY or DIGITALISATION_STRATEGY in force, adopted by an elected body (MEETS) \
               or by an official only (PARTLY); none in force: NOT_MET."
            .into(),
        figures: vec![
            count("strategiesInForce", strategies.len()),
            count("adoptedByElectedBody", elected),
        ],
        documents: strategies,
        systems: Vec::new(),
        projects: Vec::new(),
    });

    // 2. Guidelines for maintenance and development.
    let guidelines = docs_of(&[DocumentKind::ItGuidelines, DocumentKind::MaintenanceModel]);
    let with_object = instances.iter().filter(|i| i.maintenance_object).count();
    let objects_ok = at_least(with_object, instances.len(), t.maintenance_object);
    out.push(Answer {
        question: Question::Guidelines,
        status: both(!guidelines.is_empty(), objects_ok),
        rule: format!(
            "IT_GUIDELINES or a MAINTENANCE_MODEL in force, and at least {} % of system instances \
             with a maintenance object: both MEETS, one PARTLY, neither NOT_MET.",
            t.maintenance_object
        ),
        figures: vec![
            count("guidelinesInForce", guidelines.len()),
            share("systemsWithMaintenanceObject", with_object, instances.len()),
        ],
        documents: guidelines,
        systems: systems.clone(),
        projects: Vec::new(),
    });

    // 3. A common architecture, and an inventory kept current.
    let principles = docs_of(&[DocumentKind::ArchitecturePrinciples]);
    let review_from = day
        .checked_sub_months(Months::new(t.review_months))
        .unwrap_or(day);
    let reviewed = instances
        .iter()
        .filter(|i| i.last_reviewed.is_some_and(|r| r > review_from && r <= day))
        .count();
    out.push(Answer {
        question: Question::Architecture,
        status: both(
            !principles.is_empty(),
            at_least(reviewed, instances.len(), t.reviewed),
        ),
        rule: format!(
            "ARCHITECTURE_PRINCIPLES in force, and at least {} % of system instances reviewed in \
             the {} months up to the date (an instance counts by its last review on or before \
             it): both MEETS, one PARTLY, neither NOT_MET.",
            t.reviewed, t.review_months
        ),
        figures: vec![
            count("architecturePrinciplesInForce", principles.len()),
            share("systemsReviewed", reviewed, instances.len()),
        ],
        documents: principles,
        systems: systems.clone(),
        projects: Vec::new(),
    });

    // 4. Clear roles.
    let filled = instances.iter().filter(|i| i.roles_filled()).count();
    let critical_at_risk = instances
        .iter()
        .filter(|i| i.availability >= t.key_person_availability && i.risk().is_some())
        .count();
    out.push(Answer {
        question: Question::Roles,
        status: if instances.is_empty() {
            AnswerStatus::NoData
        } else if at_least(filled, instances.len(), t.roles_meets) && critical_at_risk == 0 {
            AnswerStatus::Meets
        } else if at_least(filled, instances.len(), t.roles_partly) {
            AnswerStatus::Partly
        } else {
            AnswerStatus::NotMet
        },
        rule: format!(
            "At least {} % of system instances with system owner, object owner and maintenance \
             lead filled, and no instance of availability {} or higher at key-person risk (MEETS); \
             at least {} % filled (PARTLY).",
            t.roles_meets, t.key_person_availability, t.roles_partly
        ),
        figures: vec![
            share("systemsWithRolesFilled", filled, instances.len()),
            count("criticalSystemsAtKeyPersonRisk", critical_at_risk),
        ],
        documents: Vec::new(),
        systems: systems.clone(),
        projects: Vec::new(),
    });

    // 5. A working model: a benefit of the work named before the project was executed.
    let modelled = executed
        .iter()
        .filter(|(p, d)| {
            p.benefits
                .iter()
                .any(|b| b.of_working && b.recorded_at < d.recorded_at)
        })
        .count();
    out.push(Answer {
        question: Question::WorkingModel,
        status: banded(modelled, executed.len(), t.share_meets, t.share_partly),
        rule: format!(
            "Of the projects that passed into EXECUTION in the twelve months up to the date, the \
             share with a WORK_METHODS or PRODUCTIVITY benefit recorded before that decision: at \
             least {} % MEETS, at least {} % PARTLY.",
            t.share_meets, t.share_partly
        ),
        figures: vec![share("executedWithWorkBenefit", modelled, executed.len())],
        documents: Vec::new(),
        systems: Vec::new(),
        projects: executed_ids.clone(),
    });

    // 6. Planning in the business plan.
    let created: Vec<&&Project> = projects
        .iter()
        .filter(|p| p.created_at.date_naive() > from)
        .collect();
    let planned = created.iter().filter(|p| p.plan_year.is_some()).count();
    out.push(Answer {
        question: Question::Planning,
        status: banded(planned, created.len(), t.share_meets, t.share_partly),
        rule: format!(
            "Of the projects created in the twelve months up to the date, the share that carry a \
             plan year: at least {} % MEETS, at least {} % PARTLY.",
            t.share_meets, t.share_partly
        ),
        figures: vec![share("createdWithPlanYear", planned, created.len())],
        documents: Vec::new(),
        systems: Vec::new(),
        projects: created.iter().map(|p| p.id).collect(),
    });

    // 7. A calculation before and a follow-up after.
    let calculated = executed
        .iter()
        .filter(|(p, d)| {
            p.benefits
                .iter()
                .any(|b| b.measurable && b.recorded_at < d.recorded_at)
        })
        .count();
    let realizing: Vec<&&Project> = projects
        .iter()
        .filter(|p| {
            matches!(
                p.phase_on(day),
                crate::Phase::BenefitRealization | crate::Phase::Closed
            )
        })
        .collect();
    let followed = realizing
        .iter()
        .filter(|p| {
            p.benefits
                .iter()
                .filter(|b| b.quantitative)
                .all(|b| b.follow_ups.iter().any(|f| *f <= day))
        })
        .count();
    let status = if executed.is_empty() && realizing.is_empty() {
        AnswerStatus::NoData
    } else {
        let a = (
            at_least(calculated, executed.len(), t.share_meets),
            at_least(calculated, executed.len(), t.share_partly),
        );
        let b = (
            at_least(followed, realizing.len(), t.share_meets),
            at_least(followed, realizing.len(), t.share_partly),
        );
        if a.0 && b.0 {
            AnswerStatus::Meets
        } else if a.1 || b.1 {
            AnswerStatus::Partly
        } else {
            AnswerStatus::NotMet
        }
    };
    let mut seven: Vec<i64> = executed_ids.clone();
    seven.extend(
        realizing
            .iter()
            .map(|p| p.id)
            .filter(|id| !executed_ids.contains(id)),
    );
    out.push(Answer {
        question: Question::CalculationAndFollowUp,
        status,
        rule: format!(
            "(a) Of the projects that passed into EXECUTION in the twelve months up to the date, \
             the share with a quantitative benefit (a target that differs from its baseline) \
             recorded before that decision; (b) of the projects in BENEFIT_REALIZATION or CLOSED \
             on the date, the share with a follow-up on every quantitative benefit. Both at least \
             {} % MEETS, either at least {} % PARTLY.",
            t.share_meets, t.share_partly
        ),
        figures: vec![
            share("executedWithCalculation", calculated, executed.len()),
            share("realizingWithFollowUps", followed, realizing.len()),
        ],
        documents: Vec::new(),
        systems: Vec::new(),
        projects: seven,
    });

    // 8. Sourcing evaluated.
    let strategy = docs_of(&[DocumentKind::SourcingStrategy, DocumentKind::CloudStrategy]);
    let evaluated = executed
        .iter()
        .filter(|(p, _)| p.sourcing_decided_on.is_some_and(|d| d <= day))
        .count();
    out.push(Answer {
        question: Question::Sourcing,
        status: both(
            !strategy.is_empty(),
            at_least(evaluated, executed.len(), t.sourcing),
        ),
        rule: format!(
            "A SOURCING_STRATEGY or CLOUD_STRATEGY in force, and at least {} % of the projects that \
             passed into EXECUTION in the twelve months up to the date subject of a DECIDED \
             sourcing evaluation: both MEETS, one PARTLY, neither NOT_MET.",
            t.sourcing
        ),
        figures: vec![
            count("strategiesInForce", strategy.len()),
            share("executedWithSourcingDecision", evaluated, executed.len()),
        ],
        documents: strategy,
        systems: Vec::new(),
        projects: executed_ids,
    });

    // 9. Cooperation.
    let joint = projects
        .iter()
        .filter(|p| p.other_payers_since.iter().any(|s| *s < end_of_day))
        .count();
    let cosigned = records.supported_on.iter().filter(|d| **d <= day).count();
    let shared_hosting: Vec<i64> = instances
        .iter()
        .filter(|i| i.shared_hosting)
        .map(|i| i.id)
        .collect();
    out.push(Answer {
        question: Question::Cooperation,
        status: if at_least(joint, projects.len(), t.cooperation) {
            AnswerStatus::Meets
        } else if joint + cosigned + shared_hosting.len() > 0 {
            AnswerStatus::Partly
        } else {
            AnswerStatus::NotMet
        },
        rule: format!(
            "The share of the kommun's projects with another paying participant at least {} % \
             (MEETS); any such project, co-signed vendor initiative or SHARED_COUNTY hosting \
             (PARTLY); none NOT_MET.",
            t.cooperation
        ),
        figures: vec![
            share("projectsWithAnotherPayer", joint, projects.len()),
            count("initiativesCoSigned", cosigned),
            count("systemsHostedTogether", shared_hosting.len()),
        ],
        documents: Vec::new(),
        systems: shared_hosting,
        projects: projects.iter().map(|p| p.id).collect(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn instance(id: i64, critical: [Option<i64>; 3], availability: i32) -> Instance {
        Instance {
            id,
            created_on: day("2026-01-01"),
            maintenance_object: true,
            last_reviewed: None,
            critical,
            availability,
            shared_hosting: false,
        }
    }

    #[test]
    fn personnummer_looking_keys_are_recognised() {
        for k in [
            "19850612-1234",
            "850612-1234",
            "8506121234",
            "198506121234",
            "850672-1234",
        ] {
            assert!(looks_like_personnummer(k), "{k}");
        }
        for k in ["E1234", "12345", "851312-1234", "anna.berg", "0000000000"] {
            assert!(!looks_like_personnummer(k), "{k}");
        }
    }

    #[test]
    fn key_persons_at_the_edges() {
        let t = Thresholds::default();
        // Person 1 holds roles on exactly three systems; person 2 on two.
        let two_systems = vec![
            instance(1, [Some(1), Some(2), Some(3)], 1),
            instance(2, [Some(1), Some(2), Some(3)], 1),
            instance(3, [Some(1), Some(4), Some(5)], 1),
        ];
        let keys = key_persons(&two_systems, &t);
        assert_eq!(keys.get(&1), Some(&vec![1, 2, 3]));
        assert!(!keys.contains_key(&2));
        // The only holder on availability 3 is a key person; on availability 2 not.
        let alone = vec![
            instance(1, [Some(7), Some(7), Some(7)], 3),
            instance(2, [Some(8), Some(8), Some(8)], 2),
        ];
        let keys = key_persons(&alone, &t);
        assert_eq!(keys.get(&7), Some(&vec![1]));
        assert!(!keys.contains_key(&8));
        assert_eq!(alone[0].risk(), Some(Risk::OnePerson));
        assert_eq!(
            instance(3, [Some(1), None, Some(1)], 4).risk(),
            Some(Risk::EmptyRole)
        );
        assert_eq!(instance(3, [Some(1), Some(2), Some(1)], 4).risk(), None);
    }

    #[test]
    fn quarter_ends_count_back_from_the_date() {
        assert_eq!(
            quarter_ends(day("2026-12-02"), 3),
            vec![day("2026-03-31"), day("2026-06-30"), day("2026-09-30")]
        );
        assert_eq!(
            quarter_ends(day("2026-12-31"), 2),
            vec![day("2026-09-30"), day("2026-12-31")]
        );
        assert_eq!(quarter_ends(day("2026-01-15"), 8).len(), 8);
        assert_eq!(quarter_ends(day("2026-01-15"), 8)[7], day("2025-12-31"));
    }

    #[test]
    fn a_document_is_in_force_from_its_decision_until_replaced() {
        let d = Document {
            id: 1,
            kind: DocumentKind::ItStrategy,
            elected: true,
            decided_on: day("2024-05-01"),
            replaced_on: Some(day("2026-02-01")),
        };
        assert!(!d.in_force(day("2024-04-30")));
        assert!(d.in_force(day("2024-05-01")));
        assert!(d.in_force(day("2026-01-31")));
        assert!(!d.in_force(day("2026-02-01")));
    }

    #[test]
    fn no_records_answer_not_met_or_no_data() {
        let a = answer(&Records::default(), day("2026-12-01"), &Thresholds::default());
        let statuses: Vec<AnswerStatus> = a.iter().map(|a| a.status).collect();
        use AnswerStatus::*;
        assert_eq!(
            statuses,
            vec![
                NotMet, NotMet, NotMet, NoData, NoData, NoData, NoData, NotMet, NotMet
            ]
        );
    }
}
