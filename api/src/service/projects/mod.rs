//! E-service projects: the types of the area, reading projects and their children, and the
//! checks every change starts with. The changes live beside this file: `lifecycle` (create,
//! edit, tollgates, status), `invitations` (invitations, answers, withdrawal),
//! `cost_sharing` (the key); publishing is the catalogue's (`service/catalogue.rs`). How a
//! list's title search reads is `search`.

mod archive;
pub use archive::ProjectRecords;
mod cost_sharing;
pub use cost_sharing::{Preview, PreviewInput};
mod invitations;
mod lifecycle;
mod search;
pub(in crate::service) use search::Narrowing;

use crate::domain::{RecordKind, cost_sharing::BasisPoints};
use chrono::NaiveDate;
use entity::{decision, participation, project, status_report};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Select, Statement, sea_query::Query,
};
use serde_json::json;

use super::{
    Parent, Scope, WriteTx,
    audit::{Changeable, Guarded},
    counts::Counting,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    text, visibility,
    visibility::Visible,
};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        CostKey, Health, Kommunkod, Member, ParticipationState as State, Phase, Sek, Share, TargetGroup,
        Visibility, compute_shares,
    },
    error::{ApiError, ApiResult},
};

/// Filters a client may put on the project list; all given filters must hold.
#[derive(Clone, Debug, Default)]
pub struct ProjectFilter {
    pub phases: Vec<Phase>,
    pub health: Vec<Health>,
    pub visibility: Vec<Visibility>,
    /// Projects led by this kommun.
    pub owner: Option<String>,
    /// Projects this kommun takes part in (accepted, any role).
    pub participant: Option<String>,
    /// Case-insensitive text contained in the title.
    pub search: Option<String>,
}

/// The orders the project list offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectOrderField {
    /// Creation order (the id grows with creation time).
    CreatedAt,
    Title,
}

/// A decision recorded at a tollgate.
#[derive(Clone, Debug)]
pub struct DecisionInput {
    pub date: NaiveDate,
    pub deciding_body: String,
    pub diarienummer: String,
    pub summary: String,
}

/// A new project as the client describes it.
#[derive(Clone, Debug)]
pub struct NewProject {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub tags: Vec<String>,
    pub target_group: TargetGroup,
    pub visibility: Visibility,
    pub budget: Sek,
    pub next_tollgate_due: Option<NaiveDate>,
    /// The year of the business plan it belongs to.
    pub plan_year: Option<i32>,
}

/// Changes to a project; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct ProjectPatch {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
    pub target_group: Option<TargetGroup>,
    pub visibility: Option<Visibility>,
    pub budget: Option<Sek>,
    /// `Some(None)` clears the date.
    pub next_tollgate_due: Option<Option<NaiveDate>>,
    /// `Some(None)` clears the plan year.
    pub plan_year: Option<Option<i32>>,
}

/// A plan year within 2000–2100, or `BAD_USER_INPUT` naming `planYear`.
pub(in crate::service) fn plan_year(year: Option<i32>) -> ApiResult<Option<i32>> {
    match year {
        Some(y) if !crate::domain::readiness::PLAN_YEARS.contains(&y) => Err(ApiError::input(
            "planYear",
            format!("planYear {y} is outside 2000–2100"),
        )),
        y => Ok(y),
    }
}

/// A new cost-sharing key.
#[derive(Clone, Debug)]
pub struct CostSharingInput {
    pub key: CostKey,
    /// MIXED: the equally split part in basis points.
    pub mixed_equal_bp: Option<BasisPoints>,
    /// CUSTOM: kommunkod and percentage in basis points.
    pub custom: Vec<(String, BasisPoints)>,
}

fn not_found() -> ApiError {
    ApiError::NotFound("no e-service project with that id".into())
}

super::audit::versioned!(project, RecordKind::EServiceProject, "the project", |m| json!({
    "title": m.title, "summary": m.summary, "description": m.description, "tags": m.tags,
    "targetGroup": m.target_group, "ownerId": m.owner_id, "visibility": m.visibility,
    "budgetOre": m.budget_ore, "phase": m.phase, "costKey": m.cost_key,
    "mixedEqualBp": m.mixed_equal_bp, "health": m.health, "nextTollgateDue": m.next_tollgate_due,
    "planYear": m.plan_year, "populationYear": m.population_year, "version": m.version,
}));

