//! Taking part: invitations by the lead, answers and withdrawal by the invited kommun's admins.
use chrono::Utc;
use entity::{participation, project};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set};

use super::not_found;
use crate::service::{Grant, Projects, WriteTx};
use crate::{
    domain::authz::Action,
    domain::{ParticipationRole as Role, ParticipationState as State, Visibility},
    error::{ApiError, ApiResult},
};

impl Projects<'_, '_> {
    /// Invites a kommun of the same county to take part.
    pub async fn invite(&self, project_id: i64, code: &str, role: Role) -> ApiResult<participation::Model> {
        let mut tx = self.write("inviteMunicipality").await?;
        let (p, grant) = self
            .lead_project(&tx, project_id, "projectId")
            .await?
            .into_parts();
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
                let mut after = e.clone();
                after.role = role;
                after.state = State::Invited;
                after.custom_bp = None;
                after.updated_at = now;
                tx.update(&grant, &e, after).await?
            }
            None => {
                let row = participation::ActiveModel {
                    project_id: Set(project_id),
                    municipality_id: Set(mid),
                    role: Set(role),
                    state: Set(State::Invited),
                    custom_bp: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                tx.insert(&grant, row).await?
            }
        };
        tx.commit().await?;
        Ok(saved)
    }

    /// Moves the caller's own participation from `from` to `to`, as an admin of its kommun
    /// (`grant`, for answering for the kommun).
    async fn change_own_participation(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &Grant,
        part: participation::Model,
        field: &'static str,
        from: State,
        to: State,
    ) -> ApiResult<participation::Model> {
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
        let mut after = part.clone();
        after.state = to;
        after.updated_at = Utc::now();
        tx.update_where(
            grant,
            &part,
            after,
            Condition::all().add(participation::Column::State.eq(from)),
        )
        .await
        .map_err(|e| match e {
            ApiError::Conflict(_) => ApiError::Conflict("the participation changed meanwhile".into()),
            e => e,
        })
    }

    /// Accepts or declines an invitation, as an admin of the invited kommun.
    pub async fn respond_to_invitation(
        &self,
        participation_id: i64,
        accept: bool,
    ) -> ApiResult<participation::Model> {
        let mut tx = self.write("respondToInvitation").await?;
        let (part, grant) = self
            .changeable::<participation::Model>(&tx, participation_id, Action::AnswerForKommun)
            .await?
            .into_parts();
        let to = if accept { State::Accepted } else { State::Declined };
        let saved = self
            .change_own_participation(&mut tx, &grant, part, "participationId", State::Invited, to)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Withdraws the caller's kommun from a project it takes part in.
    pub async fn withdraw(&self, project_id: i64) -> ApiResult<participation::Model> {
        let mut tx = self.write("withdrawFromProject").await?;
        let me = tx.principal();
        let mine = participation::Entity::find()
            .filter(participation::Column::ProjectId.eq(project_id))
            .filter(participation::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        // The project's visibility is checked once: by `changeable` when the kommun takes
        // part, here when it does not (so that "does not take part" never tells of a
        // project the caller may not see).
        let Some(mine) = mine else {
            return Err(if self.project_visible_in(&tx, project_id).await? {
                ApiError::input(
                    "projectId",
                    format!("kommun {} does not take part in this project", me.kommun),
                )
            } else {
                not_found()
            });
        };
        let (part, grant) = self
            .changeable::<participation::Model>(&tx, mine.id, Action::AnswerForKommun)
            .await?
            .into_parts();
        if part.role == Role::Lead {
            return Err(ApiError::input(
                "projectId",
                "the lead kommun cannot withdraw; cancel the project instead",
            ));
        }
        let saved = self
            .change_own_participation(
                &mut tx,
                &grant,
                part,
                "projectId",
                State::Accepted,
                State::Withdrawn,
            )
            .await?;
        tx.commit().await?;
        Ok(saved)
    }
}
