//! Benefits, and the committee report as GraphQL and CSV, against hand-computed figures.
use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::benefits::{ADD_BENEFIT, FOLLOW_UP, follow_up},
    docs::initiatives as ini,
    docs::inventory::{PRODUCT, VENDOR, register},
    docs::*,
    helpers::{TestApp, csv_records, csv_section},
};

pub(crate) const REPORT: &str = r#"query($county: String!, $from: Date!, $to: Date!) { committeeReport(county: $county, from: $from, to: $to) {
  county { code }
  projectsByPhase { phase health count }
  costPerMunicipality { municipality { code } committed planned projects }
  projectCosts { projectTitle municipality { code } amount committed }
  benefitsPerMunicipality { municipality { code } benefits realizationPercent }
  benefits { projectTitle description owner { code } baseline target latest realizationPercent }
  tollgatesDue { projectTitle phase nextPhase due }
  decisions { projectTitle owner { code } fromPhase toPhase decidedOn decidingBody diarienummer }
  sourcingDecisions { title }
  vendorInitiatives { title vendor supporters state latestResponseOutcome }
  sensitiveSystemsOutsideEu { municipality { code } product confidentiality }
  contractsEnding { municipality { code } product contractEnd }
} }"#;

async fn benefit_realization_follows_the_owners_latest_value_even_for_falling_targets(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let kumla = app.as_kommun("1881").editor_admin();
    let (p, _) = create(&orebro, "Digitalt bygglov", "COUNTY", "100").await;
    let part = invite(&orebro, &p, "1881", "PARTICIPANT").await;
    kumla
        .ok(
            RESPOND,
            json!({"input": {"participationId": part, "accept": true}}),
        )
        .await;
    let add = |description: &str, owner: &str, baseline: &str, target: &str| {
        json!({"input": {"projectId": p, "description": description,
        "category": "PRODUCTIVITY", "kind": "QUANTITATIVE", "ownerCode": owner, "metric": "m", "unit": "u", "baseline": baseline, "target": target}})
    };
    // Handling time from 10 days to 6: reductions are progress.
    let d = orebro
        .ok(ADD_BENEFIT, add("Kortare handläggning", "1880", "10", "6"))
        .await;
    let time = d["addBenefit"]["benefit"]["id"].as_str().unwrap().to_owned();
    let d = orebro
        .ok(ADD_BENEFIT, add("Fler e-ansökningar", "1881", "100", "200"))
        .await;
    let count = d["addBenefit"]["benefit"]["id"].as_str().unwrap().to_owned();
    orebro
        .gql(ADD_BENEFIT, add("Okänd ägare", "1860", "0", "1"))
        .await
        .expect_code("BAD_USER_INPUT");

    follow_up(&orebro, &time, "2026-03-01", "9").await;
    let d = orebro
        .ok(
            FOLLOW_UP,
            json!({"input": {"benefitId": time, "date": "2026-06-01", "value": "8"}}),
        )
        .await;
    assert_eq!(
        d["recordBenefitFollowUp"]["project"]["benefitRealizationPercent"],
        "50.00"
    );
    let d = kumla
        .ok(
            FOLLOW_UP,
            json!({"input": {"benefitId": count, "date": "2026-06-01", "value": "175"}}),
        )
        .await;
    // (50 % + 75 %) / 2.
    assert_eq!(
        d["recordBenefitFollowUp"]["project"]["benefitRealizationPercent"],
        "62.50"
    );

    // Kumla takes part but does not own Örebro's benefit; Laxå cannot see the project's
    // follow-ups at all once it is not shared with it.
    kumla
        .gql(
            FOLLOW_UP,
            json!({"input": {"benefitId": time, "date": "2026-07-01", "value": "1"}}),
        )
        .await
        .expect_code("FORBIDDEN");
    app.as_kommun("1880")
        .viewer()
        .gql(
            FOLLOW_UP,
            json!({"input": {"benefitId": time, "date": "2026-07-01", "value": "1"}}),
        )
        .await
        .expect_code("FORBIDDEN");
    let v = version(&orebro, &p).await;
    orebro
        .ok(
            UPDATE,
            json!({"input": {"id": p, "version": v, "visibility": "PARTICIPANTS"}}),
        )
        .await;
    app.as_kommun("1860")
        .editor()
        .gql(
            FOLLOW_UP,
            json!({"input": {"benefitId": time, "date": "2026-07-01", "value": "1"}}),
        )
        .await
        .expect_code("NOT_FOUND");
    let q = r#"query($id: ID!) { node(id: $id) { ... on EServiceProject { benefits { latestValue realizationPercent followUps { value municipality { code } } } } } }"#;
    let b = orebro.ok(q, json!({"id": p})).await;
    assert_eq!(b["node"]["benefits"][0]["latestValue"], "8");
    assert_eq!(
        b["node"]["benefits"][0]["followUps"].as_array().unwrap().len(),
        2,
        "refused follow-ups were not written"
    );
}
both_backends!(benefit_realization_follows_the_owners_latest_value_even_for_falling_targets);

