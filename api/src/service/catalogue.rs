//! The published e-service catalogue: what municipal portals read, with or without a token.
use entity::{catalogue_entry, project};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Select, sea_query::Query};

use super::{
    Scope,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    visibility::Visible,
};
use crate::{
    domain::{Phase, Visibility},
    error::ApiResult,
};

/// Narrows a catalogue query to entries of PUBLIC projects whose e-service may be live.
///
/// This is the catalogue's whole visibility rule: it holds for every caller, because the
/// catalogue is public by definition and shows nothing else of a project.
fn listed() -> Condition {
    let live: Vec<&str> = Phase::ALL
        .iter()
        .filter(|p| p.may_be_live())
        .map(|p| p.as_str())
        .collect();
    Condition::all().add(
        catalogue_entry::Column::ProjectId.in_subquery(
            Query::select()
                .column(project::Column::Id)
                .from(project::Entity)
                .and_where(project::Column::Visibility.eq(Visibility::Public.as_str()))
                .and_where(project::Column::Phase.is_in(live))
                .to_owned(),
        ),
    )
}

/// Filters on the catalogue.
#[derive(Clone, Debug, Default)]
pub struct CatalogueFilter {
    /// Entries published by this kommun.
    pub municipality: Option<String>,
    /// Entries published by kommuner of this county.
    pub county: Option<String>,
}

impl Scope<'_> {
    fn catalogue(&self) -> Select<catalogue_entry::Entity> {
        catalogue_entry::Entity::find().filter(listed())
    }

    fn catalogue_condition(&self, filter: &CatalogueFilter) -> ApiResult<Condition> {
        let mut cond = Condition::all();
        if let Some(code) = &filter.municipality {
            cond = cond.add(
                catalogue_entry::Column::MunicipalityId
                    .eq(self.municipality_id("filter.municipality", code)?),
            );
        }
        if let Some(code) = &filter.county {
            let ids: Vec<i32> = match self.reference().county_by_code(code) {
                Some(c) => self
                    .reference()
                    .municipalities()
                    .iter()
                    .filter(|m| m.county_id == c.id)
                    .map(|m| m.id)
                    .collect(),
                None => {
                    return Err(crate::error::ApiError::input(
                        "filter.county",
                        format!("county {code} is not known to this service"),
                    ));
                }
            };
            cond = cond.add(catalogue_entry::Column::MunicipalityId.is_in(ids));
        }
        Ok(cond)
    }

    /// One page of the catalogue, newest first.
    pub async fn published_eservices(
        &self,
        filter: &CatalogueFilter,
        args: &PageArgs,
    ) -> ApiResult<Page<Visible<catalogue_entry::Model>>> {
        let req = args.validate()?;
        let cond = self.catalogue_condition(filter)?;
        let keyset = KeysetOrder {
            key: None,
            id: catalogue_entry::Column::Id,
            ascending: false,
        };
        let rows = keyset
            .apply(self.catalogue().filter(cond), &req)
            .all(self.db())
            .await?;
        Ok(finish(Visible::all(rows), &req))
    }

    /// How many catalogue entries match, over all pages.
    pub async fn count_published(&self, filter: &CatalogueFilter) -> ApiResult<u64> {
        let cond = self.catalogue_condition(filter)?;
        Ok(self.catalogue().filter(cond).count(self.db()).await?)
    }

    /// A listed catalogue entry.
    pub async fn published_eservice(&self, id: i64) -> ApiResult<Option<Visible<catalogue_entry::Model>>> {
        Ok(self
            .catalogue()
            .filter(catalogue_entry::Column::Id.eq(id))
            .one(self.db())
            .await?
            .map(Visible::new))
    }
}
