//! End-to-end tests: the real server on port 0, real signed tokens, real databases.
#![allow(clippy::unwrap_used)]

mod helpers;

mod abuse;
mod archive;
mod audit;
mod auth;
mod authz;
mod boundary;
mod budget;
mod cache;
mod chain;
mod counties;
mod dcat;
mod docs;
mod flow;
mod http;
mod idp;
mod initiatives;
mod inventory;
mod isolation;
mod linked_data;
mod migrations;
mod mutations;
mod operations;
mod outage;
mod papers;
mod preview;
mod procurement;
mod queries;
mod readiness;
mod readme;
mod report;
mod schema;
mod settled;
mod sourcing;
mod subscriptions;
mod trusted;
