//! Co-signers: any kommun that sees an open initiative supports it; supporters withdraw.
use crate::domain::RecordKind;
use crate::domain::inventory::SupporterState;

use chrono::Utc;
use entity::initiative_supporter;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::json;

use crate::service::{Scope, authorize, text};
use crate::{
    domain::authz::{Action, Standing},
    domain::inventory::InitiativeState,
    error::{ApiError, ApiResult},
};

impl Scope<'_> {
    /// Co-signs an open initiative for the caller's kommun.
    pub async fn support(&self, id: i64, comment: &str) -> ApiResult<initiative_supporter::Model> {
        let me = self.authorized(Action::Support, Standing::default())?;
        let mut tx = self.write("supportVendorInitiative").await?;
        let i = self.visible_initiative_in(&tx, id).await?;
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
                let mut a = s.into_active_model();
                a.state = Set(SupporterState::Active);
                a.comment = Set(comment);
                a.supported_on = Set(now.date_naive());
                a.updated_at = Set(now);
                a.update(tx.writer()).await?
            }
            None => {
                initiative_supporter::ActiveModel {
                    initiative_id: Set(id),
                    municipality_id: Set(me.municipality_id),
                    supported_on: Set(now.date_naive()),
                    comment: Set(comment),
                    state: Set(SupporterState::Active),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.writer())
                .await?
            }
        };
        tx.record(RecordKind::InitiativeSupporter, saved.id, None, Some(json!({"initiativeId": id, "municipalityId": saved.municipality_id, "comment": saved.comment, "state": SupporterState::Active})));
        tx.commit().await?;
        Ok(saved)
    }

    /// Withdraws the caller's kommun's support while the initiative is open.
    pub async fn withdraw_support(&self, id: i64) -> ApiResult<initiative_supporter::Model> {
        let me = self.principal()?;
        let mut tx = self.write("withdrawSupport").await?;
        let i = self.visible_initiative_in(&tx, id).await?;
        let s = initiative_supporter::Entity::find()
            .filter(initiative_supporter::Column::InitiativeId.eq(id))
            .filter(initiative_supporter::Column::MunicipalityId.eq(me.municipality_id))
            .filter(initiative_supporter::Column::State.eq(SupporterState::Active))
            .one(tx.conn())
            .await?;
        if s.is_some() {
            authorize(
                me,
                Action::ActAsMember,
                Standing {
                    member: true,
                    ..Default::default()
                },
            )?;
        } else {
            // Refusing a role comes before telling a kommun what it does not support.
            authorize(me, Action::Support, Standing::default())?;
        }
        if i.state != InitiativeState::OpenForSupport {
            return Err(not_open_for_support(&i));
        }
        let s = s.ok_or_else(|| {
            ApiError::input(
                "initiativeId",
                format!("kommun {} does not support this initiative", me.kommun),
            )
        })?;
        let mut a = s.into_active_model();
        a.state = Set(SupporterState::Withdrawn);
        a.updated_at = Set(Utc::now());
        let saved = a.update(tx.writer()).await?;
        tx.record(
            RecordKind::InitiativeSupporter,
            saved.id,
            Some(json!({"state": SupporterState::Active})),
            Some(json!({"state": SupporterState::Withdrawn})),
        );
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
