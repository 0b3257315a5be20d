//! The audit trail: every mutation of every area writes exactly one event in its own
//! transaction; a refused mutation writes none; the trail is read through the same
//! visibility as the records.
use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::{benefits::*, sourcing as s, *},
    helpers::{Caller, TestApp},
    mutations::{build, cases, schema_mutations, shared_fixture},
};

/// The newest event and how many there are, read straight from the database.
async fn last_event(db: &DatabaseConnection) -> (i64, String, String, Option<Value>, Option<Value>) {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT (SELECT COUNT(*) FROM audit_event) AS n, action, record_type, before, after FROM audit_event ORDER BY id DESC LIMIT 1",
        ))
        .await
        .unwrap();
    let Some(r) = rows.first() else {
        return (0, String::new(), String::new(), None, None);
    };
    let json = |c: &str| {
        r.try_get::<Option<String>>("", c)
            .unwrap()
            .map(|t| serde_json::from_str(&t).unwrap())
    };
    (
        r.try_get::<i64>("", "n").unwrap(),
        r.try_get::<String>("", "action").unwrap(),
        r.try_get::<String>("", "record_type").unwrap(),
        json("before"),
        json("after"),
    )
}

struct Audit<'a> {
    db: DatabaseConnection,
    app: &'a TestApp,
}

impl Audit<'_> {
    /// Runs one mutation and checks it wrote exactly one event of its own.
    async fn step(
        &mut self,
        c: &Caller<'_>,
        doc: &str,
        vars: Value,
    ) -> (Value, String, Option<Value>, Option<Value>) {
        let name = doc
            .split('{')
            .nth(1)
            .unwrap()
            .trim()
            .split('(')
            .next()
            .unwrap()
            .trim()
            .to_owned();
        let (before_count, ..) = last_event(&self.db).await;
        let data = c.ok(doc, vars).await;
        let (count, action, record_type, before, after) = last_event(&self.db).await;
        assert_eq!(
            count,
            before_count + 1,
            "{name} must write exactly one audit event"
        );
        assert_eq!(action, name);
        let _ = self.app;
        (data, record_type, before, after)
    }
}

fn id_at(v: &Value, path: &[&str]) -> String {
    path.iter().fold(v, |v, k| &v[*k]).as_str().unwrap().to_owned()
}

/// Every mutation of the schema, each from the one table in `mutations.rs`: run once by a
/// caller the table allows, it writes exactly one event named after it, by that caller, that
/// the caller can read back. A new mutation adds a `Case` there, not a step here.
async fn every_mutation_writes_exactly_one_audit_event_of_its_own(app: TestApp) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let shared = shared_fixture(&app).await;
    crate::counties::import_second_year(&app).await;
    let mut covered = BTreeSet::new();
    for (n, case) in cases().iter().enumerate() {
        let vis = case.visibilities.last().unwrap();
        let (role, rel) = ["editor", "admin", "namnd"]
            .into_iter()
            .flat_map(|r| case.rels.iter().map(move |rel| (r, *rel)))
            .find(|(r, rel)| (case.single)(r, *rel, vis))
            .unwrap_or_else(|| panic!("{}: nobody may run it at {vis}", case.field));
        let fixture = build(&app, case.setup, vis, &shared).await;
        let sub = format!("audit-{}", case.field);
        let token = samverkan::auth::mint_dev_token(&app.secret, &sub, rel.kommun(), &[role.to_owned()], 600)
            .unwrap();
        let caller = app.with_token(token);
        let doc = format!(
            "mutation($input: {}!) {{ {}(input: $input) {{ __typename }} }}",
            case.input_type, case.field
        );
        let (before_count, ..) = last_event(&db).await;
        caller
            .ok(&doc, json!({"input": (case.input)(&fixture, 10_000 + n)}))
            .await;
        let (count, action, record_type, before, after) = last_event(&db).await;
        assert_eq!(
            count,
            before_count + 1,
            "{} must write exactly one event",
            case.field
        );
        assert_eq!(action, case.field);
        assert!(!record_type.is_empty(), "{}: no record type", case.field);
        assert!(
            before.is_some() || after.is_some(),
            "{}: the event records no change",
            case.field
        );
        let mine = caller
            .ok(
                "query($a: String) { auditEvents(filter: {actor: $a}) { totalCount edges { node { action actorSub } } } }",
                json!({"a": sub}),
            )
            .await;
        assert_eq!(
            (
                mine["auditEvents"]["totalCount"].clone(),
                mine["auditEvents"]["edges"][0]["node"]["action"].clone()
            ),
            (json!(1), json!(case.field)),
            "{} as {role} of {rel:?} at {vis}: the caller reads its own event back",
            case.field
        );
        covered.insert(case.field.to_owned());
    }
    let all = schema_mutations(&app.as_kommun("1880").viewer()).await;
    let missing: Vec<&String> = all.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "mutations without an audit check: {missing:?}"
    );
}
both_backends!(every_mutation_writes_exactly_one_audit_event_of_its_own);

