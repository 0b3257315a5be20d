//! The visibility rule (docs/domain.md, "Visibility"), in one place.
//!
//! [`shared`] narrows a query on any shared record (owner kommun, county, visibility, and a
//! set of kommuner taking part) to what a caller may see; [`projects`] and
//! [`sourcing_evaluations`] apply it to their tables. Records that hang off such a record
//! (participations, decisions, options, scores…) are only ever reached through a parent
//! that passed this filter.
use crate::domain::inventory::SupporterState;
use entity::{
    benefit, initiative_supporter, participation, project, project_share_sum, project_share_taking_sum,
    sourcing_coevaluator, sourcing_evaluation, system_instance, vendor_initiative,
};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};

use crate::{
    auth::{Caller, Principal},
    domain::{ParticipationState, Visibility},
};

/// The columns of a shared record that the rule reads.
pub struct SharedColumns<C> {
    /// The owning kommun.
    pub owner: C,
    /// The county the record belongs to.
    pub county: C,
    /// PRIVATE, PARTICIPANTS, COUNTY or PUBLIC.
    pub visibility: C,
}

/// A condition that matches nothing.
fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// Invitation states that make a kommun a participant for visibility.
fn taking_part_states() -> [ParticipationState; 2] {
    [ParticipationState::Invited, ParticipationState::Accepted]
}

/// Keeps an EXISTS a per-row index probe. Without `LIMIT 1 OFFSET 0` PostgreSQL turns it into a
/// hashed subplan that first reads every participation of the kommun (1,448 rows in the
/// benchmark: 2.0 ms for a 50-project page); with it the page costs 12 probes (0.17 ms).
/// An OFFSET is what stops the planner from simplifying the subquery; SQLite ignores it.
pub(in crate::service) fn probe(mut q: SelectStatement) -> SelectStatement {
    q.limit(1).offset(0);
    q
}

/// The county's shared records (COUNTY and PUBLIC) for `p`: all the committee reads.
fn county_view<C: ColumnTrait>(cols: &SharedColumns<C>, p: &Principal) -> Condition {
    Condition::all()
        .add(cols.county.eq(p.county_id))
        .add(cols.visibility.is_in([Visibility::County, Visibility::Public]))
}

/// The records of a table with `cols` that `caller` may read; `taking_part(kommun)` is a
/// subquery correlated with the outer row that finds the kommun taking part in it (an EXISTS
/// probe of the row's own participants, not a list of everything the kommun takes part in).
pub fn shared<C: ColumnTrait>(
    caller: &Caller,
    cols: SharedColumns<C>,
    taking_part: impl Fn(i32) -> SelectStatement,
) -> Condition {
    match caller.principal() {
        // A kommun reads its own records, the county's shared ones, and PARTICIPANTS records
        // it has been invited to or takes part in. Written as one CASE on the visibility so
        // that no index applies: the database then walks the keyset order and stops at the
        // page size instead of collecting every visible row and sorting (5.8 ms → 1.9 ms for a
        // 50-row page of 5,000 projects on PostgreSQL).
        Some(p) if p.reads_as_kommun() => {
            let own = cols.owner.eq(p.municipality_id);
            let rule = Expr::case(cols.visibility.eq(Visibility::Private), own.clone())
                .case(
                    cols.visibility.eq(Visibility::Participants),
                    Condition::any()
                        .add(own.clone())
                        .add(Expr::exists(probe(taking_part(p.municipality_id)))),
                )
                .finally(Condition::any().add(own).add(cols.county.eq(p.county_id)));
            Condition::all().add(Expr::Case(Box::new(rule)))
        }
        // The joint committee reads what is shared with the county, never PRIVATE records.
        Some(p) if p.is_namnd() => county_view(&cols, p),
        _ => nothing(),
    }
}

const PROJECT_COLUMNS: SharedColumns<project::Column> = SharedColumns {
    owner: project::Column::OwnerId,
    county: project::Column::CountyId,
    visibility: project::Column::Visibility,
};

/// The ids of the projects kommun `kommun` takes part in.
fn participating(kommun: i32) -> SelectStatement {
    Query::select()
        .column(participation::Column::ProjectId)
        .from(participation::Entity)
        .and_where(participation::Column::MunicipalityId.eq(kommun))
        .and_where(participation::Column::State.is_in(taking_part_states()))
        .to_owned()
}

