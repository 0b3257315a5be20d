//! The systems inventory across three kommuner: vendors, products, systems, integrations,
//! the map, the county's questions and CSV import.
use serde_json::json;

use crate::{both_backends, docs::inventory::*, helpers::TestApp};

async fn three_kommuner_map_their_systems_and_the_county_sees_the_leverage(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let kumla = app.as_kommun("1881").editor();
    let nora = app.as_kommun("1884").editor();

    // Organisationsnummer: both spellings, one stored form, Luhn-checked, unique.
    let d = orebro
        .ok(
            VENDOR,
            json!({"input": {"name": "Skolsystem AB", "orgNumber": "5566778899"}}),
        )
        .await;
    assert_eq!(d["createVendor"]["vendor"]["orgNumber"], "556677-8899");
    let vendor = d["createVendor"]["vendor"]["id"].as_str().unwrap().to_owned();
    let r = kumla
        .gql(
            VENDOR,
            json!({"input": {"name": "Kopia AB", "orgNumber": "556677-8899"}}),
        )
        .await;
    r.expect_code("CONFLICT");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Skolsystem AB"),
        "{}",
        r.body
    );
    let r = kumla
        .gql(
            VENDOR,
            json!({"input": {"name": "Fel AB", "orgNumber": "556677-8898"}}),
        )
        .await;
    r.expect_code("BAD_USER_INPUT");
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "orgNumber");
    kumla
        .gql(
            VENDOR,
            json!({"input": {"name": "Kort AB", "orgNumber": "55667788"}}),
        )
        .await
        .expect_code("BAD_USER_INPUT");
    let d = orebro
        .ok(
            VENDOR,
            json!({"input": {"name": "Ekonomi AB", "orgNumber": "212000-1355"}}),
        )
        .await;
    let vendor2 = d["createVendor"]["vendor"]["id"].as_str().unwrap().to_owned();

    let d = orebro.ok(PRODUCT, json!({"input": {"vendorId": vendor, "name": "Elevkoll", "category": "SCHOOL", "standards": ["SS 12000"]}})).await;
    let school = d["createProduct"]["product"]["id"].as_str().unwrap().to_owned();
    kumla
        .gql(
            PRODUCT,
            json!({"input": {"vendorId": vendor, "name": "elevkoll", "category": "SCHOOL"}}),
        )
        .await
        .expect_code("CONFLICT");
    let d = orebro
        .ok(
            PRODUCT,
            json!({"input": {"vendorId": vendor2, "name": "Ekonomi Plus", "category": "FINANCE"}}),
        )
        .await;
    let finance = d["createProduct"]["product"]["id"].as_str().unwrap().to_owned();

    let o1 = register(&orebro, &school, json!({"systemOwner": "Skolchef", "contractEnd": "2027-03-31", "confidentiality": 3, "dataLocation": "THIRD_COUNTRY"})).await;
    let o2 = register(&orebro, &finance, json!({"systemOwner": "Ekonomichef"})).await;
    register(&kumla, &school, json!({"visibility": "PRIVATE"})).await;
    register(&nora, &school, json!({"contractEnd": "2040-01-01"})).await;

    let d = orebro.ok(ADD_INTEGRATION, json!({"input": {"fromInstanceId": o1, "toInstanceId": o2, "protocol": "REST/JSON", "standard": "SS 12000"}})).await;
    assert!(d["addIntegration"]["integration"]["id"].is_string());
    let k1 = register(&kumla, &finance, json!({})).await;
    kumla
        .gql(
            ADD_INTEGRATION,
            json!({"input": {"fromInstanceId": k1, "toInstanceId": o1, "protocol": "x"}}),
        )
        .await
        .expect_code("FORBIDDEN");

    let map = kumla.ok(r#"{ systemMap(kommun: "1880") { municipality { name } systems { id product { name vendor { name } } systemOwner } integrations { fromInstanceId toInstanceId protocol standard } } }"#, json!({})).await;
    assert_eq!(map["systemMap"]["systems"].as_array().unwrap().len(), 2);
    assert_eq!(map["systemMap"]["integrations"][0]["fromInstanceId"], json!(o1));
    assert_eq!(
        map["systemMap"]["systems"][0]["product"]["vendor"]["name"],
        "Skolsystem AB"
    );

    // Kumla's private instance is invisible to others, yet counted as a number.
    let usage = orebro
        .ok(
            "{ productUsage { product { name } municipalities { code } totalMunicipalities } }",
            json!({}),
        )
        .await;
    let school_usage = usage["productUsage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["product"]["name"] == "Elevkoll")
        .unwrap();
    let codes: Vec<&str> = school_usage["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["1880", "1884"]);
    assert_eq!(school_usage["totalMunicipalities"], 3);
    let own = kumla
        .ok(r#"{ systemMap(kommun: "1881") { systems { id } } }"#, json!({}))
        .await;
    assert_eq!(
        own["systemMap"]["systems"].as_array().unwrap().len(),
        2,
        "a kommun sees its own private systems"
    );
    let theirs = orebro
        .ok(r#"{ systemMap(kommun: "1881") { systems { id } } }"#, json!({}))
        .await;
    assert_eq!(theirs["systemMap"]["systems"].as_array().unwrap().len(), 1);

    let exp = nora.ok("{ expiringContracts(withinMonths: 60) { municipality { code } contractEnd } sensitiveThirdCountrySystems { municipality { code } } }", json!({})).await;
    let ends: Vec<&str> = exp["expiringContracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["contractEnd"].as_str().unwrap())
        .collect();
    assert!(
        ends.contains(&"2027-03-31") && !ends.contains(&"2040-01-01"),
        "{ends:?}"
    );
    assert_eq!(
        exp["sensitiveThirdCountrySystems"][0]["municipality"]["code"],
        "1880"
    );

    // Optimistic concurrency on instances.
    let upd = |v: i64| json!({"input": {"id": o2, "version": v, "system": {"productId": finance, "hosting": "CLOUD_SAAS", "dataLocation": "EU_EEA", "systemOwner": "CFO"}}});
    orebro.ok(UPDATE, upd(1)).await;
    orebro.gql(UPDATE, upd(1)).await.expect_code("CONFLICT");
    kumla.gql(UPDATE, upd(2)).await.expect_code("FORBIDDEN");

    // CSV import: a bad row in the middle writes nothing and names the line and column.
    let header = "vendor_org_number;product;version;system_owner;maintenance_object;object_owner;object_manager_business;object_manager_it;hosting;data_location;confidentiality;integrity;availability;contract_end;visibility";
    let good = "5566778899;Elevkoll;4.2;Skolchef;Skolstöd;Skolchef;Rektor;IT-förvaltare;CLOUD_SAAS;EU_EEA;2;2;2;2028-06-30;COUNTY";
    let bad = "212000-1355;Ekonomi Plus;1;Ekonomichef;Ekonomi;CFO;Controller;IT;ON_PREM;SWEDEN;9;1;1;;COUNTY";
    let csv = format!("{header}\n{good}\n{bad}\n{good}\n");
    let before = nora
        .ok(r#"{ systemMap(kommun: "1884") { systems { id } } }"#, json!({}))
        .await;
    let r = nora.gql(IMPORT, json!({"input": {"csv": csv}})).await;
    r.expect_code("BAD_USER_INPUT");
    let rows = r.body["errors"][0]["extensions"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["line"].as_i64(), rows[0]["column"].as_str()),
        (Some(3), Some("hosting"))
    );
    let after = nora
        .ok(r#"{ systemMap(kommun: "1884") { systems { id } } }"#, json!({}))
        .await;
    assert_eq!(before, after, "nothing was written");
    let csv = format!("{header}\n{good}\n{good}\n");
    let d = nora.ok(IMPORT, json!({"input": {"csv": csv}})).await;
    assert_eq!(
        d["importSystemInstances"]["imported"].as_array().unwrap().len(),
        2
    );
}
both_backends!(three_kommuner_map_their_systems_and_the_county_sees_the_leverage);

async fn the_import_command_writes_all_rows_or_none_and_audits_the_operator(app: TestApp) {
    let orebro = app.as_kommun("1880").editor();
    let v = orebro
        .ok(
            VENDOR,
            json!({"input": {"name": "Skolsystem AB", "orgNumber": "5566778899"}}),
        )
        .await["createVendor"]["vendor"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    orebro
        .ok(
            PRODUCT,
            json!({"input": {"vendorId": v, "name": "Elevkoll", "category": "SCHOOL"}}),
        )
        .await;
    let header = samverkan::admin::IMPORT_COLUMNS.join(",");
    let good = "556677-8899,Elevkoll,4.2,Skolchef,Skolstöd,Skolchef,Rektor,IT,CLOUD_SAAS,EU_EEA,2,2,2,2028-06-30,PRIVATE";
    let unknown = "556677-8899,Elevkollen,4.2,Skolchef,Skolstöd,Skolchef,Rektor,IT,CLOUD_SAAS,EU_EEA,2,2,2,2028-06-30,COUNTY";
    let db = || async { sea_orm::Database::connect(&app.database_url).await.unwrap() };
    let systems = r#"{ systemMap(kommun: "1884") { systems { id visibility } } }"#;
    let nora = app.as_kommun("1884").viewer();

    let e = samverkan::admin::import_systems(
        db().await,
        &format!("{header}\n{good}\n{unknown}\n"),
        "1884",
        "anna",
    )
    .await
    .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("line 3, column product"), "{text}");
    assert!(
        nora.ok(systems, json!({})).await["systemMap"]["systems"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was written"
    );
    let e = samverkan::admin::import_systems(db().await, &format!("{header}\n{good}\n"), "1899", "anna")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("--kommun 1899"), "{e}");

    let done =
        samverkan::admin::import_systems(db().await, &format!("{header}\n{good}\n{good}\n"), "1884", "anna")
            .await
            .unwrap();
    assert_eq!(done.len(), 2);
    let listed = nora.ok(systems, json!({})).await;
    assert_eq!(
        listed["systemMap"]["systems"].as_array().unwrap().len(),
        2,
        "Nora sees its own PRIVATE systems"
    );
    assert_eq!(
        orebro.ok(systems, json!({})).await["systemMap"]["systems"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "PRIVATE stays with Nora"
    );
    let audit = nora.ok(r#"{ auditEvents(filter: {action: "importSystemInstances"}) { edges { node { actorSub actorMunicipality { code } } } } }"#, json!({})).await;
    let events = audit["auditEvents"]["edges"].as_array().unwrap();
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e["node"]["actorSub"] == "cli:anna" && e["node"]["actorMunicipality"]["code"] == "1884"),
        "{audit}"
    );
}
both_backends!(the_import_command_writes_all_rows_or_none_and_audits_the_operator);
