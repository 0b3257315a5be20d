//! Every migration applies, reverts and applies again, on both databases: a migration whose
//! `down` is wrong is found here, not during an operator's rollback.
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

use crate::helpers::{TempDir, postgres_url};

async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        }
        _ => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        }
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "t").unwrap())
        .collect()
}

async fn up_down_up(db: &DatabaseConnection) {
    migration::Migrator::up(db, None).await.unwrap();
    let after_up = tables(db).await;
    assert!(after_up.contains(&"project".to_owned()) && after_up.contains(&"audit_event_scope".to_owned()));
    migration::Migrator::down(db, None).await.unwrap();
    let after_down = tables(db).await;
    assert_eq!(
        after_down,
        vec!["seaql_migrations".to_owned()],
        "down leaves only the bookkeeping"
    );
    migration::Migrator::up(db, None).await.unwrap();
    assert_eq!(tables(db).await, after_up, "up again gives the same tables");
    assert!(
        migration::Migrator::get_pending_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn every_migration_goes_up_down_and_up_again_on_sqlite() {
    let dir = TempDir(std::env::temp_dir().join(format!("samverkan-mig-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let db = Database::connect(format!("sqlite://{}?mode=rwc", dir.0.join("m.db").display()))
        .await
        .unwrap();
    up_down_up(&db).await;
}

#[tokio::test]
async fn every_migration_goes_up_down_and_up_again_on_postgres() {
    let Some(base) = postgres_url() else {
        eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!("m_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&base).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let db = Database::connect(format!("{prefix}/{name}")).await.unwrap();
    up_down_up(&db).await;
    db.close().await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}
