//! Batched loading of the records that hang off projects and evaluations, one statement per
//! kind and request.
//!
//! Keys are ids of parents the caller has already been allowed to see (they come from the
//! visibility-filtered queries), so loaders need no rule of their own.
use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{
    benefit, benefit_follow_up, catalogue_entry, decision, initiative_requirement, initiative_supporter,
    participation, product, project, sourcing_coevaluator, sourcing_criterion, sourcing_evaluation,
    sourcing_option, sourcing_score, status_report, vendor, vendor_initiative, vendor_response,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter};

use super::visibility::{self, Seen, Visible};
use crate::{auth::Caller, error::ApiResult};

/// Why a batch could not be loaded (shared by every key of the batch, hence the `Arc`).
type LoadError = Arc<sea_orm::DbErr>;

/// A failed load as the request's error.
fn failed(e: LoadError) -> crate::error::ApiError {
    crate::error::ApiError::Internal(anyhow::anyhow!("{e}"))
}

/// A loader with a per-request cache, so that a list resolver can prefetch a page's
/// children in one statement and every field reads them from the cache.
pub type Cached<E> = DataLoader<ByParent<E>, HashMapCache>;

/// List resolvers prefetch whole pages in one call, and sibling fields enqueue their keys
/// in one polling pass before the batch task runs, so waiting for more keys only adds latency.
const NO_DELAY: std::time::Duration = std::time::Duration::ZERO;

/// A loader with its per-request cache and no batching delay.
fn cached<L: Loader<i64>>(loader: L) -> DataLoader<L, HashMapCache> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default()).delay(NO_DELAY)
}

/// The per-request loaders. Their fields are private: children are loaded only under a
/// [`Seen`] parent, which only the service layer makes for records that passed a read rule.
pub struct Loaders {
    participations: Cached<participation::Entity>,
    decisions: Cached<decision::Entity>,
    status_reports: Cached<status_report::Entity>,
    catalogue: Cached<catalogue_entry::Entity>,
    benefits: Cached<benefit::Entity>,
    follow_ups: Cached<benefit_follow_up::Entity>,
    requirements: Cached<initiative_requirement::Entity>,
    supporters: Cached<initiative_supporter::Entity>,
    responses: Cached<vendor_response::Entity>,
    products: DataLoader<ById<product::Entity>, HashMapCache>,
    vendors: DataLoader<ById<vendor::Entity>, HashMapCache>,
    sourcing_options: Cached<sourcing_option::Entity>,
    sourcing_criteria: Cached<sourcing_criterion::Entity>,
    sourcing_coevaluators: Cached<sourcing_coevaluator::Entity>,
    sourcing_scores: Cached<sourcing_score::Entity>,
    projects: DataLoader<VisibleProjects, HashMapCache>,
}

impl Loaders {
    pub(super) fn new(db: DatabaseConnection, caller: Caller) -> Self {
        Self {
            projects: cached(VisibleProjects {
                db: db.clone(),
                caller,
            }),
            participations: cached(ByParent::new(&db)),
            decisions: cached(ByParent::new(&db)),
            status_reports: cached(ByParent::new(&db)),
            catalogue: cached(ByParent::new(&db)),
            benefits: cached(ByParent::new(&db)),
            follow_ups: cached(ByParent::new(&db)),
            requirements: cached(ByParent::new(&db)),
            supporters: cached(ByParent::new(&db)),
            responses: cached(ByParent::new(&db)),
            products: cached(ById::new(&db)),
            vendors: cached(ById::new(&db)),
            sourcing_options: cached(ByParent::new(&db)),
            sourcing_criteria: cached(ByParent::new(&db)),
            sourcing_coevaluators: cached(ByParent::new(&db)),
            sourcing_scores: cached(ByParent::new(&db)),
        }
    }

    /// Forgets everything loaded so far. A subscription's loaders live as long as its
    /// connection, so each event is resolved from what is stored now, not from an earlier
    /// event's reads.
    pub fn forget(&self) {
        self.projects.clear::<i64>();
        self.participations.clear::<i64>();
        self.decisions.clear::<i64>();
        self.status_reports.clear::<i64>();
        self.catalogue.clear::<i64>();
        self.benefits.clear::<i64>();
        self.follow_ups.clear::<i64>();
        self.requirements.clear::<i64>();
        self.supporters.clear::<i64>();
        self.responses.clear::<i64>();
        self.products.clear::<i64>();
        self.vendors.clear::<i64>();
        self.sourcing_options.clear::<i64>();
        self.sourcing_criteria.clear::<i64>();
        self.sourcing_coevaluators.clear::<i64>();
        self.sourcing_scores.clear::<i64>();
    }

