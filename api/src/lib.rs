//! Samverkan: the shared GraphQL back end for kommuner in a län working on e-services
//! together. See ARCHITECTURE.md for the map.
#![cfg_attr(test, expect(clippy::unwrap_used, reason = "tests unwrap what they set up"))]

pub mod admin;
pub mod auth;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod graphql;
pub mod http;
pub mod reference;
pub mod service;
pub mod settings;
pub mod startup;
pub mod telemetry;
