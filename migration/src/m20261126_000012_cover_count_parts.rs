//! Replaces two indexes with wider ones so that a kommun's own and taking-part counts
//! (`visibility::project_parts`) read an index alone, not the table: a project's visibility
//! and county after its owner and id, a participation's state after its kommun and project.
//! Both keep their leading columns, so the pages and probes that used them still do.
//! At 500,000 projects on PostgreSQL a kommun's own count went from 86 ms to 5 ms and its
//! taking-part count from 192 ms to 90-104 ms (the first reader after a start waits for them;
//! later recounts after a write run in the background when they are slow).
//! The wide index is made before the narrow one is dropped, under a name of its own: no
//! moment without an index, and no name dropped and made again (on SQLite, where migrations
//! run outside a transaction over the pool, that failed with "index already exists").
use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

struct Widened {
    table: &'static str,
    narrow: (&'static str, &'static [&'static str]),
    wide: (&'static str, &'static [&'static str]),
}

const WIDENED: [Widened; 2] = [
    Widened {
        table: "project",
        narrow: ("ix_project_owner", &["owner_id", "id"]),
        wide: (
            "ix_project_owner_parts",
            &["owner_id", "id", "visibility", "county_id"],
        ),
    },
    Widened {
        table: "participation",
        narrow: (
            "ix_participation_municipality_project",
            &["municipality_id", "project_id"],
        ),
        wide: (
            "ix_participation_municipality_project_state",
            &["municipality_id", "project_id", "state"],
        ),
    },
];

/// Makes index `to` on `table`, then drops `from`.
async fn replace(
    manager: &SchemaManager<'_>,
    table: &'static str,
    from: &'static str,
    to: (&'static str, &'static [&'static str]),
) -> Result<(), DbErr> {
    manager.create_index(index(to.0, table, to.1, false)).await?;
    manager
        .drop_index(Index::drop().name(from).table(table).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for w in WIDENED {
            replace(manager, w.table, w.narrow.0, w.wide).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for w in WIDENED {
            replace(manager, w.table, w.wide.0, w.narrow).await?;
        }
        Ok(())
    }
}
