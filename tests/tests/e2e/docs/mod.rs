//! The GraphQL documents the tests send, one module per area as in the schema, and small
//! steps built from them. The project documents are also re-exported here, being the most used.
pub mod benefits;
pub mod initiatives;
pub mod inventory;
pub mod projects;
pub mod sourcing;

pub use projects::*;