/// A county's benefits have all kinds of spans (target − baseline). The mean of their
/// realisations summed as exact fractions needs the least common multiple of every span,
/// which left 128 bits within the first hundred different spans (the report answered
/// INTERNAL, or in a release build a wrong figure): the project's figure, the report's
/// (read from the benefits' kept values) and the CSV's (the walk) must each be the mean.
async fn benefits_with_many_different_spans_are_measured(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let (p, _) = create(&orebro, "Mätta nyttor", "COUNTY", "100").await;
    let spans: Vec<i64> = (1009..1089).collect();
    let mut exact = 0f64;
    for s in &spans {
        let d = orebro
            .ok(ADD_BENEFIT, json!({"input": {"projectId": p, "description": format!("Nytta {s}"),
                "category": "PRODUCTIVITY", "kind": "QUANTITATIVE", "ownerCode": "1880", "metric": "m", "unit": "u",
                "baseline": "0", "target": s.to_string()}}))
            .await;
        let b = d["addBenefit"]["benefit"]["id"].as_str().unwrap().to_owned();
        orebro
            .ok(
                FOLLOW_UP,
                json!({"input": {"benefitId": b, "date": "2026-06-01", "value": (s / 3).to_string()}}),
            )
            .await;
        exact += (s / 3) as f64 / *s as f64;
    }
    // 33.301…%, far from a rounding boundary, so a float sum names the two decimals.
    let want = format!("{:.2}", exact / spans.len() as f64 * 100.0);
    assert_eq!(want, "33.30");
    let q = r#"query($id: ID!) { node(id: $id) { ... on EServiceProject { benefitRealizationPercent } } }"#;
    let d = orebro.ok(q, json!({"id": p})).await;
    assert_eq!(d["node"]["benefitRealizationPercent"], want.as_str());
    let vars = json!({"county": "18", "from": "2026-01-01", "to": "2026-12-31"});
    let committee = app.as_kommun("1880").namnd();
    for c in [&orebro, &committee] {
        let r = c.ok(REPORT, vars.clone()).await;
        let row = &r["committeeReport"]["benefitsPerMunicipality"][0];
        assert_eq!(row["municipality"]["code"], "1880");
        assert_eq!(row["benefits"], spans.len());
        assert_eq!(row["realizationPercent"], want.as_str());
    }
    let records = year_csv(&app, "1880", "namnd").await;
    let row = &csv_section(&records, "Nyttor per kommun")[0];
    assert_eq!(row[2], spans.len().to_string());
    assert_eq!(row[3].replace(',', "."), want);
}
both_backends!(benefits_with_many_different_spans_are_measured);

/// The records of the committee CSV for 2026 as `kommun` with `role` reads it.
async fn year_csv(app: &TestApp, kommun: &str, role: &str) -> Vec<Vec<String>> {
    csv_records(
        &app.file(
            "/reports/18/committee.csv?from=2026-01-01&to=2026-12-31",
            kommun,
            &[role],
        )
        .await,
    )
}

/// The report's figures of a part are kept per generation of the part and shared by every
/// caller who sees it (the county's shared part is the committee's and each kommun's): each
/// change of a project, of its benefits and their follow-ups, and of its visibility must show
/// in the next report of everyone who sees the project, and leave it for those who no
/// longer do.
async fn the_reports_kept_figures_follow_every_change(app: TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let committee = app.as_kommun("1880").namnd();
    let kumla = app.as_kommun("1881").viewer();
    let q = r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") {
      projectsByPhase { count } benefitsPerMunicipality { municipality { code } benefits realizationPercent } } }"#;
    let (o, c, k) = (&orebro, &committee, &kumla);
    let everyone = || async move { [figures(o, q).await, figures(c, q).await, figures(k, q).await] };
    let (p, _) = create(&orebro, "Delad nytta", "COUNTY", "100").await;
    let all = |t: (u64, u64, Option<&str>)| {
        let t = (t.0, t.1, t.2.map(str::to_owned));
        [t.clone(), t.clone(), t]
    };
    assert_eq!(everyone().await, all((1, 0, None)));
    let d = orebro
        .ok(ADD_BENEFIT, json!({"input": {"projectId": p, "description": "Färre samtal", "category": "PRODUCTIVITY",
            "kind": "QUANTITATIVE", "ownerCode": "1880", "metric": "m", "unit": "u", "baseline": "0", "target": "100"}}))
        .await;
    let b = d["addBenefit"]["benefit"]["id"].as_str().unwrap().to_owned();
    assert_eq!(everyone().await, all((1, 1, None)));
    follow_up(&orebro, &b, "2026-05-01", "40").await;
    assert_eq!(everyone().await, all((1, 1, Some("40.00"))));
    // A later value, and one after the period (which the period's figures leave out).
    follow_up(&orebro, &b, "2026-09-01", "60").await;
    follow_up(&orebro, &b, "2027-02-01", "90").await;
    assert_eq!(everyone().await, all((1, 1, Some("60.00"))));
    // Figures measured by an end past the last follow-up hold for every later end, and for
    // no earlier one.
    let by = |to: &str| q.replace("2026-12-31", to);
    for (to, realized) in [
        ("2027-12-31", "90.00"),
        ("2028-06-30", "90.00"),
        ("2026-12-31", "60.00"),
        ("2026-06-30", "40.00"),
    ] {
        let q = by(to);
        let seen = [figures(o, &q).await, figures(c, &q).await, figures(k, &q).await];
        assert_eq!(seen, all((1, 1, Some(realized))), "measured by {to}");
    }
    create(&orebro, "Ännu ett", "COUNTY", "100").await;
    assert_eq!(everyone().await, all((2, 1, Some("60.00"))));
    // Private to Örebro: gone for the committee and Kumla, still Örebro's own.
    let v = version(&orebro, &p).await;
    orebro
        .ok(
            UPDATE,
            json!({"input": {"id": p, "version": v, "visibility": "PRIVATE"}}),
        )
        .await;
    let private = everyone().await;
    assert_eq!(private[0], (2, 1, Some("60.00".to_owned())));
    assert_eq!(private[1], (1, 0, None));
    assert_eq!(private[2], (1, 0, None));
    // Shared with Kumla as a participant: Kumla sees it again, the committee does not.
    let v = version(&orebro, &p).await;
    orebro
        .ok(
            UPDATE,
            json!({"input": {"id": p, "version": v, "visibility": "PARTICIPANTS"}}),
        )
        .await;
    assert_eq!(everyone().await[2], (1, 0, None));
    let part = invite(&orebro, &p, "1881", "PARTICIPANT").await;
    app.as_kommun("1881")
        .editor_admin()
        .ok(
            RESPOND,
            json!({"input": {"participationId": part, "accept": true}}),
        )
        .await;
    let shared = everyone().await;
    assert_eq!(shared[1], (1, 0, None));
    assert_eq!(shared[2], (2, 1, Some("60.00".to_owned())));
    // Örebro's benefit of a project Kumla leads, in Kumla's slice of the county's part: its
    // addition and its follow-up reach every reader's figures for Örebro.
    let kumla_editor = app.as_kommun("1881").editor_admin();
    let (k2, _) = create(&kumla_editor, "Kumlas", "COUNTY", "100").await;
    let part = invite(&kumla_editor, &k2, "1880", "PARTICIPANT").await;
    orebro
        .ok(
            RESPOND,
            json!({"input": {"participationId": part, "accept": true}}),
        )
        .await;
    let d = kumla_editor
        .ok(ADD_BENEFIT, json!({"input": {"projectId": k2, "description": "Snabbare", "category": "PRODUCTIVITY",
            "kind": "QUANTITATIVE", "ownerCode": "1880", "metric": "m", "unit": "u", "baseline": "0", "target": "100"}}))
        .await;
    let b2 = d["addBenefit"]["benefit"]["id"].as_str().unwrap().to_owned();
    assert_eq!(everyone().await[1], (2, 1, None));
    follow_up(&orebro, &b2, "2026-06-01", "20").await;
    let across = everyone().await;
    assert_eq!(across[0], (3, 2, Some("40.00".to_owned())));
    assert_eq!(across[1], (2, 1, Some("20.00".to_owned())));
    assert_eq!(across[2], (3, 2, Some("40.00".to_owned())));
}
both_backends!(the_reports_kept_figures_follow_every_change);

