//! Samverkan: the shared GraphQL back end for kommuner in a län working on e-services
//! together. See ARCHITECTURE.md for the map.
#![deny(missing_docs)]
#![cfg_attr(test, expect(clippy::unwrap_used, reason = "tests unwrap what they set up"))]

pub mod admin;
pub(crate) mod archive;
pub mod auth;
pub(crate) mod dcat;
pub mod demo;
pub use domain;
pub(crate) mod error;
pub(crate) mod export;
pub mod graphql;
pub(crate) mod http;
pub(crate) mod linked_data;
pub(crate) mod papers;
pub mod reference;
pub(crate) mod service;
pub mod settings;
pub mod startup;
pub mod telemetry;
