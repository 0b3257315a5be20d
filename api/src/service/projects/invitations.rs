//! Taking part: invitations by the lead, answers and withdrawal by the invited kommun's admins.
use crate::domain::RecordKind;
use chrono::Utc;
use entity::{participation, project};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
    sea_query::Expr,
};

use super::{not_found, participation_json};
use crate::service::{Parent, Scope, WriteTx, authorize};
use crate::{
    domain::authz::{Action, Standing},
    domain::{ParticipationRole as Role, ParticipationState as State, Visibility},
    error::{ApiError, ApiResult},
};

impl Scope<'_> {
    /// Invites a kommun of the same county to take part.
    pub async fn invite(&self, project_id: i64, code: &str, role: Role) -> ApiResult<participation::Model> {
        let mut tx = self.write("inviteMunicipality").await?;
        let p = self.lead_project(&tx, project_id, "projectId").await?;
        if role == Role::Lead {
            return Err(ApiError::input(
                "role",
                "a project has one LEAD, its owner; invite as PARTICIPANT or OBSERVER",
            ));
        }
        if p.visibility == Visibility::Private {
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
            Some(e) if e.state == State::Invited || e.state == State::Accepted => {
                return Err(ApiError::Conflict(format!(
                    "kommun {code} is already {} in this project",
                    e.state
                )));
            }
            Some(e) => {
                let before = participation_json(&e);
                let mut a = e.into_active_model();
                a.role = Set(role);
                a.state = Set(State::Invited);
                a.custom_bp = Set(None);
                a.updated_at = Set(now);
                let saved = a.update(tx.writer()).await?;
                tx.record(
                    RecordKind::Participation,
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
                    role: Set(role),
                    state: Set(State::Invited),
                    custom_bp: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.writer())
                .await?;
                tx.record(
                    RecordKind::Participation,
                    saved.id,
                    None,
                    Some(participation_json(&saved)),
                );
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
        field: &'static str,
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
        if part.state != from {
            return Err(ApiError::input(
                field,
                format!("this needs the participation to be {from}; it is {}", part.state),
            ));
        }
        let project = project::Entity::find_by_id(part.project_id)
            .one(tx.conn())
            .await?
            .ok_or_else(not_found)?;
        if !project.phase.is_open() {
            return Err(ApiError::input(
                field,
                format!("the project is {}", project.phase.with_next()),
            ));
        }
        let before = participation_json(&part);
        let res = participation::Entity::update_many()
            .col_expr(participation::Column::State, Expr::value(to))
            .col_expr(participation::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(participation::Column::Id.eq(part.id))
            .filter(participation::Column::State.eq(from))
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
            RecordKind::Participation,
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
            .change_own_participation(&mut tx, part, "participationId", State::Invited, to)
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
        if part.role == Role::Lead {
            return Err(ApiError::input(
                "projectId",
                "the lead kommun cannot withdraw; cancel the project instead",
            ));
        }
        let saved = self
            .change_own_participation(&mut tx, part, "projectId", State::Accepted, State::Withdrawn)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }
}