/// A server measures the report's figures per part for every kommun that owns projects before
/// it serves (`Services::warm_report_figures`): the first report of the committee and of a
/// kommun on a fresh replica reads no more than the next one, and says the same as a server
/// that measured them on demand.
async fn a_started_server_has_measured_the_reports_first_figures(app: TestApp) {
    let q = r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") {
      projectsByPhase { count } benefitsPerMunicipality { municipality { code } benefits realizationPercent } } }"#;
    let orebro = app.as_kommun("1880").editor_admin();
    let kumla = app.as_kommun("1881").editor_admin();
    for (who, title, visibility, owner) in [
        (&orebro, "Delad", "COUNTY", "1880"),
        (&orebro, "Egen", "PRIVATE", "1880"),
        (&kumla, "Kumlas", "COUNTY", "1881"),
    ] {
        let (p, _) = create(who, title, visibility, "100").await;
        let d = who
            .ok(ADD_BENEFIT, json!({"input": {"projectId": p, "description": "Nytta", "category": "PRODUCTIVITY",
                "kind": "QUANTITATIVE", "ownerCode": owner, "metric": "m", "unit": "u", "baseline": "0", "target": "100"}}))
            .await;
        let b = d["addBenefit"]["benefit"]["id"].as_str().unwrap().to_owned();
        follow_up(who, &b, "2026-03-01", "30").await;
    }
    // The response cache off: the second report is then read as the first was.
    let fresh = app.replica(|s| s.response_cache_mb = 0).await;
    let readers = [
        (
            "1880",
            fresh.as_kommun("1880").namnd(),
            app.as_kommun("1880").namnd(),
        ),
        (
            "1880",
            fresh.as_kommun("1880").viewer(),
            app.as_kommun("1880").viewer(),
        ),
        (
            "1881",
            fresh.as_kommun("1881").viewer(),
            app.as_kommun("1881").viewer(),
        ),
    ];
    for (kommun, on_fresh, on_first) in readers {
        let before = fresh.statements();
        let first = on_fresh.ok(q, json!({})).await;
        let reads_first = fresh.statements() - before;
        let before = fresh.statements();
        let again = on_fresh.ok(q, json!({})).await;
        assert_eq!(
            reads_first,
            fresh.statements() - before,
            "{kommun}: the first report measured its figures"
        );
        assert_eq!(first, again);
        assert_eq!(
            first,
            on_first.ok(q, json!({})).await,
            "{kommun}: the same figures"
        );
    }
}
both_backends!(a_started_server_has_measured_the_reports_first_figures);