    /// The rows of `E` under `parent`, in creation order.
    pub async fn rows<E>(&self, parent: Seen<E::Parent>) -> ApiResult<Vec<E::Model>>
    where
        E: Child + Send + Sync + 'static,
        E::Model: Send + Sync + Clone + 'static,
        Self: HasLoader<E>,
    {
        Ok(self
            .loader()
            .load_one(parent.id())
            .await
            .map_err(failed)?
            .unwrap_or_default())
    }

    /// Loads the rows of `E` under every parent of a page in one statement, so that the
    /// page's fields read them from the cache.
    pub async fn prefetch<E>(&self, parents: &[Seen<E::Parent>]) -> ApiResult<()>
    where
        E: Child + Send + Sync + 'static,
        E::Model: Send + Sync + Clone + 'static,
        Self: HasLoader<E>,
    {
        self.loader()
            .load_many(parents.iter().map(|p| p.id()))
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// The project a child row names (a participation's, an evaluation's subject), if the
    /// caller may see it: one statement for every such row of the request.
    pub async fn project(&self, id: i64) -> ApiResult<Option<Visible<project::Model>>> {
        self.projects.load_one(id).await.map_err(failed)
    }

    /// A product by id: shared reference data every reader may see.
    pub async fn product(&self, id: i64) -> ApiResult<Option<product::Model>> {
        self.products.load_one(id).await.map_err(failed)
    }

    /// A vendor by id: shared reference data every reader may see.
    pub async fn vendor(&self, id: i64) -> ApiResult<Option<vendor::Model>> {
        self.vendors.load_one(id).await.map_err(failed)
    }

    /// Products by id: shared reference data every reader may see.
    pub async fn products(
        &self,
        ids: impl IntoIterator<Item = i64>,
    ) -> ApiResult<HashMap<i64, product::Model>> {
        self.products.load_many(ids).await.map_err(failed)
    }

    /// Vendors by id: shared reference data every reader may see.
    pub async fn vendors(
        &self,
        ids: impl IntoIterator<Item = i64>,
    ) -> ApiResult<HashMap<i64, vendor::Model>> {
        self.vendors.load_many(ids).await.map_err(failed)
    }
}

/// Which loader holds the rows of `E`.
pub trait HasLoader<E: Child> {
    #[doc(hidden)]
    fn loader(&self) -> &Cached<E>;
}

macro_rules! has_loader {
    ($($field:ident: $m:ident),* $(,)?) => {
        $(impl HasLoader<$m::Entity> for Loaders {
            fn loader(&self) -> &Cached<$m::Entity> {
                &self.$field
            }
        })*
    };
}
has_loader!(
    participations: participation,
    decisions: decision,
    status_reports: status_report,
    catalogue: catalogue_entry,
    benefits: benefit,
    follow_ups: benefit_follow_up,
    requirements: initiative_requirement,
    supporters: initiative_supporter,
    responses: vendor_response,
    sourcing_options: sourcing_option,
    sourcing_criteria: sourcing_criterion,
    sourcing_coevaluators: sourcing_coevaluator,
    sourcing_scores: sourcing_score,
);

/// A table whose rows belong to one parent record (a project or an evaluation).
pub trait Child: EntityTrait {
    /// The parent's entity.
    type Parent;
    /// The column holding the parent's id.
    fn parent_column() -> Self::Column;
    /// The row's id, for a stable order.
    fn id_of(m: &Self::Model) -> i64;
    /// The parent a row belongs to.
    fn parent_of(m: &Self::Model) -> i64;
}

macro_rules! child {
    ($m:ident, $parent:ident, $column:ident, $field:ident) => {
        impl Child for $m::Entity {
            type Parent = $parent::Entity;
            fn parent_column() -> Self::Column {
                $m::Column::$column
            }
            fn id_of(m: &$m::Model) -> i64 {
                m.id
            }
            fn parent_of(m: &$m::Model) -> i64 {
                m.$field
            }
        }
    };
}
child!(participation, project, ProjectId, project_id);
child!(decision, project, ProjectId, project_id);
child!(status_report, project, ProjectId, project_id);
child!(catalogue_entry, project, ProjectId, project_id);
child!(benefit, project, ProjectId, project_id);
child!(benefit_follow_up, project, ProjectId, project_id);
child!(sourcing_option, sourcing_evaluation, EvaluationId, evaluation_id);
child!(
    initiative_requirement,
    vendor_initiative,
    InitiativeId,
    initiative_id
);
child!(
    initiative_supporter,
    vendor_initiative,
    InitiativeId,
    initiative_id
);
child!(vendor_response, vendor_initiative, InitiativeId, initiative_id);
child!(
    sourcing_criterion,
    sourcing_evaluation,
    EvaluationId,
    evaluation_id
);
child!(
    sourcing_coevaluator,
    sourcing_evaluation,
    EvaluationId,
    evaluation_id
);
child!(sourcing_score, sourcing_evaluation, EvaluationId, evaluation_id);

/// Loads all rows of `E` for a batch of parent ids.
pub struct ByParent<E> {
    db: DatabaseConnection,
    _e: std::marker::PhantomData<fn() -> E>,
}

/// `column IN keys`. On PostgreSQL `column = ANY($1)` with the keys as one array: every
/// batch is then the same statement with one generic plan, where an IN list of n parameters
/// is a statement per batch size, planned afresh on each call (the planner weighing each key
/// was a quarter of PostgreSQL's time on a 50-project page).
fn one_of<C: ColumnTrait>(
    db: &DatabaseConnection,
    column: C,
    keys: &[i64],
) -> sea_orm::sea_query::SimpleExpr {
    match db.get_database_backend() {
        DbBackend::Postgres if !keys.is_empty() => column.eq_any(keys.iter().copied()),
        _ => column.is_in(keys.iter().copied()),
    }
}

impl<E> ByParent<E> {
    fn new(db: &DatabaseConnection) -> Self {
        Self {
            db: db.clone(),
            _e: std::marker::PhantomData,
        }
    }
}

impl<E> Loader<i64> for ByParent<E>
where
    E: Child + Send + Sync + 'static,
    E::Model: Send + Sync + Clone + 'static,
{
    type Value = Vec<E::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = E::find()
            .filter(one_of(&self.db, E::parent_column(), keys))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut map: HashMap<i64, Vec<E::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            map.entry(E::parent_of(&r)).or_default().push(r);
        }
        // Ordered here, not in SQL: an ORDER BY id tempts the planner to walk the whole
        // table in id order instead of using the parent index (4 ms → 0.3 ms for 50 projects).
        for rows in map.values_mut() {
            rows.sort_by_key(E::id_of);
        }
        Ok(map)
    }
}