/// The projects `caller` may read, for pages: each row probes its own participants, so a
/// page walks the keyset order and stops at its size.
pub fn projects(caller: &Caller) -> Condition {
    shared(caller, PROJECT_COLUMNS, |kommun| {
        participating(kommun)
            .and_where(
                Expr::col((participation::Entity, participation::Column::ProjectId))
                    .equals((project::Entity, project::Column::Id)),
            )
            .to_owned()
    })
}

/// The part of a county's shared projects, by county id.
pub const COUNTY_PART: &str = "county:";
/// The part of a kommun's own projects outside that, by municipality id.
pub const OWN_PART: &str = "own:";
/// The part of others' projects a kommun takes part in, by municipality id.
pub const TAKING_PART: &str = "taking-part:";
/// A slice of a county's shared part: its projects owned by one kommun, by
/// `<county id>:<municipality id>` ([`benefit_parts_by_owner`]).
pub const COUNTY_OWNER_PART: &str = "county-owner:";

/// The same projects as [`projects`], for counting, as disjoint parts named by what each
/// depends on, so that counts are summed and the county's shared part is counted once per
/// change for every kommun in the county and the committee:
/// - `county:C`: the county's COUNTY and PUBLIC projects (all the committee reads);
/// - `own:K`: the kommun's other projects (PRIVATE, PARTICIPANTS, or in another county);
/// - `taking-part:K`: others' PARTICIPANTS projects the kommun takes part in, from one list of
///   its participations (hashed once) rather than a probe per row.
///
/// Together exactly what [`shared`] admits for the four visibilities; a test pages through
/// every caller and filter and compares with the counts.
///
/// A part's count changes only with a mutation of a project in it, and each such mutation
/// moves the generation of every part the project belongs to (`WriteTx::commit`, through
/// [`super::generation::touch_project_parts`], which names the parts with the prefixes below).
pub fn project_parts(caller: &Caller) -> Vec<(String, Condition)> {
    parts(caller, PROJECT_COLUMNS, project::Column::Id)
}

/// [`project_parts`] of the benefits, on the project's columns kept on each benefit
/// (`service::audit::measures`), so that a county's benefits are read without a join to
/// their projects.
pub fn benefit_parts(caller: &Caller) -> Vec<(String, Condition)> {
    let cols = SharedColumns {
        owner: benefit::Column::ProjectOwnerId,
        county: benefit::Column::CountyId,
        visibility: benefit::Column::ProjectVisibility,
    };
    parts(caller, cols, benefit::Column::ProjectId)
}

/// [`benefit_parts`] with the county's shared part cut into one slice per kommun of
/// `owners`, which must be every kommun of the caller's county: a project's county is its
/// owner's (set at creation from the caller's kommun, and owner and county never change), so
/// the slices are the shared part. A figure kept per slice is read again only when a project
/// of its owner moves ([`super::generation::touch_project_parts`]), not with every change in
/// the county.
pub fn benefit_parts_by_owner(caller: &Caller, owners: &[i32]) -> Vec<(String, Condition)> {
    let mut parts = Vec::new();
    for (name, part) in benefit_parts(caller) {
        match name.strip_prefix(COUNTY_PART) {
            Some(county) => parts.extend(owners.iter().map(|&k| {
                (
                    format!("{COUNTY_OWNER_PART}{county}:{k}"),
                    part.clone().add(benefit::Column::ProjectOwnerId.eq(k)),
                )
            })),
            None => parts.push((name, part)),
        }
    }
    parts
}

/// How one part of [`project_share_parts`] is read.
pub enum SharePart {
    /// From the kept sums (`project_share_sum`): the part depends only on a project's
    /// county, owner and visibility, which key the sums.
    Sums(Condition),
    /// From the kept sums per kommun taking part (`project_share_taking_sum`): the part of
    /// others' PARTICIPANTS projects the kommun takes part in, whose takers
    /// [`takes_part`] names.
    Taking(Condition),
}

/// [`project_parts`] of the kept cost shares: the same disjoint parts, read from sums kept
/// per what each part depends on, so that a sum over what a caller sees is a sum of a few
/// hundred kept rows: the county's and the kommun's own part from the sums keyed by the
/// project's columns, the part of others' projects the kommun takes part in from the sums
/// kept per kommun taking part.
pub fn project_share_parts(caller: &Caller) -> Vec<(String, SharePart)> {
    let sums = SharedColumns {
        owner: project_share_sum::Column::OwnerId,
        county: project_share_sum::Column::CountyId,
        visibility: project_share_sum::Column::Visibility,
    };
    let mut parts: Vec<(String, SharePart)> = owner_parts(caller, &sums)
        .into_iter()
        .map(|(name, c)| (name, SharePart::Sums(c)))
        .collect();
    if let Some(p) = caller.principal().filter(|p| p.reads_as_kommun()) {
        let k = p.municipality_id;
        parts.push((
            format!("{TAKING_PART}{k}"),
            SharePart::Taking(Condition::all().add(project_share_taking_sum::Column::TakerId.eq(k))),
        ));
    }
    parts
}

