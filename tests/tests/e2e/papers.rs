//! The committee's papers: the report as a PDF/A document, read back with poppler's tools
//! (`pdfinfo`, `pdftotext`, `pdftoppm`) and held against the GraphQL report.
use std::{path::Path, process::Command};

use serde_json::{Value, json};

use crate::{
    both_backends,
    docs::*,
    helpers::{TempDir, TestApp},
    report::{REPORT, seed},
};

const PERIOD: &str = "from=2026-11-01&to=2026-12-31";

/// An amount of the GraphQL report (`"500000.00"`) as the document prints it (`500 000,00`,
/// the space a no-break one that `pdftotext` gives back as a plain space after `squash`).
fn swedish(amount: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, "00"));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("−", i));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{frac:0<2}")
}

/// Text with every kind of space as one plain space, so a line break or a no-break space
/// between digit groups compares equal.
fn squash(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (poppler-utils) must be installed: {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What poppler reads from a PDF: its info, its XMP metadata, its text, and how many pages it
/// renders (each rendered to a PNG without error).
struct Read {
    pages: usize,
    meta: String,
    text: String,
}

fn read_pdf(bytes: &[u8]) -> Read {
    let dir = TempDir(std::env::temp_dir().join(format!("samverkan-pdf-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let file = dir.0.join("report.pdf");
    std::fs::write(&file, bytes).unwrap();
    let f = file.to_str().unwrap();
    let info = tool("pdfinfo", &[f]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo names the page count")
        .trim()
        .parse()
        .unwrap();
    assert!(
        info.contains("Page size:       595.276 x 841.89 pts (A4)"),
        "{info}"
    );
    let meta = tool("pdfinfo", &["-meta", f]);
    let text = tool("pdftotext", &["-enc", "UTF-8", f, "-"]);
    let prefix = dir.0.join("page");
    tool("pdftoppm", &["-r", "30", "-png", f, prefix.to_str().unwrap()]);
    let rendered = std::fs::read_dir(&dir.0)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "png"))
        .count();
    assert_eq!(rendered, pages, "every page renders");
    Read { pages, meta, text }
}

async fn pdf(app: &TestApp, path: &str, kommun: &str, roles: &[&str]) -> reqwest::Response {
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    let token = samverkan::auth::mint_dev_token(&app.secret, "papers", kommun, &roles, 60).unwrap();
    app.get(path).bearer_auth(token).send().await.unwrap()
}

async fn code_of(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// The committee's PDF holds the GraphQL report's figures to the öre in Swedish format, every
/// kommun it names, text from the records however unusual, and nothing the committee may not
/// see; it declares PDF/A-2b and every page renders.
async fn the_committee_pdf_says_what_the_report_says(app: TestApp) {
    seed(&app).await;
    let kumla = app.as_kommun("1881").editor_admin();
    let unusual = "Ärende 🙂 e\u{301} \u{200f}עברית\u{200f} \u{feff}\u{200d}";
    kumla
        .ok(
            CREATE,
            json!({"input": {"title": unusual, "visibility": "COUNTY", "budget": "12345.67", "nextTollgateDue": "2026-12-20"}}),
        )
        .await;

    let vars = json!({"county": "18", "from": "2026-11-01", "to": "2026-12-31"});
    let r = app.as_kommun("1880").namnd().ok(REPORT, vars).await;
    let report = &r["committeeReport"];

    let res = pdf(
        &app,
        &format!("/reports/18/committee.pdf?{PERIOD}"),
        "1880",
        &["namnd"],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("committee-18-2026-11-01-2026-12-31.pdf")
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let read = read_pdf(&bytes);
    assert!(read.pages >= 2, "a title page with contents and the sections");
    assert!(
        read.meta.contains("<pdfaid:part>2</pdfaid:part>"),
        "{}",
        read.meta
    );
    assert!(read.meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    let text = squash(&read.text);

    for heading in [
        "Rapport till gemensam nämnd",
        "Innehåll",
        "Projekt per fas och hälsa",
        "Kostnad per kommun enligt fördelningsnycklarna",
        "Nyttor per kommun mot mål",
        "Kommande beslutspunkter",
        "Leverantörsinitiativ",
        "Avtal som löper ut inom 18 månader",
        "Örebro län",
        "2026-11-01 – 2026-12-31",
    ] {
        assert!(text.contains(heading), "{heading} in {text}");
    }
    assert!(text.contains(&format!("Sida 1 ({})", read.pages)), "page numbers");

    let names_of = kommun_names(&app).await;
    let mut names = 0;
    for list in [
        "costPerMunicipality",
        "sensitiveSystemsOutsideEu",
        "contractsEnding",
    ] {
        for row in report[list].as_array().unwrap() {
            let code = row["municipality"]["code"].as_str().unwrap();
            let name = &names_of[code];
            assert!(text.contains(name), "{name} ({list}) in the PDF");
            names += 1;
        }
    }
    assert!(names >= 3);
    let mut amounts = 0;
    for c in report["costPerMunicipality"].as_array().unwrap() {
        for field in ["committed", "planned"] {
            let a = swedish(c[field].as_str().unwrap());
            assert!(text.contains(&a), "{field} {a} in the PDF");
            amounts += 1;
        }
    }
    for c in report["projectCosts"].as_array().unwrap() {
        let a = swedish(c["amount"].as_str().unwrap());
        assert!(text.contains(&a), "project cost {a} in the PDF");
        amounts += 1;
    }
    assert!(amounts >= 6);
    assert!(
        text.contains("12 345,67"),
        "the unusual project's share, to the öre"
    );
    let b = &report["benefitsPerMunicipality"][0];
    assert!(text.contains(&format!(
        "{} %",
        b["realizationPercent"].as_str().unwrap().replace('.', ",")
    )));
    for t in report["tollgatesDue"].as_array().unwrap() {
        assert!(text.contains(t["due"].as_str().unwrap()));
    }
    assert!(text.contains("Data inom EU"), "the vendor initiative");
    assert!(text.contains("Beslut vid beslutspunkter"));
    assert!(
        text.contains("Planering → Genomförande") && text.contains("GN 2026/17"),
        "the tollgate decisions with their diarienummer"
    );
    assert!(
        text.contains("Ärende"),
        "text from the records, with what the fonts lack replaced"
    );
    assert!(
        text.contains('□'),
        "the emoji no embedded font has is replaced visibly"
    );
    assert!(
        !text.contains("Internt"),
        "the committee's PDF has no PRIVATE project"
    );
    assert!(text.contains("Granskningsloggen"), "the audit chain's head");

    // A kommun's own view counts its PRIVATE project, as the CSV does.
    let own = pdf(
        &app,
        &format!("/reports/18/committee.pdf?{PERIOD}"),
        "1880",
        &["viewer"],
    )
    .await;
    assert_eq!(own.status(), 200);
    let own = squash(&read_pdf(&own.bytes().await.unwrap()).text);
    assert!(own.contains("Internt") && own.contains("999,00"));

    // The same refusals as the CSV, each a clean JSON error, never a half-written document.
    let res = app
        .get(&format!("/reports/18/committee.pdf?{PERIOD}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    for (path, roles, want) in [
        (
            "/reports/18/committee.pdf?from=2026-12-31&to=2026-01-01",
            &["namnd"][..],
            (400, "BAD_USER_INPUT"),
        ),
        (
            "/reports/18/committee.pdf?from=nope&to=2026-12-31",
            &["namnd"][..],
            (400, "BAD_USER_INPUT"),
        ),
        (
            "/reports/18/committee.pdf?to=2026-12-31",
            &["namnd"][..],
            (400, "BAD_USER_INPUT"),
        ),
        (
            "/reports/99/committee.pdf?from=2026-01-01&to=2026-12-31",
            &["namnd"][..],
            (400, "BAD_USER_INPUT"),
        ),
        (
            "/reports/18/committee.pdf?from=2000-01-01&to=2026-12-31",
            &["namnd"][..],
            (400, "BAD_USER_INPUT"),
        ),
        (
            "/reports/18/committee.pdf?from=2026-01-01&to=2026-12-31",
            &["integration"][..],
            (403, "FORBIDDEN"),
        ),
    ] {
        let (status, code) = code_of(pdf(&app, path, "1880", roles).await).await;
        assert_eq!((status, code.as_str()), want, "{path} as {roles:?}");
    }
}
both_backends!(the_committee_pdf_says_what_the_report_says);

/// A county's own template is used as it is written; a template that cannot be typeset is a
/// clean 500 with the request's id (the log names the template's line), never a broken file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_countys_own_template_is_used_and_a_broken_one_fails_cleanly() {
    let dir = TempDir(std::env::temp_dir().join(format!("samverkan-tpl-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let own = dir.0.join("own.typ");
    std::fs::write(
        &own,
        "#let d = json(\"/data.json\")\n#set page(paper: \"a4\")\n#set text(font: \"Libertinus Serif\")\nEgen mall för #d.county: #d.costTotal.committed kr\n",
    )
    .unwrap();
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        s.committee_template = Some(own.clone())
    })
    .await
    .unwrap();
    seed(&app).await;
    let res = pdf(
        &app,
        &format!("/reports/18/committee.pdf?{PERIOD}"),
        "1880",
        &["namnd"],
    )
    .await;
    assert_eq!(res.status(), 200);
    let text = squash(&read_pdf(&res.bytes().await.unwrap()).text);
    assert!(
        text.contains("Egen mall för Örebro län: 1 000 000,00 kr"),
        "{text}"
    );

    // The template changes without a restart; this one reads a file no template may read.
    write_template(&own, "#let d = json(\"/etc/passwd\")\n#d\n");
    let res = pdf(
        &app,
        &format!("/reports/18/committee.pdf?{PERIOD}"),
        "1880",
        &["namnd"],
    )
    .await;
    assert_eq!(res.status(), 500);
    assert_eq!(res.headers()["content-type"], "application/json");
    let rid = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL");
    assert_eq!(body["errors"][0]["extensions"]["requestId"], rid.as_str());
    assert!(
        !body.to_string().contains("passwd"),
        "the template's errors are the operator's, not the caller's"
    );

    std::fs::remove_file(&own).unwrap();
    let (status, code) = code_of(
        pdf(
            &app,
            &format!("/reports/18/committee.pdf?{PERIOD}"),
            "1880",
            &["namnd"],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (500, "INTERNAL"),
        "a template that is gone"
    );
}

/// The county's kommuner by code, as the service names them.
async fn kommun_names(app: &TestApp) -> std::collections::HashMap<String, String> {
    let d = app
        .as_kommun("1880")
        .viewer()
        .ok(r#"{ municipalities(county: "18") { code name } }"#, json!({}))
        .await;
    d["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["code"].as_str().unwrap().to_owned(),
                m["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn write_template(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// The demo's report, as a newcomer's first `cargo run` shows it, is a valid document that
/// names every kommun of the county (the key-person section lists them all).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_report_is_a_document() {
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| s.demo_data = true)
        .await
        .unwrap();
    let res = pdf(
        &app,
        "/reports/18/committee.pdf?from=2026-01-01&to=2026-12-31",
        "1880",
        &["namnd"],
    )
    .await;
    assert_eq!(res.status(), 200);
    let read = read_pdf(&res.bytes().await.unwrap());
    let text = squash(&read.text);
    let names = kommun_names(&app).await;
    assert_eq!(names.len(), 12);
    for name in names.values() {
        assert!(text.contains(name), "{name} in the demo report");
    }
}

/// A large county's per-project lists are cut in the document (the report is read with the
/// cut, so its memory is bounded too) and the document says how many there are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_countys_lists_are_cut_and_counted() {
    use sea_orm::{ConnectionTrait, Database};
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await.unwrap();
    let (ok, out) = crate::chain::cli(&app, &["bench-seed", "--projects", "1200"]);
    assert!(ok, "{out}");
    let db = Database::connect(&app.database_url).await.unwrap();
    db.execute_unprepared(
        "UPDATE project SET next_tollgate_due = '2026-06-01' WHERE phase NOT IN ('CLOSED', 'CANCELLED')",
    )
    .await
    .unwrap();
    db.close().await.unwrap();
    let r = app
        .as_kommun("1880")
        .namnd()
        .ok(
            r#"{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") { projectCostCount tollgateCount } }"#,
            json!({}),
        )
        .await;
    let costs = r["committeeReport"]["projectCostCount"].as_u64().unwrap();
    let tollgates = r["committeeReport"]["tollgateCount"].as_u64().unwrap();
    assert!(costs > 200 && tollgates > 200, "{r}");
    let res = pdf(
        &app,
        "/reports/18/committee.pdf?from=2026-01-01&to=2026-12-31",
        "1880",
        &["namnd"],
    )
    .await;
    assert_eq!(res.status(), 200);
    let text = squash(&read_pdf(&res.bytes().await.unwrap()).text);
    let n = |v: u64| {
        let s = v.to_string();
        if s.len() > 3 {
            format!("{} {}", &s[..s.len() - 3], &s[s.len() - 3..])
        } else {
            s
        }
    };
    assert!(
        text.contains(&format!("Visar 200 av {} rader", n(costs))),
        "cost rows cut and counted"
    );
    assert!(
        text.contains(&format!("Visar de första 200 av {}", n(tollgates))),
        "tollgates cut and counted"
    );
}
