//! The project list: paging, filters, ordering, and a constant number of SQL statements.
use serde_json::{Value, json};

use crate::{both_backends, docs::*, helpers::TestApp};

/// Seeds `n` COUNTY projects by Örebro, each with Kumla and Laxå taking part.
async fn seed(app: &TestApp, n: usize) {
    let orebro = app.as_kommun("1880").editor_admin();
    for i in 0..n {
        let (id, _) = create(&orebro, &format!("Projekt {i:03}"), "COUNTY", "1000").await;
        if i % 2 == 0 {
            invite(&orebro, &id, "1881", "PARTICIPANT").await;
            invite(&orebro, &id, "1860", "OBSERVER").await;
        }
    }
}

fn titles(d: &Value) -> Vec<String> {
    d["eServiceProjects"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn listing_projects_with_participants_costs_a_constant_number_of_statements(app: TestApp) {
    seed(&app, 60).await;
    let c = app.as_kommun("1862").viewer();
    let lekeberg = app.as_kommun("1814").editor();
    let mut counts = Vec::new();
    for first in [5, 20, 50] {
        // A write anywhere drops cached counts, so each list below counts afresh.
        create(&lekeberg, "Lekebergs egna", "PRIVATE", "1").await;
        let before = app.statements();
        let d = c.ok(LIST, json!({"first": first})).await;
        counts.push(app.statements() - before);
        assert_eq!(titles(&d).len(), first as usize);
        assert_eq!(d["eServiceProjects"]["totalCount"], 60);
        let names: usize = d["eServiceProjects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["participations"].as_array().unwrap().len())
            .sum();
        assert!(names >= first as usize);
    }
    // The data generation (for the response cache), the page, the three parts of the count
    // (`visibility::project_parts`; a write came before each list) and one batched
    // participation load, whatever the page size.
    assert_eq!(counts, vec![6, 6, 6], "statements per list");
    // Another page without a change in between: the count comes from the count cache.
    let before = app.statements();
    c.ok(LIST, json!({"first": 49})).await;
    assert_eq!(app.statements() - before, 3);
    // The same page again: the whole answer comes from the response cache.
    let before = app.statements();
    c.ok(LIST, json!({"first": 49})).await;
    assert_eq!(app.statements() - before, 1);
}
both_backends!(listing_projects_with_participants_costs_a_constant_number_of_statements);

async fn keyset_pages_walk_forwards_and_backwards_without_gaps(app: TestApp) {
    seed(&app, 7).await;
    let c = app.as_kommun("1880").viewer();
    let order = json!({"field": "TITLE", "direction": "ASC"});
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let d = c
            .ok(LIST, json!({"first": 3, "after": after, "orderBy": order}))
            .await;
        seen.extend(titles(&d));
        let info = &d["eServiceProjects"]["pageInfo"];
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    let expected: Vec<String> = (0..7).map(|i| format!("Projekt {i:03}")).collect();
    assert_eq!(seen, expected);

    let d = c
        .ok(LIST, json!({"last": 2, "orderBy": order, "before": null}))
        .await;
    assert_eq!(titles(&d), vec!["Projekt 005", "Projekt 006"]);
    let start = d["eServiceProjects"]["pageInfo"]["startCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(d["eServiceProjects"]["pageInfo"]["hasPreviousPage"], true);
    let d = c
        .ok(LIST, json!({"last": 2, "before": start, "orderBy": order}))
        .await;
    assert_eq!(titles(&d), vec!["Projekt 003", "Projekt 004"]);

    // Newest first by default.
    let d = c.ok(LIST, json!({"first": 2})).await;
    assert_eq!(titles(&d), vec!["Projekt 006", "Projekt 005"]);

    let d = c.ok(LIST, json!({"filter": {"participant": "1881"}})).await;
    assert_eq!(
        d["eServiceProjects"]["totalCount"], 0,
        "invitations not yet accepted do not count"
    );
    let d = c
        .ok(
            LIST,
            json!({"filter": {"search": "projekt 00", "phase": ["IDEA"]}}),
        )
        .await;
    assert_eq!(d["eServiceProjects"]["totalCount"], 7);
    let d = c.ok(LIST, json!({"filter": {"search": "%"}})).await;
    assert_eq!(
        d["eServiceProjects"]["totalCount"], 0,
        "LIKE wildcards are matched literally"
    );
    c.gql(LIST, json!({"after": "bm9wZQ"}))
        .await
        .expect_code("BAD_USER_INPUT");
}
both_backends!(keyset_pages_walk_forwards_and_backwards_without_gaps);

/// `totalCount` is counted by a differently written form of the visibility rule than the
/// pages (`visibility::project_parts`, summed); both must find the same projects for every caller,
/// participation state and filter.
async fn total_count_is_what_the_caller_can_page_through(app: TestApp) {
    let kommuner = ["1880", "1881", "1862", "1814"];
    for (i, owner) in kommuner.iter().enumerate() {
        let c = app.as_kommun(owner).editor_admin();
        create(&c, &format!("{owner} PRIVATE"), "PRIVATE", "10").await;
        for visibility in ["PARTICIPANTS", "COUNTY"] {
            let (id, _) = create(&c, &format!("{owner} {visibility}"), visibility, "10").await;
            // The next kommun stays invited, the one after accepts, the last declines.
            invite(&c, &id, kommuner[(i + 1) % 4], "PARTICIPANT").await;
            for (k, accept) in [(2, true), (3, false)] {
                let guest = kommuner[(i + k) % 4];
                let part = invite(&c, &id, guest, "PARTICIPANT").await;
                answer(&app.as_kommun(guest).admin(), &part, accept).await;
            }
        }
    }
    let q = "query($f: ProjectFilter, $after: String) { eServiceProjects(first: 5, after: $after, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";
    let filters = [
        json!(null),
        json!({"visibility": ["PARTICIPANTS"]}),
        json!({"owner": "1881"}),
        json!({"participant": "1862"}),
    ];
    let callers = [
        app.as_kommun("1880").viewer(),
        app.as_kommun("1881").editor(),
        app.as_kommun("1862").viewer(),
        app.as_kommun("1814").admin(),
        app.as_kommun("1860").viewer(),
        app.as_kommun("1862").namnd(),
    ];
    let mut seen = Vec::new();
    for (who, c) in callers.iter().enumerate() {
        for f in &filters {
            let (mut ids, mut after, mut total) = (Vec::new(), Value::Null, None);
            loop {
                let d = c.ok(q, json!({"f": f, "after": after})).await;
                let page = &d["eServiceProjects"];
                total.get_or_insert(page["totalCount"].as_u64().unwrap());
                ids.extend(
                    page["edges"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["node"]["id"].clone()),
                );
                if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                    break;
                }
                after = page["pageInfo"]["endCursor"].clone();
            }
            assert_eq!(total, Some(ids.len() as u64), "caller {who}, filter {f}");
            seen.push(ids.len());
        }
    }
    // Degerfors (1862): its own 3, the 3 others' COUNTY projects, and the PARTICIPANTS projects
    // of Örebro (accepted) and Kumla (invited), not Lekeberg's (declined).
    assert_eq!(seen[2 * filters.len()], 8);
    // The committee reads what is shared with the county: the 4 COUNTY projects.
    assert_eq!(seen[5 * filters.len()], 4);
}
both_backends!(total_count_is_what_the_caller_can_page_through);