super::audit::audited!(
    participation,
    RecordKind::Participation,
    "the participation",
    |m| json!({
        "projectId": m.project_id, "municipalityId": m.municipality_id, "role": m.role,
        "state": m.state, "customBp": m.custom_bp,
    })
);

super::audit::audited!(decision, RecordKind::Decision, "the decision", |m| json!({
    "projectId": m.project_id, "fromPhase": m.from_phase, "toPhase": m.to_phase,
    "decidedOn": m.decided_on, "decidingBody": m.deciding_body,
    "diarienummer": m.diarienummer, "summary": m.summary,
}));

super::audit::audited!(
    status_report,
    RecordKind::StatusReport,
    "the status report",
    |m| json!({
        "projectId": m.project_id, "reportedOn": m.reported_on, "health": m.health, "summary": m.summary,
    })
);

impl Guarded for project::Model {
    const MISSING: &'static str = "no e-service project with that id";

    async fn load(scope: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        Ok(scope
            .projects()
            .visible_projects()
            .filter(project::Column::Id.eq(id))
            .one(tx.conn())
            .await?)
    }

    fn parent(&self) -> Parent {
        Parent::Project(self.id)
    }

    /// The lead kommun owns it; the committee's county shares it while it is COUNTY or
    /// PUBLIC; a member pays its part (publishing); the kommun's own participation is what
    /// its admins answer for (withdrawing).
    async fn standing(&self, _: &Scope<'_>, tx: &WriteTx<'_>, action: Action) -> ApiResult<Standing> {
        let me = tx.principal();
        let mut s = Standing {
            owner: self.owner_id == me.municipality_id,
            county_shared: self.county_id == me.county_id
                && matches!(self.visibility, Visibility::County | Visibility::Public),
            ..Default::default()
        };
        if matches!(action, Action::ActAsMember | Action::AnswerForKommun) {
            let mine = participation::Entity::find()
                .filter(participation::Column::ProjectId.eq(self.id))
                .filter(participation::Column::MunicipalityId.eq(me.municipality_id))
                .one(tx.conn())
                .await?;
            s.member = mine.as_ref().is_some_and(is_paying);
            s.own_invitation = mine.is_some();
        }
        Ok(s)
    }
}

/// A participation is answered for by the admins of its own kommun, within its project.
impl Guarded for participation::Model {
    const MISSING: &'static str = "no participation with that id";

    async fn load(scope: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        let Some(part) = participation::Entity::find_by_id(id).one(tx.conn()).await? else {
            return Ok(None);
        };
        let visible = scope.projects().project_visible_in(tx, part.project_id).await?;
        Ok(visible.then_some(part))
    }

    fn parent(&self) -> Parent {
        Parent::Project(self.project_id)
    }

    async fn standing(&self, _: &Scope<'_>, tx: &WriteTx<'_>, _: Action) -> ApiResult<Standing> {
        Ok(Standing {
            own_invitation: self.municipality_id == tx.principal().municipality_id,
            ..Default::default()
        })
    }
}

fn tags_json(tags: &[String]) -> ApiResult<String> {
    if tags.len() > 20 {
        return Err(ApiError::input("tags", "at most 20 tags"));
    }
    let mut clean = Vec::with_capacity(tags.len());
    for t in tags {
        let t = t.trim().to_lowercase();
        if t.is_empty()
            || t.chars().count() > 40
            || !t.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ApiError::input(
                "tags",
                format!("'{t}' is not a tag: letters, digits, - and _, at most 40"),
            ));
        }
        if !clean.contains(&t) {
            clean.push(t);
        }
    }
    Ok(serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into()))
}

fn decision_input(d: &DecisionInput) -> ApiResult<DecisionInput> {
    Ok(DecisionInput {
        date: d.date,
        deciding_body: text("decision.decidingBody", &d.deciding_body, 200, true)?,
        diarienummer: text("decision.diarienummer", &d.diarienummer, 100, true)?,
        summary: text("decision.summary", &d.summary, 4000, true)?,
    })
}

/// Paying members are accepted LEAD and PARTICIPANT kommuner; observers pay nothing.
pub(crate) fn is_paying(p: &participation::Model) -> bool {
    crate::domain::project::pays(p.role, p.state)
}

