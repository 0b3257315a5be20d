//! Who may do what, tried as an attacker would: every set of roles (all 64 subsets of the
//! six) × every mutation × each visibility × the caller's kommun owning the record, taking
//! part in it, being invited to it, or none of these. What a set of roles may do must be
//! exactly the union of what each of its roles alone may do, and each single role must do
//! what the table in README.md ("Who may do what") says.
//!
//! Refused attempts change nothing, so a fixture is reused until an attempt succeeds; then it
//! is built afresh, and every attempt meets the record in the same state.
use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::{
    helpers::{Caller, TestApp},
    mutations::{Case, Fixture, Rel, build, cases, schema_mutations, shared_fixture},
};

const ROLES: [&str; 6] = ["viewer", "editor", "admin", "namnd", "integration", "revisor"];

fn role_sets() -> Vec<Vec<&'static str>> {
    (0..64u32)
        .map(|mask| {
            (0..6)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| ROLES[i])
                .collect()
        })
        .collect()
}

/// One case at one visibility: every role set as every relation, against one fixture that is
/// rebuilt after each success. Returns (role set, relation) → succeeded.
async fn try_case(
    app: &TestApp,
    case: &Case,
    vis: &str,
    shared: &Fixture,
    counter: &std::sync::atomic::AtomicUsize,
) -> BTreeMap<(Vec<&'static str>, Rel), bool> {
    let doc = format!(
        "mutation($input: {}!) {{ {}(input: $input) {{ __typename }} }}",
        case.input_type, case.field
    );
    let mut fixture = build(app, case.setup, vis, shared).await;
    let mut out = BTreeMap::new();
    for rel in case.rels {
        for roles in role_sets() {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let roles_owned: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
            let token = samverkan::auth::mint_dev_token(
                &app.secret,
                &format!("attacker-{}", rel.kommun()),
                rel.kommun(),
                &roles_owned,
                600,
            )
            .unwrap();
            let caller: Caller<'_> = app.with_token(token);
            let r = caller
                .gql(&doc, json!({"input": (case.input)(&fixture, n)}))
                .await;
            let ok = r.body.get("errors").is_none();
            if !ok {
                let code = r.code().unwrap_or("");
                assert_ne!(
                    code, "INTERNAL",
                    "{} as {roles:?} of {rel:?} at {vis}: {}",
                    case.field, r.body
                );
            }
            out.insert((roles.clone(), *rel), ok);
            if ok {
                fixture = build(app, case.setup, vis, shared).await;
            }
        }
    }
    out
}

async fn roles_combine_by_union(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let shared = shared_fixture(&app).await;
    crate::counties::import_second_year(&app).await;

    let counter = std::sync::atomic::AtomicUsize::new(0);
    let cases = cases();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    let mut attempts = 0;
    for case in &cases {
        covered.insert(case.field.to_owned());
        // Each visibility has its own fixture, so they run side by side.
        let runs = futures::future::join_all(
            case.visibilities
                .iter()
                .map(|vis| try_case(&app, case, vis, &shared, &counter)),
        )
        .await;
        for (vis, outcomes) in case.visibilities.iter().zip(runs) {
            attempts += outcomes.len();
            for ((roles, rel), ok) in &outcomes {
                let union = roles.iter().any(|r| outcomes[&(vec![*r], *rel)]);
                if *ok != union {
                    failures.push(format!(
                        "{} as {roles:?} of {rel:?} at {vis}: {ok}, but its roles alone: {union}",
                        case.field
                    ));
                }
                if roles.len() == 1 && *ok != (case.single)(roles[0], *rel, vis) {
                    failures.push(format!(
                        "{} as {} of {rel:?} at {vis}: {ok}, README says {}",
                        case.field, roles[0], !ok
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {attempts} outcomes break the rules:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Every mutation of the schema is in the matrix: a new one must say who may run it.
    let all = schema_mutations(&orebro).await;
    let missing: Vec<&String> = all.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "mutations missing from the authorization matrix: {missing:?}"
    );
}

// The matrix sends thousands of requests within a few minutes, most as the fixture's owner:
// more than the per-user rate limit and the kommun's cost budget admit, which is not what
// this test is about.
mod roles_combine_by_union {
    /// Two counties served: `Rel::Elsewhere` is a kommun of the other.
    fn unlimited(s: &mut samverkan::settings::Settings) {
        s.limits.requests_per_minute = 1_000_000;
        s.limits.cost_per_minute = 1_000_000_000_000;
        s.counties = "14,18".into();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = crate::helpers::TestApp::spawn_with(crate::helpers::Backend::Sqlite, unlimited)
            .await
            .expect("sqlite app");
        super::roles_combine_by_union(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        match crate::helpers::TestApp::spawn_with(crate::helpers::Backend::Postgres, unlimited).await {
            Some(app) => super::roles_combine_by_union(app).await,
            None => eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set"),
        }
    }
}