/// (projects, benefits, realisation of Örebro's) in the report `q` as `c` reads it.
async fn figures(c: &crate::helpers::Caller<'_>, q: &str) -> (u64, u64, Option<String>) {
    let r = c.ok(q, json!({})).await;
    let r = &r["committeeReport"];
    let projects = r["projectsByPhase"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .sum();
    let orebros = r["benefitsPerMunicipality"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["municipality"]["code"] == "1880")
        .cloned()
        .unwrap_or(json!({"benefits": 0, "realizationPercent": null}));
    (
        projects,
        orebros["benefits"].as_u64().unwrap(),
        orebros["realizationPercent"].as_str().map(str::to_owned),
    )
}

/// A seeded county: Örebro leads a project in EXECUTION shared equally with Kumla, Kumla has
/// one in IDEA with a tollgate due, Örebro keeps a PRIVATE one to itself.
/// A county with something in every section of the report (shared with the PDF tests).
pub(crate) async fn seed(app: &TestApp) {
    let orebro = app.as_kommun("1880").editor_admin();
    let kumla = app.as_kommun("1881").editor_admin();
    let (p1, _) = create(&orebro, "E-arkiv", "COUNTY", "1000000").await;
    let part = invite(&orebro, &p1, "1881", "PARTICIPANT").await;
    kumla
        .ok(
            RESPOND,
            json!({"input": {"participationId": part, "accept": true}}),
        )
        .await;
    for to in ["PRE_STUDY", "PLANNING", "EXECUTION"] {
        advance(&orebro, &p1, to).await;
    }
    let d = orebro
        .ok(ADD_BENEFIT, json!({"input": {"projectId": p1, "description": "Kortare svarstid", "category": "CITIZEN", "kind": "QUANTITATIVE",
            "ownerCode": "1880", "metric": "Svarstid", "unit": "dagar", "baseline": "10", "target": "6"}}))
        .await;
    let b = d["addBenefit"]["benefit"]["id"].as_str().unwrap().to_owned();
    follow_up(&orebro, &b, "2026-11-01", "8").await;
    // After the period: not in the report.
    follow_up(&orebro, &b, "2027-02-01", "6").await;
    kumla.ok(CREATE, json!({"input": {"title": "Skolskjuts", "visibility": "COUNTY", "budget": "300000", "nextTollgateDue": "2026-12-15"}})).await;
    kumla.ok(CREATE, json!({"input": {"title": "Senare", "visibility": "COUNTY", "budget": "1", "nextTollgateDue": "2027-03-01"}})).await;
    orebro
        .ok(
            CREATE,
            json!({"input": {"title": "Internt", "visibility": "PRIVATE", "budget": "999"}}),
        )
        .await;

    // The inventory: Örebro's sensitive system abroad with a contract ending in 2027, Kumla's
    // private one (invisible to the committee) and Nora's contract beyond 18 months.
    let v = orebro
        .ok(
            VENDOR,
            json!({"input": {"name": "Moln AB", "orgNumber": "5566778899"}}),
        )
        .await["createVendor"]["vendor"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = orebro
        .ok(
            PRODUCT,
            json!({"input": {"vendorId": v, "name": "Molnarkiv", "category": "OTHER"}}),
        )
        .await["createProduct"]["product"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let abroad = json!({"confidentiality": 3, "dataLocation": "THIRD_COUNTRY"});
    let mut with_contract = abroad.clone();
    with_contract["contractEnd"] = json!("2027-12-31");
    register(&orebro, &p, with_contract).await;
    let mut private = abroad.clone();
    private["visibility"] = json!("PRIVATE");
    private["contractEnd"] = json!("2027-01-31");
    register(&kumla, &p, private).await;
    register(
        &app.as_kommun("1884").editor(),
        &p,
        json!({"contractEnd": "2030-01-01"}),
    )
    .await;

    // Örebro pushes the vendor with Kumla's support and the vendor accepts.
    let d = orebro
        .ok(
            ini::CREATE,
            json!({"input": {"title": "Data inom EU", "vendorId": v, "productId": p}}),
        )
        .await;
    let id = d["createVendorInitiative"]["initiative"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    orebro
        .ok(
            ini::TRANSITION,
            json!({"input": {"id": id, "version": 1, "to": "OPEN_FOR_SUPPORT"}}),
        )
        .await;
    kumla
        .ok(ini::SUPPORT, json!({"input": {"initiativeId": id}}))
        .await;
    orebro
        .ok(
            ini::TRANSITION,
            json!({"input": {"id": id, "version": 2, "to": "SUBMITTED"}}),
        )
        .await;
    orebro
        .ok(ini::RESPONSE, json!({"input": {"initiativeId": id, "date": "2026-11-20", "summary": "Flyttar till Sverige", "outcome": "ACCEPTED"}}))
        .await;
}

fn rows<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v["committeeReport"][key].as_array().unwrap()
}

async fn the_committee_report_adds_up_and_the_csv_says_the_same(app: TestApp) {
    seed(&app).await;
    let vars = json!({"county": "18", "from": "2026-11-01", "to": "2026-12-31"});
    let namnd = app.as_kommun("1880").namnd();
    let r = namnd.ok(REPORT, vars.clone()).await;

    let phases: Vec<(String, i64)> = rows(&r, "projectsByPhase")
        .iter()
        .map(|p| {
            (
                p["phase"].as_str().unwrap().to_owned(),
                p["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        phases,
        vec![("IDEA".into(), 2), ("EXECUTION".into(), 1)],
        "the PRIVATE project is not the committee's to see"
    );
    let costs: Vec<(String, String, String, i64)> = rows(&r, "costPerMunicipality")
        .iter()
        .map(|c| {
            (
                c["municipality"]["code"].as_str().unwrap().to_owned(),
                c["committed"].as_str().unwrap().to_owned(),
                c["planned"].as_str().unwrap().to_owned(),
                c["projects"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        costs,
        vec![
            ("1880".into(), "500000.00".into(), "0.00".into(), 1),
            ("1881".into(), "500000.00".into(), "300001.00".into(), 3),
        ]
    );
    let benefits = rows(&r, "benefitsPerMunicipality");
    assert_eq!(benefits.len(), 1);
    assert_eq!(
        benefits[0]["realizationPercent"], "50.00",
        "as of the end of the period"
    );
    assert_eq!(rows(&r, "benefits")[0]["latest"], "8");
    let due = rows(&r, "tollgatesDue");
    assert_eq!(due.len(), 1);
    assert_eq!(
        (
            due[0]["projectTitle"].as_str(),
            due[0]["due"].as_str(),
            due[0]["nextPhase"].as_str()
        ),
        (Some("Skolskjuts"), Some("2026-12-15"), Some("PRE_STUDY"))
    );

    // The three tollgate decisions that moved E-arkiv to EXECUTION, as the minutes cite them.
    let decided: Vec<(String, String, String)> = rows(&r, "decisions")
        .iter()
        .map(|d| {
            (
                d["toPhase"].as_str().unwrap().to_owned(),
                d["decidedOn"].as_str().unwrap().to_owned(),
                d["diarienummer"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        decided,
        ["PRE_STUDY", "PLANNING", "EXECUTION"]
            .map(|p| (p.to_owned(), "2026-11-20".to_owned(), "GN 2026/17".to_owned()))
            .to_vec()
    );
    assert_eq!(rows(&r, "decisions")[0]["projectTitle"], "E-arkiv");

    let ini = rows(&r, "vendorInitiatives");
    assert_eq!(ini.len(), 1);
    assert_eq!(
        (
            ini[0]["supporters"].as_i64(),
            ini[0]["state"].as_str(),
            ini[0]["latestResponseOutcome"].as_str()
        ),
        (Some(1), Some("VENDOR_RESPONDED"), Some("ACCEPTED"))
    );
    let sensitive: Vec<&str> = rows(&r, "sensitiveSystemsOutsideEu")
        .iter()
        .map(|s| s["municipality"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        sensitive,
        vec!["1880"],
        "Kumla's private system is not the committee's to see"
    );
    let ending: Vec<&str> = rows(&r, "contractsEnding")
        .iter()
        .map(|s| s["contractEnd"].as_str().unwrap())
        .collect();
    assert_eq!(ending, vec!["2027-12-31"], "2030 is beyond 18 months");

    // Örebro's own view also counts its PRIVATE project.
    let own = app.as_kommun("1880").viewer().ok(REPORT, vars.clone()).await;
    assert_eq!(rows(&own, "costPerMunicipality")[0]["planned"], "999.00");
    app.as_kommun("1880")
        .integration()
        .gql(REPORT, vars.clone())
        .await
        .expect_code("FORBIDDEN");
    namnd
        .gql(
            REPORT,
            json!({"county": "18", "from": "2026-12-31", "to": "2026-01-01"}),
        )
        .await
        .expect_code("BAD_USER_INPUT");

    // The CSV for the minutes: BOM, semicolons, decimal commas; parsed back it matches.
    let token = samverkan::auth::mint_dev_token(&app.secret, "gn", "1880", &["namnd".into()], 60).unwrap();
    let res = app
        .get("/reports/18/committee.csv?from=2026-11-01&to=2026-12-31")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 byte-order mark for Excel"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let records = csv_records(text);
    let section = |title: &str| csv_section(&records, title);
    let csv_costs: Vec<(String, String, String, i64)> = section("Kostnad per kommun")
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                r[2].replace(',', "."),
                r[3].replace(',', "."),
                r[4].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(csv_costs, costs);
    assert!(text.contains("500000,00"), "decimal comma");
    let csv_phases: Vec<(String, i64)> = section("Projekt per fas och hälsa")
        .iter()
        .map(|r| (r[0].clone(), r[2].parse().unwrap()))
        .collect();
    assert_eq!(csv_phases, phases);
    let csv_benefits = section("Nyttor per kommun");
    assert_eq!(csv_benefits[0][3], "50,00");
    assert_eq!(section("Beslutspunkter i perioden")[0][4], "2026-12-15");
    let csv_decisions = section("Beslut vid beslutspunkter i perioden");
    assert_eq!(csv_decisions.len(), 3);
    assert_eq!(
        (
            csv_decisions[2][0].as_str(),
            csv_decisions[2][1].as_str(),
            csv_decisions[2][4].as_str(),
            csv_decisions[2][6].as_str()
        ),
        ("2026-11-20", "E-arkiv", "EXECUTION", "GN 2026/17")
    );
    assert!(
        !text.contains("Internt"),
        "the committee's CSV has no PRIVATE project"
    );
    assert_eq!(section("Leverantörsinitiativ")[0][0], "Data inom EU");
    assert_eq!(
        section("System med konfidentialitet 3 eller högre utanför EU/EES").len(),
        1
    );
    assert_eq!(section("Avtal som löper ut inom 18 månader")[0][5], "2027-12-31");

    let r = app
        .get("/reports/18/committee.csv?from=2026-11-01&to=2026-12-31")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .get("/reports/18/committee.csv?from=nope&to=2026-12-31")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
both_backends!(the_committee_report_adds_up_and_the_csv_says_the_same);

/// The report reads the county's projects in chunks (memory bounded by a chunk, not by the
/// county); read one project at a time, seven at a time or a thousand at a time it is the same
/// report, for the committee and for a kommun, and its portfolio and cost sections equal a
/// computation straight from the project list.
async fn the_report_read_in_chunks_is_the_report_read_whole(app: TestApp) {
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;
    let kommuner = ["1880", "1881", "1882", "1883", "1885"];
    for (n, owner) in (0..23).zip(kommuner.iter().cycle()) {
        let c = app.as_kommun(owner).editor_admin();
        // PARTICIPANTS projects whose guest is 1885 (n = 3, 13, 18) reach its report only
        // through the part of projects it takes part in.
        let visibility = match n % 5 {
            4 => "PRIVATE",
            3 => "PARTICIPANTS",
            _ => "COUNTY",
        };
        let (p, _) = create(
            &c,
            &format!("Projekt {n:02}"),
            visibility,
            &format!("{}.{:02}", 10_000 + n * 777, n),
        )
        .await;
        if n % 3 != 2 && visibility != "PRIVATE" {
            let guest = kommuner[(n as usize + 1) % kommuner.len()];
            let part = invite(&c, &p, guest, "PARTICIPANT").await;
            app.as_kommun(guest)
                .editor_admin()
                .ok(
                    RESPOND,
                    json!({"input": {"participationId": part, "accept": true}}),
                )
                .await;
        }
        // 1885 reads n = 8 as invited only (it takes part, pays nothing), and stops reading
        // n = 18 when it withdraws.
        if n == 8 {
            invite(&c, &p, "1885", "PARTICIPANT").await;
        }
        if n == 18 {
            app.as_kommun("1885")
                .editor_admin()
                .ok(WITHDRAW, json!({"input": {"projectId": p}}))
                .await;
        }
        if n % 4 == 1 {
            for to in ["PRE_STUDY", "PLANNING", "EXECUTION"] {
                advance(&c, &p, to).await;
            }
        }
        if n % 2 == 0 {
            let b = c
                .ok(
                    ADD_BENEFIT,
                    json!({"input": {"projectId": p, "description": format!("Nytta {n}"), "category": "PRODUCTIVITY", "kind": "QUANTITATIVE", "ownerCode": owner, "metric": "m", "unit": "u", "baseline": "10", "target": "4"}}),
                )
                .await["addBenefit"]["benefit"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            c.ok(
                FOLLOW_UP,
                json!({"input": {"benefitId": b, "date": "2026-06-01", "value": format!("{}", 10 - n % 6)}}),
            )
            .await;
            // A later follow-up after the period (the report measures by the one before), and
            // an earlier one recorded last (the latest stays the June one).
            let later = match n % 3 {
                0 => Some("2027-02-01"),
                1 => Some("2026-03-01"),
                _ => None,
            };
            if let Some(date) = later {
                c.ok(
                    FOLLOW_UP,
                    json!({"input": {"benefitId": b, "date": date, "value": format!("{}", 4 + n % 5)}}),
                )
                .await;
            }
            // A project whose visibility changes after its benefit is added: its benefit
            // follows it out of (n = 2) or into (n = 14) what the committee reads.
            if n == 2 || n == 14 {
                let v = version(&c, &p).await;
                let to = if visibility == "PRIVATE" {
                    "COUNTY"
                } else {
                    "PRIVATE"
                };
                c.ok(
                    UPDATE,
                    json!({"input": {"id": p, "version": v, "visibility": to}}),
                )
                .await;
            }
        }
        if n % 7 == 3 {
            let v = version(&c, &p).await;
            c.ok(
                CANCEL,
                json!({"input": {"id": p, "version": v, "decision": decision("Avbryts")}}),
            )
            .await;
        }
    }
    let period = json!({"county": "18", "from": "2026-01-01", "to": "2026-12-31"});
    let one = app.replica(|s| s.limits.report_chunk = 1).await;
    let seven = app.replica(|s| s.limits.report_chunk = 7).await;
    for (kommun, roles) in [("1883", "namnd"), ("1885", "viewer")] {
        let whole = app.as_kommun(kommun);
        let whole = if roles == "namnd" {
            whole.namnd()
        } else {
            whole.viewer()
        };
        let report = whole.ok(REPORT, period.clone()).await;
        for replica in [&one, &seven] {
            let r = replica.as_kommun(kommun);
            let r = if roles == "namnd" { r.namnd() } else { r.viewer() };
            assert_eq!(r.ok(REPORT, period.clone()).await, report, "{kommun} {roles}");
        }

        // Straight from the project list: counts by phase and health, and each kommun's
        // committed (EXECUTION and later) and planned shares of the projects not cancelled.
        let list = whole
            .ok(
                "{ eServiceProjects(first: 100) { edges { node { phase health costShares { municipality { code } amount } } } } }",
                json!({}),
            )
            .await;
        let mut phases: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut costs: BTreeMap<String, (Decimal, Decimal, i64)> = BTreeMap::new();
        for e in list["eServiceProjects"]["edges"].as_array().unwrap() {
            let p = &e["node"];
            let phase = p["phase"].as_str().unwrap().to_owned();
            *phases
                .entry((phase.clone(), p["health"].to_string()))
                .or_default() += 1;
            if phase == "CANCELLED" {
                continue;
            }
            let committed = !["IDEA", "PRE_STUDY", "PLANNING"].contains(&phase.as_str());
            for s in p["costShares"].as_array().unwrap() {
                let row = costs
                    .entry(s["municipality"]["code"].as_str().unwrap().to_owned())
                    .or_default();
                let amount: Decimal = s["amount"].as_str().unwrap().parse().unwrap();
                if committed {
                    row.0 += amount;
                } else {
                    row.1 += amount;
                }
                row.2 += 1;
            }
        }
        let r = &report["committeeReport"];
        let got: BTreeMap<(String, String), i64> = r["projectsByPhase"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    (x["phase"].as_str().unwrap().to_owned(), x["health"].to_string()),
                    x["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, phases, "{kommun} {roles}");
        let got: BTreeMap<String, (Decimal, Decimal, i64)> = r["costPerMunicipality"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["municipality"]["code"].as_str().unwrap().to_owned(),
                    (
                        x["committed"].as_str().unwrap().parse().unwrap(),
                        x["planned"].as_str().unwrap().parse().unwrap(),
                        x["projects"].as_i64().unwrap(),
                    ),
                )
            })
            .collect();
        assert_eq!(got, costs, "{kommun} {roles}");
        assert!(!r["benefits"].as_array().unwrap().is_empty());
        // The benefits per kommun (read from what each benefit keeps) are the walk's over
        // every benefit with its follow-ups, which the CSV writes.
        let mut per_owner: BTreeMap<String, i64> = BTreeMap::new();
        for b in r["benefits"].as_array().unwrap() {
            *per_owner
                .entry(b["owner"]["code"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        let records = year_csv(&app, kommun, roles).await;
        let from_csv: Vec<(String, i64, String)> = csv_section(&records, "Nyttor per kommun")
            .iter()
            .map(|row| (row[0].clone(), row[2].parse().unwrap(), row[3].replace(',', ".")))
            .collect();
        let read: Vec<(String, i64, String)> = r["benefitsPerMunicipality"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["municipality"]["code"].as_str().unwrap().to_owned(),
                    b["benefits"].as_i64().unwrap(),
                    b["realizationPercent"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert_eq!(read, from_csv, "{kommun} {roles}");
        let counted: BTreeMap<String, i64> = read.iter().map(|(k, n, _)| (k.clone(), *n)).collect();
        assert_eq!(counted, per_owner, "{kommun} {roles}");

        // Only what is asked is built: the phases (one grouped count) and the sums per kommun
        // (no row per project or benefit kept) through a fragment are the whole report's, in
        // fewer statements than the whole.
        let phases_only = "query($county: String!, $from: Date!, $to: Date!) { committeeReport(county: $county, from: $from, to: $to) { ...P } } fragment P on CommitteeReport { projectsByPhase { phase health count } costPerMunicipality { municipality { code } committed planned projects } benefitsPerMunicipality { municipality { code } benefits realizationPercent } }";
        let before = seven.statements();
        let alone = {
            let c = seven.as_kommun(kommun);
            let c = if roles == "namnd" { c.namnd() } else { c.viewer() };
            c.ok(phases_only, period.clone()).await
        };
        let alone_statements = seven.statements() - before;
        let before = seven.statements();
        {
            let c = seven.as_kommun(kommun);
            let c = if roles == "namnd" { c.namnd() } else { c.viewer() };
            c.ok(
                &REPORT.replace("county { code }", "county { name }"),
                period.clone(),
            )
            .await;
        }
        let whole_statements = seven.statements() - before;
        for section in [
            "projectsByPhase",
            "costPerMunicipality",
            "benefitsPerMunicipality",
        ] {
            assert_eq!(alone["committeeReport"][section], r[section], "{section}");
        }
        assert!(
            alone_statements + 5 < whole_statements,
            "{alone_statements} statements for the phases, {whole_statements} for the whole"
        );
    }
    // The kept sums are the share rows summed, after every kind of change above (a split
    // made, a guest taking part, a tollgate, a cancellation): no key differs, none is left
    // at zero.
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(&app.database_url).await.unwrap();
    let sql = "SELECT COUNT(*) AS n FROM (\
        SELECT county_id, owner_id, visibility, municipality_id, committed, COALESCE(floating_year, 0) AS y, \
          SUM(amount_ore) AS amount, COUNT(*) AS projects FROM project_share \
          GROUP BY county_id, owner_id, visibility, municipality_id, committed, COALESCE(floating_year, 0) \
        EXCEPT SELECT county_id, owner_id, visibility, municipality_id, committed, floating_year, amount_ore, projects \
          FROM project_share_sum) d";
    let backend = db.get_database_backend();
    let differ = |sql: &str| {
        let db = &db;
        let sql = sql.to_owned();
        async move {
            db.query_one_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap()
        }
    };
    assert_eq!(differ(sql).await, 0, "a kept sum the rows do not make");
    let kept = "SELECT COUNT(*) AS n FROM project_share_sum";
    let grouped = "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM project_share \
        GROUP BY county_id, owner_id, visibility, municipality_id, committed, COALESCE(floating_year, 0)) g";
    assert_eq!(
        differ(kept).await,
        differ(grouped).await,
        "a kept sum without rows"
    );
    assert!(differ(kept).await > 5, "the seed makes sums");
    // The kept sums per kommun taking part are the share rows of the PARTICIPANTS projects
    // each kommun other than the owner is invited to or has accepted, summed: read here
    // from the participations, not from the kept takers.
    let taking = "SELECT s.county_id, pa.municipality_id AS taker, s.municipality_id, s.committed, \
          COALESCE(s.floating_year, 0) AS y, SUM(s.amount_ore) AS amount, COUNT(*) AS projects \
        FROM project_share s JOIN project p ON p.id = s.project_id \
        JOIN (SELECT DISTINCT project_id, municipality_id FROM participation \
          WHERE state IN ('INVITED', 'ACCEPTED')) pa ON pa.project_id = s.project_id \
        WHERE p.visibility = 'PARTICIPANTS' AND pa.municipality_id <> p.owner_id \
        GROUP BY s.county_id, pa.municipality_id, s.municipality_id, s.committed, COALESCE(s.floating_year, 0)";
    let kept_taking = "SELECT county_id, taker_id, municipality_id, committed, floating_year, amount_ore, projects \
        FROM project_share_taking_sum";
    for (a, b) in [(taking, kept_taking), (kept_taking, taking)] {
        let d = format!("SELECT COUNT(*) AS n FROM ({a} EXCEPT {b}) d");
        assert_eq!(differ(&d).await, 0, "the kept taking sums differ from the rows");
    }
    assert!(
        differ(&format!("SELECT COUNT(*) AS n FROM ({taking}) t")).await >= 3,
        "the seed has kommuner taking part"
    );
    // What each benefit keeps is its project's and its owner's latest follow-up's.
    let stale = "SELECT COUNT(*) AS n FROM benefit b JOIN project p ON p.id = b.project_id \
        WHERE b.county_id <> p.county_id OR b.project_owner_id <> p.owner_id \
          OR b.project_visibility <> p.visibility \
          OR b.latest_on IS DISTINCT FROM (SELECT f.measured_on FROM benefit_follow_up f \
            WHERE f.benefit_id = b.id AND f.municipality_id = b.owner_id ORDER BY f.measured_on DESC, f.id DESC LIMIT 1) \
          OR b.latest_e4 IS DISTINCT FROM (SELECT f.value_e4 FROM benefit_follow_up f \
            WHERE f.benefit_id = b.id AND f.municipality_id = b.owner_id ORDER BY f.measured_on DESC, f.id DESC LIMIT 1)";
    assert_eq!(
        differ(stale).await,
        0,
        "a benefit keeps what its project and follow-ups do not say"
    );
}
both_backends!(the_report_read_in_chunks_is_the_report_read_whole);

/// `projectCosts` and `benefits` hold at most 1,000 rows each (the first by project, and by
/// benefit), priced as that by the cost walk; the counts say how many there are and the CSV
/// has them all.
async fn the_reports_long_lists_are_bounded_and_counted(app: TestApp) {
    use sea_orm::{ConnectionTrait, Database};
    let (ok, out) = crate::chain::cli(&app, &["bench-seed", "--projects", "2400"]);
    assert!(ok, "{out}");
    let db = Database::connect(&app.database_url).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO benefit (project_id, description, category, kind, owner_id, metric, unit, baseline_e4, target_e4, created_at, updated_at, \
         county_id, project_owner_id, project_visibility) \
         SELECT p.id, 'Nytta ' || k.n, 'QUALITY', 'QUALITATIVE', p.owner_id, '', '', 0, 0, p.created_at, p.updated_at, \
         p.county_id, p.owner_id, p.visibility \
         FROM project p, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) k",
    )
    .await
    .unwrap();
    // A tollgate in the period for every open project the committee sees: more than the bound.
    db.execute_unprepared(
        "UPDATE project SET next_tollgate_due = '2026-06-01' WHERE phase NOT IN ('CLOSED', 'CANCELLED')",
    )
    .await
    .unwrap();
    db.close().await.unwrap();
    let committee = app.as_kommun("1880").namnd();
    let q = r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") {
      costPerMunicipality { projects } projectCostCount projectCosts { projectTitle amount }
      benefitsPerMunicipality { benefits } benefitCount benefits { projectTitle description }
      tollgateCount tollgatesDue { projectTitle } } }"#;
    let r = committee.ok(q, json!({})).await;
    let r = &r["committeeReport"];
    let count = r["projectCostCount"].as_u64().unwrap();
    let sum: u64 = r["costPerMunicipality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["projects"].as_u64().unwrap())
        .sum();
    assert_eq!(count, sum);
    assert!(count > 1_000, "the seed makes more rows than the bound: {count}");
    assert_eq!(r["projectCosts"].as_array().unwrap().len(), 1_000);
    let benefits = r["benefitCount"].as_u64().unwrap();
    assert!(benefits > 1_000, "{benefits}");
    assert_eq!(
        benefits,
        r["benefitsPerMunicipality"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["benefits"].as_u64().unwrap())
            .sum::<u64>()
    );
    let listed = r["benefits"].as_array().unwrap();
    assert_eq!(listed.len(), 1_000);
    let tollgates = r["tollgateCount"].as_u64().unwrap();
    assert!(tollgates > 1_000, "{tollgates}");
    assert_eq!(r["tollgatesDue"].as_array().unwrap().len(), 1_000);
    let records = year_csv(&app, "1880", "namnd").await;
    let section = |title: &str| csv_section(&records, title);
    assert_eq!(
        section("Kostnad per projekt och kommun").len() as u64,
        count,
        "the CSV has every row"
    );
    assert_eq!(
        section("Beslutspunkter i perioden").len() as u64,
        tollgates,
        "the CSV has every tollgate"
    );
    let all_benefits = section("Nyttor mot mål");
    assert_eq!(all_benefits.len() as u64, benefits);
    // The list is the first thousand of them, in the same order.
    for (line, row) in listed.iter().zip(&all_benefits) {
        assert_eq!(line["projectTitle"], row[0]);
        assert_eq!(line["description"], row[1]);
    }
    // A kommun's counts are summed over the parts of what it sees (its own projects, the
    // county's, those it takes part in): the same as the CSV's rows, read through the rule.
    let viewer = app.as_kommun("1881").viewer();
    let r = viewer.ok(q, json!({})).await;
    let r = &r["committeeReport"];
    let records = year_csv(&app, "1881", "viewer").await;
    let section = |title: &str| csv_section(&records, title);
    let tollgates = r["tollgateCount"].as_u64().unwrap();
    assert!(tollgates > 1_000, "{tollgates}");
    assert_eq!(section("Beslutspunkter i perioden").len() as u64, tollgates);
    assert_eq!(
        section("Kostnad per projekt och kommun").len() as u64,
        r["projectCostCount"].as_u64().unwrap()
    );
    assert_eq!(
        section("Nyttor mot mål").len() as u64,
        r["benefitCount"].as_u64().unwrap()
    );
}
both_backends!(the_reports_long_lists_are_bounded_and_counted);
