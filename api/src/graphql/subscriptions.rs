//! Live updates over `graphql-transport-ws` (`http/subscriptions.rs`). Every event is checked
//! against the subscriber's own visibility when it arrives: a project turned PRIVATE stops
//! reaching the other kommuner, and an audit event reaches the committee only if its trail
//! would show it. Events carry ids only (`service::events`); what a subscriber receives is
//! read for it, at that moment.
use async_graphql::{Context, ID, Result, SimpleObject, Subscription};
use futures_util::{Stream, stream};
use tokio::sync::broadcast::error::RecvError;

use super::{audit::AuditEvent, ids, loaders, projects::EServiceProject, scope};
use crate::{
    domain::RecordKind,
    error::ApiError,
    service::{Services, events::Change},
};

/// A change to a project the subscriber can see.
#[derive(SimpleObject)]
pub struct ProjectChange {
    /// The project's global id.
    pub project_id: ID,
    /// The mutation that changed it, e.g. `updateEServiceProject`, `respondToInvitation`.
    pub kind: String,
    /// The project as it is now.
    pub project: EServiceProject,
}

/// The subscription root.
#[derive(Default)]
pub struct Subscription;

/// What a subscription does with one change: skip it, send something, or end with an error.
enum Step<T> {
    Skip,
    Send(T),
    End(async_graphql::Error),
}

/// The changes from now on, each turned into what the subscriber may receive by `turn`. A
/// subscriber too slow to keep up gets an error and the end of its subscription: it has
/// missed changes and must refetch.
fn changes<T, F, Fut>(ctx: &Context<'_>, turn: F) -> impl Stream<Item = Result<T>> + use<T, F, Fut>
where
    F: Fn(Change) -> Fut,
    Fut: std::future::Future<Output = Step<T>>,
{
    let receiver = ctx.data_unchecked::<Services>().events().subscribe();
    stream::unfold(Some((receiver, turn)), |state| async move {
        let (mut receiver, turn) = state?;
        loop {
            match receiver.recv().await {
                Ok(change) => match turn(change).await {
                    Step::Skip => continue,
                    Step::Send(item) => return Some((Ok(item), Some((receiver, turn)))),
                    Step::End(e) => return Some((Err(e), None)),
                },
                Err(RecvError::Lagged(n)) => {
                    let e =
                        ApiError::Conflict(format!("{n} changes were missed; refetch and subscribe again"));
                    return Some((Err(e.into()), None));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
}

#[Subscription]
impl Subscription {
    /// The project each time it changes (its own fields, its participants, cost shares,
    /// decisions, reports, benefits), while the caller may see it. NOT_FOUND at once for a
    /// project the caller cannot see.
    async fn e_service_project_changed<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        id: ID,
    ) -> Result<impl Stream<Item = Result<EServiceProject>> + use<'ctx>> {
        let project = ids::decode("id", RecordKind::EServiceProject, &id)?;
        let (s, l) = (scope(ctx), loaders(ctx));
        s.projects().project(project).await?;
        Ok(changes(ctx, move |change| {
            let s = s.clone();
            async move {
                if !change.is_of(RecordKind::EServiceProject, project) {
                    return Step::Skip;
                }
                l.forget();
                match s.projects().project(project).await {
                    Ok(p) => Step::Send(EServiceProject(p)),
                    Err(ApiError::NotFound(_)) => Step::Skip,
                    Err(e) => Step::End(e.into()),
                }
            }
        }))
    }

    /// Every change to a project in the caller's list (created, edited, decided, joined…),
    /// with the project as it is now; projects the caller cannot see never appear.
    async fn e_service_projects_changed<'ctx>(
        &self,
        ctx: &Context<'ctx>,
    ) -> Result<impl Stream<Item = Result<ProjectChange>> + use<'ctx>> {
        let (s, l) = (scope(ctx), loaders(ctx));
        s.reader()?;
        Ok(changes(ctx, move |change| {
            let s = s.clone();
            async move {
                if change.scope_type != RecordKind::EServiceProject.as_str() {
                    return Step::Skip;
                }
                l.forget();
                match s.projects().project(change.scope_id).await {
                    Ok(p) => Step::Send(ProjectChange {
                        project_id: ids::encode(RecordKind::EServiceProject, change.scope_id),
                        kind: change.action,
                        project: EServiceProject(p),
                    }),
                    Err(ApiError::NotFound(_)) => Step::Skip,
                    Err(e) => Step::End(e.into()),
                }
            }
        }))
    }

    /// Each new audit event of the county that the joint committee (`namnd`) may read.
    async fn audit_event_added<'ctx>(
        &self,
        ctx: &Context<'ctx>,
    ) -> Result<impl Stream<Item = Result<AuditEvent>> + use<'ctx>> {
        let s = scope(ctx);
        if !s.caller().principal().is_some_and(|p| p.is_namnd()) {
            return Err(
                ApiError::Forbidden("the audit feed is for the joint committee (namnd)".into()).into(),
            );
        }
        Ok(changes(ctx, move |change| {
            let s = s.clone();
            async move {
                match s.audit_event(change.event_id).await {
                    Ok(Some(event)) => Step::Send(AuditEvent(event)),
                    Ok(None) => Step::Skip,
                    Err(e) => Step::End(e.into()),
                }
            }
        }))
    }
}
