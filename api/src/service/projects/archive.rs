//! A closed project's records as they leave the service for the e-archive (docs/domain.md,
//! "Records that last"): everything the package must hold, read for a caller who may take
//! the package. The package itself is made by `crate::archive`.
use entity::{audit_event, benefit, benefit_follow_up, decision, participation, project, status_report};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::service::Projects;
use crate::{
    domain::{Phase, RecordKind, Share, Visibility, authz},
    error::{ApiError, ApiResult},
    service::audit::{AuditFilter, chain},
};

/// Everything an archive package of one project holds, in the order it was recorded.
#[derive(Debug)]
pub struct ProjectRecords {
    pub project: project::Model,
    pub participations: Vec<participation::Model>,
    /// The paying members' shares under the project's key, as the service computes them.
    pub cost_shares: Vec<Share>,
    pub decisions: Vec<decision::Model>,
    pub status_reports: Vec<status_report::Model>,
    pub benefits: Vec<benefit::Model>,
    pub follow_ups: Vec<benefit_follow_up::Model>,
    /// The project's history: its own events and those of the records that hang off it.
    pub events: Vec<audit_event::Model>,
    /// The project's county's audit chain as it stood when the records were read.
    pub chain_head: chain::ChainHead,
    /// When the records were read: the package's creation time.
    pub read_at: chrono::DateTime<chrono::Utc>,
}

impl Projects<'_, '_> {
    /// The records of project `id` for its archive package: `NOT_FOUND` if the caller cannot
    /// see it (as for an id that never existed), `FORBIDDEN` unless the caller may take the
    /// package (`authz::may_take_archive_package`), `BAD_USER_INPUT` naming the phase while
    /// the project is still open.
    pub async fn archive_records(&self, id: i64) -> ApiResult<ProjectRecords> {
        let me = self.reader()?;
        let p = project::Model::clone(&*self.project(id).await?);
        let standing = authz::Standing {
            owner: p.owner_id == me.municipality_id,
            county_shared: p.county_id == me.county_id
                && matches!(p.visibility, Visibility::County | Visibility::Public),
            ..Default::default()
        };
        if !authz::may_take_archive_package(&me.roles, standing) {
            return Err(ApiError::Forbidden(
                "an archive package is made for editors, admins and auditors of the lead kommun, \
                 or for the joint committee (namnd) of a project shared with its county"
                    .into(),
            ));
        }
        if !matches!(p.phase, Phase::Closed | Phase::Cancelled) {
            return Err(ApiError::input(
                "phase",
                format!(
                    "the project is in phase {}; an archive package is made only once it is CLOSED or CANCELLED",
                    p.phase
                ),
            ));
        }
        let _turn = self.heavy_turn().await?;
        let read_at = chrono::Utc::now();
        let db = self.db();
        let participations = participation::Entity::find()
            .filter(participation::Column::ProjectId.eq(id))
            .order_by_asc(participation::Column::Id)
            .all(db)
            .await?;
        let cost_shares = self.cost_shares(&p, &participations)?;
        let decisions = decision::Entity::find()
            .filter(decision::Column::ProjectId.eq(id))
            .order_by_asc(decision::Column::Id)
            .all(db)
            .await?;
        let status_reports = status_report::Entity::find()
            .filter(status_report::Column::ProjectId.eq(id))
            .order_by_asc(status_report::Column::Id)
            .all(db)
            .await?;
        let benefits = benefit::Entity::find()
            .filter(benefit::Column::ProjectId.eq(id))
            .order_by_asc(benefit::Column::Id)
            .all(db)
            .await?;
        let follow_ups = benefit_follow_up::Entity::find()
            .filter(benefit_follow_up::Column::ProjectId.eq(id))
            .order_by_asc(benefit_follow_up::Column::Id)
            .all(db)
            .await?;
        // The trail's own rule decides which of the history's events the caller reads.
        let events = self
            .history(&AuditFilter {
                record: Some((RecordKind::EServiceProject, id)),
                ..Default::default()
            })
            .await?;
        let chain_head = chain::head_before(db, p.county_id, read_at).await?;
        Ok(ProjectRecords {
            project: p,
            participations,
            cost_shares,
            decisions,
            status_reports,
            benefits,
            follow_ups,
            events,
            chain_head,
            read_at,
        })
    }
}
