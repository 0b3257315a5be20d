//! E-service projects: types, the list, and the mutations of the project life cycle.
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject, connection::Connection,
};
use entity::{decision, participation, project, status_report};
use rust_decimal::Decimal;

use super::{
    connection, ids, loaders,
    reference::{Municipality, municipality},
    rows_of,
    scalars::{Date, bp_to_percent, percent_to_bp},
    scope, stored,
};
use crate::{
    domain::{CostKey, Health, ParticipationRole, ParticipationState, Phase, Sek, TargetGroup, Visibility},
    error::ApiError,
    service::visibility::{Seen, Visible},
    service::{
        pagination::PageArgs,
        projects::{
            CostSharingInput, DecisionInput, NewProject, ProjectFilter as SvcFilter,
            ProjectOrderField as SvcOrder, ProjectPatch,
        },
    },
};

fn budget(field: &str, d: Decimal) -> Result<Sek, ApiError> {
    Sek::parse_budget(d).map_err(|m| ApiError::input(field, format!("{field} {m}")))
}

/// An e-service project (e-tjänstprojekt): one kommun leads, others take part and share costs.
#[derive(Clone)]
pub struct EServiceProject(pub Visible<project::Model>);

#[Object(name = "EServiceProject")]
impl EServiceProject {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("EServiceProject", self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Category tags, e.g. `bygglov`, `forsorjningsstod`, `skola`.
    async fn tags(&self) -> Result<Vec<String>> {
        super::stored_json(&self.0.tags)
    }
    async fn target_group(&self) -> Result<TargetGroup> {
        stored(&self.0.target_group)
    }
    /// The lead kommun (ägare).
    async fn owner(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.owner_id)
    }
    async fn visibility(&self) -> Result<Visibility> {
        stored(&self.0.visibility)
    }
    /// Budget in SEK.
    async fn budget(&self) -> Decimal {
        Sek::from_ore(self.0.budget_ore).to_decimal()
    }
    async fn phase(&self) -> Result<Phase> {
        stored(&self.0.phase)
    }
    /// The phase the next tollgate leads to, if any.
    async fn next_phase(&self) -> Result<Option<Phase>> {
        Ok(stored::<Phase>(&self.0.phase)?.next())
    }
    /// Health of the latest status report; null before the first.
    async fn health(&self) -> Result<Option<Health>> {
        self.0.health.as_deref().map(stored).transpose()
    }
    /// When the next tollgate decision is planned.
    async fn next_tollgate_due(&self) -> Option<Date> {
        self.0.next_tollgate_due.map(Date)
    }
    /// Changes with every update; pass it back to update the project.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
    /// Every kommun invited to or taking part in the project, the lead first.
    async fn participations(&self, ctx: &Context<'_>) -> Result<Vec<Participation>> {
        let rows = rows_of::<entity::participation::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows.into_iter().map(Participation).collect())
    }
    /// The agreed cost-sharing key (kostnadsfördelning).
    async fn cost_sharing(&self, ctx: &Context<'_>) -> Result<CostSharing> {
        let rows = rows_of::<entity::participation::Entity>(loaders(ctx), self.0.seen()).await?;
        let key: CostKey = stored(&self.0.cost_key)?;
        let paying_bp: i32 = rows
            .iter()
            .filter(|p| crate::service::projects::is_paying(p))
            .map(|p| p.custom_bp.unwrap_or(0))
            .sum();
        Ok(CostSharing {
            key,
            mixed_equal_percent: (key == CostKey::Mixed).then(|| bp_to_percent(self.0.mixed_equal_bp)),
            custom_percent_total: (key == CostKey::Custom).then(|| bp_to_percent(paying_bp)),
            complete: key != CostKey::Custom || paying_bp == 10_000,
        })
    }
    /// Each paying member's share, computed by the server; amounts sum exactly to the budget.
    async fn cost_shares(&self, ctx: &Context<'_>) -> Result<Vec<CostShare>> {
        let rows = rows_of::<entity::participation::Entity>(loaders(ctx), self.0.seen()).await?;
        let shares = scope(ctx).cost_shares(&self.0, &rows)?;
        Ok(shares
            .into_iter()
            .map(|s| CostShare {
                municipality_id: s.municipality_id,
                percent: if s.denominator == 0 {
                    Decimal::ZERO
                } else {
                    Decimal::from_i128_with_scale(s.numerator * 100 * 10_000 / s.denominator, 4).normalize()
                },
                amount: s.amount.to_decimal(),
            })
            .collect())
    }
    /// Tollgate decisions, oldest first.
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<Decision>> {
        let rows = rows_of::<entity::decision::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows.into_iter().map(Decision).collect())
    }
    /// The benefits (nyttokalkyl).
    async fn benefits(&self, ctx: &Context<'_>) -> Result<Vec<super::benefits::Benefit>> {
        super::benefits::project_benefits(ctx, self.0.seen()).await
    }
    /// Mean realisation of the quantitative benefits, in percent; null before follow-ups.
    async fn benefit_realization_percent(&self, ctx: &Context<'_>) -> Result<Option<Decimal>> {
        super::benefits::project_realization(ctx, self.0.seen()).await
    }
    /// Status reports, oldest first.
    async fn status_reports(&self, ctx: &Context<'_>) -> Result<Vec<StatusReport>> {
        let rows = rows_of::<entity::status_report::Entity>(loaders(ctx), self.0.seen()).await?;
        Ok(rows.into_iter().map(StatusReport).collect())
    }
}

