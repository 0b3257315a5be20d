//! The project mutations with their inputs and payloads.
use super::*;
use crate::domain::RecordKind;
use crate::graphql::money;
use crate::graphql::scalars::Decimal;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{
    ids,
    scalars::{Date, percent_to_bp},
    scope,
};
use crate::{
    domain::{CostKey, Health, ParticipationRole, Phase, TargetGroup, Visibility},
    service::projects::{CostSharingInput, DecisionInput, NewProject, ProjectPatch},
};

/// A tollgate decision as the client records it.
#[derive(InputObject)]
pub struct DecisionRecordInput {
    date: Date,
    /// e.g. "Gemensam nämnd för e-tjänster".
    deciding_body: String,
    diarienummer: String,
    summary: String,
}

impl From<DecisionRecordInput> for DecisionInput {
    fn from(d: DecisionRecordInput) -> Self {
        Self {
            date: d.date.0,
            deciding_body: d.deciding_body,
            diarienummer: d.diarienummer,
            summary: d.summary,
        }
    }
}

/// A new project, led by the caller's kommun.
#[derive(InputObject)]
pub struct CreateEServiceProjectInput {
    title: String,
    #[graphql(default)]
    summary: String,
    #[graphql(default)]
    description: String,
    #[graphql(default)]
    tags: Vec<String>,
    #[graphql(default_with = "TargetGroup::Citizens")]
    target_group: TargetGroup,
    /// Defaults to PARTICIPANTS: the owner and the kommuner taking part.
    #[graphql(default_with = "Visibility::Participants")]
    visibility: Visibility,
    /// Budget in SEK, at most two decimals.
    budget: Decimal,
    /// When the next tollgate decision is planned.
    next_tollgate_due: Option<Date>,
    /// The year of the business plan (verksamhetsplan) the project belongs to, 2000–2100.
    plan_year: Option<i32>,
}

/// The created project.
#[derive(SimpleObject)]
pub struct CreateEServiceProjectPayload {
    project: EServiceProject,
}

/// Changes to a project; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateEServiceProjectInput {
    id: ID,
    /// The version the client last saw.
    version: i32,
    title: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    tags: Option<Vec<String>>,
    target_group: Option<TargetGroup>,
    visibility: Option<Visibility>,
    budget: Option<Decimal>,
    /// Give null to clear the date.
    next_tollgate_due: async_graphql::MaybeUndefined<Date>,
    /// Give null to clear the plan year.
    plan_year: async_graphql::MaybeUndefined<i32>,
}

/// The updated project.
#[derive(SimpleObject)]
pub struct UpdateEServiceProjectPayload {
    project: EServiceProject,
}

/// Passing a tollgate to the next phase.
#[derive(InputObject)]
pub struct AdvanceProjectPhaseInput {
    id: ID,
    version: i32,
    /// Must be the project's next phase.
    to_phase: Phase,
    decision: DecisionRecordInput,
}

/// The project and the recorded decision.
#[derive(SimpleObject)]
pub struct ProjectDecisionPayload {
    project: EServiceProject,
    decision: Decision,
}

/// Cancelling an open project.
#[derive(InputObject)]
pub struct CancelEServiceProjectInput {
    id: ID,
    version: i32,
    decision: DecisionRecordInput,
}

/// Inviting a kommun of the same county.
#[derive(InputObject)]
pub struct InviteMunicipalityInput {
    project_id: ID,
    municipality_code: String,
    #[graphql(default_with = "ParticipationRole::Participant")]
    role: ParticipationRole,
}

/// A participation and, while the caller may see it, its project.
#[derive(SimpleObject)]
pub struct ParticipationPayload {
    participation: Participation,
    project: Option<EServiceProject>,
}

/// The invited kommun's answer.
#[derive(InputObject)]
pub struct RespondToInvitationInput {
    participation_id: ID,
    accept: bool,
}

/// Withdrawing the caller's kommun.
#[derive(InputObject)]
pub struct WithdrawFromProjectInput {
    project_id: ID,
}

/// One kommun's percentage under a CUSTOM key.
#[derive(InputObject)]
pub struct CustomPercentInput {
    pub(super) municipality_code: String,
    pub(super) percent: Decimal,
}

/// A new cost-sharing key.
#[derive(InputObject)]
pub struct SetCostSharingInput {
    project_id: ID,
    version: i32,
    key: CostKey,
    /// MIXED only: the percentage split equally.
    mixed_equal_percent: Option<Decimal>,
    /// CUSTOM only: percentages of the paying members; must sum to 100 before leaving PLANNING.
    #[graphql(default)]
    custom_percents: Vec<CustomPercentInput>,
}

/// Another reference year for an agreed split.
#[derive(InputObject)]
pub struct MovePopulationYearInput {
    project_id: ID,
    version: i32,
    /// A year the county has population figures of.
    year: i32,
}

/// The project with its new key.
#[derive(SimpleObject)]
pub struct ProjectPayload {
    project: EServiceProject,
}

/// A new status report.
#[derive(InputObject)]
pub struct AddStatusReportInput {
    project_id: ID,
    date: Date,
    health: Health,
    summary: String,
}

