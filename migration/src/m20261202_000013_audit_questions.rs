//! What the audit's questions are answered from (docs/domain.md, "The audit's questions"):
//! governing documents (styrdokument), each kommun's register of people in pm3 roles, a
//! system's four roles as references into that register (today's free-text names move there
//! by exact name, per kommun, so nothing is lost), when a system was last reviewed, a
//! project's plan year, and the county's thresholds for the answers.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The roles a system instance names, as (free-text column, reference column, its index).
const ROLES: [(&str, &str, &str); 4] = [
    (
        "system_owner",
        "system_owner_id",
        "ix_system_instance_system_owner",
    ),
    (
        "object_owner",
        "object_owner_id",
        "ix_system_instance_object_owner",
    ),
    (
        "object_manager_business",
        "object_manager_business_id",
        "ix_system_instance_manager_business",
    ),
    (
        "object_manager_it",
        "object_manager_it_id",
        "ix_system_instance_manager_it",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("governing_document")
                        .col(big_pk_auto("id"))
                        .col(integer("owner_id"))
                        .col(integer("county_id"))
                        .col(string_len("kind", 40))
                        .col(string_len("title", 200))
                        .col(string_len("adopting_body", 200))
                        .col(string_len("body_kind", 20))
                        .col(date("decided_on"))
                        .col(string_len("diarienummer", 100))
                        .col(date_null("next_review"))
                        .col(string_len_null("link", 2000))
                        .col(string_len("visibility", 20))
                        .col(big_integer_null("replaces_id"))
                        .col(big_integer_null("replaced_by_id"))
                        .col(date_null("replaced_on"))
                        .col(integer("version").default(1))
                        .foreign_key(&mut fk("governing_document", "owner_id", "municipality"))
                        .foreign_key(&mut fk("governing_document", "county_id", "county")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_governing_document_owner_kind",
                "governing_document",
                &["owner_id", "kind", "decided_on"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_governing_document_county",
                "governing_document",
                &["county_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("role_holder")
                        .col(big_pk_auto("id"))
                        .col(integer("municipality_id"))
                        .col(string_len("display_name", 200))
                        .col(string_len_null("holder_key", 100))
                        .col(integer("version").default(1))
                        .foreign_key(&mut fk("role_holder", "municipality_id", "municipality")),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_role_holder_key",
                "role_holder",
                &["municipality_id", "holder_key"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_role_holder_name",
                "role_holder",
                &["municipality_id", "display_name"],
                false,
            ))
            .await?;

        for (_, id, _) in ROLES {
            manager
                .alter_table(
                    Table::alter()
                        .table("system_instance")
                        .add_column(big_integer_null(id))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("system_instance")
                    .add_column(date_null("last_reviewed"))
                    .to_owned(),
            )
            .await?;

        // Every distinct name once per kommun, then each role pointed at it. Names are matched
        // exactly (as stored, already trimmed by the service): "Anna Berg" and "anna berg" stay
        // two holders for the kommun to merge, since guessing would merge two real people.
        let db = manager.get_connection();
        for (text, _, _) in ROLES {
            db.execute_unprepared(&format!(
                "INSERT INTO role_holder (municipality_id, display_name) \
                 SELECT DISTINCT s.owner_id, s.{text} FROM system_instance s \
                 WHERE s.{text} <> '' AND NOT EXISTS (SELECT 1 FROM role_holder r \
                 WHERE r.municipality_id = s.owner_id AND r.display_name = s.{text})"
            ))
            .await?;
        }
        for (text, id, _) in ROLES {
            db.execute_unprepared(&format!(
                "UPDATE system_instance SET {id} = (SELECT r.id FROM role_holder r \
                 WHERE r.municipality_id = system_instance.owner_id \
                 AND r.display_name = system_instance.{text}) WHERE {text} <> ''"
            ))
            .await?;
        }
        for (text, id, name) in ROLES {
            manager
                .alter_table(
                    Table::alter()
                        .table("system_instance")
                        .drop_column(text)
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(index(name, "system_instance", &[id], false))
                .await?;
        }

        manager
            .alter_table(
                Table::alter()
                    .table("project")
                    .add_column(integer_null("plan_year"))
                    .to_owned(),
            )
            .await?;

        // A county's own thresholds; a county without a row uses docs/domain.md's.
        manager
            .create_table(
                stamps(
                    Table::create()
                        .table("county_audit_threshold")
                        .col(integer("county_id").primary_key())
                        .col(text("thresholds"))
                        .foreign_key(&mut fk("county_audit_threshold", "county_id", "county")),
                )
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("county_audit_threshold").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("project")
                    .drop_column("plan_year")
                    .to_owned(),
            )
            .await?;
        for (text, _, _) in ROLES {
            manager
                .alter_table(
                    Table::alter()
                        .table("system_instance")
                        .add_column(string_len(text, 200).default(""))
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        for (text, id, _) in ROLES {
            db.execute_unprepared(&format!(
                "UPDATE system_instance SET {text} = COALESCE((SELECT r.display_name FROM role_holder r \
                 WHERE r.id = system_instance.{id}), '')"
            ))
            .await?;
        }
        for (_, id, name) in ROLES {
            manager
                .drop_index(Index::drop().name(name).table("system_instance").to_owned())
                .await?;
            manager
                .alter_table(Table::alter().table("system_instance").drop_column(id).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("system_instance")
                    .drop_column("last_reviewed")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("role_holder").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("governing_document").to_owned())
            .await
    }
}
