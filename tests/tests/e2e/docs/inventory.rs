//! The inventory documents the tests send, and small steps built from them.
use serde_json::{Value, json};

use crate::helpers::Caller;

pub const VENDOR: &str = r#"mutation($input: CreateVendorInput!) { createVendor(input: $input) { vendor { id name orgNumber } } }"#;
pub const PRODUCT: &str = r#"mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id name standards } } }"#;
pub const REGISTER: &str = r#"mutation($input: SystemInstanceInput!) { registerSystemInstance(input: $input) { systemInstance { id version } } }"#;
pub const UPDATE: &str = r#"mutation($input: UpdateSystemInstanceInput!) { updateSystemInstance(input: $input) { systemInstance { id version systemOwner } } }"#;
pub const ADD_INTEGRATION: &str =
    r#"mutation($input: AddIntegrationInput!) { addIntegration(input: $input) { integration { id } } }"#;
pub const REMOVE_INTEGRATION: &str = r#"mutation($input: RemoveIntegrationInput!) { removeIntegration(input: $input) { integration { id } } }"#;
pub const IMPORT: &str = r#"mutation($input: ImportSystemInstancesInput!) { importSystemInstances(input: $input) { imported { id product { name } } } }"#;

/// Registers a system and returns its id.
pub async fn register(c: &Caller<'_>, product: &str, extra: Value) -> String {
    let mut input = json!({"productId": product, "hosting": "OWN_DATACENTER", "dataLocation": "SWEDEN"});
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    c.ok(REGISTER, json!({"input": input})).await["registerSystemInstance"]["systemInstance"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}
