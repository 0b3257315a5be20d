//! The initiatives documents the tests send, and small steps built from them.
use serde_json::{Value, json};

use crate::helpers::Caller;

pub const CREATE: &str = r#"mutation($input: CreateVendorInitiativeInput!) { createVendorInitiative(input: $input) { initiative { id version state } } }"#;
pub const UPDATE: &str = r#"mutation($input: UpdateVendorInitiativeInput!) { updateVendorInitiative(input: $input) { initiative { id version } } }"#;
pub const TRANSITION: &str = r#"mutation($input: TransitionVendorInitiativeInput!) { transitionVendorInitiative(input: $input) { initiative { state version } } }"#;
pub const SUPPORT: &str = r#"mutation($input: SupportVendorInitiativeInput!) { supportVendorInitiative(input: $input) { initiative { id } } }"#;
pub const WITHDRAW: &str =
    r#"mutation($input: WithdrawSupportInput!) { withdrawSupport(input: $input) { initiative { id } } }"#;
pub const RESPONSE: &str = r#"mutation($input: RecordVendorResponseInput!) { recordVendorResponse(input: $input) { initiative { state } } }"#;
pub const READ: &str = r#"query($id: ID!) { node(id: $id) { ... on VendorInitiative { state version
  requirements { text priority } supporters { municipality { code } comment }
  vendorResponses { summary outcome promisedDelivery }
  leverage { supporters combinedPopulation runningVendorProducts } } } }"#;

pub async fn version(c: &Caller<'_>, id: &str) -> i64 {
    c.ok(READ, json!({"id": id})).await["node"]["version"]
        .as_i64()
        .unwrap()
}

pub async fn read(c: &Caller<'_>, id: &str) -> Value {
    c.ok(READ, json!({"id": id})).await["node"].clone()
}
