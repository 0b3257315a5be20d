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
    for (i, first) in [5, 20, 50].into_iter().enumerate() {
        // Another kommun's COUNTY project moves the county's shared part of the count, not
        // Hallsberg's own parts.
        create(&lekeberg, "Lekebergs delade", "COUNTY", "1").await;
        let before = app.statements();
        let d = c.ok(LIST, json!({"first": first})).await;
        counts.push(app.statements() - before);
        assert_eq!(titles(&d).len(), first as usize);
        assert_eq!(d["eServiceProjects"]["totalCount"], 61 + i);
        let names: usize = d["eServiceProjects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["participations"].as_array().unwrap().len())
            .sum();
        assert!(names >= first as usize);
    }
    // The generations of the count's three parts (`visibility::project_parts`), read once
    // for the response cache's stamp and the count, the page, the parts that moved (all
    // three the first time, then the county's) and one batched participation load, whatever
    // the page size.
    assert_eq!(counts, vec![6, 4, 4], "statements per list");
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

/// A server counts the parts of every kommun that owns projects (its county's shared part,
/// its own and its taking-part part) before it serves (`Services::warm_project_counts`), so
/// the first lists of those kommuner and of the committee do not wait for those counts.
async fn a_started_server_has_counted_the_parts_its_readers_need_first(app: TestApp) {
    seed(&app, 3).await;
    let orebro = app.as_kommun("1880").editor_admin();
    create(&orebro, "Örebros egna", "PRIVATE", "1").await;
    let fresh = app.replica(|_| {}).await;
    let list = async |c: crate::helpers::Caller<'_>| {
        let before = fresh.statements();
        let d = c.ok(LIST, json!({"first": 5})).await;
        (
            d["eServiceProjects"]["totalCount"].as_u64().unwrap(),
            fresh.statements() - before,
        )
    };
    // The parts' generations, the page and the participations: no count.
    assert_eq!(list(fresh.as_kommun("1880").namnd()).await, (3, 3));
    assert_eq!(list(fresh.as_kommun("1880").viewer()).await, (4, 3));
    // Kumla owns no project: its own and taking-part parts are counted on its first read (two
    // statements more), the county's is not counted again.
    assert_eq!(list(fresh.as_kommun("1881").viewer()).await, (3, 5));
}
both_backends!(a_started_server_has_counted_the_parts_its_readers_need_first);

