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
        use crate::service::visibility::{self, probe};
        use entity::{governing_document, project, sourcing_evaluation, system_instance, vendor_initiative};
        use sea_orm::{
            ColumnTrait, Condition,
            sea_query::{Expr, ExprTrait, IntoColumnRef, IntoIden, Query},
        };
        // Each named record is looked up by its id among the records the caller may see: a
        // probe per event, so a page walks the trail newest first and stops at its size. A
        // list of every visible record (`IN (SELECT …)`) would be read whole first, which
        // grows with the county (80–110 ms for a kommun at 20,000 projects).
        let caller = self.caller();
        let probes = |scope: sea_orm::sea_query::ColumnRef| {
            let by_id =
                |table: sea_orm::sea_query::DynIden, id: sea_orm::sea_query::ColumnRef, rule: Condition| {
                    Expr::exists(probe(
                        Query::select()
                            .expr(Expr::val(1))
                            .from(table)
                            .and_where(Expr::col(id).equals(scope.clone()))
                            .cond_where(rule)
                            .to_owned(),
                    ))
                };
            macro_rules! kind {
                ($kind:ident, $table:ident, $rule:ident) => {
                    (
                        RecordKind::$kind,
                        by_id(
                            $table::Entity.into_iden(),
                            ($table::Entity, $table::Column::Id).into_column_ref(),
                            visibility::$rule(caller),
                        ),
                    )
                };
            }
            [
                kind!(EServiceProject, project, projects),
                kind!(SourcingEvaluation, sourcing_evaluation, sourcing_evaluations),
                kind!(SystemInstance, system_instance, system_instances),
                kind!(VendorInitiative, vendor_initiative, vendor_initiatives),
                kind!(GoverningDocument, governing_document, governing_documents),
            ]
        };
        let of_kind = |kind_col: Condition, probe| Condition::all().add(kind_col).add(probe);
        // An event names further records (an integration's far end): it shows only if the
        // caller may see each of them too.
        let mut named_visible = Condition::any();
        for (kind, probe) in
            probes((audit_event_scope::Entity, audit_event_scope::Column::ScopeId).into_column_ref())
        {
            // The kinds an event may name beside its own record; a name of any other kind
            // hides the event.
            if kind != RecordKind::GoverningDocument {
                named_visible = named_visible.add(of_kind(
                    Condition::all().add(audit_event_scope::Column::ScopeType.eq(kind)),
                    probe,
                ));
            }
        }
        let hidden_name = Query::select()
            .expr(Expr::val(1))
            .from(audit_event_scope::Entity)
            .and_where(
                Expr::col((audit_event_scope::Entity, audit_event_scope::Column::EventId))
                    .equals((audit_event::Entity, audit_event::Column::Id)),
            )
            .cond_where(
                named_visible
                    .add(
                        Condition::all()
                            .add(audit_event_scope::Column::ScopeType.eq(RecordKind::Municipality))
                            .add(visibility::own_register(
                                caller,
                                audit_event_scope::Column::ScopeId,
                            )),
                    )
                    .add(audit_event_scope::Column::ScopeType.eq(RecordKind::Vendor))
                    .not(),
            )
            .to_owned();
        // Each area's events are visible as its records are; an area missing here shows no
        // events at all, never another kommun's.
        let mut own_visible = Condition::any();
        for (kind, probe) in probes((audit_event::Entity, audit_event::Column::ScopeId).into_column_ref()) {
            own_visible = own_visible.add(of_kind(
                Condition::all().add(audit_event::Column::ScopeType.eq(kind)),
                probe,
            ));
        }
        let mut c = Condition::all()
            .add(
                own_visible
                    .add(
                        Condition::all()
                            .add(audit_event::Column::ScopeType.eq(RecordKind::Municipality))
                            .add(visibility::own_register(caller, audit_event::Column::ScopeId)),
                    )
                    .add(
                        Condition::all()
                            .add(audit_event::Column::ScopeType.eq(RecordKind::County))
                            .add(visibility::own_county(caller, audit_event::Column::ScopeId)),
                    )
                    .add(audit_event::Column::ScopeType.eq(RecordKind::Vendor)),
            )
            .add(Expr::exists(hidden_name).not());
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
