//! The audit's questions answered from the records (docs/domain.md, "The audit's questions"):
//! governing documents, the register of people in pm3 roles, the nine answers with figures
//! counted by hand here, key-person risk at its edges, the hidden cost distribution, and the
//! auditors' role.
use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::{
        benefits::{ADD_BENEFIT, FOLLOW_UP},
        inventory::{PRODUCT, VENDOR, register},
        projects::{ADVANCE, answer, create, invite, version},
    },
    helpers::{Caller, TestApp},
};

const DOCUMENT: &str = "mutation($i: GoverningDocumentInput!) { createGoverningDocument(input: $i) { document { id version inForce } } }";
const READINESS: &str = "query($k: String!, $at: Date) { auditReadiness(kommun: $k, asOf: $at) {
  asOf answers { question status rule counted figures { name value of }
    projects(first: 100) { totalCount edges { node { id } } } systems(first: 100) { totalCount }
    documents { id } }
  trend { quarterEnd statuses { question status } } } }";

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A tollgate decision dated today, so that it falls in the twelve months the answers read.
async fn advance_to(c: &Caller<'_>, id: &str, phases: &[&str]) {
    for to in phases {
        let v = version(c, id).await;
        c.ok(
            ADVANCE,
            json!({"input": {"id": id, "version": v, "toPhase": to, "decision": {"date": today().to_string(), "decidingBody": "KS Örebro", "diarienummer": "KS 2026/1", "summary": to}}}),
        )
        .await;
    }
}

async fn benefit(c: &Caller<'_>, project: &str, category: &str, baseline: &str, target: &str) -> String {
    let d = c
        .ok(
            ADD_BENEFIT,
            json!({"input": {"projectId": project, "description": "Nytta", "category": category, "kind": "QUANTITATIVE", "ownerCode": "1880", "metric": "min", "unit": "min", "baseline": baseline, "target": target}}),
        )
        .await;
    d["addBenefit"]["benefit"]["id"].as_str().unwrap().to_owned()
}

fn answer_of<'v>(r: &'v Value, q: &str) -> &'v Value {
    r["auditReadiness"]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["question"] == q)
        .unwrap()
}

fn figure(a: &Value, name: &str) -> (i64, Option<i64>) {
    let f = a["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no figure {name} in {a}"));
    (f["value"].as_i64().unwrap(), f["of"].as_i64())
}

