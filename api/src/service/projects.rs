//! E-service projects: listing, tollgates, participation, cost sharing, status and publishing.
use chrono::{NaiveDate, Utc};
use entity::{catalogue_entry, decision, participation, project, status_report};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Select, Set,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, Query},
};
use serde_json::{Value, json};

use super::{
    Parent, Scope, WriteTx, authorize,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    stored, text, visibility,
    visibility::Visible,
};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        CostKey, Health, Kommunkod, Member, ParticipationRole as Role, ParticipationState as State, Phase,
        Sek, Share, TargetGroup, Visibility, compute_shares,
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
}

/// A new cost-sharing key.
#[derive(Clone, Debug)]
pub struct CostSharingInput {
    pub key: CostKey,
    /// MIXED: the equally split part in basis points.
    pub mixed_equal_bp: Option<i32>,
    /// CUSTOM: kommunkod and percentage in basis points.
    pub custom: Vec<(String, i32)>,
}

/// A catalogue entry as the publishing kommun describes it.
#[derive(Clone, Debug)]
pub struct NewCatalogueEntry {
    pub name: String,
    pub description: String,
    pub url: String,
}

fn not_found() -> ApiError {
    ApiError::NotFound("no e-service project with that id".into())
}

/// The phase of a stored project.
pub fn phase(m: &project::Model) -> ApiResult<Phase> {
    stored(&m.phase)
}

super::audit::versioned!(project, "EServiceProject", "the project", |m| json!({
    "title": m.title, "summary": m.summary, "description": m.description, "tags": m.tags,
    "targetGroup": m.target_group, "ownerId": m.owner_id, "visibility": m.visibility,
    "budgetOre": m.budget_ore, "phase": m.phase, "costKey": m.cost_key,
    "mixedEqualBp": m.mixed_equal_bp, "health": m.health, "nextTollgateDue": m.next_tollgate_due,
    "version": m.version,
}));

fn participation_json(m: &participation::Model) -> Value {
    json!({
        "projectId": m.project_id, "municipalityId": m.municipality_id, "role": m.role,
        "state": m.state, "customBp": m.custom_bp,
    })
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
    matches!(
        (p.role.parse(), p.state.parse()),
        (Ok(role), Ok(state)) if crate::domain::project::pays(role, state)
    )
}