async fn audit_events_record_what_changed_and_the_trail_reads_it_back(app: TestApp) {
    let mut a = Audit {
        db: Database::connect(&app.database_url).await.unwrap(),
        app: &app,
    };
    let orebro = app.as_kommun("1880").editor_admin();
    let kumla = app.as_kommun("1881").editor_admin();
    let nora = app.as_kommun("1884").editor_admin();

    let (d, kind, before, after) = a
        .step(
            &orebro,
            CREATE,
            json!({"input": {"title": "Revisionsspår", "visibility": "COUNTY", "budget": "1000"}}),
        )
        .await;
    assert_eq!((kind.as_str(), before), ("EServiceProject", None));
    let after = after.unwrap();
    assert_eq!(after["title"], "Revisionsspår");
    assert!(
        after
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("Participation:")),
        "the lead participation is part of the event: {after}"
    );
    let p = id_at(&d, &["createEServiceProject", "project", "id"]);

    let (_, _, before, after) = a
        .step(
            &orebro,
            UPDATE,
            json!({"input": {"id": p, "version": 1, "title": "Nytt namn"}}),
        )
        .await;
    assert_eq!(before, Some(json!({"title": "Revisionsspår", "version": 1})));
    assert_eq!(after, Some(json!({"title": "Nytt namn", "version": 2})));

    let (d, ..) = a
        .step(
            &orebro,
            INVITE,
            json!({"input": {"projectId": p, "municipalityCode": "1881"}}),
        )
        .await;
    let part = id_at(&d, &["inviteMunicipality", "participation", "id"]);
    let (_, kind, before, after) = a
        .step(
            &kumla,
            RESPOND,
            json!({"input": {"participationId": part, "accept": true}}),
        )
        .await;
    assert_eq!(kind, "Participation");
    assert_eq!(
        (before.unwrap()["state"].clone(), after.unwrap()["state"].clone()),
        (json!("INVITED"), json!("ACCEPTED"))
    );
    let (d, ..) = a
        .step(
            &orebro,
            INVITE,
            json!({"input": {"projectId": p, "municipalityCode": "1884"}}),
        )
        .await;
    let nora_part = id_at(&d, &["inviteMunicipality", "participation", "id"]);
    a.step(
        &nora,
        RESPOND,
        json!({"input": {"participationId": nora_part, "accept": true}}),
    )
    .await;
    a.step(&nora, WITHDRAW, json!({"input": {"projectId": p}})).await;

    let v = version(&orebro, &p).await;
    a.step(
        &orebro,
        SET_COST,
        json!({"input": {"projectId": p, "version": v, "key": "PER_CAPITA"}}),
    )
    .await;
    let v = version(&orebro, &p).await;
    let (_, kind, before, after) = a.step(&orebro, ADVANCE, json!({"input": {"id": p, "version": v, "toPhase": "PRE_STUDY", "decision": decision("Förstudie")}})).await;
    assert_eq!(kind, "EServiceProject");
    assert_eq!(before.unwrap()["phase"], "IDEA");
    let after = after.unwrap();
    assert_eq!(after["phase"], "PRE_STUDY");
    let decision_key = after
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.starts_with("Decision:"))
        .cloned()
        .unwrap();
    assert_eq!(after[&decision_key]["diarienummer"], "GN 2026/17");
    a.step(
        &orebro,
        STATUS,
        json!({"input": {"projectId": p, "date": "2026-11-02", "health": "GREEN", "summary": "Bra"}}),
    )
    .await;
    let (d, ..) = a.step(&orebro, ADD_BENEFIT, json!({"input": {"projectId": p, "description": "Kortare handläggning", "category": "PRODUCTIVITY", "kind": "QUANTITATIVE", "ownerCode": "1881", "metric": "Handläggningstid", "unit": "dagar", "baseline": "10", "target": "6"}})).await;
    let benefit = id_at(&d, &["addBenefit", "benefit", "id"]);
    a.step(
        &kumla,
        FOLLOW_UP,
        json!({"input": {"benefitId": benefit, "date": "2026-11-20", "value": "8"}}),
    )
    .await;
    for to in ["PLANNING", "EXECUTION"] {
        let v = version(&orebro, &p).await;
        a.step(
            &orebro,
            ADVANCE,
            json!({"input": {"id": p, "version": v, "toPhase": to, "decision": decision(to)}}),
        )
        .await;
    }
    let v = version(&orebro, &p).await;
    a.step(
        &orebro,
        UPDATE,
        json!({"input": {"id": p, "version": v, "visibility": "PUBLIC"}}),
    )
    .await;
    a.step(
        &orebro,
        PUBLISH,
        json!({"input": {"projectId": p, "name": "Tjänsten", "url": "https://orebro.se/tjanst"}}),
    )
    .await;
    let (q, _) = create(&orebro, "Ska avbrytas", "COUNTY", "1").await;
    a.step(
        &orebro,
        CANCEL,
        json!({"input": {"id": q, "version": 1, "decision": decision("Avbryts")}}),
    )
    .await;

    let (d, kind, ..) = a.step(&orebro, s::CREATE, json!({"input": {"title": "Drift", "informationClass": {"confidentiality": 1, "integrity": 1, "availability": 1}, "visibility": "COUNTY"}})).await;
    assert_eq!(kind, "SourcingEvaluation");
    let e = id_at(&d, &["createSourcingEvaluation", "evaluation", "id"]);
    a.step(&orebro, r#"mutation($input: UpdateSourcingEvaluationInput!) { updateSourcingEvaluation(input: $input) { evaluation { version } } }"#,
        json!({"input": {"id": e, "version": 1, "title": "Drift av plattform"}})).await;
    let mut options = Vec::new();
    for kind in ["IN_HOUSE", "SHARED_COUNTY", "OUTSOURCED"] {
        let (d, ..) = a.step(&orebro, s::ADD_OPTION, json!({"input": {"evaluationId": e, "kind": kind, "oneOffCost": "0", "annualCost": "100", "contractYears": 3}})).await;
        options.push(id_at(&d, &["addSourcingOption", "option", "id"]));
    }
    a.step(&orebro, r#"mutation($input: UpdateSourcingOptionInput!) { updateSourcingOption(input: $input) { option { id } } }"#,
        json!({"input": {"id": options[0], "description": "Egen drift i Örebro"}})).await;
    a.step(&orebro, r#"mutation($input: RemoveSourcingOptionInput!) { removeSourcingOption(input: $input) { removedOptionId } }"#,
        json!({"input": {"id": options[2]}})).await;
    let v = s::version(&orebro, &e).await;
    let (d, ..) = a.step(&orebro, s::SET_CRITERIA, json!({"input": {"evaluationId": e, "version": v, "criteria": [{"name": "Kostnad", "weight": 60}, {"name": "Säkerhet", "weight": 40}]}})).await;
    let criteria: Vec<String> = d["setSourcingCriteria"]["evaluation"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    a.step(
        &orebro,
        s::INVITE,
        json!({"input": {"evaluationId": e, "municipalityCode": "1881"}}),
    )
    .await;
    a.step(
        &kumla,
        s::RESPOND,
        json!({"input": {"evaluationId": e, "accept": true}}),
    )
    .await;
    let v = s::version(&orebro, &e).await;
    a.step(&orebro, s::START, json!({"input": {"id": e, "version": v}}))
        .await;
    let (_, kind, ..) = a
        .step(
            &kumla,
            s::SCORE,
            json!({"input": {"optionId": options[0], "criterionId": criteria[0], "score": 4}}),
        )
        .await;
    assert_eq!(kind, "SourcingScore");
    let v = s::version(&orebro, &e).await;
    a.step(
        &orebro,
        s::DECIDE,
        json!({"input": {"id": e, "version": v, "optionId": options[0], "decision": decision("Egen drift")}}),
    )
    .await;
    let (d, ..) = a.step(&orebro, s::CREATE, json!({"input": {"title": "Avbryts", "informationClass": {"confidentiality": 0, "integrity": 0, "availability": 0}}})).await;
    let f = id_at(&d, &["createSourcingEvaluation", "evaluation", "id"]);
    a.step(&orebro, r#"mutation($input: SourcingTransitionInput!) { cancelSourcingEvaluation(input: $input) { evaluation { state } } }"#,
        json!({"input": {"id": f, "version": 1}})).await;

    use crate::docs::inventory as inv;
    let (d, ..) = a
        .step(
            &orebro,
            inv::VENDOR,
            json!({"input": {"name": "Leverantör AB", "orgNumber": "5566778899"}}),
        )
        .await;
    let vendor = id_at(&d, &["createVendor", "vendor", "id"]);
    let (d, ..) = a
        .step(
            &orebro,
            inv::PRODUCT,
            json!({"input": {"vendorId": vendor, "name": "System", "category": "HR"}}),
        )
        .await;
    let product = id_at(&d, &["createProduct", "product", "id"]);
    let (d, ..) = a
        .step(
            &orebro,
            inv::REGISTER,
            json!({"input": {"productId": product, "hosting": "OWN_DATACENTER", "dataLocation": "SWEDEN"}}),
        )
        .await;
    let i1 = id_at(&d, &["registerSystemInstance", "systemInstance", "id"]);
    let i2 = inv::register(&orebro, &product, json!({})).await;
    let (_, kind, before, after) = a.step(&orebro, inv::UPDATE, json!({"input": {"id": i1, "version": 1, "system": {"productId": product, "hosting": "OUTSOURCED", "dataLocation": "SWEDEN"}}})).await;
    assert_eq!(kind, "SystemInstance");
    assert_eq!(
        (
            before.unwrap()["hosting"].clone(),
            after.unwrap()["hosting"].clone()
        ),
        (json!("OWN_DATACENTER"), json!("OUTSOURCED"))
    );
    let (d, ..) = a
        .step(
            &orebro,
            inv::ADD_INTEGRATION,
            json!({"input": {"fromInstanceId": i1, "toInstanceId": i2, "protocol": "SFTP/CSV"}}),
        )
        .await;
    let g = id_at(&d, &["addIntegration", "integration", "id"]);
    a.step(&orebro, inv::REMOVE_INTEGRATION, json!({"input": {"id": g}}))
        .await;
    let csv = "vendor_org_number;product;version;system_owner;maintenance_object;object_owner;object_manager_business;object_manager_it;hosting;data_location;confidentiality;integrity;availability;contract_end;visibility\n556677-8899;System;1;;;;;;OWN_DATACENTER;SWEDEN;1;1;1;;COUNTY\n";
    a.step(&orebro, inv::IMPORT, json!({"input": {"csv": csv}})).await;

    use crate::docs::initiatives as ini;
    let (d, kind, ..) = a.step(&orebro, ini::CREATE, json!({"input": {"title": "Öppet API", "vendorId": vendor, "requirements": [{"text": "SS 12000", "priority": "MUST"}]}})).await;
    assert_eq!(kind, "VendorInitiative");
    let vi = id_at(&d, &["createVendorInitiative", "initiative", "id"]);
    a.step(
        &orebro,
        ini::UPDATE,
        json!({"input": {"id": vi, "version": 1, "title": "Öppet API för skolan"}}),
    )
    .await;
    a.step(
        &orebro,
        ini::TRANSITION,
        json!({"input": {"id": vi, "version": 2, "to": "OPEN_FOR_SUPPORT"}}),
    )
    .await;
    a.step(&kumla, ini::SUPPORT, json!({"input": {"initiativeId": vi}}))
        .await;
    a.step(&nora, ini::SUPPORT, json!({"input": {"initiativeId": vi}}))
        .await;
    a.step(&nora, ini::WITHDRAW, json!({"input": {"initiativeId": vi}}))
        .await;
    a.step(
        &orebro,
        ini::TRANSITION,
        json!({"input": {"id": vi, "version": 3, "to": "SUBMITTED"}}),
    )
    .await;
    a.step(
        &orebro,
        ini::RESPONSE,
        json!({"input": {"initiativeId": vi, "date": "2027-01-01", "summary": "Ja", "outcome": "ACCEPTED"}}),
    )
    .await;

    // The trail through the API: a project's history includes its children's changes.
    let q = r#"query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { totalCount edges { node { action recordType actorSub actorMunicipality { code } before after requestId } } } }"#;
    let h = orebro.ok(q, json!({"f": {"recordId": p}})).await;
    let actions: Vec<&str> = h["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"recordBenefitFollowUp") && actions.contains(&"publishEService"),
        "{actions:?}"
    );
    assert_eq!(actions.last(), Some(&"createEServiceProject"), "newest first");
    let by_kumla = orebro.ok(q, json!({"f": {"municipality": "1881"}})).await;
    assert!(
        by_kumla["auditEvents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["actorMunicipality"]["code"] == "1881")
    );
}
both_backends!(audit_events_record_what_changed_and_the_trail_reads_it_back);

async fn a_refused_mutation_writes_nothing_and_private_history_stays_private(app: TestApp) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let orebro = app.as_kommun("1880").editor_admin();
    let (id, v) = create(&orebro, "Hemligt", "PRIVATE", "10").await;
    let (n, ..) = last_event(&db).await;
    orebro
        .gql(
            UPDATE,
            json!({"input": {"id": id, "version": v + 5, "title": "Krock"}}),
        )
        .await
        .expect_code("CONFLICT");
    orebro
        .gql(UPDATE, json!({"input": {"id": id, "version": v, "title": ""}}))
        .await
        .expect_code("BAD_USER_INPUT");
    app.as_kommun("1881")
        .editor()
        .gql(UPDATE, json!({"input": {"id": id, "version": v, "title": "x"}}))
        .await
        .expect_code("NOT_FOUND");
    // A tollgate refused after the decision was already inserted rolls back entirely.
    orebro
        .gql(
            ADVANCE,
            json!({"input": {"id": id, "version": v + 1, "toPhase": "PRE_STUDY", "decision": decision("x")}}),
        )
        .await
        .expect_code("CONFLICT");
    assert_eq!(last_event(&db).await.0, n, "refused mutations leave no event");
    assert!(
        project(&orebro, &id).await["decisions"]
            .as_array()
            .unwrap()
            .is_empty(),
        "and no decision"
    );

    let q = "{ auditEvents { totalCount } }";
    assert_eq!(orebro.ok(q, json!({})).await["auditEvents"]["totalCount"], 1);
    for c in [app.as_kommun("1880").namnd(), app.as_kommun("1881").viewer()] {
        assert_eq!(
            c.ok(q, json!({})).await["auditEvents"]["totalCount"],
            0,
            "PRIVATE history stays with its owner"
        );
    }
}
both_backends!(a_refused_mutation_writes_nothing_and_private_history_stays_private);