async fn governing_documents_are_checked_and_stay_in_force_until_replaced(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let base = json!({"kind": "IT_STRATEGY", "title": "IT-strategi", "adoptingBody": "Kommunfullmäktige", "bodyKind": "ELECTED", "decidedOn": "2024-03-14", "diarienummer": "KS 2023/812"});
    for (drop, field) in [("decidedOn", "decidedOn"), ("adoptingBody", "adoptingBody")] {
        let mut i = base.clone();
        i.as_object_mut().unwrap().remove(drop);
        let r = orebro.gql(DOCUMENT, json!({"i": i})).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.body["errors"][0]["extensions"]["field"], field, "{}", r.body);
    }
    let mut early = base.clone();
    early["nextReview"] = json!("2024-01-01");
    let r = orebro.gql(DOCUMENT, json!({"i": early})).await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"], "nextReview",
        "{}",
        r.body
    );
    // Nothing of the refused attempts was written.
    let list = "query($on: Date) { governingDocuments(filter: {municipality: \"1880\", inForceOn: $on}) { edges { node { id title inForce } } } }";
    let d = orebro.ok(list, json!({})).await;
    assert_eq!(d["governingDocuments"]["edges"].as_array().unwrap().len(), 0);

    let d = orebro.ok(DOCUMENT, json!({"i": base})).await;
    let old = d["createGoverningDocument"]["document"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let replace = "mutation($i: ReplaceGoverningDocumentInput!) { replaceGoverningDocument(input: $i) { replaced { replacedOn inForce } document { id kind inForce replaces { id } } } }";
    let r = orebro
        .gql(replace, json!({"i": {"id": old, "version": 1, "document": {"title": "Ny", "adoptingBody": "KF", "bodyKind": "ELECTED", "decidedOn": "2024-01-01"}}}))
        .await;
    r.expect_code("BAD_USER_INPUT");
    let d = orebro
        .ok(replace, json!({"i": {"id": old, "version": 1, "document": {"title": "IT-strategi 2026", "adoptingBody": "KF", "bodyKind": "ELECTED", "decidedOn": "2026-02-01"}}}))
        .await;
    let r = &d["replaceGoverningDocument"];
    assert_eq!(r["replaced"]["replacedOn"], "2026-02-01");
    assert_eq!(r["replaced"]["inForce"], false);
    assert_eq!(r["document"]["kind"], "IT_STRATEGY");
    assert_eq!(r["document"]["replaces"]["id"], json!(old));
    let titles = |d: Value| -> Vec<String> {
        d["governingDocuments"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(orebro.ok(list, json!({"on": "2025-06-01"})).await),
        ["IT-strategi"]
    );
    assert_eq!(
        titles(orebro.ok(list, json!({"on": "2026-02-01"})).await),
        ["IT-strategi 2026"]
    );
    assert!(titles(orebro.ok(list, json!({"on": "2024-03-13"})).await).is_empty());

    // A PRIVATE document is Örebro's alone; the plan year is bounded.
    let mut private = base.clone();
    private["visibility"] = json!("PRIVATE");
    private["title"] = json!("Intern");
    orebro.ok(DOCUMENT, json!({"i": private})).await;
    let kumla = app.as_kommun("1881").viewer();
    let seen = titles(kumla.ok(list, json!({})).await);
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(!seen.contains(&"Intern".to_owned()));
    let r = orebro
        .gql(
            "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { project { id } } }",
            json!({"i": {"title": "x", "budget": "1", "planYear": 1999}}),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"], "planYear",
        "{}",
        r.body
    );
}
both_backends!(governing_documents_are_checked_and_stay_in_force_until_replaced);

async fn the_register_refuses_personnummer_and_keeps_people_with_their_systems(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let holder = "mutation($i: CreateRoleHolderInput!) { createRoleHolder(input: $i) { person { id } } }";
    let r = orebro
        .gql(
            holder,
            json!({"i": {"displayName": "Anna Berg", "key": "19850612-1234"}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "key");
    orebro
        .ok(holder, json!({"i": {"displayName": "Anna Berg", "key": "E100"}}))
        .await;
    orebro
        .ok(holder, json!({"i": {"displayName": "Anna Berg", "key": "E200"}}))
        .await;
    let shared = crate::mutations::shared_fixture(&app).await;
    let product = shared["product"].as_str().unwrap();
    // A name two people share is refused; the key tells them apart.
    let r = orebro
        .gql(
            crate::docs::inventory::REGISTER,
            json!({"input": {"productId": product, "hosting": "OWN_DATACENTER", "dataLocation": "SWEDEN", "systemOwner": "Anna Berg"}}),
        )
        .await;
    assert_eq!(
        r.body["errors"][0]["extensions"]["field"], "systemOwner",
        "{}",
        r.body
    );
    let s = register(
        &orebro,
        product,
        json!({"systemOwner": "E200", "objectOwner": "Ny Person"}),
    )
    .await;
    let q = "query($id: ID!) { node(id: $id) { ... on SystemInstance { systemOwner roles { systemOwner { key } objectOwner { displayName } criticalFilled keyPersonRisk } } } }";
    let d = orebro.ok(q, json!({"id": s})).await;
    assert_eq!(d["node"]["roles"]["systemOwner"]["key"], "E200");
    assert_eq!(d["node"]["roles"]["objectOwner"]["displayName"], "Ny Person");
    assert_eq!(d["node"]["roles"]["criticalFilled"], false);
    // Another kommun sees that roles are filled, never who holds them.
    let d = app.as_kommun("1881").viewer().ok(q, json!({"id": s})).await;
    assert_eq!(d["node"]["systemOwner"], "");
    assert!(d["node"]["roles"]["systemOwner"].is_null());
    assert_eq!(d["node"]["roles"]["keyPersonRisk"], true);
    let people = app
        .as_kommun("1881")
        .viewer()
        .ok("{ roleHolders { edges { node { id } } } }", json!({}))
        .await;
    assert!(people["roleHolders"]["edges"].as_array().unwrap().is_empty());
    app.as_kommun("1880")
        .namnd()
        .gql("{ roleHolders { edges { node { id } } } }", json!({}))
        .await
        .expect_code("FORBIDDEN");

    // Removing a person who holds a role names the system and removes nothing.
    let d = orebro
        .ok(
            "{ roleHolders(search: \"E200\") { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let e200 = d["roleHolders"]["edges"][0]["node"]["id"].clone();
    let r = orebro
        .gql(
            "mutation($i: DeleteRoleHolderInput!) { deleteRoleHolder(input: $i) { person { id } } }",
            json!({"i": {"id": e200}}),
        )
        .await;
    r.expect_code("CONFLICT");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("system instance"),
        "{}",
        r.body
    );
}
both_backends!(the_register_refuses_personnummer_and_keeps_people_with_their_systems);

async fn the_nine_answers_count_what_the_caller_may_see(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let shared = crate::mutations::shared_fixture(&app).await;
    let product = shared["product"].as_str().unwrap();

    // Q1: an IT strategy adopted by an official only, in force from 2025-01-01.
    orebro
        .ok(DOCUMENT, json!({"i": {"kind": "IT_STRATEGY", "title": "IT-strategi", "adoptingBody": "Kommundirektören", "bodyKind": "OFFICIAL", "decidedOn": "2025-01-01"}}))
        .await;

    // Q2–Q4: two systems. S1 has a maintenance object, all three critical roles (two people),
    // availability 3 and a review last month; S2 has none of that and a system owner only.
    let reviewed = (today() - chrono::Days::new(30)).to_string();
    register(&orebro, product, json!({"maintenanceObject": "Skolstöd", "systemOwner": "Anna", "objectOwner": "Anna", "objectManagerBusiness": "Bertil", "availability": 3, "lastReviewed": reviewed})).await;
    register(
        &orebro,
        product,
        json!({"systemOwner": "Cecilia", "availability": 2, "visibility": "PRIVATE"}),
    )
    .await;

    // Q5–Q7, Q9: A has a work benefit before EXECUTION and a paying partner; B gets its benefit
    // after EXECUTION and is PRIVATE; C has two quantitative benefits before EXECUTION, goes on
    // to BENEFIT_REALIZATION and is followed up on one of them.
    let (a, _) = create(&orebro, "A", "COUNTY", "100").await;
    let (b, _) = create(&orebro, "B", "PRIVATE", "100").await;
    let (c, _) = create(&orebro, "C", "COUNTY", "100").await;
    orebro
        .ok(
            "mutation($i: UpdateEServiceProjectInput!) { updateEServiceProject(input: $i) { project { planYear } } }",
            json!({"i": {"id": a, "version": version(&orebro, &a).await, "planYear": 2026}}),
        )
        .await;
    let part = invite(&orebro, &a, "1881", "PARTICIPANT").await;
    answer(&app.as_kommun("1881").admin(), &part, true).await;
    benefit(&orebro, &a, "WORK_METHODS", "10", "5").await;
    let c1 = benefit(&orebro, &c, "QUALITY", "100", "50").await;
    let c2 = benefit(&orebro, &c, "QUALITY", "3", "4").await;
    let to_execution = ["PRE_STUDY", "PLANNING", "EXECUTION"];
    advance_to(&orebro, &a, &to_execution).await;
    advance_to(&orebro, &b, &to_execution).await;
    advance_to(
        &orebro,
        &c,
        &[
            "PRE_STUDY",
            "PLANNING",
            "EXECUTION",
            "CLOSING",
            "BENEFIT_REALIZATION",
        ],
    )
    .await;
    benefit(&orebro, &b, "PRODUCTIVITY", "1", "2").await;
    orebro
        .ok(
            FOLLOW_UP,
            json!({"input": {"benefitId": c1, "date": today().to_string(), "value": "70"}}),
        )
        .await;

    let r = orebro.ok(READINESS, json!({"k": "1880"})).await;
    let status = |q: &str| answer_of(&r, q)["status"].as_str().unwrap().to_owned();
    assert_eq!(status("INSTRUMENT"), "PARTLY");
    assert_eq!(status("GUIDELINES"), "NOT_MET");
    assert_eq!(
        figure(answer_of(&r, "GUIDELINES"), "systemsWithMaintenanceObject"),
        (1, Some(2))
    );
    assert_eq!(status("ARCHITECTURE"), "NOT_MET");
    assert_eq!(
        figure(answer_of(&r, "ARCHITECTURE"), "systemsReviewed"),
        (1, Some(2))
    );
    assert_eq!(status("ROLES"), "PARTLY");
    assert_eq!(
        figure(answer_of(&r, "ROLES"), "systemsWithRolesFilled"),
        (1, Some(2))
    );
    assert_eq!(
        figure(answer_of(&r, "ROLES"), "criticalSystemsAtKeyPersonRisk"),
        (0, None)
    );
    // B's benefit came after its decision: one of three executed projects counts.
    assert_eq!(status("WORKING_MODEL"), "PARTLY");
    assert_eq!(
        figure(answer_of(&r, "WORKING_MODEL"), "executedWithWorkBenefit"),
        (1, Some(3))
    );
    assert_eq!(answer_of(&r, "WORKING_MODEL")["projects"]["totalCount"], 3);
    assert_eq!(status("PLANNING"), "PARTLY");
    assert_eq!(
        figure(answer_of(&r, "PLANNING"), "createdWithPlanYear"),
        (1, Some(3))
    );
    let seven = answer_of(&r, "CALCULATION_AND_FOLLOW_UP");
    assert_eq!(figure(seven, "executedWithCalculation"), (2, Some(3)));
    assert_eq!(figure(seven, "realizingWithFollowUps"), (0, Some(1)));
    assert_eq!(seven["status"], "PARTLY");
    assert_eq!(status("SOURCING"), "NOT_MET");
    assert_eq!(status("COOPERATION"), "PARTLY");
    assert_eq!(
        figure(answer_of(&r, "COOPERATION"), "projectsWithAnotherPayer"),
        (1, Some(3))
    );
    assert_eq!(r["auditReadiness"]["trend"].as_array().unwrap().len(), 8);

    // The committee counts only what it may see: B and S2 are Örebro's own.
    let n = app
        .as_kommun("1880")
        .namnd()
        .ok(READINESS, json!({"k": "1880"}))
        .await;
    assert_eq!(
        figure(answer_of(&n, "WORKING_MODEL"), "executedWithWorkBenefit"),
        (1, Some(2))
    );
    assert_eq!(
        figure(answer_of(&n, "GUIDELINES"), "systemsWithMaintenanceObject"),
        (1, Some(1))
    );
    assert!(
        answer_of(&n, "WORKING_MODEL")["counted"].as_i64()
            < answer_of(&r, "WORKING_MODEL")["counted"].as_i64()
    );
    // Örebro's auditors read what Örebro reads.
    let rev = app
        .as_kommun("1880")
        .revisor()
        .ok(READINESS, json!({"k": "1880"}))
        .await;
    assert_eq!(rev["auditReadiness"]["answers"], r["auditReadiness"]["answers"]);

    // The second follow-up completes C; a sourcing strategy makes SOURCING partly met.
    orebro
        .ok(
            FOLLOW_UP,
            json!({"input": {"benefitId": c2, "date": today().to_string(), "value": "4"}}),
        )
        .await;
    orebro
        .ok(DOCUMENT, json!({"i": {"kind": "SOURCING_STRATEGY", "title": "Sourcingstrategi", "adoptingBody": "KS", "bodyKind": "ELECTED", "decidedOn": "2025-06-01"}}))
        .await;
    let r = orebro.ok(READINESS, json!({"k": "1880"})).await;
    assert_eq!(
        figure(
            answer_of(&r, "CALCULATION_AND_FOLLOW_UP"),
            "realizingWithFollowUps"
        ),
        (1, Some(1))
    );
    assert_eq!(answer_of(&r, "SOURCING")["status"], "PARTLY");

    // As of a date before the strategy's adoption: no instrument, and nothing created yet.
    let past = orebro
        .ok(READINESS, json!({"k": "1880", "at": "2024-12-31"}))
        .await;
    assert_eq!(answer_of(&past, "INSTRUMENT")["status"], "NOT_MET");
    assert_eq!(answer_of(&past, "PLANNING")["status"], "NO_DATA");
    assert_eq!(answer_of(&past, "GUIDELINES")["counted"], 0);

    // Bad input: a date in the future, a kommunkod that is none.
    orebro
        .gql(READINESS, json!({"k": "1880", "at": "2999-01-01"}))
        .await
        .expect_code("BAD_USER_INPUT");
    orebro
        .gql(READINESS, json!({"k": "18"}))
        .await
        .expect_code("BAD_USER_INPUT");
    app.as_kommun("1880")
        .integration()
        .gql(READINESS, json!({"k": "1880"}))
        .await
        .expect_code("FORBIDDEN");
}
both_backends!(the_nine_answers_count_what_the_caller_may_see);

async fn key_persons_at_the_edges_are_named_to_their_kommun_only(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let shared = crate::mutations::shared_fixture(&app).await;
    let product = shared["product"].as_str().unwrap();
    // Dana holds critical roles on exactly three systems; Erik on two; Frida alone on an
    // availability-3 system; Gustav alone on an availability-2 system.
    for other in ["O1", "O2", "O3"] {
        register(
            &orebro,
            product,
            json!({"systemOwner": "Dana", "objectOwner": other, "objectManagerBusiness": "Erik"}),
        )
        .await;
    }
    let frida = register(&orebro, product, json!({"systemOwner": "Frida", "objectOwner": "Frida", "objectManagerBusiness": "Frida", "availability": 3})).await;
    register(&orebro, product, json!({"systemOwner": "Gustav", "objectOwner": "Gustav", "objectManagerBusiness": "Gustav", "availability": 2})).await;
    let q = "query($k: String!) { keyPersonRisk(kommun: $k) { systemsCounted keyPersonCount systemsAtRisk { system { id } reason } keyPersons { person { displayName } systems } } }";
    let d = orebro.ok(q, json!({"k": "1880"})).await;
    let r = &d["keyPersonRisk"];
    assert_eq!(r["systemsCounted"], 5);
    let mut names: Vec<&str> = r["keyPersons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["person"]["displayName"].as_str().unwrap())
        .collect();
    names.sort();
    // Erik holds the same three systems' third role: three systems make him one too.
    assert_eq!(names, ["Dana", "Erik", "Frida"]);
    assert_eq!(r["keyPersonCount"], 3);
    let at_risk: Vec<(&Value, &Value)> = r["systemsAtRisk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (&s["system"]["id"], &s["reason"]))
        .collect();
    assert_eq!(at_risk.len(), 2);
    assert!(at_risk.contains(&(&json!(frida), &json!("ONE_PERSON"))));

    // Kumla and the committee see the counts, never the people.
    for c in [app.as_kommun("1881").viewer(), app.as_kommun("1881").namnd()] {
        let d = c.ok(q, json!({"k": "1880"})).await;
        assert_eq!(d["keyPersonRisk"]["keyPersonCount"], 3);
        assert!(d["keyPersonRisk"]["keyPersons"].is_null());
    }
    let d = app
        .as_kommun("1881")
        .viewer()
        .ok(
            "{ keyPersonRiskByMunicipality { municipality { code } systemsAtRisk keyPersonCount } }",
            json!({}),
        )
        .await;
    let orebro_row = d["keyPersonRiskByMunicipality"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["municipality"]["code"] == "1880")
        .unwrap();
    assert_eq!(orebro_row["systemsAtRisk"], 2);
    assert_eq!(orebro_row["keyPersonCount"], 3);

    // The committee's report and its CSV carry the same counts (all five systems are COUNTY).
    let report = app
        .as_kommun("1881")
        .namnd()
        .ok(
            "{ committeeReport(county: \"18\", from: \"2026-01-01\", to: \"2026-12-31\") { keyPersonRisk { municipality { code } systemsCounted systemsAtRisk keyPersonCount } } }",
            json!({}),
        )
        .await;
    let rows = report["committeeReport"]["keyPersonRisk"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "every kommun of the county, each with its counts");
    assert_eq!(
        rows.iter().find(|r| r["municipality"]["code"] == "1880").unwrap(),
        &json!({"municipality": {"code": "1880"}, "systemsCounted": 5, "systemsAtRisk": 2, "keyPersonCount": 3})
    );
    let token = samverkan::auth::mint_dev_token(&app.secret, "namnd", "1881", &["namnd".into()], 60).unwrap();
    let res = app
        .get("/reports/18/committee.csv?from=2026-01-01&to=2026-12-31")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let section: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Personberoende per kommun")
        // A section ends with a record of one empty cell.
        .take_while(|l| !l.is_empty() && *l != "\"\"")
        .collect();
    assert_eq!(
        section[1],
        "Kommun;Kommunkod;System;System med risk;Nyckelpersoner"
    );
    assert!(section.contains(&"Örebro;1880;5;2;3"), "{section:?}");
    assert_eq!(section.len(), 2 + 12);
    assert!(!text.contains("Dana"), "people are never named in the report");
}
both_backends!(key_persons_at_the_edges_are_named_to_their_kommun_only);

async fn hidden_costs_show_only_as_a_distribution_of_three_or_more(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let d = orebro
        .ok(
            VENDOR,
            json!({"input": {"name": "Kostnad AB", "orgNumber": "5566778899"}}),
        )
        .await;
    let vendor = d["createVendor"]["vendor"]["id"].as_str().unwrap().to_owned();
    let d = orebro
        .ok(
            PRODUCT,
            json!({"input": {"vendorId": vendor, "name": "Ekonomi", "category": "FINANCE"}}),
        )
        .await;
    let product = d["createProduct"]["product"]["id"].as_str().unwrap().to_owned();
    register(&orebro, &product, json!({"annualCost": "300000"})).await;
    let q = "query($p: ID!) { costComparison(productId: $p) { product { name } kommuner { municipality { code } annualCost costPerInhabitant } hiddenCount hidden { count min median max } } }";
    let kumla = app.as_kommun("1881").viewer();
    for (n, (code, cost)) in [("1881", "100000"), ("1882", "200000"), ("1883", "400000")]
        .into_iter()
        .enumerate()
    {
        register(
            &app.as_kommun(code).editor(),
            &product,
            json!({"annualCost": cost, "visibility": "PRIVATE"}),
        )
        .await;
        let d = app.as_kommun("1884").viewer().ok(q, json!({"p": product})).await;
        let p = &d["costComparison"];
        assert_eq!(p["product"]["name"], "Ekonomi");
        assert_eq!(p["kommuner"].as_array().unwrap().len(), 1, "{p}");
        assert_eq!(p["hiddenCount"], n + 1);
        if n < 2 {
            assert!(p["hidden"].is_null(), "{} hidden: {p}", n + 1);
        } else {
            assert_eq!(
                p["hidden"],
                json!({"count": 3, "min": "100000.00", "median": "200000.00", "max": "400000.00"})
            );
        }
    }
    // Kumla sees its own private instance named, and two hidden: no distribution.
    let d = kumla.ok(q, json!({"p": product})).await;
    let p = &d["costComparison"];
    assert_eq!(p["kommuner"].as_array().unwrap().len(), 2);
    assert!(p["hidden"].is_null());
    let per = p["kommuner"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["municipality"]["code"] == "1880")
        .unwrap();
    assert_eq!(per["annualCost"], "300000.00");
    assert!(per["costPerInhabitant"].is_string());
    // Totals per kommun count only what the caller may see: Kumla's own and Örebro's.
    let d = kumla
        .ok(
            "{ systemCostTotals { municipality { code } annualCost } }",
            json!({}),
        )
        .await;
    let totals = d["systemCostTotals"].as_array().unwrap();
    assert_eq!(totals.len(), 2, "{totals:?}");
}
both_backends!(hidden_costs_show_only_as_a_distribution_of_three_or_more);

async fn the_answers_cost_the_same_statements_at_any_size(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let shared = crate::mutations::shared_fixture(&app).await;
    let product = shared["product"].as_str().unwrap();
    let count = |app: &TestApp| app.statements();
    let mut seen = Vec::new();
    for round in 0..2 {
        for i in 0..(3 + round * 6) {
            let (p, _) = create(&orebro, &format!("P{round}-{i}"), "COUNTY", "10").await;
            benefit(&orebro, &p, "WORK_METHODS", "1", "2").await;
            register(&orebro, product, json!({"systemOwner": format!("Ägare {i}")})).await;
        }
        let before = count(&app);
        orebro.ok(READINESS, json!({"k": "1880"})).await;
        seen.push(count(&app) - before);
    }
    assert_eq!(
        seen[0], seen[1],
        "statements for the answers grew with the records: {seen:?}"
    );
}
both_backends!(the_answers_cost_the_same_statements_at_any_size);

async fn the_auditors_csv_holds_the_answers_and_their_trend(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    orebro
        .ok(DOCUMENT, json!({"i": {"kind": "IT_STRATEGY", "title": "IT-strategi", "adoptingBody": "KF", "bodyKind": "ELECTED", "decidedOn": "2025-01-01"}}))
        .await;
    let token = samverkan::auth::mint_dev_token(&app.secret, "rev", "1880", &["revisor".into()], 60).unwrap();
    let res = app
        .get("/reports/audit/1880.csv")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], "\u{feff}".as_bytes());
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let instrument: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "INSTRUMENT").collect();
    assert_eq!(instrument.len(), 2, "{rows:?}");
    assert_eq!(instrument[0][1], "MEETS");
    // Eight quarter ends after the header of the trend.
    let trend = rows.iter().position(|r| r[0] == "Kvartalsslut").unwrap();
    assert_eq!(rows.len() - trend - 1, 8);
    let bad = app
        .get("/reports/audit/1880.csv?asOf=igår")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let anonymous = app.get("/reports/audit/1880.csv").send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}
both_backends!(the_auditors_csv_holds_the_answers_and_their_trend);

const SET_THRESHOLDS: &str = "mutation($i: SetAuditThresholdsInput!) { setAuditThresholds(input: $i) { thresholds { shareMeets sharePartly reviewMonths } } }";

/// The county's committee sets the thresholds; the answers follow them at once, a bad figure
/// changes nothing, nobody else may set them, and every kommun of the county reads the change
/// in the audit trail.
async fn the_committee_sets_the_countys_thresholds(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let namnd = app.as_kommun("1883").namnd();
    let (a, _) = create(&orebro, "Planerat", "COUNTY", "100").await;
    create(&orebro, "Oplanerat", "COUNTY", "100").await;
    orebro
        .ok(
            "mutation($i: UpdateEServiceProjectInput!) { updateEServiceProject(input: $i) { project { planYear } } }",
            json!({"i": {"id": a, "version": version(&orebro, &a).await, "planYear": 2027}}),
        )
        .await;
    let planning = |r: &Value| answer_of(r, "PLANNING")["status"].as_str().unwrap().to_owned();
    let r = orebro.ok(READINESS, json!({"k": "1880"})).await;
    assert_eq!(
        figure(answer_of(&r, "PLANNING"), "createdWithPlanYear"),
        (1, Some(2))
    );
    assert_eq!(planning(&r), "PARTLY", "50 % is below docs/domain.md's 80 %");

    let read =
        "query { auditThresholds(county: \"18\") { shareMeets sharePartly reviewMonths keyPersonSystems } }";
    let defaults = app.as_kommun("1881").viewer().ok(read, json!({})).await;
    assert_eq!(
        defaults["auditThresholds"],
        json!({"shareMeets": 80, "sharePartly": 30, "reviewMonths": 12, "keyPersonSystems": 3})
    );

    // Nobody but the committee sets them; bad figures are refused naming them.
    for who in [
        app.as_kommun("1880").editor_admin(),
        app.as_kommun("1880").revisor(),
        app.as_kommun("1880").viewer(),
    ] {
        who.gql(SET_THRESHOLDS, json!({"i": {"county": "18", "shareMeets": 50}}))
            .await
            .expect_code("FORBIDDEN");
    }
    for (input, field) in [
        (json!({"county": "18", "shareMeets": 150}), "shareMeets"),
        (json!({"county": "18", "sharePartly": -1}), "sharePartly"),
        (json!({"county": "18", "reviewMonths": 0}), "reviewMonths"),
        (
            json!({"county": "18", "keyPersonAvailability": 5}),
            "keyPersonAvailability",
        ),
        (json!({"county": "99", "shareMeets": 50}), "county"),
    ] {
        let r = namnd.gql(SET_THRESHOLDS, json!({"i": input})).await;
        r.expect_code("BAD_USER_INPUT");
        assert_eq!(r.body["errors"][0]["extensions"]["field"], field, "{}", r.body);
    }
    assert_eq!(
        namnd.ok(read, json!({})).await,
        defaults,
        "a refused change wrote nothing"
    );

    let set = namnd
        .ok(SET_THRESHOLDS, json!({"i": {"county": "18", "shareMeets": 50}}))
        .await;
    assert_eq!(
        set["setAuditThresholds"]["thresholds"],
        json!({"shareMeets": 50, "sharePartly": 30, "reviewMonths": 12})
    );
    let r = orebro.ok(READINESS, json!({"k": "1880"})).await;
    assert_eq!(planning(&r), "MEETS", "50 % meets the county's own 50 %");

    // Back to docs/domain.md's figures.
    let reset = namnd
        .ok(SET_THRESHOLDS, json!({"i": {"county": "18", "reset": true}}))
        .await;
    assert_eq!(reset["setAuditThresholds"]["thresholds"]["shareMeets"], 80);
    assert_eq!(
        planning(&orebro.ok(READINESS, json!({"k": "1880"})).await),
        "PARTLY"
    );

    // Every kommun of the county reads both changes, newest first: the first created the
    // county's own figures, the reset changed them back.
    let trail = app
        .as_kommun("1881")
        .viewer()
        .ok(
            "query { auditEvents(filter: {action: \"setAuditThresholds\"}) { totalCount edges { node { recordType before after } } } }",
            json!({}),
        )
        .await;
    assert_eq!(trail["auditEvents"]["totalCount"], 2);
    let share = |i: usize, side: &str| {
        trail["auditEvents"]["edges"][i]["node"][side]["auditThresholds"]["shareMeets"].clone()
    };
    assert_eq!(trail["auditEvents"]["edges"][0]["node"]["recordType"], "County");
    assert_eq!((share(0, "before"), share(0, "after")), (json!(50), json!(80)));
    assert_eq!((share(1, "before"), share(1, "after")), (Value::Null, json!(50)));
}
both_backends!(the_committee_sets_the_countys_thresholds);