impl Scope<'_> {
    fn visible_projects(&self) -> Select<project::Entity> {
        project::Entity::find().filter(visibility::projects(self.caller()))
    }

    fn filter_condition(&self, f: &ProjectFilter) -> ApiResult<Condition> {
        let mut c = Condition::all();
        if !f.phases.is_empty() {
            c = c.add(project::Column::Phase.is_in(f.phases.iter().map(|p| p.as_str())));
        }
        if !f.health.is_empty() {
            c = c.add(project::Column::Health.is_in(f.health.iter().map(|h| h.as_str())));
        }
        if !f.visibility.is_empty() {
            c = c.add(project::Column::Visibility.is_in(f.visibility.iter().map(|v| v.as_str())));
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
                        .and_where(participation::Column::State.eq(State::Accepted.as_str()))
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
            let escaped = s
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            c = c.add(
                Expr::expr(Func::lower(Expr::col(project::Column::Title)))
                    .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            );
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
        let cond = self.filter_condition(filter)?;
        let keyset = KeysetOrder {
            key: (order == ProjectOrderField::Title).then_some(project::Column::Title),
            id: project::Column::Id,
            ascending,
        };
        let rows = keyset
            .apply(self.visible_projects().filter(cond), &req)
            .all(self.db())
            .await?;
        Ok(finish(Visible::all(rows), &req))
    }

    /// How many visible projects match a list's filter, over all pages.
    pub async fn count_projects(&self, filter: &ProjectFilter) -> ApiResult<u64> {
        self.reader()?;
        let cond = self.filter_condition(filter)?;
        let key = format!("projects|{}|{filter:?}", self.view_key());
        self.cached_count(key, async {
            Ok(self.visible_projects().filter(cond).count(self.db()).await?)
        })
        .await
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

    /// Each paying member's share of the budget under the project's key.
    pub fn cost_shares(&self, p: &project::Model, parts: &[participation::Model]) -> ApiResult<Vec<Share>> {
        let members: Vec<Member> = parts
            .iter()
            .filter(|x| is_paying(x))
            .filter_map(|x| {
                self.reference().municipality(x.municipality_id).map(|m| Member {
                    municipality_id: m.id,
                    code: m.code.clone(),
                    population: m.population,
                    custom_bp: x.custom_bp,
                })
            })
            .collect();
        Ok(compute_shares(
            Sek::from_ore(p.budget_ore),
            stored(&p.cost_key)?,
            p.mixed_equal_bp,
            &members,
        ))
    }

    /// Loads a project for a change by its lead: visible, open, and the caller an editor of
    /// the owner kommun.
    async fn lead_project(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<project::Model> {
        self.changeable_project(tx, id, false).await
    }

    /// A project whose tollgate decision the caller may record: the lead kommun's editors,
    /// or the joint committee (`namnd`) for the county's shared projects. The committee only
    /// reaches projects its county view shows, so never a kommun's PRIVATE one.
    async fn tollgate_project(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<project::Model> {
        self.changeable_project(tx, id, true).await
    }

    async fn changeable_project(
        &self,
        tx: &WriteTx<'_>,
        id: i64,
        committee_may: bool,
    ) -> ApiResult<project::Model> {
        let p = self
            .visible_projects()
            .filter(project::Column::Id.eq(id))
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        tx.within(Parent::Project(p.id));
        let me = tx.principal();
        let standing = Standing {
            owner: p.owner_id == me.municipality_id,
            county_shared: p.county_id == me.county_id
                && [Visibility::County.as_str(), Visibility::Public.as_str()]
                    .contains(&p.visibility.as_str()),
            ..Default::default()
        };
        let action = if committee_may {
            Action::DecideTollgate
        } else {
            Action::Change
        };
        authorize(me, action, standing)?;
        if !phase(&p)?.is_open() {
            return Err(ApiError::Conflict(format!(
                "the project is {} and can no longer change",
                p.phase
            )));
        }
        Ok(p)
    }

    /// A project the caller's kommun leads and may change, for other areas' mutations.
    pub(super) async fn lead_project_for(&self, tx: &WriteTx<'_>, id: i64) -> ApiResult<project::Model> {
        self.lead_project(tx, id).await
    }

    /// Creates a project led by the caller's kommun, which becomes its accepted LEAD.
    pub async fn create_project(&self, input: NewProject) -> ApiResult<Visible<project::Model>> {
        let me = self.authorized(Action::Create, Standing::default())?;
        let now = Utc::now();
        let model = project::ActiveModel {
            title: Set(text("title", &input.title, 200, true)?),
            summary: Set(text("summary", &input.summary, 1000, false)?),
            description: Set(text("description", &input.description, 20_000, false)?),
            tags: Set(tags_json(&input.tags)?),
            target_group: Set(input.target_group.as_str().into()),
            owner_id: Set(me.municipality_id),
            county_id: Set(me.county_id),
            visibility: Set(input.visibility.as_str().into()),
            budget_ore: Set(input.budget.ore()),
            phase: Set(Phase::Idea.as_str().into()),
            cost_key: Set(CostKey::Equal.as_str().into()),
            mixed_equal_bp: Set(0),
            health: Set(None),
            next_tollgate_due: Set(input.next_tollgate_due),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let mut tx = self.write("createEServiceProject").await?;
        let p = model.insert(tx.writer()).await?;
        tx.within(Parent::Project(p.id));
        let lead = participation::ActiveModel {
            project_id: Set(p.id),
            municipality_id: Set(me.municipality_id),
            role: Set(Role::Lead.as_str().into()),
            state: Set(State::Accepted.as_str().into()),
            custom_bp: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        tx.created(&p);
        tx.record("Participation", lead.id, None, Some(participation_json(&lead)));
        tx.commit().await?;
        Ok(Visible::new(p))
    }

    /// Changes a project's descriptive fields, budget or visibility.
    pub async fn update_project(
        &self,
        id: i64,
        version: i32,
        patch: ProjectPatch,
    ) -> ApiResult<Visible<project::Model>> {
        let mut tx = self.write("updateEServiceProject").await?;
        let before = self.lead_project(&tx, id).await?;
        let mut after = before.clone();
        if let Some(t) = &patch.title {
            after.title = text("title", t, 200, true)?;
        }
        if let Some(s) = &patch.summary {
            after.summary = text("summary", s, 1000, false)?;
        }
        if let Some(d) = &patch.description {
            after.description = text("description", d, 20_000, false)?;
        }
        if let Some(t) = &patch.tags {
            after.tags = tags_json(t)?;
        }
        if let Some(t) = patch.target_group {
            after.target_group = t.as_str().into();
        }
        if let Some(b) = patch.budget {
            after.budget_ore = b.ore();
        }
        if let Some(d) = patch.next_tollgate_due {
            after.next_tollgate_due = d;
        }
        if let Some(v) = patch.visibility {
            if v == Visibility::Private {
                let others = participation::Entity::find()
                    .filter(participation::Column::ProjectId.eq(id))
                    .filter(participation::Column::MunicipalityId.ne(before.owner_id))
                    .filter(
                        participation::Column::State
                            .is_in([State::Invited.as_str(), State::Accepted.as_str()]),
                    )
                    .count(tx.conn())
                    .await?;
                if others > 0 {
                    return Err(ApiError::input(
                        "visibility",
                        "a project with other kommuner taking part cannot be PRIVATE",
                    ));
                }
            }
            after.visibility = v.as_str().into();
        }
        let saved = tx.save(&before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    async fn insert_decision(
        &self,
        tx: &mut WriteTx<'_>,
        p: &project::Model,
        to: Phase,
        d: &DecisionInput,
    ) -> ApiResult<decision::Model> {
        let d = decision_input(d)?;
        let now = Utc::now();
        let saved = decision::ActiveModel {
            project_id: Set(p.id),
            from_phase: Set(p.phase.clone()),
            to_phase: Set(to.as_str().into()),
            decided_on: Set(d.date),
            deciding_body: Set(d.deciding_body),
            diarienummer: Set(d.diarienummer),
            summary: Set(d.summary),
            recorded_by_id: Set(tx.principal().municipality_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        tx.record(
            "Decision",
            saved.id,
            None,
            Some(json!({
                "projectId": saved.project_id, "fromPhase": saved.from_phase, "toPhase": saved.to_phase,
                "decidedOn": saved.decided_on, "decidingBody": saved.deciding_body,
                "diarienummer": saved.diarienummer, "summary": saved.summary,
            })),
        );
        Ok(saved)
    }

    /// Passes a tollgate: moves the project one phase forward and records the decision.
    pub async fn advance_phase(
        &self,
        id: i64,
        version: i32,
        to: Phase,
        decision: &DecisionInput,
    ) -> ApiResult<(Visible<project::Model>, decision::Model)> {
        let mut tx = self.write("advanceProjectPhase").await?;
        let before = self.tollgate_project(&tx, id).await?;
        let from = phase(&before)?;
        match from.next() {
            Some(next) if next == to => {}
            Some(next) => {
                return Err(ApiError::input(
                    "toPhase",
                    format!(
                        "from {} the next tollgate leads to {}, not {}",
                        from.as_str(),
                        next.as_str(),
                        to.as_str()
                    ),
                ));
            }
            None => {
                return Err(ApiError::input(
                    "toPhase",
                    format!("a {} project has no next phase", from.as_str()),
                ));
            }
        }
        if from == Phase::Planning && before.cost_key == CostKey::Custom.as_str() {
            let parts = participation::Entity::find()
                .filter(participation::Column::ProjectId.eq(id))
                .all(tx.conn())
                .await?;
            let sum: i64 = parts
                .iter()
                .filter(|p| is_paying(p))
                .map(|p| p.custom_bp.unwrap_or(0) as i64)
                .sum();
            if sum != 10_000 {
                return Err(ApiError::input(
                    "costSharing",
                    format!(
                        "the CUSTOM cost-sharing key sums to {} % of the paying members; it must be exactly 100 % before leaving PLANNING",
                        rust_decimal::Decimal::new(sum, 2)
                    ),
                ));
            }
        }
        let mut after = before.clone();
        after.phase = to.as_str().into();
        let saved = tx.save(&before, after, version).await?;
        let d = self.insert_decision(&mut tx, &before, to, decision).await?;
        tx.commit().await?;
        Ok((Visible::new(saved), d))
    }

    /// Cancels an open project and records the decision.
    pub async fn cancel_project(
        &self,
        id: i64,
        version: i32,
        decision: &DecisionInput,
    ) -> ApiResult<(Visible<project::Model>, decision::Model)> {
        let mut tx = self.write("cancelEServiceProject").await?;
        let before = self.tollgate_project(&tx, id).await?;
        let mut after = before.clone();
        after.phase = Phase::Cancelled.as_str().into();
        let saved = tx.save(&before, after, version).await?;
        let d = self
            .insert_decision(&mut tx, &before, Phase::Cancelled, decision)
            .await?;
        tx.commit().await?;
        Ok((Visible::new(saved), d))
    }

    /// Invites a kommun of the same county to take part.
    pub async fn invite(&self, project_id: i64, code: &str, role: Role) -> ApiResult<participation::Model> {
        let mut tx = self.write("inviteMunicipality").await?;
        let p = self.lead_project(&tx, project_id).await?;
        if role == Role::Lead {
            return Err(ApiError::input(
                "role",
                "a project has one LEAD, its owner; invite as PARTICIPANT or OBSERVER",
            ));
        }
        if p.visibility == Visibility::Private.as_str() {
            return Err(ApiError::input(
                "projectId",
                "a PRIVATE project cannot have participants; widen its visibility first",
            ));
        }
        let mid = self.municipality_id("municipalityCode", code)?;
        let invited = self.reference().municipality(mid).ok_or_else(not_found)?;
        if invited.county_id != p.county_id {
            return Err(ApiError::input(
                "municipalityCode",
                format!("kommun {code} belongs to another county"),
            ));
        }
        let now = Utc::now();
        let existing = participation::Entity::find()
            .filter(participation::Column::ProjectId.eq(project_id))
            .filter(participation::Column::MunicipalityId.eq(mid))
            .one(tx.conn())
            .await?;
        let saved = match existing {
            Some(e) if e.state == State::Invited.as_str() || e.state == State::Accepted.as_str() => {
                return Err(ApiError::Conflict(format!(
                    "kommun {code} is already {} in this project",
                    e.state
                )));
            }
            Some(e) => {
                let before = participation_json(&e);
                let mut a = e.into_active_model();
                a.role = Set(role.as_str().into());
                a.state = Set(State::Invited.as_str().into());
                a.custom_bp = Set(None);
                a.updated_at = Set(now);
                let saved = a.update(tx.writer()).await?;
                tx.record(
                    "Participation",
                    saved.id,
                    Some(before),
                    Some(participation_json(&saved)),
                );
                saved
            }
            None => {
                let saved = participation::ActiveModel {
                    project_id: Set(project_id),
                    municipality_id: Set(mid),
                    role: Set(role.as_str().into()),
                    state: Set(State::Invited.as_str().into()),
                    custom_bp: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.writer())
                .await?;
                tx.record("Participation", saved.id, None, Some(participation_json(&saved)));
                saved
            }
        };
        tx.commit().await?;
        Ok(saved)
    }

    /// Moves the caller's own participation from `from` to `to`, as an admin of its kommun.
    async fn change_own_participation(
        &self,
        tx: &mut WriteTx<'_>,
        part: participation::Model,
        from: State,
        to: State,
    ) -> ApiResult<participation::Model> {
        let me = tx.principal();
        let own_invitation = part.municipality_id == me.municipality_id;
        authorize(
            me,
            Action::AnswerForKommun,
            Standing {
                own_invitation,
                ..Default::default()
            },
        )?;
        if part.state != from.as_str() {
            return Err(ApiError::Conflict(format!(
                "the participation is {}, not {}",
                part.state,
                from.as_str()
            )));
        }
        let project = project::Entity::find_by_id(part.project_id)
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        if !phase(&project)?.is_open() {
            return Err(ApiError::Conflict(format!("the project is {}", project.phase)));
        }
        let before = participation_json(&part);
        let res = participation::Entity::update_many()
            .col_expr(participation::Column::State, Expr::value(to.as_str()))
            .col_expr(participation::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(participation::Column::Id.eq(part.id))
            .filter(participation::Column::State.eq(from.as_str()))
            .exec(tx.writer())
            .await?;
        if res.rows_affected != 1 {
            return Err(ApiError::Conflict("the participation changed meanwhile".into()));
        }
        let after = participation::Entity::find_by_id(part.id)
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        tx.record(
            "Participation",
            after.id,
            Some(before),
            Some(participation_json(&after)),
        );
        Ok(after)
    }

    /// Accepts or declines an invitation, as an admin of the invited kommun.
    pub async fn respond_to_invitation(
        &self,
        participation_id: i64,
        accept: bool,
    ) -> ApiResult<participation::Model> {
        let mut tx = self.write("respondToInvitation").await?;
        let part = participation::Entity::find_by_id(participation_id)
            .one(tx.conn())
            .await?;
        let visible = match &part {
            Some(p) => {
                self.visible_projects()
                    .filter(project::Column::Id.eq(p.project_id))
                    .count(tx.conn())
                    .await?
                    > 0
            }
            None => false,
        };
        let part = part
            .filter(|_| visible)
            .ok_or_else(|| ApiError::NotFound("no participation with that id".into()))?;
        tx.within(Parent::Project(part.project_id));
        let to = if accept { State::Accepted } else { State::Declined };
        let saved = self
            .change_own_participation(&mut tx, part, State::Invited, to)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Withdraws the caller's kommun from a project it takes part in.
    pub async fn withdraw(&self, project_id: i64) -> ApiResult<participation::Model> {
        let mut tx = self.write("withdrawFromProject").await?;
        let me = tx.principal();
        let visible = self
            .visible_projects()
            .filter(project::Column::Id.eq(project_id))
            .count(tx.conn())
            .await?;
        if visible == 0 {
            return Err(not_found());
        }
        tx.within(Parent::Project(project_id));
        let part = participation::Entity::find()
            .filter(participation::Column::ProjectId.eq(project_id))
            .filter(participation::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?
            .ok_or_else(|| {
                ApiError::input(
                    "projectId",
                    format!("kommun {} does not take part in this project", me.kommun),
                )
            })?;
        authorize(
            me,
            Action::AnswerForKommun,
            Standing {
                own_invitation: true,
                ..Default::default()
            },
        )?;
        if part.role == Role::Lead.as_str() {
            return Err(ApiError::input(
                "projectId",
                "the lead kommun cannot withdraw; cancel the project instead",
            ));
        }
        let saved = self
            .change_own_participation(&mut tx, part, State::Accepted, State::Withdrawn)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Sets the cost-sharing key (and CUSTOM percentages) while the project is being planned.
    pub async fn set_cost_sharing(
        &self,
        project_id: i64,
        version: i32,
        input: CostSharingInput,
    ) -> ApiResult<Visible<project::Model>> {
        let mut tx = self.write("setCostSharing").await?;
        let before = self.lead_project(&tx, project_id).await?;
        if phase(&before)? > Phase::Planning {
            return Err(ApiError::input(
                "projectId",
                "the cost-sharing key is fixed once the project has left PLANNING",
            ));
        }
        let mut after = before.clone();
        after.cost_key = input.key.as_str().into();
        after.mixed_equal_bp = match (input.key, input.mixed_equal_bp) {
            (CostKey::Mixed, Some(bp)) if (0..=10_000).contains(&bp) => bp,
            (CostKey::Mixed, _) => {
                return Err(ApiError::input(
                    "mixedEqualPercent",
                    "MIXED needs the equally split percentage, 0 to 100",
                ));
            }
            (_, Some(_)) => {
                return Err(ApiError::input(
                    "mixedEqualPercent",
                    "only the MIXED key takes mixedEqualPercent",
                ));
            }
            (_, None) => 0,
        };
        if input.key != CostKey::Custom && !input.custom.is_empty() {
            return Err(ApiError::input(
                "customPercents",
                "only the CUSTOM key takes percentages",
            ));
        }
        let parts = participation::Entity::find()
            .filter(participation::Column::ProjectId.eq(project_id))
            .all(tx.conn())
            .await?;
        let mut wanted: Vec<(i64, Option<i32>)> = Vec::new();
        let mut total = 0i64;
        for (i, (code, bp)) in input.custom.iter().enumerate() {
            let field = format!("customPercents[{i}]");
            let mid = self.municipality_id(&format!("{field}.municipalityCode"), code)?;
            if !(0..=10_000).contains(bp) {
                return Err(ApiError::input(
                    format!("{field}.percent"),
                    "must be between 0 and 100",
                ));
            }
            let part = parts
                .iter()
                .find(|p| {
                    p.municipality_id == mid
                        && p.role != Role::Observer.as_str()
                        && (p.state == State::Accepted.as_str() || p.state == State::Invited.as_str())
                })
                .ok_or_else(|| {
                    ApiError::input(
                        format!("{field}.municipalityCode"),
                        format!("kommun {code} is not a paying member of this project"),
                    )
                })?;
            if wanted.iter().any(|(id, _)| *id == part.id) {
                return Err(ApiError::input(
                    format!("{field}.municipalityCode"),
                    format!("kommun {code} is listed twice"),
                ));
            }
            total += *bp as i64;
            wanted.push((part.id, Some(*bp)));
        }
        if total > 10_000 {
            return Err(ApiError::input(
                "customPercents",
                format!(
                    "the percentages sum to {} %, more than 100 %",
                    rust_decimal::Decimal::new(total, 2)
                ),
            ));
        }
        for p in &parts {
            let new_bp = wanted.iter().find(|(id, _)| *id == p.id).and_then(|(_, bp)| *bp);
            if p.custom_bp != new_bp {
                let before_json = participation_json(p);
                let mut a = p.clone().into_active_model();
                a.custom_bp = Set(new_bp);
                a.updated_at = Set(Utc::now());
                let saved = a.update(tx.writer()).await?;
                tx.record(
                    "Participation",
                    saved.id,
                    Some(before_json),
                    Some(participation_json(&saved)),
                );
            }
        }
        let saved = tx.save(&before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    /// Adds a status report; the project's health follows its latest report.
    pub async fn add_status_report(
        &self,
        project_id: i64,
        date: NaiveDate,
        health: Health,
        summary: &str,
    ) -> ApiResult<(Visible<project::Model>, status_report::Model)> {
        let mut tx = self.write("addStatusReport").await?;
        let before = self.lead_project(&tx, project_id).await?;
        let now = Utc::now();
        let report = status_report::ActiveModel {
            project_id: Set(project_id),
            reported_on: Set(date),
            health: Set(health.as_str().into()),
            summary: Set(text("summary", summary, 4000, true)?),
            author_id: Set(tx.principal().municipality_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(tx.writer())
        .await?;
        tx.record(
            "StatusReport",
            report.id,
            None,
            Some(json!({"projectId": project_id, "reportedOn": report.reported_on, "health": report.health, "summary": report.summary})),
        );
        let latest = status_report::Entity::find()
            .filter(status_report::Column::ProjectId.eq(project_id))
            .order_by_desc(status_report::Column::ReportedOn)
            .order_by_desc(status_report::Column::Id)
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        let mut after = before.clone();
        after.health = Some(latest.health);
        let saved = if after.health != before.health {
            let v = before.version;
            tx.save(&before, after, v).await?
        } else {
            before
        };
        tx.commit().await?;
        Ok((Visible::new(saved), report))
    }

    /// Publishes (or republishes) a live e-service in the catalogue for the caller's kommun.
    pub async fn publish(
        &self,
        project_id: i64,
        entry: NewCatalogueEntry,
    ) -> ApiResult<Visible<catalogue_entry::Model>> {
        let mut tx = self.write("publishEService").await?;
        let me = tx.principal();
        let p = self
            .visible_projects()
            .filter(project::Column::Id.eq(project_id))
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        tx.within(Parent::Project(p.id));
        let mine = participation::Entity::find()
            .filter(participation::Column::ProjectId.eq(project_id))
            .filter(participation::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        let member = mine.as_ref().is_some_and(is_paying);
        authorize(
            me,
            Action::ActAsMember,
            Standing {
                member,
                ..Default::default()
            },
        )?;
        if !phase(&p)?.may_be_live() {
            return Err(ApiError::input(
                "projectId",
                format!(
                    "a project in {} has no live e-service yet (EXECUTION or later)",
                    p.phase
                ),
            ));
        }
        if p.visibility != Visibility::Public.as_str() {
            return Err(ApiError::input(
                "projectId",
                "only PUBLIC projects are listed in the catalogue; the lead kommun sets visibility",
            ));
        }
        let name = text("name", &entry.name, 200, true)?;
        let description = text("description", &entry.description, 4000, false)?;
        let url = text("url", &entry.url, 2000, true)?;
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
            return Err(ApiError::input("url", "must be an http(s) address"));
        }
        let now = Utc::now();
        let existing = catalogue_entry::Entity::find()
            .filter(catalogue_entry::Column::ProjectId.eq(project_id))
            .filter(catalogue_entry::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        let entry_json = |e: &catalogue_entry::Model| json!({"projectId": e.project_id, "municipalityId": e.municipality_id, "name": e.name, "description": e.description, "url": e.url});
        let saved = match existing {
            Some(e) => {
                let before = entry_json(&e);
                let mut a = e.into_active_model();
                a.name = Set(name);
                a.description = Set(description);
                a.url = Set(url);
                a.updated_at = Set(now);
                let saved = a.update(tx.writer()).await?;
                tx.record(
                    "PublishedEService",
                    saved.id,
                    Some(before),
                    Some(entry_json(&saved)),
                );
                saved
            }
            None => {
                let saved = catalogue_entry::ActiveModel {
                    project_id: Set(project_id),
                    municipality_id: Set(me.municipality_id),
                    name: Set(name),
                    description: Set(description),
                    url: Set(url),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.writer())
                .await?;
                tx.record("PublishedEService", saved.id, None, Some(entry_json(&saved)));
                saved
            }
        };
        tx.commit().await?;
        Ok(Visible::new(saved))
    }
}
