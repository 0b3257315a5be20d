//! What a benefit keeps for the committee report's benefits per kommun (migration 000025):
//! its project's county, owner and visibility, so that the visibility rule applies to the
//! benefit without a join to the projects, and its owner's latest follow-up, so that
//! measuring it needs no probe of its follow-ups when the report's period ends on or after
//! that follow-up.
//!
//! Derived, never recorded: [`refresh`] rewrites them from the project and the follow-ups,
//! called by `WriteTx::commit` for every benefit or follow-up a mutation wrote and every
//! project whose visibility it changed (a project's county and owner never change).
use chrono::NaiveDate;
use entity::{benefit, benefit_follow_up, project};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Order, Query, SelectStatement, SimpleExpr, SubQueryStatement},
};

use crate::error::ApiResult;

/// Ids per statement, well under both databases' limits on bound values.
const CHUNK: usize = 500;

/// `column` of the benefit's owner's latest follow-up (by date, then by id), of those
/// measured by `to` if given: a subquery correlated with the outer `benefit` row, read
/// through `ix_benefit_follow_up_latest`.
pub(in crate::service) fn latest_follow_up(
    column: benefit_follow_up::Column,
    to: Option<NaiveDate>,
) -> SelectStatement {
    let mut q = Query::select();
    q.column((benefit_follow_up::Entity, column))
        .from(benefit_follow_up::Entity)
        .and_where(
            Expr::col((benefit_follow_up::Entity, benefit_follow_up::Column::BenefitId))
                .equals((benefit::Entity, benefit::Column::Id)),
        )
        .and_where(
            Expr::col((
                benefit_follow_up::Entity,
                benefit_follow_up::Column::MunicipalityId,
            ))
            .equals((benefit::Entity, benefit::Column::OwnerId)),
        );
    if let Some(to) = to {
        q.and_where(Expr::col((benefit_follow_up::Entity, benefit_follow_up::Column::MeasuredOn)).lte(to));
    }
    q.order_by(
        (benefit_follow_up::Entity, benefit_follow_up::Column::MeasuredOn),
        Order::Desc,
    )
    .order_by(
        (benefit_follow_up::Entity, benefit_follow_up::Column::Id),
        Order::Desc,
    )
    .limit(1)
    .to_owned()
}

/// `q` as a value of the outer statement.
pub(in crate::service) fn sub(q: SelectStatement) -> SimpleExpr {
    SimpleExpr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(q)))
}

/// `column` of the benefit's project.
fn of_project(column: project::Column) -> SimpleExpr {
    sub(Query::select()
        .column((project::Entity, column))
        .from(project::Entity)
        .and_where(
            Expr::col((project::Entity, project::Column::Id))
                .equals((benefit::Entity, benefit::Column::ProjectId)),
        )
        .to_owned())
}

/// Which benefits of a chunk of ids a statement rewrites.
type Which = fn(&[i64]) -> SimpleExpr;

/// Rewrites the kept columns of `benefits`, of the benefits of `follow_ups` and of the
/// benefits of `projects` from their projects and follow-ups as they stand in `conn`.
pub(in crate::service) async fn refresh(
    conn: &impl ConnectionTrait,
    benefits: &[i64],
    follow_ups: &[i64],
    projects: &[i64],
) -> ApiResult<()> {
    let parts: [(&[i64], Which); 3] = [
        (benefits, |ids| benefit::Column::Id.is_in(ids.iter().copied())),
        (follow_ups, |ids| {
            benefit::Column::Id.in_subquery(
                Query::select()
                    .column(benefit_follow_up::Column::BenefitId)
                    .from(benefit_follow_up::Entity)
                    .and_where(benefit_follow_up::Column::Id.is_in(ids.iter().copied()))
                    .to_owned(),
            )
        }),
        (projects, |ids| {
            benefit::Column::ProjectId.is_in(ids.iter().copied())
        }),
    ];
    for (ids, which) in parts {
        for ids in ids.chunks(CHUNK) {
            benefit::Entity::update_many()
                .col_expr(benefit::Column::CountyId, of_project(project::Column::CountyId))
                .col_expr(
                    benefit::Column::ProjectOwnerId,
                    of_project(project::Column::OwnerId),
                )
                .col_expr(
                    benefit::Column::ProjectVisibility,
                    of_project(project::Column::Visibility),
                )
                .col_expr(
                    benefit::Column::LatestE4,
                    sub(latest_follow_up(benefit_follow_up::Column::ValueE4, None)),
                )
                .col_expr(
                    benefit::Column::LatestOn,
                    sub(latest_follow_up(benefit_follow_up::Column::MeasuredOn, None)),
                )
                .filter(Condition::all().add(which(ids)))
                .exec(conn)
                .await?;
        }
    }
    Ok(())
}
