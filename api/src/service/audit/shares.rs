//! The kept cost splits (`project_share`, migration 000022): each paying kommun's share of
//! each project, with what the visibility rule and the report read of the project copied
//! beside it, so that a county's sums per kommun are one grouped read instead of a split
//! computed for every project at every report.
//!
//! The rows are derived, never recorded: [`reprice`] rewrites a project's rows from the
//! project, its participations and the reference data, and is called by `WriteTx::commit`
//! for every project a mutation touched, after the generation row is locked; [`fill`] prices
//! a whole county (once, for a database that existed before the table) or only its
//! projects whose split followed a population year that is no longer the county's current
//! one (after new figures were imported). Each of its chunks is a transaction that takes
//! the same lock first, so a chunk and a mutation of the same project never interleave.
//!
//! Readers trust a county's rows only once [`fill`] has completed it (`derived_state`), and
//! never a row whose `floating_year` is not the county's current year as they know it:
//! those projects they split themselves, so a replica whose reference data is behind or
//! ahead of the rows' still answers from its own figures.
use std::collections::HashMap;

use entity::{
    derived_state, project, project_share, project_share_sum, project_share_taking_sum, project_taker,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};

use crate::{
    domain::{CostKey, Phase, Visibility, cost_sharing::BasisPoints},
    error::ApiResult,
    service::{
        Reference,
        audit::store::Reads,
        projects::{CostBasis, basis_year, members_of, paying, shares, takers},
    },
};

/// `floating_year` of the one row of a project whose split could not be computed: readers
/// split it themselves and meet the same error a split on the spot meets.
const UNPRICED: i32 = -1;

/// Projects priced per statement: a chunk's rows stay well under both databases' limits on
/// bound values (2,000 rows of 8 columns).
const CHUNK: usize = 500;

/// Rows inserted per statement.
const INSERT_ROWS: usize = 2_000;

/// The name under which a county's kept shares are recorded complete.
fn state_name(county_id: i32) -> String {
    format!("project_share:{county_id}")
}

/// The columns of a project its split and its rows depend on.
type ProjectRow = (
    i64,
    Phase,
    i32,
    Visibility,
    i32,
    i64,
    CostKey,
    BasisPoints,
    Option<i32>,
);

/// What a kept sum (`project_share_sum`) is keyed by: county, owner, visibility, kommun,
/// committed, population year (0 for none).
type SumKey = (i32, i32, Visibility, i32, bool, i32);

/// A sum's amount in öre and its number of share rows.
type Sum = (i64, i64);

/// What a kept sum per kommun taking part (`project_share_taking_sum`) is keyed by: county,
/// the kommun taking part, the kommun paying, committed, population year (0 for none).
type TakingKey = (i32, i32, i32, bool, i32);

/// The kept taking sums' key columns, in [`TakingKey`]'s order.
const TAKING_KEY: [project_share_taking_sum::Column; 5] = [
    project_share_taking_sum::Column::CountyId,
    project_share_taking_sum::Column::TakerId,
    project_share_taking_sum::Column::MunicipalityId,
    project_share_taking_sum::Column::Committed,
    project_share_taking_sum::Column::FloatingYear,
];

/// The kept sums' key columns, in [`SumKey`]'s order.
const KEY: [project_share_sum::Column; 6] = [
    project_share_sum::Column::CountyId,
    project_share_sum::Column::OwnerId,
    project_share_sum::Column::Visibility,
    project_share_sum::Column::MunicipalityId,
    project_share_sum::Column::Committed,
    project_share_sum::Column::FloatingYear,
];

/// `project_share_sum.floating_year` of share rows whose `floating_year` is NULL.
const NO_YEAR: i32 = 0;

/// The key of a share row's sum.
fn sum_key(r: &project_share::ActiveModel) -> SumKey {
    (
        r.county_id.clone().unwrap(),
        r.owner_id.clone().unwrap(),
        r.visibility.clone().unwrap(),
        r.municipality_id.clone().unwrap(),
        r.committed.clone().unwrap(),
        r.floating_year.clone().unwrap().unwrap_or(NO_YEAR),
    )
}