/// What a project's split depends on besides its paying members: the columns the report's
/// walk reads of each project instead of the whole row.
#[derive(Clone, Copy, Debug)]
pub struct CostBasis {
    /// The project's county (whose current population year an unpinned split follows).
    pub county_id: i32,
    /// The budget split.
    pub budget_ore: i64,
    /// The agreed key.
    pub cost_key: CostKey,
    /// For MIXED: the part split equally.
    pub mixed_equal_bp: BasisPoints,
    /// The population year pinned when the key was agreed, if it was.
    pub pinned_year: Option<i32>,
}

impl CostBasis {
    /// The basis of a whole project row.
    pub fn of(p: &project::Model) -> Self {
        CostBasis {
            county_id: p.county_id,
            budget_ore: p.budget_ore,
            cost_key: p.cost_key,
            mixed_equal_bp: p.mixed_equal_bp,
            pinned_year: p.population_year,
        }
    }
}

impl super::Projects<'_, '_> {
    pub(in crate::service) fn visible_projects(&self) -> Select<project::Entity> {
        project::Entity::find().filter(visibility::projects(self.caller()))
    }

    /// [`Self::visible_projects`] that match `filter`, the filter written first: of two
    /// `id IN (…)` lists SQLite reads from the first, and a search's few titles (or a
    /// participant's projects) are a shorter list than the caller's participations.
    fn visible_projects_matching(&self, filter: Condition) -> Select<project::Entity> {
        project::Entity::find()
            .filter(filter)
            .filter(visibility::projects(self.caller()))
    }

    async fn filter_condition(&self, f: &ProjectFilter) -> ApiResult<Condition> {
        let mut c = Condition::all();
        if !f.phases.is_empty() {
            c = c.add(project::Column::Phase.is_in(f.phases.iter().copied()));
        }
        if !f.health.is_empty() {
            c = c.add(project::Column::Health.is_in(f.health.iter().copied()));
        }
        if !f.visibility.is_empty() {
            c = c.add(project::Column::Visibility.is_in(f.visibility.iter().copied()));
        }
        if let Some(code) = &f.owner {
            c = c.add(project::Column::OwnerId.eq(self.municipality_id("filter.owner", code)?));
        }
        if let Some(code) = &f.participant {
            let id = self.municipality_id("filter.participant", code)?;
            c = c.add(
                project::Column::Id.in_subquery(
                    Query::select()
                        .column(participation::Column::ProjectId)
                        .from(participation::Entity)
                        .and_where(participation::Column::MunicipalityId.eq(id))
                        .and_where(participation::Column::State.eq(State::Accepted))
                        .to_owned(),
                ),
            );
        }
        let search = match f.search.as_deref() {
            Some(s) => crate::domain::text::search(s)
                .map_err(|m| ApiError::input("filter.search", format!("filter.search {m}")))?,
            None => None,
        };
        if let Some(s) = search.as_deref() {
            let (like, narrowing) = self.title_search(s).await?;
            c = c.add(like);
            if let Some(narrowing) = narrowing {
                // First, so that SQLite reads from the few titles it names (see
                // `visible_projects_matching`).
                c = Condition::all().add(narrowing).add(c);
            }
        }
        Ok(c)
    }

    /// A kommun's database id from its code, or a precise input error on `field`.
    pub fn municipality_id(&self, field: &str, code: &str) -> ApiResult<i32> {
        let code = Kommunkod::parse(code).map_err(|m| ApiError::input(field, m))?;
        self.reference()
            .municipality_by_code(code.as_str())
            .map(|m| m.id)
            .ok_or_else(|| ApiError::input(field, format!("kommun {code} is not known to this service")))
    }

    /// One page of the projects the caller may see.
    pub async fn list_projects(
        &self,
        filter: &ProjectFilter,
        order: ProjectOrderField,
        ascending: bool,
        args: &PageArgs,
    ) -> ApiResult<Page<Visible<project::Model>>> {
        self.reader()?;
        let req = args.validate()?;
        let cond = self.filter_condition(filter).await?;
        let keyset = KeysetOrder {
            key: (order == ProjectOrderField::Title).then_some(project::Column::Title),
            id: project::Column::Id,
            ascending,
        };
        let rows = keyset
            .apply(self.visible_projects_matching(cond), &req)
            .all(self.db())
            .await?;
        Ok(finish(Visible::all(rows), &req))
    }