/// The project list resolves its projects, participations and kommuner in the query's order
/// on a path of its own (`graphql::in_order`); a project read through `node(id)` takes
/// async-graphql's. Both must give the same answer, byte for byte, for every way of
/// selecting fields: fragments named and inline, on the type and on its interface,
/// `__typename`, aliases, a key selected twice (objects merged), `@skip` and `@include`.
async fn a_project_in_the_list_reads_as_it_does_on_its_own(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let (id, _) = create(&orebro, "Lika svar", "COUNTY", "1234.5").await;
    invite(&orebro, &id, "1881", "PARTICIPANT").await;
    invite(&orebro, &id, "1860", "OBSERVER").await;
    let token = samverkan::auth::mint_dev_token(&app.secret, "u", "1862", &["viewer".into()], 60).unwrap();
    let text = async |q: String, variables: Value| {
        let res = app
            .post()
            .bearer_auth(&token)
            .json(&json!({"query": q, "variables": variables}));
        res.send().await.unwrap().text().await.unwrap()
    };
    let selections = [
        "id title phase budget owner { name } participations { role municipality { name } }",
        "__typename t: title title kind: __typename ... on EServiceProject { phase owner { code } } ...F",
        "participations { role } participations { municipality { name code } } owner { name } owner { code }",
        "title @include(if: false) phase @skip(if: false) summary @skip(if: true) ... on Node { id }",
        "...F ...F participations { __typename m: municipality { ... on Municipality { name } } }",
    ];
    for s in selections {
        let fragment = if s.contains("...F") {
            "fragment F on EServiceProject { budget participations { role state } }"
        } else {
            ""
        };
        let alone = text(
            format!("query($id: ID!) {{ node(id: $id) {{ ... on EServiceProject {{ {s} }} }} }} {fragment}"),
            json!({"id": id}),
        )
        .await;
        let listed = text(
            format!("{{ eServiceProjects(first: 1) {{ edges {{ node {{ {s} }} }} }} }} {fragment}"),
            json!({}),
        )
        .await;
        assert!(
            !alone.contains(r#""errors""#) && !listed.contains(r#""errors""#),
            "{alone} {listed}"
        );
        let (alone, listed) = (
            crate::helpers::without_cost(&alone),
            crate::helpers::without_cost(&listed),
        );
        let alone = alone
            .strip_prefix(r#"{"data":{"node":"#)
            .and_then(|t| t.strip_suffix("}}"))
            .unwrap_or_else(|| panic!("{alone}"));
        let listed = listed
            .strip_prefix(r#"{"data":{"eServiceProjects":{"edges":[{"node":"#)
            .and_then(|t| t.strip_suffix("}]}}}"))
            .unwrap_or_else(|| panic!("{listed}"));
        assert_eq!(listed, alone, "{s}");
    }
}
both_backends!(a_project_in_the_list_reads_as_it_does_on_its_own);

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
    // A short search takes another form than a long one (on PostgreSQL, another index serves
    // it): the same projects either way, whatever the case, and a quote or a backslash is
    // only a letter.
    for (search, expected) in [
        ("06", 1),
        ("PR", 7),
        ("t 00", 7),
        ("j", 7),
        ("6", 1),
        ("t ", 7),
        ("ö", 0),
        ("'", 0),
        ("\\", 0),
        ("'6", 0),
    ] {
        let d = c.ok(LIST, json!({"filter": {"search": search}})).await;
        assert_eq!(d["eServiceProjects"]["totalCount"], expected, "{search}: {d}");
        assert_eq!(
            titles(&d).len(),
            expected,
            "{search}: the page holds what is counted"
        );
    }
    let d = c.ok(LIST, json!({"filter": {"search": "%"}})).await;
    assert_eq!(
        d["eServiceProjects"]["totalCount"], 0,
        "LIKE wildcards are matched literally"
    );
    // A renamed title is found by its new letters and no longer by its old ones (on SQLite
    // the index of letters is kept by triggers on the title).
    let orebro = app.as_kommun("1880").editor();
    let (id, v) = create(&orebro, "Tillfälligt", "COUNTY", "1").await;
    let d = c.ok(LIST, json!({"filter": {"search": "ll"}})).await;
    assert_eq!(titles(&d), vec!["Tillfälligt"], "{d}");
    orebro
        .ok(
            UPDATE,
            json!({"input": {"id": id, "version": v, "title": "Zq-arbete"}}),
        )
        .await;
    for (search, expected) in [
        ("zq", vec!["Zq-arbete"]),
        ("ZQ-", vec!["Zq-arbete"]),
        ("ll", vec![]),
    ] {
        let d = c.ok(LIST, json!({"filter": {"search": search}})).await;
        assert_eq!(titles(&d), expected, "{search}: {d}");
    }
    c.gql(LIST, json!({"after": "bm9wZQ"}))
        .await
        .expect_code("BAD_USER_INPUT");
}
both_backends!(keyset_pages_walk_forwards_and_backwards_without_gaps);

/// A search finds what a plain `LIKE` on the titles finds, whatever narrows it (the index of
/// letters and pairs, PostgreSQL's trigrams): every substring of one to three letters of titles
/// in Swedish and other scripts, with punctuation, quotes, backslashes and LIKE's own
/// wildcards, in the case written and lowered, is counted by the service and by the database
/// directly (`lower(title) LIKE` over the titles the caller sees, nothing narrowed).
async fn a_search_finds_what_a_plain_like_finds(app: TestApp) {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let written = [
        "Ärende-hantering för ÅÄÖ",
        "e-Tjänst: Skolval 2027",
        "BYGGLOV – digitalt",
        "Förskola 🙂 kö",
        "Parkering_tillstånd 100%",
        "O'Briens system",
        "back\\slash och snedstreck",
        "İstanbul och Straße",
        "Ünïcödé ü",
    ];
    let orebro = app.as_kommun("1880").editor();
    for t in written {
        create(&orebro, t, "COUNTY", "1").await;
    }
    let db = Database::connect(&app.database_url).await.unwrap();
    let backend = db.get_database_backend();
    let mut searches: Vec<String> = Vec::new();
    for t in written {
        let chars: Vec<char> = t.chars().collect();
        for len in 1..=3 {
            for w in chars.windows(len) {
                let s: String = w.iter().collect();
                if !s.trim().is_empty() {
                    if len < 3 {
                        searches.push(s.to_uppercase());
                    }
                    searches.push(s);
                }
            }
        }
    }
    searches.extend(["zq", "q", "%", "_", "\\", "'", "%%", "ß"].map(String::from));
    searches.sort();
    searches.dedup();
    let viewer = app.as_kommun("1881").viewer();
    let q = "query($s: String!) { eServiceProjects(first: 20, filter: {search: $s}) { totalCount edges { node { title } } } }";
    let placeholder = if backend == sea_orm::DatabaseBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    for s in &searches {
        let pattern = format!(
            "%{}%",
            s.trim()
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let expected = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT count(*) AS n FROM project WHERE visibility = 'COUNTY' AND lower(title) LIKE {placeholder} ESCAPE '\\'"
                ),
                [pattern.into()],
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        let d = viewer.ok(q, json!({"s": s})).await;
        let found = titles(&d).len() as i64;
        assert_eq!(found, expected, "{s:?}: {d}");
        assert_eq!(d["eServiceProjects"]["totalCount"], expected, "{s:?}: {d}");
    }
    db.close().await.unwrap();
}
both_backends!(a_search_finds_what_a_plain_like_finds);

/// On PostgreSQL a one- or two-letter search is looked up in the index of the titles' letters
/// and pairs (migration 000031) rather than read title by title: in a county of a few thousand
/// projects with fresh statistics, a pair one title holds is found through that index (its
/// scans counted by `pg_stat_user_indexes`), and a letter every title holds still fills its
/// page.
#[tokio::test]
async fn a_short_search_is_looked_up_in_the_index_of_letters_and_pairs() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let Some(app) = TestApp::spawn(crate::helpers::Backend::Postgres).await else {
        eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set");
        return;
    };
    let orebro = app.as_kommun("1880").editor();
    create(&orebro, "Mall", "COUNTY", "1").await;
    let db = Database::connect(&app.database_url).await.unwrap();
    let sql = |s: &str| Statement::from_string(sea_orm::DatabaseBackend::Postgres, s.to_owned());
    // Written past the service, as a county's worth of titles: the search reads rows, so
    // nothing the service keeps about them matters here.
    db.execute_raw(sql(
        "INSERT INTO project (title, summary, description, tags, target_group, owner_id, county_id, \
         visibility, budget_ore, phase, cost_key, mixed_equal_bp, health, next_tollgate_due, plan_year, \
         population_year, version, created_at, updated_at) \
         SELECT 'E-tjänst ' || g, summary, description, tags, target_group, owner_id, county_id, \
         visibility, budget_ore, phase, cost_key, mixed_equal_bp, health, next_tollgate_due, plan_year, \
         population_year, version, created_at, updated_at \
         FROM project, generate_series(1, 5000) AS g WHERE title = 'Mall'",
    ))
    .await
    .unwrap();
    create(&orebro, "Ovanligt qz-projekt", "COUNTY", "1").await;
    db.execute_raw(sql("ANALYZE project")).await.unwrap();
    let scans = || async {
        db.query_one_raw(sql(
            "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'ix_project_title_short_grams'",
        ))
        .await
        .unwrap()
        .expect("the index exists")
        .try_get_by_index::<i64>(0)
        .unwrap()
    };
    let c = app.as_kommun("1881").viewer();
    let d = c.ok(LIST, json!({"first": 5, "filter": {"search": "QZ"}})).await;
    assert_eq!(titles(&d), vec!["Ovanligt qz-projekt"], "{d}");
    // The server's statistics reach other sessions within a second or so.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while scans().await == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(scans().await > 0, "the pair was looked up in the index");
    let d = c.ok(LIST, json!({"first": 5, "filter": {"search": "j"}})).await;
    assert_eq!(titles(&d).len(), 5, "{d}");
    db.close().await.unwrap();
}

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

/// Counts are kept per part until a mutation of one of the part's projects moves it
/// (`generation::touch_project_parts`): after every kind of change that can move a count,
/// made through either of two replicas, every caller's count on both is the number of rows it
/// pages through, for filters that read the project's columns and its participations.
async fn every_change_moves_the_counts_it_changes(app: TestApp) {
    let other = app.replica(|_| {}).await;
    let replicas = [&app, &other];
    let q = "query($f: ProjectFilter) { eServiceProjects(first: 50, filter: $f) { totalCount edges { node { id } } } }";
    let filters = [
        json!(null),
        json!({"participant": "1881"}),
        json!({"visibility": ["PARTICIPANTS", "PRIVATE"]}),
        json!({"phase": ["IDEA"]}),
        json!({"health": ["RED"]}),
    ];
    let check = |step: &'static str| {
        let filters = &filters;
        async move {
            for r in replicas {
                let callers = [
                    r.as_kommun("1880").viewer(),
                    r.as_kommun("1862").viewer(),
                    r.as_kommun("1881").editor(),
                    r.as_kommun("1860").viewer(),
                    r.as_kommun("1880").namnd(),
                ];
                for (who, c) in callers.iter().enumerate() {
                    for f in filters {
                        // Twice: the second answer may come from the caches.
                        for _ in 0..2 {
                            let d = c.ok(q, json!({"f": f})).await;
                            let list = &d["eServiceProjects"];
                            assert_eq!(
                                list["totalCount"].as_u64(),
                                list["edges"].as_array().map(|e| e.len() as u64),
                                "after {step}: caller {who} with filter {f}: {list}"
                            );
                        }
                    }
                }
            }
        }
    };
    let (orebro, there) = (
        app.as_kommun("1880").editor_admin(),
        other.as_kommun("1880").editor_admin(),
    );
    create(&orebro, "Grund", "COUNTY", "1").await;
    check("the start").await;
    let (p1, _) = create(&there, "Delad med inbjudna", "PARTICIPANTS", "1").await;
    check("a PARTICIPANTS project").await;
    let inv = invite(&orebro, &p1, "1862", "PARTICIPANT").await;
    check("an invitation").await;
    answer(&other.as_kommun("1862").admin(), &inv, false).await;
    check("a declined invitation").await;
    let (p2, _) = create(&orebro, "Nästa", "PARTICIPANTS", "1").await;
    let inv = invite(&there, &p2, "1862", "PARTICIPANT").await;
    answer(&app.as_kommun("1862").admin(), &inv, true).await;
    let inv = invite(&orebro, &p2, "1881", "PARTICIPANT").await;
    answer(&other.as_kommun("1881").admin(), &inv, true).await;
    check("accepted invitations").await;
    let (p3, _) = create(&orebro, "Egen", "PRIVATE", "1").await;
    for (step, project, visibility, via) in [
        ("a shared project made COUNTY", &p2, "COUNTY", &there),
        (
            "a shared project made PARTICIPANTS again",
            &p2,
            "PARTICIPANTS",
            &orebro,
        ),
        ("a PRIVATE project made COUNTY", &p3, "COUNTY", &orebro),
        ("a project made PRIVATE again", &p3, "PRIVATE", &there),
    ] {
        let v = version(via, project).await;
        via.ok(
            UPDATE,
            json!({"input": {"id": project, "version": v, "visibility": visibility}}),
        )
        .await;
        check(step).await;
    }
    app.as_kommun("1881")
        .editor_admin()
        .ok(WITHDRAW, json!({"input": {"projectId": p2}}))
        .await;
    check("a withdrawal").await;
    advance(&there, &p2, "PRE_STUDY").await;
    check("a tollgate").await;
    orebro
        .ok(
            STATUS,
            json!({"input": {"projectId": p1, "date": "2026-11-21", "health": "RED", "summary": "Sent"}}),
        )
        .await;
    check("a status report").await;
}
both_backends!(every_change_moves_the_counts_it_changes);
