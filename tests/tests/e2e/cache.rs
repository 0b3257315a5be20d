//! The response cache (`http::cache`) as its users rely on it: a cached answer is the answer
//! the same caller would get without the cache, for every caller, after every write, on
//! whichever replica the write went to.
use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::*,
    helpers::{Caller, TestApp},
};

/// What the callers read after every step: lists with their counts, a record by id, the
/// caller itself, the audit trail and the public catalogue.
const READS: [&str; 5] = [
    "{ eServiceProjects(first: 50) { totalCount edges { node { id title visibility budget owner { code } participations { state municipality { code } } } } } }",
    "{ viewer { sub roles municipality { code } } }",
    "{ auditEvents(first: 30) { totalCount edges { node { action } } } }",
    "{ publishedEServices { totalCount edges { node { name } } } }",
    "{ eServiceProjects(first: 50, filter: { visibility: [PRIVATE, PARTICIPANTS] }) { totalCount edges { node { id } } } }",
];

/// A deterministic pseudo-random sequence, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Every caller's answer to every read from `cached` equals its answer from `plain` (no cache).
async fn agree(step: &str, cached: &[Caller<'_>], plain: &[Caller<'_>], extra: &[String]) {
    for (i, (c, p)) in cached.iter().zip(plain).enumerate() {
        let node = |id: &String| (PROJECT.to_owned(), json!({ "id": id }));
        let reads = READS
            .iter()
            .map(|q| ((*q).to_owned(), json!({})))
            .chain(extra.iter().map(node));
        for (q, vars) in reads {
            // Twice: the second is the one a warm cache answers.
            for _ in 0..2 {
                let (a, b) = (c.gql(&q, vars.clone()).await, p.gql(&q, vars.clone()).await);
                assert_eq!(
                    (a.status, crate::helpers::data_of(&a.body)),
                    (b.status, crate::helpers::data_of(&b.body)),
                    "{step}: caller {i} got a different answer from the cache for {q} {vars}"
                );
                // Both replicas keep counts, so they are also held against the rows: every
                // list here fits on its first page.
                let list = &a.body["data"]["eServiceProjects"];
                if let Some(edges) = list["edges"].as_array() {
                    assert_eq!(
                        list["totalCount"].as_u64(),
                        Some(edges.len() as u64),
                        "{step}: caller {i}'s count is not its rows for {q}"
                    );
                }
            }
        }
    }
}

