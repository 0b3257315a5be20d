//! The read side of the audit trail: events of records the caller may see.
use crate::domain::RecordKind;
use entity::{audit_event, audit_event_scope};
use sea_orm::EntityTrait;

use crate::error::{ApiError, ApiResult};

impl AuditFilter {
    /// Refuses filter texts the trail could never hold (control characters, overlong).
    fn checked(&self) -> ApiResult<()> {
        use crate::domain::text::{Shape, parse};
        for (field, v) in [("filter.actor", &self.actor), ("filter.action", &self.action)] {
            if let Some(v) = v {
                parse(v, 200, false, Shape::Line)
                    .map_err(|m| ApiError::input(field, format!("{field} {m}")))?;
            }
        }
        Ok(())
    }
}

/// Filters on the audit trail.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// One record's history: its type and id.
    pub record: Option<(RecordKind, i64)>,
    /// Events by callers of this kommun.
    pub municipality: Option<i32>,
    /// Events by this `sub`.
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

impl crate::service::Scope<'_> {
    /// The events of records the caller may see: the visibility of the project or evaluation
    /// each event belongs to decides, so the committee sees the county's shared records and
    /// never a kommun's PRIVATE ones.
    fn audit_condition(&self, f: &AuditFilter) -> sea_orm::Condition {
        use entity::{project, sourcing_evaluation};
        use sea_orm::{
            ColumnTrait, Condition,
            sea_query::{ExprTrait, Query},
        };
        let visible = |kind: RecordKind, sub: sea_orm::sea_query::SelectStatement| {
            Condition::all()
                .add(audit_event::Column::ScopeType.eq(kind))
                .add(audit_event::Column::ScopeId.in_subquery(sub))
        };
        let named_visible = |kind: RecordKind, sub: sea_orm::sea_query::SelectStatement| {
            Condition::all()
                .add(audit_event_scope::Column::ScopeType.eq(kind))
                .add(audit_event_scope::Column::ScopeId.in_subquery(sub))
        };
        let projects = Query::select()
            .column(project::Column::Id)
            .from(project::Entity)
            .cond_where(crate::service::visibility::projects(self.caller()))
            .to_owned();
        let evaluations = Query::select()
            .column(sourcing_evaluation::Column::Id)
            .from(sourcing_evaluation::Entity)
            .cond_where(crate::service::visibility::sourcing_evaluations(self.caller()))
            .to_owned();
        let instances = Query::select()
            .column(entity::system_instance::Column::Id)
            .from(entity::system_instance::Entity)
            .cond_where(crate::service::visibility::system_instances(self.caller()))
            .to_owned();
        let initiatives = Query::select()
            .column(entity::vendor_initiative::Column::Id)
            .from(entity::vendor_initiative::Entity)
            .cond_where(crate::service::visibility::vendor_initiatives(self.caller()))
            .to_owned();
        let documents = Query::select()
            .column(entity::governing_document::Column::Id)
            .from(entity::governing_document::Entity)
            .cond_where(crate::service::visibility::governing_documents(self.caller()))
            .to_owned();
        let register = crate::service::visibility::own_register(self.caller(), audit_event::Column::ScopeId);
        // An event names further records (an integration's far end): it shows only if the
        // caller may see each of them too.
        let hidden_name = Query::select()
            .expr(sea_orm::sea_query::Expr::val(1))
            .from(audit_event_scope::Entity)
            .and_where(
                sea_orm::sea_query::Expr::col((
                    audit_event_scope::Entity,
                    audit_event_scope::Column::EventId,
                ))
                .equals((audit_event::Entity, audit_event::Column::Id)),
            )
            .cond_where(
                Condition::any()
                    .add(named_visible(RecordKind::EServiceProject, projects.clone()))
                    .add(named_visible(RecordKind::SourcingEvaluation, evaluations.clone()))
                    .add(named_visible(RecordKind::SystemInstance, instances.clone()))
                    .add(named_visible(RecordKind::VendorInitiative, initiatives.clone()))
                    .add(
                        Condition::all()
                            .add(audit_event_scope::Column::ScopeType.eq(RecordKind::Municipality))
                            .add(crate::service::visibility::own_register(
                                self.caller(),
                                audit_event_scope::Column::ScopeId,
                            )),
                    )
                    .add(audit_event_scope::Column::ScopeType.eq(RecordKind::Vendor))
                    .not(),
            )
            .to_owned();
        // Each area's events are visible as its records are; an area missing here shows no
        // events at all, never another kommun's.
        let mut c = Condition::all()
            .add(
                Condition::any()
                    .add(visible(RecordKind::EServiceProject, projects))
                    .add(visible(RecordKind::SourcingEvaluation, evaluations))
                    .add(visible(RecordKind::SystemInstance, instances))
                    .add(visible(RecordKind::VendorInitiative, initiatives))
                    .add(visible(RecordKind::GoverningDocument, documents))
                    .add(
                        Condition::all()
                            .add(audit_event::Column::ScopeType.eq(RecordKind::Municipality))
                            .add(register),
                    )
                    .add(
                        Condition::all()
                            .add(audit_event::Column::ScopeType.eq(RecordKind::County))
                            .add(crate::service::visibility::own_county(
                                self.caller(),
                                audit_event::Column::ScopeId,
                            )),
                    )
                    .add(audit_event::Column::ScopeType.eq(RecordKind::Vendor)),
            )
            .add(sea_orm::sea_query::Expr::exists(hidden_name).not());
        if let Some((kind, id)) = &f.record {
            // A record's history includes the changes of the records that hang off it.
            c = c.add(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(audit_event::Column::RecordType.eq(kind.as_str()))
                            .add(audit_event::Column::RecordId.eq(*id)),
                    )
                    .add(
                        Condition::all()
                            .add(audit_event::Column::ScopeType.eq(kind.as_str()))
                            .add(audit_event::Column::ScopeId.eq(*id)),
                    ),
            );
        }
        if let Some(m) = f.municipality {
            c = c.add(audit_event::Column::ActorMunicipalityId.eq(m));
        }
        if let Some(a) = &f.actor {
            c = c.add(audit_event::Column::ActorSub.eq(a.as_str()));
        }
        if let Some(a) = &f.action {
            c = c.add(audit_event::Column::Action.eq(a.as_str()));
        }
        if let Some(t) = f.from {
            c = c.add(audit_event::Column::OccurredAt.gte(t));
        }
        if let Some(t) = f.to {
            c = c.add(audit_event::Column::OccurredAt.lt(t));
        }
        c
    }

    /// One page of the audit trail, newest first.
    pub async fn audit_events(
        &self,
        f: &AuditFilter,
        args: &crate::service::pagination::PageArgs,
    ) -> ApiResult<crate::service::pagination::Page<audit_event::Model>> {
        use sea_orm::QueryFilter;
        self.reader()?;
        f.checked()?;
        let req = args.validate()?;
        let keyset = crate::service::pagination::KeysetOrder {
            key: None,
            id: audit_event::Column::Id,
            ascending: false,
        };
        let rows = keyset
            .apply(audit_event::Entity::find().filter(self.audit_condition(f)), &req)
            .all(self.db())
            .await?;
        Ok(crate::service::pagination::finish(rows, &req))
    }

    /// Every event of the filter the caller may read, oldest first: a record's whole history,
    /// for an archive package. Only for filters that name one record, whose history is the
    /// size of that record's life, never the trail's.
    pub(in crate::service) async fn history(&self, f: &AuditFilter) -> ApiResult<Vec<audit_event::Model>> {
        use sea_orm::{QueryFilter, QueryOrder};
        self.reader()?;
        debug_assert!(f.record.is_some(), "a history is one record's");
        Ok(audit_event::Entity::find()
            .filter(self.audit_condition(f))
            .order_by_asc(audit_event::Column::Id)
            .all(self.db())
            .await?)
    }

    /// One event, if the caller may read it (the same rule as the trail's pages).
    pub async fn audit_event(&self, id: i64) -> ApiResult<Option<audit_event::Model>> {
        use sea_orm::{ColumnTrait, QueryFilter};
        self.reader()?;
        Ok(audit_event::Entity::find()
            .filter(self.audit_condition(&AuditFilter::default()))
            .filter(audit_event::Column::Id.eq(id))
            .one(self.db())
            .await?)
    }

    /// How many events match.
    pub async fn count_audit_events(&self, f: &AuditFilter) -> ApiResult<u64> {
        use sea_orm::{PaginatorTrait, QueryFilter};
        self.reader()?;
        f.checked()?;
        Ok(audit_event::Entity::find()
            .filter(self.audit_condition(f))
            .count(self.db())
            .await?)
    }
}
