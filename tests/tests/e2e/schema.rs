//! The committed `schema.graphql` is what the code produces.

#[test]
fn committed_schema_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = samverkan::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date: run `cargo run -p samverkan -- export-schema` and commit it"
    );
}
