//! The published e-service catalogue: what municipal portals read, with or without a token,
//! and publishing into it.
use crate::domain::RecordKind;
use chrono::Utc;
use entity::{catalogue_entry, project};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
    sea_query::Query,
};
use serde_json::json;

use super::{
    Publishing,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    text,
    visibility::Visible,
};
use crate::{
    domain::authz::Action,
    domain::{Phase, Visibility},
    error::{ApiError, ApiResult},
};

super::audit::audited!(
    catalogue_entry,
    RecordKind::PublishedEService,
    "the catalogue entry",
    |e| json!({
        "projectId": e.project_id, "municipalityId": e.municipality_id, "name": e.name,
        "description": e.description, "url": e.url,
        "accessibilityStatementUrl": e.accessibility_statement_url,
        "accessibilityConformance": e.accessibility_conformance,
    })
);

/// Narrows a catalogue query to entries of PUBLIC projects whose e-service may be live.
///
/// This is the catalogue's whole visibility rule: it holds for every caller, because the
/// catalogue is public by definition and shows nothing else of a project.
fn listed() -> Condition {
    let live: Vec<Phase> = Phase::ALL.iter().copied().filter(|p| p.may_be_live()).collect();
    Condition::all().add(
        catalogue_entry::Column::ProjectId.in_subquery(
            Query::select()
                .column(project::Column::Id)
                .from(project::Entity)
                .and_where(project::Column::Visibility.eq(Visibility::Public))
                .and_where(project::Column::Phase.is_in(live))
                .to_owned(),
        ),
    )
}

/// The most entries a county's DCAT-AP-SE catalogue lists in one document.
pub const COUNTY_CATALOGUE_MAX: u64 = 5_000;

/// Filters on the catalogue.
#[derive(Clone, Debug, Default)]
pub struct CatalogueFilter {
    /// Entries published by this kommun.
    pub municipality: Option<String>,
    /// Entries published by kommuner of this county.
    pub county: Option<String>,
}

impl Publishing<'_, '_> {
    fn catalogue(&self) -> Select<catalogue_entry::Entity> {
        catalogue_entry::Entity::find().filter(listed())
    }