/// Loads records of `E` by their own id (reference data such as products and vendors).
pub struct ById<E> {
    db: DatabaseConnection,
    _e: std::marker::PhantomData<fn() -> E>,
}

impl<E> ById<E> {
    fn new(db: &DatabaseConnection) -> Self {
        Self {
            db: db.clone(),
            _e: std::marker::PhantomData,
        }
    }
}

macro_rules! by_id {
    ($m:ident) => {
        impl Loader<i64> for ById<$m::Entity> {
            type Value = $m::Model;
            type Error = Arc<sea_orm::DbErr>;

            async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
                let rows = $m::Entity::find()
                    .filter(one_of(&self.db, $m::Column::Id, keys))
                    .all(&self.db)
                    .await
                    .map_err(Arc::new)?;
                Ok(rows.into_iter().map(|r| (r.id, r)).collect())
            }
        }
    };
}
by_id!(product);
by_id!(vendor);

/// Projects by id, narrowed by the visibility rule for the request's caller.
pub struct VisibleProjects {
    db: DatabaseConnection,
    caller: Caller,
}

impl Loader<i64> for VisibleProjects {
    type Value = Visible<project::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        if self.caller.principal().is_none() {
            return Ok(HashMap::new());
        }
        let rows = project::Entity::find()
            .filter(visibility::projects(&self.caller))
            .filter(one_of(&self.db, project::Column::Id, keys))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|r| (r.id, Visible::new(r))).collect())
    }
}