/// The report and the project's new health.
#[derive(SimpleObject)]
pub struct AddStatusReportPayload {
    status_report: StatusReport,
    project: EServiceProject,
}

/// Publishing a live e-service in the catalogue.
#[derive(InputObject)]
pub struct PublishEServiceInput {
    project_id: ID,
    name: String,
    #[graphql(default)]
    description: String,
    /// Where citizens find the e-service.
    url: String,
}

/// An e-service's accessibility statement, set by the kommun that published it.
#[derive(InputObject)]
pub struct SetAccessibilityStatementInput {
    published_e_service_id: ID,
    /// Where the statement is published (https).
    url: String,
    /// What the statement declares.
    conformance: crate::domain::catalogue::AccessibilityConformance,
}

/// The catalogue entry.
#[derive(SimpleObject)]
pub struct PublishEServicePayload {
    published_e_service: crate::graphql::catalogue::PublishedEService,
}

/// Mutations of the project life cycle.
#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Creates a project led by the caller's kommun (editor).
    async fn create_e_service_project(
        &self,
        ctx: &Context<'_>,
        input: CreateEServiceProjectInput,
    ) -> Result<CreateEServiceProjectPayload> {
        let p = scope(ctx)
            .projects()
            .create_project(NewProject {
                title: input.title,
                summary: input.summary,
                description: input.description,
                tags: input.tags,
                target_group: input.target_group,
                visibility: input.visibility,
                budget: money("budget", input.budget)?,
                next_tollgate_due: input.next_tollgate_due.map(|d| d.0),
                plan_year: input.plan_year,
            })
            .await?;
        Ok(CreateEServiceProjectPayload {
            project: EServiceProject(p),
        })
    }

    /// Changes a project (lead kommun's editors); fails with CONFLICT on a stale version.
    async fn update_e_service_project(
        &self,
        ctx: &Context<'_>,
        input: UpdateEServiceProjectInput,
    ) -> Result<UpdateEServiceProjectPayload> {
        let id = ids::decode("id", RecordKind::EServiceProject, &input.id)?;
        let patch = ProjectPatch {
            title: input.title,
            summary: input.summary,
            description: input.description,
            tags: input.tags,
            target_group: input.target_group,
            visibility: input.visibility,
            budget: input.budget.map(|b| money("budget", b)).transpose()?,
            next_tollgate_due: match input.next_tollgate_due {
                async_graphql::MaybeUndefined::Undefined => None,
                async_graphql::MaybeUndefined::Null => Some(None),
                async_graphql::MaybeUndefined::Value(d) => Some(Some(d.0)),
            },
            plan_year: match input.plan_year {
                async_graphql::MaybeUndefined::Undefined => None,
                async_graphql::MaybeUndefined::Null => Some(None),
                async_graphql::MaybeUndefined::Value(y) => Some(Some(y)),
            },
        };
        let p = scope(ctx)
            .projects()
            .update_project(id, input.version, patch)
            .await?;
        Ok(UpdateEServiceProjectPayload {
            project: EServiceProject(p),
        })
    }

    /// Passes a tollgate (beslutspunkt): one phase forward, with the decision. The lead
    /// kommun's editors, or the joint committee (`namnd`) for a project shared with the county.
    async fn advance_project_phase(
        &self,
        ctx: &Context<'_>,
        input: AdvanceProjectPhaseInput,
    ) -> Result<ProjectDecisionPayload> {
        let id = ids::decode("id", RecordKind::EServiceProject, &input.id)?;
        let (p, d) = scope(ctx)
            .projects()
            .advance_phase(id, input.version, input.to_phase, &input.decision.into())
            .await?;
        Ok(ProjectDecisionPayload {
            project: EServiceProject(p),
            decision: Decision(d),
        })
    }

    /// Cancels an open project, with the decision (lead editors or the joint committee).
    async fn cancel_e_service_project(
        &self,
        ctx: &Context<'_>,
        input: CancelEServiceProjectInput,
    ) -> Result<ProjectDecisionPayload> {
        let id = ids::decode("id", RecordKind::EServiceProject, &input.id)?;
        let (p, d) = scope(ctx)
            .projects()
            .cancel_project(id, input.version, &input.decision.into())
            .await?;
        Ok(ProjectDecisionPayload {
            project: EServiceProject(p),
            decision: Decision(d),
        })
    }

    /// Invites a kommun of the county (lead kommun's editors).
    async fn invite_municipality(
        &self,
        ctx: &Context<'_>,
        input: InviteMunicipalityInput,
    ) -> Result<ParticipationPayload> {
        let id = ids::decode("projectId", RecordKind::EServiceProject, &input.project_id)?;
        let s = scope(ctx);
        let part = s
            .projects()
            .invite(id, &input.municipality_code, input.role)
            .await?;
        let project = s
            .projects()
            .project_of_child(part.project_id)
            .await?
            .map(EServiceProject);
        Ok(ParticipationPayload {
            participation: Participation(part),
            project,
        })
    }

    /// Accepts or declines an invitation (the invited kommun's admins).
    async fn respond_to_invitation(
        &self,
        ctx: &Context<'_>,
        input: RespondToInvitationInput,
    ) -> Result<ParticipationPayload> {
        let id = ids::decode(
            "participationId",
            RecordKind::Participation,
            &input.participation_id,
        )?;
        let s = scope(ctx);
        let part = s.projects().respond_to_invitation(id, input.accept).await?;
        let project = s
            .projects()
            .project_of_child(part.project_id)
            .await?
            .map(EServiceProject);
        Ok(ParticipationPayload {
            participation: Participation(part),
            project,
        })
    }

    /// Withdraws the caller's kommun from a project (its admins).
    async fn withdraw_from_project(
        &self,
        ctx: &Context<'_>,
        input: WithdrawFromProjectInput,
    ) -> Result<ParticipationPayload> {
        let id = ids::decode("projectId", RecordKind::EServiceProject, &input.project_id)?;
        let s = scope(ctx);
        let part = s.projects().withdraw(id).await?;
        let project = s
            .projects()
            .project_of_child(part.project_id)
            .await?
            .map(EServiceProject);
        Ok(ParticipationPayload {
            participation: Participation(part),
            project,
        })
    }

    /// Sets the cost-sharing key while planning (lead kommun's editors).
    async fn set_cost_sharing(
        &self,
        ctx: &Context<'_>,
        input: SetCostSharingInput,
    ) -> Result<ProjectPayload> {
        let id = ids::decode("projectId", RecordKind::EServiceProject, &input.project_id)?;
        let mixed = input
            .mixed_equal_percent
            .map(|d| percent_to_bp("mixedEqualPercent", d))
            .transpose()?;
        let mut custom = Vec::with_capacity(input.custom_percents.len());
        for (i, c) in input.custom_percents.into_iter().enumerate() {
            custom.push((
                c.municipality_code,
                percent_to_bp(&format!("customPercents[{i}].percent"), c.percent)?,
            ));
        }
        let p = scope(ctx)
            .projects()
            .set_cost_sharing(
                id,
                input.version,
                CostSharingInput {
                    key: input.key,
                    mixed_equal_bp: mixed,
                    custom,
                },
            )
            .await?;
        Ok(ProjectPayload {
            project: EServiceProject(p),
        })
    }

    /// Moves an agreed PER_CAPITA or MIXED split (pinned to the figures in force when the
    /// project left PLANNING) to another year's figures: a decision of its own, for those who
    /// record the project's tollgates. The project's cost shares follow at once.
    async fn move_population_year(
        &self,
        ctx: &Context<'_>,
        input: MovePopulationYearInput,
    ) -> Result<ProjectPayload> {
        let id = ids::decode("projectId", RecordKind::EServiceProject, &input.project_id)?;
        let p = scope(ctx)
            .projects()
            .move_population_year(id, input.version, input.year)
            .await?;
        Ok(ProjectPayload {
            project: EServiceProject(p),
        })
    }

    /// Adds a status report; the project's health follows the latest (lead kommun's editors).
    async fn add_status_report(
        &self,
        ctx: &Context<'_>,
        input: AddStatusReportInput,
    ) -> Result<AddStatusReportPayload> {
        let id = ids::decode("projectId", RecordKind::EServiceProject, &input.project_id)?;
        let (p, r) = scope(ctx)
            .projects()
            .add_status_report(id, input.date.0, input.health, &input.summary)
            .await?;
        Ok(AddStatusReportPayload {
            status_report: StatusReport(r),
            project: EServiceProject(p),
        })
    }

    /// Publishes a live e-service in the catalogue for the caller's kommun (a participating
    /// kommun's editors; the project must be PUBLIC and in EXECUTION or later).
    async fn publish_e_service(
        &self,
        ctx: &Context<'_>,
        input: PublishEServiceInput,
    ) -> Result<PublishEServicePayload> {
        let id = ids::decode("projectId", RecordKind::EServiceProject, &input.project_id)?;
        let e = scope(ctx)
            .publishing()
            .publish(
                id,
                crate::service::catalogue::NewCatalogueEntry {
                    name: input.name,
                    description: input.description,
                    url: input.url,
                },
            )
            .await?;
        Ok(PublishEServicePayload {
            published_e_service: crate::graphql::catalogue::PublishedEService(e),
        })
    }

    /// Records where a published e-service's accessibility statement is and what it declares
    /// (editors of the kommun that published the entry).
    async fn set_accessibility_statement(
        &self,
        ctx: &Context<'_>,
        input: SetAccessibilityStatementInput,
    ) -> Result<PublishEServicePayload> {
        let id = ids::decode(
            "publishedEServiceId",
            RecordKind::PublishedEService,
            &input.published_e_service_id,
        )?;
        let e = scope(ctx)
            .publishing()
            .set_accessibility_statement(id, &input.url, input.conformance)
            .await?;
        Ok(PublishEServicePayload {
            published_e_service: crate::graphql::catalogue::PublishedEService(e),
        })
    }
}