/// The cost-sharing key of a project.
#[derive(SimpleObject)]
pub struct CostSharing {
    key: CostKey,
    /// MIXED: the percentage split equally; the rest is split per capita.
    mixed_equal_percent: Option<Decimal>,
    /// CUSTOM: the sum of the paying members' percentages.
    custom_percent_total: Option<Decimal>,
    /// False while a CUSTOM key does not sum to 100 %; the project cannot leave PLANNING then.
    complete: bool,
}

/// One paying kommun's part of the budget.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CostShare {
    #[graphql(skip)]
    municipality_id: i32,
    /// Share of the budget in percent (up to four decimals).
    percent: Decimal,
    /// Amount in SEK, rounded to whole öre by largest remainder.
    amount: Decimal,
}

#[ComplexObject]
impl CostShare {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.municipality_id)
    }
}

/// A kommun's part in a project (deltagande).
#[derive(Clone)]
pub struct Participation(pub participation::Model);

#[Object]
impl Participation {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Participation", self.0.id)
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
    async fn role(&self) -> Result<ParticipationRole> {
        stored(&self.0.role)
    }
    async fn state(&self) -> Result<ParticipationState> {
        stored(&self.0.state)
    }
    /// The percentage under a CUSTOM key.
    async fn custom_percent(&self) -> Option<Decimal> {
        self.0.custom_bp.map(bp_to_percent)
    }
    /// The project, if the caller may still see it.
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<EServiceProject>> {
        Ok(loaders(ctx)
            .project(self.0.project_id)
            .await?
            .map(EServiceProject))
    }
}

/// A decision (beslut) taken at a tollgate (beslutspunkt) or on cancellation.
#[derive(Clone)]
pub struct Decision(pub decision::Model);

#[Object]
impl Decision {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Decision", self.0.id)
    }
    #[expect(clippy::wrong_self_convention, reason = "GraphQL field fromPhase")]
    async fn from_phase(&self) -> Result<Phase> {
        stored(&self.0.from_phase)
    }
    async fn to_phase(&self) -> Result<Phase> {
        stored(&self.0.to_phase)
    }
    /// The date of the decision.
    async fn date(&self) -> Date {
        Date(self.0.decided_on)
    }
    /// The deciding body, e.g. "Gemensam nämnd för e-tjänster" or "KS Örebro".
    async fn deciding_body(&self) -> &str {
        &self.0.deciding_body
    }
    /// Diarienummer as the deciding body writes it, e.g. `KS 2018/124`.
    async fn diarienummer(&self) -> &str {
        &self.0.diarienummer
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The kommun that recorded the decision.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.recorded_by_id)
    }
}

/// A status report (lägesrapport) with a red/amber/green health.
#[derive(Clone)]
pub struct StatusReport(pub status_report::Model);

#[Object]
impl StatusReport {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("StatusReport", self.0.id)
    }
    async fn date(&self) -> Date {
        Date(self.0.reported_on)
    }
    async fn health(&self) -> Result<Health> {
        stored(&self.0.health)
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn author(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.author_id)
    }
}

/// Filters on the project list; all given filters must hold.
#[derive(InputObject, Default)]
pub struct ProjectFilter {
    /// Any of these phases.
    phase: Option<Vec<Phase>>,
    /// Any of these healths.
    health: Option<Vec<Health>>,
    visibility: Option<Vec<Visibility>>,
    /// Led by this kommun (kommunkod).
    owner: Option<String>,
    /// This kommun takes part (accepted, any role).
    participant: Option<String>,
    /// Case-insensitive text in the title.
    search: Option<String>,
}

/// Fields the project list can be ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ProjectOrderField {
    /// Creation order.
    CreatedAt,
    Title,
}

/// Sort direction.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum OrderDirection {
    Asc,
    Desc,
}

/// The order of the project list.
#[derive(InputObject)]
pub struct ProjectOrder {
    field: ProjectOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    direction: OrderDirection,
}

/// Loads the children a list query asks for in one statement per kind, whatever the page
/// size, before the per-node resolvers read them from the loaders' cache.
async fn prefetch(ctx: &Context<'_>, seen: Vec<Seen<project::Entity>>) -> Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let l = loaders(ctx);
    if ["participations", "costShares", "costSharing"]
        .iter()
        .any(|f| node.field(f).exists())
    {
        l.prefetch::<entity::participation::Entity>(&seen).await?;
    }
    if node.field("decisions").exists() {
        l.prefetch::<entity::decision::Entity>(&seen).await?;
    }
    if node.field("benefits").exists() || node.field("benefitRealizationPercent").exists() {
        l.prefetch::<entity::benefit::Entity>(&seen).await?;
        l.prefetch::<entity::benefit_follow_up::Entity>(&seen).await?;
    }
    if node.field("statusReports").exists() {
        l.prefetch::<entity::status_report::Entity>(&seen).await?;
    }
    Ok(())
}