    /// How many visible projects match a list's filter, over all pages, and whether that is
    /// exact: the sum of the visible parts' counts (`visibility::project_parts`), each cached
    /// on its own until a mutation of one of its projects moves the part's generation, so the
    /// county's shared part is counted once for all its kommuner and a kommun's own parts are
    /// not counted again for another kommun's change.
    ///
    /// A part not cached and not counted within the service's count budget, whose projects
    /// (without the filter) number `count_estimate_from` or more, counts as that number, an
    /// upper bound made only of what the caller sees, and the answer says it is not exact; its
    /// count goes on in the background for the next reader. A new filter's first page does not
    /// wait for a count of the county.
    ///
    /// `read` holds the part generations this request has already read (an HTTP request's,
    /// for its stamp); they are not read again.
    pub async fn count_projects(
        &self,
        filter: &ProjectFilter,
        read: &super::generation::PartsRead,
    ) -> ApiResult<(u64, bool)> {
        self.count_projects_within(filter, read, self.svc.count_budget)
            .await
    }

    /// [`Self::count_projects`] with the parts not cached bounded past `budget`, or all
    /// counted (`None`).
    async fn count_projects_within(
        &self,
        filter: &ProjectFilter,
        read: &super::generation::PartsRead,
        budget: Option<std::time::Duration>,
    ) -> ApiResult<(u64, bool)> {
        self.reader()?;
        let cond = self.filter_condition(filter).await?;
        let parts = visibility::project_parts(self.caller());
        let names: Vec<String> = parts.iter().map(|(name, _)| name.clone()).collect();
        let generations = if names.is_empty() {
            Vec::new()
        } else {
            read.read(self.db(), &names).await?
        };
        // The parts that must be counted now are counted at once, each on its own connection:
        // the first reader after a start waits for the slowest part, not for their sum.
        let counts = parts
            .into_iter()
            .zip(generations)
            .map(|((part, rule), generation)| {
                let key = format!("projects|{part}|{filter:?}");
                let unfiltered = format!("projects|{part}|{:?}", ProjectFilter::default());
                let whole = project::Entity::find().filter(rule.clone());
                // The filter first, as in `visible_projects_matching`.
                let query = project::Entity::find().filter(cond.clone()).filter(rule);
                let db = self.db().clone();
                async move {
                    let counting = {
                        let db = db.clone();
                        async move { Ok(query.count(&db).await?) }
                    };
                    let counts = &self.svc.counts;
                    match budget {
                        None => counts.count(&key, generation, counting).await.map(|n| (n, true)),
                        Some(budget) => {
                            match counts.count_within(&key, generation, counting, budget).await? {
                                Counting::Done(n) => Ok((n, true)),
                                going => {
                                    // The bound is the part's count without the filter: the
                                    // caller's own view, counted once and kept (the planner's
                                    // estimate would read statistics of every kommun's rows,
                                    // PRIVATE ones too). A count below `count_estimate_from`
                                    // is slow only at a busy moment, and is waited for.
                                    let bound =
                                        counts
                                            .count(&unfiltered, generation, async move {
                                                Ok(whole.count(&db).await?)
                                            })
                                            .await?;
                                    // An empty part has no rows to filter: its count is
                                    // exactly none, whatever the threshold.
                                    if bound == 0 {
                                        Ok((0, true))
                                    } else if bound < self.svc.count_estimate_from {
                                        going.wait().await.map(|n| (n, true))
                                    } else {
                                        Ok((bound, false))
                                    }
                                }
                            }
                        }
                    }
                }
            });
        let counted = futures_util::future::try_join_all(counts).await?;
        Ok((
            counted.iter().map(|(n, _)| n).sum(),
            counted.iter().all(|(_, exact)| *exact),
        ))
    }

    /// A project the caller may see, or `NOT_FOUND`.
    pub async fn project(&self, id: i64) -> ApiResult<Visible<project::Model>> {
        self.reader()?;
        self.visible_projects()
            .filter(project::Column::Id.eq(id))
            .one(self.db())
            .await?
            .map(Visible::new)
            .ok_or_else(not_found)
    }

    /// The visible projects among `ids`, in no particular order.
    pub async fn projects_by_ids(&self, ids: &[i64]) -> ApiResult<Vec<Visible<project::Model>>> {
        if self.caller().principal().is_none() || ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(Visible::all(
            self.visible_projects()
                .filter(project::Column::Id.is_in(ids.iter().copied()))
                .all(self.db())
                .await?,
        ))
    }

