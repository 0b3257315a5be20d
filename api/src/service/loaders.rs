//! Batched loading of the records that hang off projects, one statement per kind and request.
//!
//! Keys are ids of projects the caller has already been allowed to see (they come from the
//! visibility-filtered queries), so loaders need no rule of their own.
use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{catalogue_entry, decision, participation, status_report};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

/// The per-request loaders.
pub struct Loaders {
    pub participations: DataLoader<ByProject<participation::Entity>>,
    pub decisions: DataLoader<ByProject<decision::Entity>>,
    pub status_reports: DataLoader<ByProject<status_report::Entity>>,
    pub catalogue: DataLoader<ByProject<catalogue_entry::Entity>>,
}

impl Loaders {
    pub(super) fn new(db: DatabaseConnection) -> Self {
        Self {
            participations: DataLoader::new(ByProject::new(&db), tokio::spawn),
            decisions: DataLoader::new(ByProject::new(&db), tokio::spawn),
            status_reports: DataLoader::new(ByProject::new(&db), tokio::spawn),
            catalogue: DataLoader::new(ByProject::new(&db), tokio::spawn),
        }
    }
}

/// A table whose rows belong to one project.
pub trait ProjectChild: EntityTrait {
    /// The column holding the project id.
    fn project_column() -> Self::Column;
    /// The id column, for a stable order.
    fn id_column() -> Self::Column;
    /// The project a row belongs to.
    fn project_of(m: &Self::Model) -> i64;
}

macro_rules! project_child {
    ($m:ident) => {
        impl ProjectChild for $m::Entity {
            fn project_column() -> Self::Column {
                $m::Column::ProjectId
            }
            fn id_column() -> Self::Column {
                $m::Column::Id
            }
            fn project_of(m: &$m::Model) -> i64 {
                m.project_id
            }
        }
    };
}
project_child!(participation);
project_child!(decision);
project_child!(status_report);
project_child!(catalogue_entry);

/// Loads all rows of `E` for a batch of project ids.
pub struct ByProject<E> {
    db: DatabaseConnection,
    _e: std::marker::PhantomData<fn() -> E>,
}

impl<E> ByProject<E> {
    fn new(db: &DatabaseConnection) -> Self {
        Self {
            db: db.clone(),
            _e: std::marker::PhantomData,
        }
    }
}

impl<E> Loader<i64> for ByProject<E>
where
    E: ProjectChild + Send + Sync + 'static,
    E::Model: Send + Sync + Clone + 'static,
{
    type Value = Vec<E::Model>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = E::find()
            .filter(E::project_column().is_in(keys.iter().copied()))
            .order_by_asc(E::id_column())
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut map: HashMap<i64, Vec<E::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            map.entry(E::project_of(&r)).or_default().push(r);
        }
        Ok(map)
    }
}