async fn cached_answers_are_the_uncached_answers_for_every_caller_after_every_write(app: TestApp) {
    // A second replica without a cache is the reference; writes go to either.
    let plain = app
        .replica(|s| {
            s.response_cache_mb = 0;
            generous(s);
        })
        .await;
    fn who(a: &TestApp) -> Vec<Caller<'_>> {
        vec![
            a.as_kommun("1880").editor_admin(),
            a.as_kommun("1880").viewer(),
            a.as_kommun("1881").admin(),
            a.as_kommun("1881").editor(),
            a.as_kommun("1862").viewer(),
            a.as_kommun("1880").namnd(),
            a.as_kommun("1862").integration(),
            a.anonymous(),
        ]
    }
    let (cached, reference) = (who(&app), who(&plain));
    let editors = ["1880", "1881", "1862"];
    let visibilities = ["PRIVATE", "PARTICIPANTS", "COUNTY"];
    let mut rng = Lcg(0x5eed);
    let mut projects: Vec<(String, &str)> = Vec::new();
    let mut invitations: Vec<(String, &str)> = Vec::new();
    agree("at the start", &cached, &reference, &[]).await;
    for step in 0..14 {
        let via = if rng.below(2) == 0 { &app } else { &plain };
        let done = match rng.below(4) {
            0 | 1 if projects.len() < 6 || rng.below(2) == 0 => {
                let owner = editors[rng.below(editors.len())];
                let visibility = visibilities[rng.below(3)];
                let c = via.as_kommun(owner).editor_admin();
                let (id, _) = create(&c, &format!("Projekt {step}"), visibility, "1000").await;
                projects.push((id, owner));
                format!("{owner} created a {visibility} project")
            }
            0 | 1 => {
                let (id, owner) = projects[rng.below(projects.len())].clone();
                let c = via.as_kommun(owner).editor_admin();
                let v = version(&c, &id).await;
                let visibility = visibilities[rng.below(3)];
                c.ok(UPDATE, json!({"input": {"id": id, "version": v, "visibility": visibility, "title": format!("Ändrat {step}")}}))
                    .await;
                format!("{owner} made a project {visibility}")
            }
            2 if !projects.is_empty() => {
                let (id, owner) = projects[rng.below(projects.len())].clone();
                let guest = editors.iter().copied().find(|k| *k != owner).unwrap_or("1860");
                let c = via.as_kommun(owner).editor_admin();
                let r = c
                    .gql(
                        INVITE,
                        json!({"input": {"projectId": id, "municipalityCode": guest, "role": "PARTICIPANT"}}),
                    )
                    .await;
                match r.body["data"]["inviteMunicipality"]["participation"]["id"].as_str() {
                    Some(part) => invitations.push((part.to_owned(), guest)),
                    // Already invited: a refusal writes nothing, which the caches must agree on too.
                    None => {
                        r.expect_code("BAD_USER_INPUT");
                    }
                }
                format!("{owner} invited {guest}")
            }
            _ if !invitations.is_empty() => {
                let (part, guest) = invitations.swap_remove(rng.below(invitations.len()));
                let accept = rng.below(3) > 0;
                answer(&via.as_kommun(guest).admin(), &part, accept).await;
                format!("{guest} answered an invitation ({accept})")
            }
            _ => continue,
        };
        let ids: Vec<String> = projects.iter().map(|(id, _)| id.clone()).collect();
        agree(&format!("step {step}, after {done}"), &cached, &reference, &ids).await;
    }
}
/// Every caller reads every list twice from two replicas after each of 14 writes: more than
/// an anonymous address's cost budget admits in a minute, which is not what this test is about.
fn generous(s: &mut samverkan::settings::Settings) {
    s.limits.cost_per_minute = 1_000_000_000;
    s.limits.anonymous_cost_per_minute = 1_000_000_000;
}

mod cached_answers_are_the_uncached_answers_for_every_caller_after_every_write {
    use crate::helpers::{Backend, TestApp};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = TestApp::spawn_with(Backend::Sqlite, super::generous)
            .await
            .expect("sqlite app");
        super::cached_answers_are_the_uncached_answers_for_every_caller_after_every_write(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        match TestApp::spawn_with(Backend::Postgres, super::generous).await {
            Some(app) => {
                super::cached_answers_are_the_uncached_answers_for_every_caller_after_every_write(app).await
            }
            None => eprintln!("skipped: SAMVERKAN_TEST_POSTGRES_URL is not set"),
        }
    }
}

