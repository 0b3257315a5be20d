//! Schema migrations, applied in order by [`Migrator`] on start-up and by `samverkan migrate`.
pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261124_000001_create_reference_tables;
mod m20261124_000002_create_project_tables;
mod m20261124_000003_create_audit_event;
mod m20261124_000004_create_sourcing_tables;
mod m20261124_000005_create_benefits_and_audit_scope;
mod m20261124_000006_create_inventory_tables;
mod m20261124_000007_create_initiative_tables;
mod m20261125_000008_create_audit_event_scope;
mod m20261125_000009_add_annual_cost_and_contract_end_index;
mod m20261125_000010_create_data_generation;
mod m20261126_000011_create_count_part_generation;
mod m20261126_000012_cover_count_parts;
mod m20261202_000013_audit_questions;
mod m20261204_000014_chain_audit_trail;
mod m20261204_000015_create_county_retention;
mod m20261204_000016_release_role_holders;
mod m20261204_000017_accessibility_statements;
mod m20261204_000018_index_decisions_by_date;
mod m20261205_000019_create_cost_budget;
mod m20261205_000020_index_project_titles_by_trigram;
mod m20261205_000021_population_years;
mod m20261205_000022_project_shares;
mod m20261205_000023_index_follow_ups_by_benefit;
mod m20261205_000024_project_share_sums;
mod m20261206_000025_benefit_kept_columns;
mod m20261206_000026_index_projects_by_phase;
mod m20261206_000027_index_projects_by_county_and_id;
mod m20261206_000028_index_tollgates_by_county;
mod m20261206_000029_project_share_taking_sums;
mod m20261206_000030_cover_tollgates_due;
mod m20261206_000031_index_project_titles_by_letters;

/// Every migration of the service, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_reference_tables::Migration),
            Box::new(m20261124_000002_create_project_tables::Migration),
            Box::new(m20261124_000003_create_audit_event::Migration),
            Box::new(m20261124_000004_create_sourcing_tables::Migration),
            Box::new(m20261124_000005_create_benefits_and_audit_scope::Migration),
            Box::new(m20261124_000006_create_inventory_tables::Migration),
            Box::new(m20261124_000007_create_initiative_tables::Migration),
            Box::new(m20261125_000008_create_audit_event_scope::Migration),
            Box::new(m20261125_000009_add_annual_cost_and_contract_end_index::Migration),
            Box::new(m20261125_000010_create_data_generation::Migration),
            Box::new(m20261126_000011_create_count_part_generation::Migration),
            Box::new(m20261126_000012_cover_count_parts::Migration),
            Box::new(m20261202_000013_audit_questions::Migration),
            Box::new(m20261204_000014_chain_audit_trail::Migration),
            Box::new(m20261204_000015_create_county_retention::Migration),
            Box::new(m20261204_000016_release_role_holders::Migration),
            Box::new(m20261204_000017_accessibility_statements::Migration),
            Box::new(m20261204_000018_index_decisions_by_date::Migration),
            Box::new(m20261205_000019_create_cost_budget::Migration),
            Box::new(m20261205_000020_index_project_titles_by_trigram::Migration),
            Box::new(m20261205_000021_population_years::Migration),
            Box::new(m20261205_000022_project_shares::Migration),
            Box::new(m20261205_000023_index_follow_ups_by_benefit::Migration),
            Box::new(m20261205_000024_project_share_sums::Migration),
            Box::new(m20261206_000025_benefit_kept_columns::Migration),
            Box::new(m20261206_000026_index_projects_by_phase::Migration),
            Box::new(m20261206_000027_index_projects_by_county_and_id::Migration),
            Box::new(m20261206_000028_index_tollgates_by_county::Migration),
            Box::new(m20261206_000029_project_share_taking_sums::Migration),
            Box::new(m20261206_000030_cover_tollgates_due::Migration),
            Box::new(m20261206_000031_index_project_titles_by_letters::Migration),
        ]
    }
}
