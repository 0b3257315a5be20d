//! sea-orm entities: one module per table, named as in the migrations.
//!
//! Entities are plain rows. Rules (visibility, phases, cost shares) live in the `api` crate's
//! service layer, and GraphQL types are separate structs built from these models.

pub mod audit_chain_head;
pub mod audit_event;
pub mod audit_event_scope;
pub mod benefit;
pub mod benefit_follow_up;
pub mod catalogue_entry;
pub mod county;
pub mod county_audit_threshold;
pub mod county_retention;
pub mod decision;
pub mod derived_state;
pub mod governing_document;
pub mod initiative_requirement;
pub mod initiative_supporter;
pub mod integration;
pub mod municipality;
pub mod participation;
pub mod population_figure;
pub mod product;
pub mod project;
pub mod project_share;
pub mod project_share_sum;
pub mod project_share_taking_sum;
pub mod project_taker;
pub mod pseudonym_key;
pub mod role_holder;
pub mod sourcing_coevaluator;
pub mod sourcing_criterion;
pub mod sourcing_evaluation;
pub mod sourcing_option;
pub mod sourcing_score;
pub mod status_report;
pub mod system_instance;
pub mod vendor;
pub mod vendor_initiative;
pub mod vendor_response;
