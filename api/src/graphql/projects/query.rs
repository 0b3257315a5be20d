//! The project list: filters, ordering, the connection with `totalCount`, and prefetching
//! the children a page asks for.
use super::*;
use async_graphql::{Context, Enum, InputObject, Object, Result, connection::Connection};
use entity::project;

use crate::graphql::{connection, in_order::InOrder, loaders, scope};
use crate::{
    domain::{Health, Phase, Visibility},
    service::generation::PartsRead,
    service::visibility::{Seen, Visible},
    service::{
        pagination::PageArgs,
        projects::{ProjectFilter as SvcFilter, ProjectOrderField as SvcOrder},
    },
};

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
    /// The count and whether it is exact, shared by `totalCount` and `totalCountExact`.
    count: tokio::sync::OnceCell<(u64, bool)>,
}

impl ProjectConnectionFields {
    async fn counted(&self, ctx: &Context<'_>) -> Result<(u64, bool)> {
        let counted = *self
            .count
            .get_or_try_init(|| async {
                // An HTTP request brings the generations its stamp read; anything else reads
                // afresh.
                let fresh = PartsRead::default();
                let read = ctx.data_opt::<PartsRead>().unwrap_or(&fresh);
                scope(ctx).projects().count_projects(&self.filter, read).await
            })
            .await?;
        if !counted.1
            && let Ok(request) = ctx.data::<crate::graphql::RequestContext>()
        {
            request
                .inexact_count
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(counted)
    }
}

#[Object]
impl ProjectConnectionFields {
    /// How many projects match, over all pages. The first time a filter is asked, a large
    /// count (10,000 projects or more in a part of the caller's view) that would keep the page
    /// waiting past the service's count budget (100 ms by default) is given as its upper bound,
    /// the projects of that part without the filter, and `totalCountExact` is false; the count
    /// goes on meanwhile, so the next page or request has it exact. Smaller counts are always
    /// exact.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(self.counted(ctx).await?.0)
    }
    /// Whether `totalCount` is counted (true) or an upper bound while the count runs (false).
    async fn total_count_exact(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.counted(ctx).await?.1)
    }
}

/// Project list connection type.
pub type ProjectConnection = Connection<String, InOrder<EServiceProject>, ProjectConnectionFields>;

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
        let page = scope(ctx)
            .projects()
            .list_projects(&filter, field, asc, &args)
            .await?;
        prefetch(ctx, page.items.iter().map(|p| p.seen()).collect()).await?;
        let title_key = |p: &Visible<project::Model>| (field == SvcOrder::Title).then(|| p.title.clone());
        Ok(connection(
            page,
            ProjectConnectionFields {
                filter,
                count: tokio::sync::OnceCell::new(),
            },
            title_key,
            |p| p.id,
            |p| InOrder(EServiceProject(p)),
        ))
    }
}