    /// A child record's project, if the caller may see it.
    pub async fn project_of_child(&self, project_id: i64) -> ApiResult<Option<Visible<project::Model>>> {
        Ok(self.projects_by_ids(&[project_id]).await?.pop())
    }

    /// A participation whose project the caller may see.
    pub async fn participation(&self, id: i64) -> ApiResult<Option<participation::Model>> {
        let Some(p) = participation::Entity::find_by_id(id).one(self.db()).await? else {
            return Ok(None);
        };
        Ok(self.project_of_child(p.project_id).await?.map(|_| p))
    }

    /// A decision whose project the caller may see.
    pub async fn decision(&self, id: i64) -> ApiResult<Option<decision::Model>> {
        let Some(d) = decision::Entity::find_by_id(id).one(self.db()).await? else {
            return Ok(None);
        };
        Ok(self.project_of_child(d.project_id).await?.map(|_| d))
    }

    /// A status report whose project the caller may see.
    pub async fn status_report(&self, id: i64) -> ApiResult<Option<status_report::Model>> {
        let Some(s) = status_report::Entity::find_by_id(id).one(self.db()).await? else {
            return Ok(None);
        };
        Ok(self.project_of_child(s.project_id).await?.map(|_| s))
    }

    /// The reference year whose population figures project `p`'s split uses: the year pinned
    /// when its key was agreed, else its county's current year; `None` under a key that
    /// weighs no population (EQUAL, CUSTOM) or while the county has no figures.
    pub fn population_year(&self, p: &project::Model) -> Option<i32> {
        self.basis_year(&CostBasis::of(p))
    }

    /// [`Self::population_year`] of a project read as its [`CostBasis`].
    pub fn basis_year(&self, b: &CostBasis) -> Option<i32> {
        basis_year(self.reference(), b)
    }

    /// Kommuner as the cost-sharing arithmetic needs them: [`members`] under the request's
    /// reference data.
    pub(in crate::service) fn members(
        &self,
        key: CostKey,
        county_id: i32,
        year: Option<i32>,
        kommuner: impl IntoIterator<Item = (i32, Option<BasisPoints>)>,
    ) -> ApiResult<Vec<Member>> {
        members(self.reference(), key, county_id, year, kommuner)
    }

    /// Each paying member's share of the budget under the project's key.
    pub fn cost_shares(&self, p: &project::Model, parts: &[participation::Model]) -> ApiResult<Vec<Share>> {
        self.shares(
            &CostBasis::of(p),
            parts
                .iter()
                .filter(|x| is_paying(x))
                .map(|x| (x.municipality_id, x.custom_bp)),
        )
    }

    /// [`shares`] under the request's reference data.
    pub fn shares(
        &self,
        b: &CostBasis,
        paying: impl IntoIterator<Item = (i32, Option<BasisPoints>)>,
    ) -> ApiResult<Vec<Share>> {
        shares(self.reference(), b, paying)
    }