/// Whether kommun `municipality_id`, whose participation in a project owned by `owner_id`
/// with `visibility` is in `state`, reads it by taking part: what puts a project in the
/// kommun's `taking-part:` part ([`project_parts`]), for the kept sums of that part
/// (`project_taker`, kept by `shares::reprice`).
pub(in crate::service) fn takes_part(
    visibility: Visibility,
    owner_id: i32,
    municipality_id: i32,
    state: ParticipationState,
) -> bool {
    visibility == Visibility::Participants
        && municipality_id != owner_id
        && taking_part_states().contains(&state)
}

/// The parts of [`project_parts`] over a table with `cols` whose project is `project`.
fn parts<C: ColumnTrait>(caller: &Caller, cols: SharedColumns<C>, project: C) -> Vec<(String, Condition)> {
    let mut parts = owner_parts(caller, &cols);
    parts.extend(taking_part(caller, &cols, project));
    parts
}

/// The parts of [`project_parts`] that depend only on a project's county, owner and
/// visibility: the county's shared part, and a kommun's own projects outside it.
fn owner_parts<C: ColumnTrait>(caller: &Caller, cols: &SharedColumns<C>) -> Vec<(String, Condition)> {
    match caller.principal() {
        Some(p) if p.reads_as_kommun() => {
            let k = p.municipality_id;
            vec![
                (format!("{COUNTY_PART}{}", p.county_id), county_view(cols, p)),
                (
                    format!("{OWN_PART}{k}"),
                    Condition::all()
                        .add(cols.owner.eq(k))
                        .add(county_view(cols, p).not()),
                ),
            ]
        }
        Some(p) if p.is_namnd() => vec![(format!("{COUNTY_PART}{}", p.county_id), county_view(cols, p))],
        _ => Vec::new(),
    }
}

/// The part of [`project_parts`] that depends on the participations: others' PARTICIPANTS
/// projects a kommun takes part in (none for the committee).
fn taking_part<C: ColumnTrait>(
    caller: &Caller,
    cols: &SharedColumns<C>,
    project: C,
) -> Option<(String, Condition)> {
    match caller.principal() {
        Some(p) if p.reads_as_kommun() => {
            let k = p.municipality_id;
            Some((
                format!("{TAKING_PART}{k}"),
                Condition::all()
                    .add(cols.visibility.eq(Visibility::Participants))
                    .add(cols.owner.ne(k))
                    .add(project.in_subquery(participating(k))),
            ))
        }
        _ => None,
    }
}

/// The sourcing evaluations `caller` may read.
pub fn sourcing_evaluations(caller: &Caller) -> Condition {
    shared(
        caller,
        SharedColumns {
            owner: sourcing_evaluation::Column::OwnerId,
            county: sourcing_evaluation::Column::CountyId,
            visibility: sourcing_evaluation::Column::Visibility,
        },
        |kommun| {
            Query::select()
                .expr(Expr::val(1))
                .from(sourcing_coevaluator::Entity)
                .and_where(
                    Expr::col((
                        sourcing_coevaluator::Entity,
                        sourcing_coevaluator::Column::EvaluationId,
                    ))
                    .equals((sourcing_evaluation::Entity, sourcing_evaluation::Column::Id)),
                )
                .and_where(sourcing_coevaluator::Column::MunicipalityId.eq(kommun))
                .and_where(sourcing_coevaluator::Column::State.is_in(taking_part_states()))
                .to_owned()
        },
    )
}

/// The system instances `caller` may read: COUNTY instances in the county, PRIVATE ones only
/// by their kommun. Instances have no participants.
pub fn system_instances(caller: &Caller) -> Condition {
    shared(
        caller,
        SharedColumns {
            owner: system_instance::Column::OwnerId,
            county: system_instance::Column::CountyId,
            visibility: system_instance::Column::Visibility,
        },
        |_| {
            Query::select()
                .expr(Expr::val(1))
                .and_where(Expr::cust("1 = 0"))
                .to_owned()
        },
    )
}

