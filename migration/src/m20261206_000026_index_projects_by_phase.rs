//! The committee report's projects by phase and health, counted from an index alone: per
//! visibility part of a county, the phase, health, owner and id of its projects (the owner for
//! a kommun's own part, the id for the part it takes part in). Without it SQLite read every
//! project row of the county (2.1 s cold, 0.65 s warm at 500,000 projects; 0.12 s with it)
//! and PostgreSQL scanned the table (154 ms → 74 ms for the committee).
use sea_orm_migration::prelude::*;

use crate::helpers::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(
                "ix_project_phase_counts",
                "project",
                &["county_id", "visibility", "phase", "health", "owner_id", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(drop_index("ix_project_phase_counts", "project"))
            .await
    }
}