    /// Whether the caller may see project `id`, as the transaction sees it: what makes a
    /// project's child (a participation, a benefit) changeable at all.
    pub(in crate::service) async fn project_visible_in(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<bool> {
        Ok(self
            .visible_projects()
            .filter(project::Column::Id.eq(id))
            .count(tx.conn())
            .await?
            > 0)
    }

    /// Loads a project for a change by its lead: visible, open, and the caller an editor of
    /// the owner kommun.
    async fn lead_project(
        &self,
        tx: &WriteTx<'_>,
        id: i64,
        field: &'static str,
    ) -> ApiResult<Changeable<project::Model>> {
        self.open_project(tx, id, field, Action::Change).await
    }

    /// A project whose tollgate decision the caller may record: the lead kommun's editors,
    /// or the joint committee (`namnd`) for the county's shared projects. The committee only
    /// reaches projects its county view shows, so never a kommun's PRIVATE one.
    async fn tollgate_project(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<Changeable<project::Model>> {
        self.open_project(tx, id, "id", Action::DecideTollgate).await
    }

    /// A project loaded for `action` that is still open (not CLOSED or CANCELLED).
    async fn open_project(
        &self,
        tx: &WriteTx<'_>,
        id: i64,
        field: &'static str,
        action: Action,
    ) -> ApiResult<Changeable<project::Model>> {
        let p = self.changeable::<project::Model>(tx, id, action).await?;
        if !p.phase.is_open() {
            return Err(ApiError::input(
                field,
                format!("the project is {}", p.phase.with_next()),
            ));
        }
        Ok(p)
    }

    /// A project the caller's kommun leads and may change, for other areas' mutations.
    pub(super) async fn lead_project_for(
        &self,
        tx: &WriteTx<'_>,
        id: i64,
        field: &'static str,
    ) -> ApiResult<Changeable<project::Model>> {
        self.lead_project(tx, id, field).await
    }
}

impl super::Services {
    /// Counts the parts of every kommun that owns projects, as its viewers read them (its
    /// county's shared part, the largest, which every kommun of the county and the committee
    /// read under the same key, its own part and its taking-part part), so that the first
    /// lists after a start do not wait for them: at 500,000 projects on PostgreSQL the
    /// county's count takes ~60 ms and a kommun's parts ~100 ms, and the first 10 s of reads
    /// after a start had p99 250 ms. A county without an owning kommun has no shared project
    /// (a project's county is its owner's). Readers that arrive while a count runs share it
    /// (`CountCache`).
    pub async fn warm_project_counts(&self) -> ApiResult<()> {
        for viewer in self.owners_as_viewers("count-warm-up").await? {
            self.scope(&viewer, "count-warm-up")
                .projects()
                .count_projects_within(
                    &ProjectFilter::default(),
                    &super::generation::PartsRead::default(),
                    None,
                )
                .await?;
        }
        Ok(())
    }

    /// A viewer of every kommun that owns projects, named `sub`: whose parts a starting server
    /// reads ahead of its first readers (a county without an owning kommun has no shared
    /// project: a project's county is its owner's).
    pub(in crate::service) async fn owners_as_viewers(
        &self,
        sub: &str,
    ) -> ApiResult<Vec<crate::auth::Caller>> {
        use crate::auth::{Caller, Principal, Role};
        let reference = self.reference();
        Ok(owners(&self.db)
            .await?
            .into_iter()
            .filter_map(|id| reference.municipality(id))
            .map(|kommun| Caller::Principal(Principal::acting_for(kommun, sub.into(), Role::Viewer)))
            .collect())
    }
}

/// The kommuner that own projects, one index probe each (a recursive walk of
/// `ix_project_owner_parts` from one owner to the next: 1.5 ms at 500,000 projects on PostgreSQL,
/// where `SELECT DISTINCT` reads the whole index in 60 ms).
async fn owners(db: &impl sea_orm::ConnectionTrait) -> ApiResult<Vec<i32>> {
    const OWNERS: &str = "WITH RECURSIVE o(id) AS ( \
        SELECT MIN(owner_id) FROM project \
        UNION ALL SELECT (SELECT MIN(owner_id) FROM project WHERE owner_id > o.id) FROM o WHERE o.id IS NOT NULL \
        ) SELECT id FROM o WHERE id IS NOT NULL";
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), OWNERS))
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<i32>("", "id"))
        .collect::<Result<_, _>>()?)
}

/// Why a key weighing population cannot be used in county `county_id` yet.
pub(in crate::service) fn no_figures(r: &crate::service::Reference, county_id: i32) -> ApiError {
    let county = r
        .county(county_id)
        .map_or_else(String::new, |c| format!("{} ", c.name));
    ApiError::Conflict(format!(
        "{county}has no population figures yet; import SCB's (samverkan import-population) \
         or use the EQUAL or CUSTOM key"
    ))
}

/// The reference year whose population figures a split of `b` uses under `r`: the year pinned
/// when its key was agreed, else its county's current year; `None` under a key that weighs no
/// population (EQUAL, CUSTOM) or while the county has no figures.
pub(in crate::service) fn basis_year(r: &crate::service::Reference, b: &CostBasis) -> Option<i32> {
    if !b.cost_key.uses_population() {
        return None;
    }
    b.pinned_year.or_else(|| r.current_year(b.county_id))
}