/// The share rows summed per key, as [`sum_key`] keys them, in the kept sums' column order.
fn summed() -> sea_orm::Select<project_share::Entity> {
    let year = || Expr::cust(format!("COALESCE(floating_year, {NO_YEAR})"));
    project_share::Entity::find()
        .select_only()
        .columns([
            project_share::Column::CountyId,
            project_share::Column::OwnerId,
            project_share::Column::Visibility,
            project_share::Column::MunicipalityId,
            project_share::Column::Committed,
        ])
        .column_as(year(), "floating_year")
        // PostgreSQL sums BIGINT as NUMERIC.
        .column_as(Expr::cust("CAST(SUM(amount_ore) AS BIGINT)"), "amount_ore")
        .column_as(project_share::Column::ProjectId.count(), "projects")
        .group_by(project_share::Column::CountyId)
        .group_by(project_share::Column::OwnerId)
        .group_by(project_share::Column::Visibility)
        .group_by(project_share::Column::MunicipalityId)
        .group_by(project_share::Column::Committed)
        .group_by(year())
}

/// Adds `delta` to the kept sums and drops the keys it leaves without rows.
async fn add_to_sums(conn: &impl ConnectionTrait, delta: HashMap<SumKey, Sum>) -> ApiResult<()> {
    let delta: Vec<(SumKey, Sum)> = delta.into_iter().filter(|(_, d)| *d != (0, 0)).collect();
    if delta.is_empty() {
        return Ok(());
    }
    let mut counties: Vec<i32> = delta.iter().map(|((c, ..), _)| *c).collect();
    counties.sort_unstable();
    counties.dedup();
    let added = |c: project_share_sum::Column| {
        Expr::col((project_share_sum::Entity, c))
            .add(Expr::col((sea_orm::sea_query::Alias::new("excluded"), c)))
    };
    for batch in delta.chunks(INSERT_ROWS) {
        project_share_sum::Entity::insert_many(batch.iter().map(
            |&((county_id, owner_id, visibility, municipality_id, committed, floating_year), (amount, n))| {
                project_share_sum::ActiveModel {
                    county_id: Set(county_id),
                    owner_id: Set(owner_id),
                    visibility: Set(visibility),
                    municipality_id: Set(municipality_id),
                    committed: Set(committed),
                    floating_year: Set(floating_year),
                    amount_ore: Set(amount),
                    projects: Set(n),
                }
            },
        ))
        .on_conflict(
            OnConflict::columns(KEY)
                .value(
                    project_share_sum::Column::AmountOre,
                    added(project_share_sum::Column::AmountOre),
                )
                .value(
                    project_share_sum::Column::Projects,
                    added(project_share_sum::Column::Projects),
                )
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    project_share_sum::Entity::delete_many()
        .filter(project_share_sum::Column::CountyId.is_in(counties))
        .filter(project_share_sum::Column::Projects.eq(0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Adds `delta` to the kept sums per kommun taking part and drops the keys it leaves
/// without rows.
async fn add_to_taking_sums(conn: &impl ConnectionTrait, delta: HashMap<TakingKey, Sum>) -> ApiResult<()> {
    let delta: Vec<(TakingKey, Sum)> = delta.into_iter().filter(|(_, d)| *d != (0, 0)).collect();
    if delta.is_empty() {
        return Ok(());
    }
    let mut counties: Vec<i32> = delta.iter().map(|((c, ..), _)| *c).collect();
    counties.sort_unstable();
    counties.dedup();
    let added = |c: project_share_taking_sum::Column| {
        Expr::col((project_share_taking_sum::Entity, c))
            .add(Expr::col((sea_orm::sea_query::Alias::new("excluded"), c)))
    };
    for batch in delta.chunks(INSERT_ROWS) {
        project_share_taking_sum::Entity::insert_many(batch.iter().map(
            |&((county_id, taker_id, municipality_id, committed, floating_year), (amount, n))| {
                project_share_taking_sum::ActiveModel {
                    county_id: Set(county_id),
                    taker_id: Set(taker_id),
                    municipality_id: Set(municipality_id),
                    committed: Set(committed),
                    floating_year: Set(floating_year),
                    amount_ore: Set(amount),
                    projects: Set(n),
                }
            },
        ))
        .on_conflict(
            OnConflict::columns(TAKING_KEY)
                .value(
                    project_share_taking_sum::Column::AmountOre,
                    added(project_share_taking_sum::Column::AmountOre),
                )
                .value(
                    project_share_taking_sum::Column::Projects,
                    added(project_share_taking_sum::Column::Projects),
                )
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    project_share_taking_sum::Entity::delete_many()
        .filter(project_share_taking_sum::Column::CountyId.is_in(counties))
        .filter(project_share_taking_sum::Column::Projects.eq(0))
        .exec(conn)
        .await?;
    Ok(())
}

/// What the kept sums hold of projects `ids` as their rows and takers stand: minus each row
/// under its sum's key and, once per kept taker of its project, under its taking sum's key;
/// and the kept takers, by project and kommun. One read of the rows and one of the takers.
async fn kept_of(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> ApiResult<(HashMap<SumKey, Sum>, HashMap<TakingKey, Sum>, Vec<(i64, i32)>)> {
    let mut taken: Vec<(i64, i32)> = project_taker::Entity::find()
        .select_only()
        .columns([
            project_taker::Column::ProjectId,
            project_taker::Column::MunicipalityId,
        ])
        .filter(project_taker::Column::ProjectId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    taken.sort_unstable();
    type Row = (i64, i32, i32, Visibility, i32, bool, Option<i32>, i64);
    let rows: Vec<Row> = project_share::Entity::find()
        .select_only()
        .columns([
            project_share::Column::ProjectId,
            project_share::Column::CountyId,
            project_share::Column::OwnerId,
            project_share::Column::Visibility,
            project_share::Column::MunicipalityId,
            project_share::Column::Committed,
            project_share::Column::FloatingYear,
            project_share::Column::AmountOre,
        ])
        .filter(project_share::Column::ProjectId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut sums: HashMap<SumKey, Sum> = HashMap::new();
    let mut taking: HashMap<TakingKey, Sum> = HashMap::new();
    for (project_id, county_id, owner_id, visibility, municipality_id, committed, year, amount) in rows {
        let year = year.unwrap_or(NO_YEAR);
        let d = sums
            .entry((county_id, owner_id, visibility, municipality_id, committed, year))
            .or_default();
        d.0 -= amount;
        d.1 -= 1;
        let start = taken.partition_point(|&(p, _)| p < project_id);
        for &(_, taker) in taken[start..].iter().take_while(|&&(p, _)| p == project_id) {
            let d = taking
                .entry((county_id, taker, municipality_id, committed, year))
                .or_default();
            d.0 -= amount;
            d.1 -= 1;
        }
    }
    Ok((sums, taking, taken))
}

/// Sets county `county_id`'s kept sums to the sums of its share rows as they stand.
async fn resum(conn: &impl ConnectionTrait, county_id: i32) -> ApiResult<()> {
    project_share_sum::Entity::delete_many()
        .filter(project_share_sum::Column::CountyId.eq(county_id))
        .exec(conn)
        .await?;
    let grouped = summed()
        .filter(project_share::Column::CountyId.eq(county_id))
        .into_query();
    let insert = Query::insert()
        .into_table(project_share_sum::Entity)
        .columns(KEY.into_iter().chain([
            project_share_sum::Column::AmountOre,
            project_share_sum::Column::Projects,
        ]))
        .select_from(grouped)
        .map_err(|e| crate::error::ApiError::Internal(anyhow::anyhow!("the kept sums' refill: {e}")))?
        .to_owned();
    conn.execute(&insert).await?;
    project_share_taking_sum::Entity::delete_many()
        .filter(project_share_taking_sum::Column::CountyId.eq(county_id))
        .exec(conn)
        .await?;
    // An integer, formatted: the statement is the same on both databases.
    conn.execute_unprepared(&format!(
        "INSERT INTO project_share_taking_sum (county_id, taker_id, municipality_id, committed, \
         floating_year, amount_ore, projects) \
         SELECT s.county_id, t.municipality_id, s.municipality_id, s.committed, \
         COALESCE(s.floating_year, {NO_YEAR}), CAST(SUM(s.amount_ore) AS BIGINT), COUNT(*) \
         FROM project_share s JOIN project_taker t ON t.project_id = s.project_id \
         WHERE s.county_id = {county_id} \
         GROUP BY s.county_id, t.municipality_id, s.municipality_id, s.committed, \
         COALESCE(s.floating_year, {NO_YEAR})"
    ))
    .await?;
    Ok(())
}

/// Rewrites the kept shares of projects `ids` as they stand in `conn` (a transaction that
/// holds the generation row), split under reference data `r`, and moves the kept sums by the
/// difference.
pub(in crate::service) async fn reprice(
    conn: &impl ConnectionTrait,
    r: &Reference,
    ids: &[i64],
) -> ApiResult<()> {
    for ids in ids.chunks(CHUNK) {
        let projects: Vec<ProjectRow> = project::Entity::find()
            .select_only()
            .columns([
                project::Column::Id,
                project::Column::Phase,
                project::Column::OwnerId,
                project::Column::Visibility,
                project::Column::CountyId,
                project::Column::BudgetOre,
                project::Column::CostKey,
                project::Column::MixedEqualBp,
                project::Column::PopulationYear,
            ])
            .filter(project::Column::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        let parts = members_of(conn, ids).await?;
        let (mut delta, mut taking, was_taken) = kept_of(conn, ids).await?;
        project_share::Entity::delete_many()
            .filter(project_share::Column::ProjectId.is_in(ids.iter().copied()))
            .exec(conn)
            .await?;
        let mut rows = Vec::new();
        let mut taken = Vec::new();
        for (id, phase, owner_id, visibility, county_id, budget_ore, cost_key, mixed_equal_bp, pinned_year) in
            projects
        {
            if phase == Phase::Cancelled {
                continue;
            }
            let basis = CostBasis {
                county_id,
                budget_ore,
                cost_key,
                mixed_equal_bp,
                pinned_year,
            };
            let row = |municipality_id: i32, amount_ore: i64, floating_year: Option<i32>| {
                project_share::ActiveModel {
                    project_id: Set(id),
                    municipality_id: Set(municipality_id),
                    amount_ore: Set(amount_ore),
                    committed: Set(phase >= Phase::Execution),
                    county_id: Set(county_id),
                    owner_id: Set(owner_id),
                    visibility: Set(visibility),
                    floating_year: Set(floating_year),
                }
            };
            let project_takers = takers(&parts, id, owner_id, visibility);
            let first_row = rows.len();
            let paying = paying(&parts, id);
            // A county this replica does not serve has no kommuner in its reference data.
            let split = if r.county(county_id).is_some() {
                shares(r, &basis, paying).ok()
            } else {
                None
            };
            match split {
                Some(split) => {
                    let floating = match (cost_key.uses_population(), pinned_year) {
                        (true, None) => Some(basis_year(r, &basis).unwrap_or(UNPRICED)),
                        _ => None,
                    };
                    rows.extend(
                        split
                            .into_iter()
                            .map(|s| row(s.municipality_id, s.amount.ore(), floating)),
                    );
                }
                None => rows.push(row(0, 0, Some(UNPRICED))),
            }
            for &taker in &project_takers {
                for r in &rows[first_row..] {
                    let key = (
                        county_id,
                        taker,
                        r.municipality_id.clone().unwrap(),
                        r.committed.clone().unwrap(),
                        r.floating_year.clone().unwrap().unwrap_or(NO_YEAR),
                    );
                    let d = taking.entry(key).or_default();
                    d.0 += r.amount_ore.clone().unwrap();
                    d.1 += 1;
                }
                taken.push((id, taker));
            }
        }
        for r in &rows {
            let d = delta.entry(sum_key(r)).or_default();
            d.0 += r.amount_ore.clone().unwrap();
            d.1 += 1;
        }
        for batch in rows.chunks(INSERT_ROWS) {
            project_share::Entity::insert_many(batch.iter().cloned())
                .exec_without_returning(conn)
                .await?;
        }
        // Most writes leave who takes part as it was (a title, a phase).
        taken.sort_unstable();
        if taken != was_taken {
            project_taker::Entity::delete_many()
                .filter(project_taker::Column::ProjectId.is_in(ids.iter().copied()))
                .exec(conn)
                .await?;
            for batch in taken.chunks(INSERT_ROWS) {
                project_taker::Entity::insert_many(batch.iter().map(|&(project_id, municipality_id)| {
                    project_taker::ActiveModel {
                        project_id: Set(project_id),
                        municipality_id: Set(municipality_id),
                    }
                }))
                .exec_without_returning(conn)
                .await?;
            }
        }
        add_to_sums(conn, delta).await?;
        add_to_taking_sums(conn, taking).await?;
    }
    Ok(())
}

/// Whether county `county_id`'s kept shares cover every project.
pub(in crate::service) async fn complete(db: &impl ConnectionTrait, county_id: i32) -> ApiResult<bool> {
    Ok(derived_state::Entity::find_by_id(state_name(county_id))
        .one(db)
        .await?
        .is_some_and(|s| s.complete))
}

/// The kept share rows a reader whose county's current population year is `current` may not
/// trust: those of a split that followed another year, or could not be computed
/// ([`UNPRICED`]). Its negation is exactly the rows it may trust (a NULL `floating_year`, a
/// split that follows no current year, is never stale).
pub(in crate::service) fn stale(current: Option<i32>) -> Condition {
    stale_where(
        project_share::Column::FloatingYear,
        project_share::Column::FloatingYear.is_not_null(),
        current,
    )
}

/// [`stale`] for the kept sums, whose `floating_year` is [`NO_YEAR`] where the rows' is NULL.
pub(in crate::service) fn stale_sums(current: Option<i32>) -> Condition {
    stale_where(
        project_share_sum::Column::FloatingYear,
        project_share_sum::Column::FloatingYear.ne(NO_YEAR),
        current,
    )
}

/// [`stale`] for the kept sums per kommun taking part.
pub(in crate::service) fn stale_taking_sums(current: Option<i32>) -> Condition {
    stale_where(
        project_share_taking_sum::Column::FloatingYear,
        project_share_taking_sum::Column::FloatingYear.ne(NO_YEAR),
        current,
    )
}

/// The staleness rule on a table whose population year is `year` and where `follows` holds
/// for a split that follows a year: it followed another year than `current`.
fn stale_where<C: ColumnTrait>(year: C, follows: Expr, current: Option<i32>) -> Condition {
    let floating = Condition::all().add(follows);
    match current {
        Some(current) => floating.add(year.ne(current)),
        None => floating,
    }
}

/// Whether county `county_id` has kept share rows a reader whose current population year is
/// `current` may not trust ([`stale`]), read from the kept sums (a county has a few hundred).
pub(in crate::service) async fn any_stale(
    db: &impl ConnectionTrait,
    county_id: i32,
    current: Option<i32>,
) -> ApiResult<bool> {
    Ok(project_share_sum::Entity::find()
        .filter(project_share_sum::Column::CountyId.eq(county_id))
        .filter(stale_sums(current))
        .one(db)
        .await?
        .is_some())
}

/// What [`fill`] prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Every project of the county, then records the county complete.
    All,
    /// Only projects whose rows followed another population year than the county's current
    /// one, or could not be priced.
    Stale,
}

/// Prices county `county_id`'s projects (`what`) in chunks of [`CHUNK`], each its own
/// transaction holding the generation row; returns how many projects it priced.
pub(in crate::service) async fn fill(
    db: &Reads<DatabaseConnection>,
    r: &Reference,
    county_id: i32,
    what: Fill,
) -> ApiResult<u64> {
    let db = db.writable();
    let current = r.current_year(county_id);
    if what == Fill::Stale && !any_stale(db, county_id, current).await? {
        // Every start and reference reload asks; the share rows would take a scan.
        return Ok(0);
    }
    if what == Fill::All {
        // The sums are moved by differences from here on, so they start from the rows.
        let tx = super::write_tx::derived(db).await?;
        resum(&tx, county_id).await?;
        tx.commit().await?;
    }
    let mut after = 0i64;
    let mut priced = 0u64;
    loop {
        let ids: Vec<i64> = match what {
            Fill::All => {
                project::Entity::find()
                    .select_only()
                    .column(project::Column::Id)
                    .filter(project::Column::CountyId.eq(county_id))
                    .filter(project::Column::Id.gt(after))
                    .order_by_asc(project::Column::Id)
                    .limit(CHUNK as u64)
                    .into_tuple()
                    .all(db)
                    .await?
            }
            Fill::Stale => {
                project_share::Entity::find()
                    .select_only()
                    .column(project_share::Column::ProjectId)
                    .distinct()
                    .filter(project_share::Column::CountyId.eq(county_id))
                    .filter(stale(current))
                    .filter(project_share::Column::ProjectId.gt(after))
                    .order_by_asc(project_share::Column::ProjectId)
                    .limit(CHUNK as u64)
                    .into_tuple()
                    .all(db)
                    .await?
            }
        };
        let Some(&last) = ids.last() else { break };
        after = last;
        let tx = super::write_tx::derived(db).await?;
        reprice(&tx, r, &ids).await?;
        tx.commit().await?;
        priced += ids.len() as u64;
        if ids.len() < CHUNK {
            break;
        }
    }
    if what == Fill::All {
        derived_state::Entity::insert(derived_state::ActiveModel {
            name: Set(state_name(county_id)),
            complete: Set(true),
        })
        .on_conflict(
            OnConflict::column(derived_state::Column::Name)
                .update_column(derived_state::Column::Complete)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(priced)
}
