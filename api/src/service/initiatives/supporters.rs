//! Co-signers: any kommun that sees an open initiative supports it; supporters withdraw.
use crate::domain::inventory::SupporterState;

use chrono::Utc;
use entity::initiative_supporter;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{Guarded, Initiative, not_found};
use crate::service::{Influence, text};
use crate::{
    domain::authz::Action,
    domain::inventory::InitiativeState,
    error::{ApiError, ApiResult},
};

impl Influence<'_, '_> {
    /// Co-signs an open initiative for the caller's kommun.
    pub async fn support(&self, id: i64, comment: &str) -> ApiResult<initiative_supporter::Model> {
        self.refuse_early(Action::Support)?;
        let mut tx = self.write("supportVendorInitiative").await?;
        let me = tx.principal();
        let (i, grant) = self
            .changeable::<Initiative>(&tx, id, Action::Support)
            .await?
            .into_parts();
        if i.state != InitiativeState::OpenForSupport {
            return Err(not_open_for_support(&i));
        }
        let comment = text("comment", comment, 2000, false)?;
        let existing = initiative_supporter::Entity::find()
            .filter(initiative_supporter::Column::InitiativeId.eq(id))
            .filter(initiative_supporter::Column::MunicipalityId.eq(me.municipality_id))
            .one(tx.conn())
            .await?;
        let now = Utc::now();
        let saved = match existing {
            Some(s) if s.state == SupporterState::Active => {
                return Err(ApiError::Conflict(format!(
                    "kommun {} supports this initiative already",
                    me.kommun
                )));
            }
            Some(s) => {
                let mut after = s.clone();
                after.state = SupporterState::Active;
                after.comment = comment;
                after.supported_on = now.date_naive();
                after.updated_at = now;
                tx.update(&grant, &s, after).await?
            }
            None => {
                let row = initiative_supporter::ActiveModel {
                    initiative_id: Set(id),
                    municipality_id: Set(me.municipality_id),
                    supported_on: Set(now.date_naive()),
                    comment: Set(comment),
                    state: Set(SupporterState::Active),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                tx.insert(&grant, row).await?
            }
        };
        tx.commit().await?;
        Ok(saved)
    }

    /// Withdraws the caller's kommun's support while the initiative is open.
    pub async fn withdraw_support(&self, id: i64) -> ApiResult<initiative_supporter::Model> {
        let mut tx = self.write("withdrawSupport").await?;
        let me = tx.principal();
        let (i, grant) = match self.changeable::<Initiative>(&tx, id, Action::ActAsMember).await {
            Ok(c) => c.into_parts(),
            Err(ApiError::Forbidden(_)) => {
                // An editor is refused membership only when its kommun is no active supporter.
                // Refusing a role comes before telling a kommun what it does not support, and
                // that comes after the state.
                self.refuse_early(Action::Support)?;
                let i = Initiative::load(self, &tx, id).await?.ok_or_else(not_found)?;
                if i.state != InitiativeState::OpenForSupport {
                    return Err(not_open_for_support(&i));
                }
                return Err(ApiError::input(
                    "initiativeId",
                    format!("kommun {} does not support this initiative", me.kommun),
                ));
            }
            Err(e) => return Err(e),
        };
        if i.state != InitiativeState::OpenForSupport {
            return Err(not_open_for_support(&i));
        }
        let s = initiative_supporter::Entity::find()
            .filter(initiative_supporter::Column::InitiativeId.eq(id))
            .filter(initiative_supporter::Column::MunicipalityId.eq(me.municipality_id))
            .filter(initiative_supporter::Column::State.eq(SupporterState::Active))
            .one(tx.conn())
            .await?
            .ok_or_else(|| ApiError::Conflict("the support changed meanwhile".into()))?;
        let mut after = s.clone();
        after.state = SupporterState::Withdrawn;
        after.updated_at = Utc::now();
        let saved = tx.update(&grant, &s, after).await?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// Support is given and withdrawn only while the initiative recruits co-signers.
fn not_open_for_support(i: &entity::vendor_initiative::Model) -> ApiError {
    ApiError::input(
        "initiativeId",
        format!(
            "support changes while the initiative is OPEN_FOR_SUPPORT; it is {}",
            i.state.with_next()
        ),
    )
}
