//! The report's figures per visibility part (`visibility::project_parts`), each kept for the
//! generation its part last moved at (`count_part_generation`).
//!
//! A county's shared part is the same for its committee and every one of its kommuner, and it
//! is most of what each report reads: the benefits of every COUNTY project, measured one by one,
//! and their phases. Kept per part, it is read once per change of the part for them all, and
//! reports asked for at once wait for the one read under way rather than each reading it
//! (`moka`'s `try_get_with`). A part moves with every mutation of one of its projects
//! (`generation::touch_project_parts`), its benefits and their follow-ups included: they are
//! written under their project. The generation is read before the figures, so a kept figure
//! is at least as new as its generation says. The benefits, the longest read, are kept per
//! owner kommun's slice of the county's part (`visibility::benefit_parts_by_owner`): a change
//! to one kommun's project has the next report measure that kommun's benefits again, not the
//! county's. Benefits are measured by the period's end, but a part whose last follow-up falls
//! on or before that end measures the same by any later end: those figures are kept once for
//! every such end (`settled`), so reports of different periods, and the figures measured when
//! the server starts (`Services::warm_report_figures`), are one read.
use std::{collections::BTreeMap, future::Future, hash::Hash, sync::Arc};

use chrono::NaiveDate;
use moka::future::Cache;

use crate::{
    domain::{Health, Phase, benefits::Realizations},
    error::{ApiError, ApiResult},
};

/// The projects of a part by phase and health.
pub(super) type PhaseCounts = BTreeMap<(Phase, Option<Health>), u64>;
/// The benefits of a part per owner kommun: how many, and their realisations.
pub(super) type BenefitOwners = BTreeMap<i32, (usize, Realizations)>;

/// Entries kept of each figure (a few hundred bytes each: a dozen owners, ten phases).
const MAX_ENTRIES: u64 = 4_096;

/// The benefits of a part measured by a period's end, and the part's last follow-up date.
pub(super) struct PartBenefits {
    pub owners: BenefitOwners,
    /// The latest follow-up of any of the part's benefits: by any end from this date on, the
    /// figures are the same.
    pub last_follow_up: Option<NaiveDate>,
}

impl PartBenefits {
    /// Whether these figures are the part's measured by `to`: no follow-up after it.
    fn hold_by(&self, to: NaiveDate) -> bool {
        self.last_follow_up.is_none_or(|last| last <= to)
    }
}

/// The figures kept, per part name and generation (and for the benefits, the period's end
/// they are measured by, or `settled`: by every end from the part's last follow-up on).
pub struct PartFigures {
    phases: Cache<(String, i64), Arc<PhaseCounts>>,
    benefits: Cache<(String, i64, NaiveDate), Arc<PartBenefits>>,
    settled: Cache<(String, i64), Arc<PartBenefits>>,
}

impl Default for PartFigures {
    fn default() -> Self {
        Self {
            phases: Cache::new(MAX_ENTRIES),
            benefits: Cache::new(MAX_ENTRIES),
            settled: Cache::new(MAX_ENTRIES),
        }
    }
}

impl PartFigures {
    /// The phase counts of `part` at `generation`, read by `read` unless kept.
    pub(super) async fn phases(
        &self,
        part: &str,
        generation: i64,
        read: impl Future<Output = ApiResult<PhaseCounts>>,
    ) -> ApiResult<Arc<PhaseCounts>> {
        kept(&self.phases, (part.to_owned(), generation), read).await
    }

    /// The benefits per owner of `part` at `generation` measured by `to`, read by `read`
    /// (by `to`) unless kept for `to` or settled by it.
    pub(super) async fn benefits(
        &self,
        part: &str,
        generation: i64,
        to: NaiveDate,
        read: impl Future<Output = ApiResult<PartBenefits>>,
    ) -> ApiResult<Arc<PartBenefits>> {
        let settled = (part.to_owned(), generation);
        if let Some(figures) = self.settled.get(&settled).await
            && figures.hold_by(to)
        {
            return Ok(figures);
        }
        let figures = kept(&self.benefits, (part.to_owned(), generation, to), read).await?;
        if figures.hold_by(to) {
            self.settled.insert(settled, figures.clone()).await;
        }
        Ok(figures)
    }
}

async fn kept<K, V>(
    cache: &Cache<K, Arc<V>>,
    key: K,
    read: impl Future<Output = ApiResult<V>>,
) -> ApiResult<Arc<V>>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    cache
        .try_get_with(key, async { read.await.map(Arc::new) })
        .await
        .map_err(ApiError::shared)
}
