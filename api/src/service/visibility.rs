//! The visibility rule (DOMAIN.md, "Visibility"), in one place.
//!
//! [`projects`] narrows any project query to what a caller may see. Records that hang off a
//! project (participations, decisions, status reports) are only ever reached through a
//! project that passed this filter.
use entity::{participation, project};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Expr, Query},
};

use crate::{
    auth::{Caller, Principal},
    domain::{ParticipationState, Visibility},
};

/// A condition that matches nothing.
fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// The projects `caller` may read.
pub fn projects(caller: &Caller) -> Condition {
    match caller.principal() {
        None => nothing(),
        Some(p) if p.reads_as_kommun() => kommun_view(p),
        Some(p) if p.is_namnd() => county_view(p),
        Some(_) => nothing(),
    }
}

/// COUNTY and PUBLIC records of the caller's county: what the joint committee reads.
fn county_view(p: &Principal) -> Condition {
    Condition::all()
        .add(project::Column::CountyId.eq(p.county_id))
        .add(project::Column::Visibility.is_in([Visibility::County.as_str(), Visibility::Public.as_str()]))
}

/// A kommun reads its own projects, the county's shared ones, and PARTICIPANTS projects it
/// has been invited to or takes part in.
fn kommun_view(p: &Principal) -> Condition {
    let taking_part = Query::select()
        .column(participation::Column::ProjectId)
        .from(participation::Entity)
        .and_where(participation::Column::MunicipalityId.eq(p.municipality_id))
        .and_where(participation::Column::State.is_in([
            ParticipationState::Invited.as_str(),
            ParticipationState::Accepted.as_str(),
        ]))
        .to_owned();
    Condition::any()
        .add(project::Column::OwnerId.eq(p.municipality_id))
        .add(county_view(p))
        .add(
            Condition::all()
                .add(project::Column::Visibility.eq(Visibility::Participants.as_str()))
                .add(project::Column::Id.in_subquery(taking_part)),
        )
}