/// Kommuner as the cost-sharing arithmetic needs them (code for ties, the population of `year`
/// for a key that weighs it), each with its CUSTOM percentage if it has one. A key that weighs
/// population with a kommun lacking that year's figure is refused: a split computed without
/// one would be wrong, not approximate.
pub(in crate::service) fn members(
    r: &crate::service::Reference,
    key: CostKey,
    county_id: i32,
    year: Option<i32>,
    kommuner: impl IntoIterator<Item = (i32, Option<BasisPoints>)>,
) -> ApiResult<Vec<Member>> {
    let mut out = Vec::new();
    for (id, custom_bp) in kommuner {
        let Some(m) = r.municipality(id) else { continue };
        let population = match (key.uses_population(), year) {
            (false, _) => 0,
            (true, None) => return Err(no_figures(r, county_id)),
            (true, Some(year)) => r.population(id, year).ok_or_else(|| {
                ApiError::Conflict(format!(
                    "kommun {} ({}) has no population figure of {year}; the {} key needs one",
                    m.code,
                    m.name,
                    key.as_str()
                ))
            })?,
        };
        out.push(Member {
            municipality_id: m.id,
            code: m.code.to_string(),
            population,
            custom_bp,
        });
    }
    Ok(out)
}

/// Each of `paying` (kommun, CUSTOM percentage) kommuner's share of a project read as its
/// [`CostBasis`], under reference data `r`: the one computation of a split, which
/// [`super::Projects::cost_shares`], the report's walk and the kept shares
/// (`project_share`) all use.
pub(in crate::service) fn shares(
    r: &crate::service::Reference,
    b: &CostBasis,
    paying: impl IntoIterator<Item = (i32, Option<BasisPoints>)>,
) -> ApiResult<Vec<Share>> {
    let members = members(r, b.cost_key, b.county_id, basis_year(r, b), paying)?;
    Ok(compute_shares(
        Sek::from_ore(b.budget_ore),
        b.cost_key,
        b.mixed_equal_bp,
        &members,
    ))
}

/// A participation's columns a split reads, decoded by position (by name, as whole rows,
/// was most of a county-sized report's time).
type ChunkPartRow = (
    i64,
    i32,
    crate::domain::ParticipationRole,
    State,
    Option<BasisPoints>,
);

/// A participation as a split reads it.
pub(in crate::service) struct ChunkPart {
    project_id: i64,
    municipality_id: i32,
    role: crate::domain::ParticipationRole,
    state: State,
    custom_bp: Option<BasisPoints>,
}

/// The participations of projects `ids`, ordered by project so that each project's are one
/// run of them ([`paying`]).
pub(in crate::service) async fn members_of(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[i64],
) -> ApiResult<Vec<ChunkPart>> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(participation::Entity::find()
        .select_only()
        .columns([
            participation::Column::ProjectId,
            participation::Column::MunicipalityId,
            participation::Column::Role,
            participation::Column::State,
            participation::Column::CustomBp,
        ])
        .filter(participation::Column::ProjectId.is_in(ids.iter().copied()))
        .order_by_asc(participation::Column::ProjectId)
        .order_by_asc(participation::Column::Id)
        .into_tuple::<ChunkPartRow>()
        .all(db)
        .await?
        .into_iter()
        .map(
            |(project_id, municipality_id, role, state, custom_bp)| ChunkPart {
                project_id,
                municipality_id,
                role,
                state,
                custom_bp,
            },
        )
        .collect())
}

/// The kommuner of project `id` (owned by `owner_id`, with `visibility`) in `parts` that read
/// it by taking part ([`crate::service::visibility::takes_part`]), each once.
pub(in crate::service) fn takers(
    parts: &[ChunkPart],
    id: i64,
    owner_id: i32,
    visibility: crate::domain::Visibility,
) -> Vec<i32> {
    let start = parts.partition_point(|x| x.project_id < id);
    let mut takers: Vec<i32> = parts[start..]
        .iter()
        .take_while(|x| x.project_id == id)
        .filter(|x| crate::service::visibility::takes_part(visibility, owner_id, x.municipality_id, x.state))
        .map(|x| x.municipality_id)
        .collect();
    takers.sort_unstable();
    takers.dedup();
    takers
}

/// Project `id`'s paying members among `parts` (ordered by project, [`members_of`]), as a
/// split takes them: kommun and CUSTOM percentage.
pub(in crate::service) fn paying(
    parts: &[ChunkPart],
    id: i64,
) -> impl Iterator<Item = (i32, Option<BasisPoints>)> {
    let start = parts.partition_point(|x| x.project_id < id);
    parts[start..]
        .iter()
        .take_while(move |x| x.project_id == id)
        .filter(|x| crate::domain::project::pays(x.role, x.state))
        .map(|x| (x.municipality_id, x.custom_bp))
}
