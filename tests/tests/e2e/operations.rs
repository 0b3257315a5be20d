//! What operators rely on: Prometheus metrics on their own listener, one access-log line per
//! request, and a drain on SIGTERM that load balancers can follow. The drain and the log are
//! tested on the real binary as a child process, as a container runs it.
use std::{
    process::Command,
    time::{Duration, Instant},
};

use serde_json::json;

use crate::helpers::{Backend, Process, TestApp, binary};

#[tokio::test]
async fn metrics_count_requests_by_operation_and_code_on_their_own_listener() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let editor = app.as_kommun("1880").editor();
    for _ in 0..3 {
        editor
            .ok(
                "query Projects { eServiceProjects(first: 5) { totalCount } }",
                json!({}),
            )
            .await;
    }
    app.with_token("not-a-jwt")
        .gql("{ viewer { sub } }", json!({}))
        .await;
    for i in 0..210 {
        editor
            .ok(&format!("query Many{i} {{ viewer {{ sub }} }}"), json!({}))
            .await;
    }
    let url = app.metrics.clone().expect("the metrics listener is on");
    let text = app.client.get(&url).send().await.unwrap().text().await.unwrap();
    let has = |line: &str| text.lines().any(|l| l.starts_with(line));
    assert!(
        has(r#"samverkan_http_requests_total{route="/graphql",operation="Projects",code="OK"} 3"#),
        "{text}"
    );
    assert!(
        has(
            r#"samverkan_http_requests_total{route="/graphql",operation="anonymous",code="UNAUTHENTICATED"} 1"#
        ),
        "{text}"
    );
    assert!(
        has(r#"samverkan_http_requests_total{route="/graphql",operation="other",code="OK"}"#),
        "names beyond the bound count as other"
    );
    let names = text
        .lines()
        .filter(|l| l.starts_with("samverkan_http_requests_total"))
        .count();
    assert!(names <= 205, "{names} series: the operation label is bounded");
    assert!(
        has(r#"samverkan_http_request_duration_seconds_bucket{le="+Inf",route="/graphql"}"#)
            || has(r#"samverkan_http_request_duration_seconds_bucket{route="/graphql",le="+Inf"}"#),
        "{text}"
    );
    for name in [
        "samverkan_db_pool_connections ",
        "samverkan_db_pool_idle_connections ",
        "samverkan_response_cache_hits_total ",
        "samverkan_response_cache_misses_total ",
        "samverkan_response_cache_shared_total ",
        "samverkan_rate_limited_requests_total ",
    ] {
        assert!(has(name), "{name} missing: {text}");
    }
    assert_eq!(
        app.get("/metrics").send().await.unwrap().status(),
        404,
        "not on the public listener"
    );
}

#[tokio::test]
async fn on_sigterm_readiness_goes_first_requests_finish_and_each_is_logged() {
    let Some(mut p) = Process::start(&[("SAMVERKAN_DRAIN_SECONDS", "2"), ("RUST_LOG", "info")]) else {
        return;
    };
    let client = crate::helpers::http_client();
    assert_eq!(
        client
            .get(format!("{}/readyz", p.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let token = p.token("1880", "viewer");
    let query = |c: &reqwest::Client| {
        c.post(format!("{}/graphql", p.base))
            .bearer_auth(&token)
            .json(&json!({"query": "query Who { viewer { municipality { code } } }", "operationName": "Who"}))
            .send()
    };
    assert_eq!(query(&client).await.unwrap().status(), 200);
    let healthcheck = || {
        Command::new(binary())
            .args(["healthcheck", "--url", &format!("{}/readyz", p.base)])
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(healthcheck(), "samverkan healthcheck: ready");

    let sent = Instant::now();
    p.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        client
            .get(format!("{}/readyz", p.base))
            .send()
            .await
            .unwrap()
            .status(),
        503,
        "not ready once told to stop"
    );
    let r = query(&client).await.unwrap();
    assert_eq!(r.status(), 200, "still serving while the load balancer notices");
    assert!(!healthcheck(), "samverkan healthcheck: not ready while draining");

    let status = loop {
        if let Some(s) = p.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(20),
            "stopped within the drain and the grace"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
    assert!(
        sent.elapsed() >= Duration::from_secs(2),
        "the drain lasted drain_seconds"
    );

    let mut log = String::new();
    std::io::Read::read_to_string(&mut p.child.stderr.take().unwrap(), &mut log).unwrap();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("samverkan::access") && l.contains("path=/graphql"))
        .collect();
    assert_eq!(lines.len(), 2, "one line per request: {log}");
    for l in &lines {
        for field in [
            "INFO",
            "method=POST",
            "status=200",
            "latency_ms=",
            "request_id=",
            "kommun=1880",
            "operation=\"Who\"",
            "code=\"OK\"",
        ] {
            assert!(l.contains(field), "{field} missing from: {l}");
        }
    }
    assert!(!log.contains(&token), "the token is never logged");
    assert!(!log.contains("municipality { code }"), "the body is never logged");
}