/// The vendor initiatives `caller` may read; co-signers take part.
pub fn vendor_initiatives(caller: &Caller) -> Condition {
    shared(
        caller,
        SharedColumns {
            owner: vendor_initiative::Column::OwnerId,
            county: vendor_initiative::Column::CountyId,
            visibility: vendor_initiative::Column::Visibility,
        },
        |kommun| {
            Query::select()
                .expr(Expr::val(1))
                .from(initiative_supporter::Entity)
                .and_where(
                    Expr::col((
                        initiative_supporter::Entity,
                        initiative_supporter::Column::InitiativeId,
                    ))
                    .equals((vendor_initiative::Entity, vendor_initiative::Column::Id)),
                )
                .and_where(initiative_supporter::Column::MunicipalityId.eq(kommun))
                .and_where(initiative_supporter::Column::State.eq(SupporterState::Active))
                .to_owned()
        },
    )
}

/// The governing documents `caller` may read: PRIVATE ones by their kommun, COUNTY and PUBLIC
/// ones in the county. Documents have no participants.
pub fn governing_documents(caller: &Caller) -> Condition {
    shared(
        caller,
        SharedColumns {
            owner: entity::governing_document::Column::OwnerId,
            county: entity::governing_document::Column::CountyId,
            visibility: entity::governing_document::Column::Visibility,
        },
        |_| {
            Query::select()
                .expr(Expr::val(1))
                .and_where(Expr::cust("1 = 0"))
                .to_owned()
        },
    )
}

/// Rows of a kommun's register of people (`municipality` names the kommun): only that kommun
/// reads them, with any of its reading roles; the committee and other kommuner see counts.
pub fn own_register<C: ColumnTrait>(caller: &Caller, municipality: C) -> Condition {
    match caller.principal() {
        Some(p) if p.reads_as_kommun() => Condition::all().add(municipality.eq(p.municipality_id)),
        _ => nothing(),
    }
}

/// Rows about a county as a whole (its settings; `county` names it): every caller of that
/// county reads them, nobody else.
pub fn own_county<C: ColumnTrait>(caller: &Caller, county: C) -> Condition {
    match caller.principal() {
        Some(p) => Condition::all().add(county.eq(p.county_id)),
        None => nothing(),
    }
}

/// A record that passed a read rule for this request's caller (the visibility rule, or the
/// catalogue's for published e-services). Only the service layer makes one, so what the
/// GraphQL layer holds of a shared record it may show, and may load what hangs off it.
#[derive(Clone, Debug)]
pub struct Visible<M>(M);

impl<M> Visible<M> {
    pub(in crate::service) fn new(m: M) -> Self {
        Self(m)
    }

    /// Wraps every record of a list that passed the rule.
    pub(in crate::service) fn all(ms: Vec<M>) -> Vec<Self> {
        ms.into_iter().map(Self).collect()
    }
}

impl<M> std::ops::Deref for Visible<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.0
    }
}

/// The id of a record of `E` that passed a read rule in this request: the only key the
/// loaders of its children accept, so no raw id can reach them.
pub struct Seen<E> {
    id: i64,
    _e: std::marker::PhantomData<fn() -> E>,
}

impl<E> Clone for Seen<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for Seen<E> {}

impl<E> std::fmt::Debug for Seen<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Seen({})", self.id)
    }
}

impl<E> Seen<E> {
    pub(in crate::service) fn new(id: i64) -> Self {
        Self {
            id,
            _e: std::marker::PhantomData,
        }
    }

    /// The record's id.
    pub fn id(self) -> i64 {
        self.id
    }
}

impl Visible<project::Model> {
    /// The key for loading the project's children.
    pub fn seen(&self) -> Seen<project::Entity> {
        Seen::new(self.0.id)
    }
}

impl Visible<sourcing_evaluation::Model> {
    /// The key for loading the evaluation's children.
    pub fn seen(&self) -> Seen<sourcing_evaluation::Entity> {
        Seen::new(self.0.id)
    }
}

impl Visible<vendor_initiative::Model> {
    /// The key for loading the initiative's children.
    pub fn seen(&self) -> Seen<vendor_initiative::Entity> {
        Seen::new(self.0.id)
    }
}

impl Visible<entity::catalogue_entry::Model> {
    /// The listed project of a published e-service, for its other kommuners' entries.
    pub fn project(&self) -> Seen<project::Entity> {
        Seen::new(self.0.project_id)
    }
}
