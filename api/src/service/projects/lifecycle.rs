//! A project's life: creation, edits, tollgate decisions (advance, cancel) and status reports.
use chrono::{NaiveDate, Utc};
use entity::{decision, participation, project, status_report};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use crate::domain::cost_sharing::{BasisPoints, custom_total, split_complete};

use super::{DecisionInput, NewProject, ProjectPatch, decision_input, is_paying, not_found, tags_json};
use crate::service::{Grant, Parent, Projects, WriteTx, text, visibility::Visible};
use crate::{
    domain::authz::{Action, Standing},
    domain::{CostKey, Health, ParticipationRole as Role, ParticipationState as State, Phase, Visibility},
    error::{ApiError, ApiResult},
};

impl Projects<'_, '_> {
    /// Creates a project led by the caller's kommun, which becomes its accepted LEAD.
    pub async fn create_project(&self, input: NewProject) -> ApiResult<Visible<project::Model>> {
        let mut tx = self.write("createEServiceProject").await?;
        let grant = tx.authorize(Action::Create, Standing::default())?;
        let me = tx.principal();
        let now = Utc::now();
        let model = project::ActiveModel {
            title: Set(text("title", &input.title, 200, true)?),
            summary: Set(text("summary", &input.summary, 1000, false)?),
            description: Set(text("description", &input.description, 20_000, false)?),
            tags: Set(tags_json(&input.tags)?),
            target_group: Set(input.target_group),
            owner_id: Set(me.municipality_id),
            county_id: Set(me.county_id),
            visibility: Set(input.visibility),
            budget_ore: Set(input.budget.ore()),
            phase: Set(Phase::Idea),
            cost_key: Set(CostKey::Equal),
            mixed_equal_bp: Set(BasisPoints::MIN),
            health: Set(None),
            next_tollgate_due: Set(input.next_tollgate_due),
            plan_year: Set(super::plan_year(input.plan_year)?),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let p = tx.insert(&grant, model).await?;
        tx.within(Parent::Project(p.id));
        let lead = participation::ActiveModel {
            project_id: Set(p.id),
            municipality_id: Set(me.municipality_id),
            role: Set(Role::Lead),
            state: Set(State::Accepted),
            custom_bp: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        tx.insert(&grant, lead).await?;
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
        let (before, grant) = self.lead_project(&tx, id, "id").await?.into_parts();
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
            after.target_group = t;
        }
        if let Some(b) = patch.budget {
            after.budget_ore = b.ore();
        }
        if let Some(d) = patch.next_tollgate_due {
            after.next_tollgate_due = d;
        }
        if let Some(y) = patch.plan_year {
            after.plan_year = super::plan_year(y)?;
        }
        if let Some(v) = patch.visibility {
            if v == Visibility::Private {
                let others = participation::Entity::find()
                    .filter(participation::Column::ProjectId.eq(id))
                    .filter(participation::Column::MunicipalityId.ne(before.owner_id))
                    .filter(participation::Column::State.is_in([State::Invited, State::Accepted]))
                    .count(tx.conn())
                    .await?;
                if others > 0 {
                    return Err(ApiError::input(
                        "visibility",
                        "a project with other kommuner taking part cannot be PRIVATE",
                    ));
                }
            }
            after.visibility = v;
        }
        let saved = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }

    async fn insert_decision(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &Grant,
        p: &project::Model,
        to: Phase,
        d: &DecisionInput,
    ) -> ApiResult<decision::Model> {
        let d = decision_input(d)?;
        let now = Utc::now();
        let row = decision::ActiveModel {
            project_id: Set(p.id),
            from_phase: Set(p.phase),
            to_phase: Set(to),
            decided_on: Set(d.date),
            deciding_body: Set(d.deciding_body),
            diarienummer: Set(d.diarienummer),
            summary: Set(d.summary),
            recorded_by_id: Set(tx.principal().municipality_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        tx.insert(grant, row).await
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
        let (before, grant) = self.tollgate_project(&tx, id).await?.into_parts();
        let from = before.phase;
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
        if from == Phase::Planning && before.cost_key == CostKey::Custom {
            let parts = participation::Entity::find()
                .filter(participation::Column::ProjectId.eq(id))
                .all(tx.conn())
                .await?;
            let sum = custom_total(parts.iter().filter(|p| is_paying(p)).map(|p| p.custom_bp));
            if !split_complete(before.cost_key, sum) {
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
        after.phase = to;
        if from == Phase::Planning && before.cost_key.uses_population() {
            // The key is agreed here: its split keeps the figures in force now, whatever
            // SCB publishes later.
            let year = self
                .reference()
                .current_year(before.county_id)
                .ok_or_else(|| super::no_figures(self.reference(), before.county_id))?;
            after.population_year = Some(year);
        }
        let saved = tx.save(&grant, &before, after, version).await?;
        let d = self
            .insert_decision(&mut tx, &grant, &before, to, decision)
            .await?;
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
        let (before, grant) = self.tollgate_project(&tx, id).await?.into_parts();
        let mut after = before.clone();
        after.phase = Phase::Cancelled;
        let saved = tx.save(&grant, &before, after, version).await?;
        let d = self
            .insert_decision(&mut tx, &grant, &before, Phase::Cancelled, decision)
            .await?;
        tx.commit().await?;
        Ok((Visible::new(saved), d))
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
        let (before, grant) = self
            .lead_project(&tx, project_id, "projectId")
            .await?
            .into_parts();
        let now = Utc::now();
        let report = status_report::ActiveModel {
            project_id: Set(project_id),
            reported_on: Set(date),
            health: Set(health),
            summary: Set(text("summary", summary, 4000, true)?),
            author_id: Set(tx.principal().municipality_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let report = tx.insert(&grant, report).await?;
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
            tx.save(&grant, &before, after, v).await?
        } else {
            before
        };
        tx.commit().await?;
        Ok((Visible::new(saved), report))
    }
}