async fn a_write_on_one_replica_is_seen_at_once_on_the_other(app: TestApp) {
    let other = app.replica(|_| {}).await;
    let (here, there) = (app.as_kommun("1880").viewer(), other.as_kommun("1880").viewer());
    let editor = other.as_kommun("1880").editor();
    let list = "{ eServiceProjects(first: 50) { totalCount edges { node { title } } } }";
    let titles = |d: &Value| -> Vec<String> {
        d["eServiceProjects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    for i in 0..5 {
        // Warm both replicas' caches with the answer from before the write.
        let before = here.ok(list, json!({})).await;
        assert_eq!(here.ok(list, json!({})).await, before);
        there.ok(list, json!({})).await;
        let title = format!("Skrivet på den andra repliken {i}");
        let (id, _) = create(&editor, &title, "PRIVATE", "10").await;
        // The mutation has returned: the first replica must not answer from before it.
        let after = here.ok(list, json!({})).await;
        assert_eq!(after["eServiceProjects"]["totalCount"], i + 1, "{after}");
        assert!(titles(&after).contains(&title), "{after}");
        // And a change made here is seen there.
        let v = version(&app.as_kommun("1880").editor(), &id).await;
        let renamed = format!("Omdöpt {i}");
        app.as_kommun("1880")
            .editor()
            .ok(
                UPDATE,
                json!({"input": {"id": id, "version": v, "title": renamed}}),
            )
            .await;
        assert!(titles(&there.ok(list, json!({})).await).contains(&renamed));
    }
}
both_backends!(a_write_on_one_replica_is_seen_at_once_on_the_other);

async fn repeated_reads_are_answered_from_the_cache_and_mutations_never_are(app: TestApp) {
    let viewer = app.as_kommun("1880").viewer();
    create(&app.as_kommun("1880").editor(), "Ett projekt", "COUNTY", "10").await;
    let q = "{ eServiceProjects(first: 10) { totalCount edges { node { title } } } }";
    viewer.ok(q, json!({})).await;
    let before = app.statements();
    for _ in 0..5 {
        viewer.ok(q, json!({})).await;
    }
    // One read of the generation per request, nothing else.
    assert_eq!(app.statements() - before, 5);
    // A mutation is never answered from the cache, even when sent again word for word.
    let editor = app.as_kommun("1880").editor();
    let input = json!({"input": {"title": "Samma igen", "visibility": "COUNTY", "budget": "1"}});
    editor.ok(CREATE, input.clone()).await;
    editor.ok(CREATE, input).await;
    assert_eq!(viewer.ok(q, json!({})).await["eServiceProjects"]["totalCount"], 3);
}
both_backends!(repeated_reads_are_answered_from_the_cache_and_mutations_never_are);

/// A list answer follows only its caller's project count parts: another kommun's PRIVATE
/// project leaves it cached (one statement: the parts' generations), while the owner's own
/// list and, after a COUNTY project, everyone's list are computed again at once.
async fn a_list_follows_only_the_changes_that_can_change_it(app: TestApp) {
    let other = app.replica(|_| {}).await;
    let q = "{ eServiceProjects(first: 10) { totalCount edges { node { title } } } }";
    let (hallsberg, orebro) = (app.as_kommun("1861").viewer(), app.as_kommun("1880").viewer());
    // Statements the read took on `app`, and the titles it saw.
    async fn read_on(app: &TestApp, c: &Caller<'_>, q: &str) -> (u64, Vec<String>) {
        let before = app.statements();
        let d = c.ok(q, json!({})).await;
        let titles = d["eServiceProjects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
            .collect();
        (app.statements() - before, titles)
    }
    let read = |c| read_on(&app, c, q);
    create(&app.as_kommun("1880").editor(), "Delat", "COUNTY", "1").await;
    read(&hallsberg).await;
    read(&orebro).await;
    assert_eq!(read(&hallsberg).await.0, 1, "a repeated read is one statement");

    // Örebro's PRIVATE project, made through the other replica.
    create(&other.as_kommun("1880").editor(), "Örebros egna", "PRIVATE", "1").await;
    let (statements, seen) = read(&hallsberg).await;
    assert_eq!(
        (statements, seen),
        (1, vec!["Delat".to_owned()]),
        "Hallsberg's list stays cached"
    );
    let (statements, seen) = read(&orebro).await;
    assert!(statements > 1, "Örebro's list is computed again");
    assert!(seen.contains(&"Örebros egna".to_owned()), "{seen:?}");

    // A COUNTY project changes every kommun's list.
    create(&other.as_kommun("1880").editor(), "Allas", "COUNTY", "1").await;
    let (statements, seen) = read(&hallsberg).await;
    assert!(
        statements > 1 && seen.contains(&"Allas".to_owned()),
        "{statements} {seen:?}"
    );

    // Any other read still follows every change: the caller's own view of itself is one.
    let viewer = "{ viewer { sub } eServiceProjects(first: 10) { totalCount } }";
    hallsberg.ok(viewer, json!({})).await;
    create(&other.as_kommun("1880").editor(), "Örebros andra", "PRIVATE", "1").await;
    let before = app.statements();
    hallsberg.ok(viewer, json!({})).await;
    assert!(
        app.statements() - before > 1,
        "an answer with more than projects is computed again"
    );
}
both_backends!(a_list_follows_only_the_changes_that_can_change_it);