    fn catalogue_condition(&self, filter: &CatalogueFilter) -> ApiResult<Condition> {
        let mut cond = Condition::all();
        if let Some(code) = &filter.municipality {
            cond = cond.add(
                catalogue_entry::Column::MunicipalityId
                    .eq(self.projects().municipality_id("filter.municipality", code)?),
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

    /// Everything a kommun has published that the catalogue lists, with the target group of
    /// each e-service, by name: for the linked-data documents a kommun embeds in its pages.
    /// Bounded: a kommun publishes tens of e-services, never thousands.
    pub async fn kommun_catalogue(
        &self,
        code: &str,
    ) -> ApiResult<(
        std::sync::Arc<entity::municipality::Model>,
        Vec<(catalogue_entry::Model, crate::domain::TargetGroup)>,
    )> {
        const MAX: u64 = 2_000;
        let kommun = crate::domain::Kommunkod::parse(code).map_err(|m| ApiError::input("kommun", m))?;
        let m = self
            .reference()
            .municipality_by_code(kommun.as_str())
            .cloned()
            .ok_or_else(|| ApiError::NotFound(format!("no kommun {code}")))?;
        let entries = self
            .catalogue()
            .filter(catalogue_entry::Column::MunicipalityId.eq(m.id))
            .order_by_asc(catalogue_entry::Column::Name)
            .order_by_asc(catalogue_entry::Column::Id)
            .limit(MAX)
            .all(self.db())
            .await?;
        let groups: std::collections::HashMap<i64, crate::domain::TargetGroup> = project::Entity::find()
            .filter(project::Column::Id.is_in(entries.iter().map(|e| e.project_id)))
            .all(self.db())
            .await?
            .into_iter()
            .map(|p| (p.id, p.target_group))
            .collect();
        let rows = entries
            .into_iter()
            .filter_map(|e| groups.get(&e.project_id).map(|g| (*g, e)))
            .map(|(g, e)| (e, g))
            .collect();
        Ok((m, rows))
    }

    /// Everything the catalogue lists for a county's kommuner, by kommun and name, for the
    /// DCAT-AP-SE catalogue the national data portal harvests. Bounded by [`COUNTY_CATALOGUE_MAX`]
    /// (a county's kommuner publish tens of e-services each); the document says when it is cut.
    pub async fn county_catalogue(
        &self,
        county_code: &str,
    ) -> ApiResult<(entity::county::Model, Vec<catalogue_entry::Model>)> {
        let county = self.known_county(county_code)?;
        let kommuner: Vec<i32> = self
            .reference()
            .municipalities()
            .iter()
            .filter(|m| m.county_id == county.id)
            .map(|m| m.id)
            .collect();
        let entries = self
            .catalogue()
            .filter(catalogue_entry::Column::MunicipalityId.is_in(kommuner))
            .order_by_asc(catalogue_entry::Column::MunicipalityId)
            .order_by_asc(catalogue_entry::Column::Name)
            .order_by_asc(catalogue_entry::Column::Id)
            .limit(COUNTY_CATALOGUE_MAX)
            .all(self.db())
            .await?;
        Ok((county, entries))
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

    /// How many matching entries have no accessibility statement: what the county's
    /// coordinator chases before the supervisory authority (DIGG) does.
    pub async fn count_without_statement(&self, filter: &CatalogueFilter) -> ApiResult<u64> {
        let cond = self.catalogue_condition(filter)?;
        Ok(self
            .catalogue()
            .filter(cond)
            .filter(catalogue_entry::Column::AccessibilityStatementUrl.is_null())
            .count(self.db())
            .await?)
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

/// A catalogue entry as the publishing kommun describes it.
#[derive(Clone, Debug)]
pub struct NewCatalogueEntry {
    pub name: String,
    pub description: String,
    pub url: String,
}

impl Publishing<'_, '_> {
    /// Publishes (or republishes) a live e-service in the catalogue for the caller's kommun.
    pub async fn publish(
        &self,
        project_id: i64,
        entry: NewCatalogueEntry,
    ) -> ApiResult<Visible<catalogue_entry::Model>> {
        let mut tx = self.write("publishEService").await?;
        let me = tx.principal();
        let (p, grant) = self
            .changeable::<project::Model>(&tx, project_id, Action::ActAsMember)
            .await?
            .into_parts();
        if !p.phase.may_be_live() {
            return Err(ApiError::input(
                "projectId",
                format!(
                    "a project in {} has no live e-service yet (EXECUTION or later)",
                    p.phase
                ),
            ));
        }
        if p.visibility != Visibility::Public {
            return Err(ApiError::input(
                "projectId",
                "only PUBLIC projects are listed in the catalogue; the lead kommun sets visibility",
            ));
        }
        let name = text("name", &entry.name, 200, true)?;
        let description = text("description", &entry.description, 4000, false)?;
        let url = text("url", &entry.url, 2000, true)?;
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
            return Err(ApiError::input("url", "must be an http(s) address"));
        }
        let now = Utc::now();
        let existing = catalogue_entry::Entity::find()
            .filter(catalogue_entry::Column::ProjectId.eq(project_id))
            .filter(catalogue_entry::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        let saved = match existing {
            Some(e) => {
                let mut after = e.clone();
                after.name = name;
                after.description = description;
                after.url = url;
                after.updated_at = now;
                tx.update(&grant, &e, after).await?
            }
            None => {
                let row = catalogue_entry::ActiveModel {
                    project_id: Set(project_id),
                    municipality_id: Set(me.municipality_id),
                    name: Set(name),
                    description: Set(description),
                    url: Set(url),
                    accessibility_statement_url: Set(None),
                    accessibility_conformance: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                tx.insert(&grant, row).await?
            }
        };
        tx.commit().await?;
        Ok(Visible::new(saved))
    }
}

impl Publishing<'_, '_> {
    /// Records where an entry's accessibility statement is published and what it declares
    /// (the publishing kommun's editors, while the entry is listed).
    pub async fn set_accessibility_statement(
        &self,
        entry_id: i64,
        url: &str,
        conformance: crate::domain::catalogue::AccessibilityConformance,
    ) -> ApiResult<Visible<catalogue_entry::Model>> {
        let mut tx = self.write("setAccessibilityStatement").await?;
        let me = tx.principal();
        let entry = catalogue_entry::Entity::find()
            .filter(listed())
            .filter(catalogue_entry::Column::Id.eq(entry_id))
            .one(tx.conn())
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no published e-service {entry_id}")))?;
        let (_, grant) = self
            .changeable::<project::Model>(&tx, entry.project_id, Action::ActAsMember)
            .await?
            .into_parts();
        if entry.municipality_id != me.municipality_id {
            return Err(ApiError::Forbidden(
                "only the kommun that published the entry sets its accessibility statement".into(),
            ));
        }
        let url = text("url", url, 2000, true)?;
        if !url.starts_with("https://") || url.contains(char::is_whitespace) {
            return Err(ApiError::input("url", "must be an https address"));
        }
        let mut after = entry.clone();
        after.accessibility_statement_url = Some(url);
        after.accessibility_conformance = Some(conformance);
        after.updated_at = Utc::now();
        let saved = tx.update(&grant, &entry, after).await?;
        tx.commit().await?;
        Ok(Visible::new(saved))
    }
}