/// Extra fields of the project connection.
pub struct ProjectConnectionFields {
    filter: SvcFilter,
}

#[Object]
impl ProjectConnectionFields {
    /// How many projects match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(scope(ctx).count_projects(&self.filter).await?)
    }
}

/// Project list connection type.
pub type ProjectConnection = Connection<String, EServiceProject, ProjectConnectionFields>;

/// Queries on projects.
#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// The projects the caller may see, as a keyset-paginated connection.
    #[graphql(complexity = "(first.or(last).unwrap_or(20).clamp(0, 100) as usize) * child_complexity + 1")]
    #[expect(clippy::too_many_arguments, reason = "Relay connection arguments")]
    async fn e_service_projects(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProjectFilter>,
        order_by: Option<ProjectOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProjectConnection> {
        let f = filter.unwrap_or_default();
        let filter = SvcFilter {
            phases: f.phase.unwrap_or_default(),
            health: f.health.unwrap_or_default(),
            visibility: f.visibility.unwrap_or_default(),
            owner: f.owner,
            participant: f.participant,
            search: f.search,
        };
        let (field, asc) = match order_by {
            Some(o) => (
                match o.field {
                    ProjectOrderField::CreatedAt => SvcOrder::CreatedAt,
                    ProjectOrderField::Title => SvcOrder::Title,
                },
                o.direction == OrderDirection::Asc,
            ),
            None => (SvcOrder::CreatedAt, false),
        };
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = scope(ctx).list_projects(&filter, field, asc, &args).await?;
        prefetch(ctx, page.items.iter().map(|p| p.seen()).collect()).await?;
        let title_key = |p: &Visible<project::Model>| (field == SvcOrder::Title).then(|| p.title.clone());
        Ok(connection(
            page,
            ProjectConnectionFields { filter },
            title_key,
            |p| p.id,
            EServiceProject,
        ))
    }
}

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
    municipality_code: String,
    percent: Decimal,
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

/// The catalogue entry.
#[derive(SimpleObject)]
pub struct PublishEServicePayload {
    published_e_service: super::catalogue::PublishedEService,
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
            .create_project(NewProject {
                title: input.title,
                summary: input.summary,
                description: input.description,
                tags: input.tags,
                target_group: input.target_group,
                visibility: input.visibility,
                budget: budget("budget", input.budget)?,
                next_tollgate_due: input.next_tollgate_due.map(|d| d.0),
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
        let id = ids::decode("id", "EServiceProject", &input.id)?;
        let patch = ProjectPatch {
            title: input.title,
            summary: input.summary,
            description: input.description,
            tags: input.tags,
            target_group: input.target_group,
            visibility: input.visibility,
            budget: input.budget.map(|b| budget("budget", b)).transpose()?,
            next_tollgate_due: match input.next_tollgate_due {
                async_graphql::MaybeUndefined::Undefined => None,
                async_graphql::MaybeUndefined::Null => Some(None),
                async_graphql::MaybeUndefined::Value(d) => Some(Some(d.0)),
            },
        };
        let p = scope(ctx).update_project(id, input.version, patch).await?;
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
        let id = ids::decode("id", "EServiceProject", &input.id)?;
        let (p, d) = scope(ctx)
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
        let id = ids::decode("id", "EServiceProject", &input.id)?;
        let (p, d) = scope(ctx)
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
        let id = ids::decode("projectId", "EServiceProject", &input.project_id)?;
        let s = scope(ctx);
        let part = s.invite(id, &input.municipality_code, input.role).await?;
        let project = s.project_of_child(part.project_id).await?.map(EServiceProject);
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
        let id = ids::decode("participationId", "Participation", &input.participation_id)?;
        let s = scope(ctx);
        let part = s.respond_to_invitation(id, input.accept).await?;
        let project = s.project_of_child(part.project_id).await?.map(EServiceProject);
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
        let id = ids::decode("projectId", "EServiceProject", &input.project_id)?;
        let s = scope(ctx);
        let part = s.withdraw(id).await?;
        let project = s.project_of_child(part.project_id).await?.map(EServiceProject);
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
        let id = ids::decode("projectId", "EServiceProject", &input.project_id)?;
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

    /// Adds a status report; the project's health follows the latest (lead kommun's editors).
    async fn add_status_report(
        &self,
        ctx: &Context<'_>,
        input: AddStatusReportInput,
    ) -> Result<AddStatusReportPayload> {
        let id = ids::decode("projectId", "EServiceProject", &input.project_id)?;
        let (p, r) = scope(ctx)
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
        let id = ids::decode("projectId", "EServiceProject", &input.project_id)?;
        let e = scope(ctx)
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
            published_e_service: super::catalogue::PublishedEService(e),
        })
    }
}
