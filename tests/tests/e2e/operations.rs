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
    // Every stage a query goes through is timed; the cached stage only for queries.
    for stage in ["admit", "cached", "plan", "execute", "respond"] {
        let line = format!(r#"samverkan_graphql_stage_duration_seconds_count{{stage="{stage}"}}"#);
        assert!(has(&line), "{line} missing: {text}");
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

/// A stand-in OpenTelemetry collector: accepts OTLP/HTTP posts on loopback and keeps their
/// JSON bodies.
async fn otlp_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    // One request at a time on a kept-alive connection.
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buf.len() < end + 4 + len {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body: Vec<u8> = buf.drain(..end + 4 + len).skip(end + 4).collect();
                    if let Ok(v) = serde_json::from_slice(&body) {
                        kept.lock().unwrap().push(v);
                    }
                    let ok =
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if sock.write_all(ok).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, got)
}

/// An OTLP attribute's string value.
fn attribute<'a>(span: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    span["attributes"].as_array()?.iter().find(|a| a["key"] == key)?["value"]["stringValue"].as_str()
}

#[tokio::test]
async fn spans_go_to_an_otlp_collector_as_children_of_the_callers_trace() {
    let (endpoint, got) = otlp_receiver().await;
    let Some(p) = Process::start(&[
        ("SAMVERKAN_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ]) else {
        return;
    };
    let token = p.token("1880", "viewer");
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent = "00f067aa0ba902b7";
    let res = reqwest::Client::new()
        .post(format!("{}/graphql", p.base))
        .bearer_auth(&token)
        .header("traceparent", format!("00-{trace}-{parent}-01"))
        .json(&json!({"query": "query Projects { eServiceProjects(first: 2) { totalCount } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let started = Instant::now();
    let spans = loop {
        let spans: Vec<serde_json::Value> = got
            .lock()
            .unwrap()
            .iter()
            .flat_map(|b| b["resourceSpans"].as_array().cloned().unwrap_or_default())
            .flat_map(|r| r["scopeSpans"].as_array().cloned().unwrap_or_default())
            .flat_map(|s| s["spans"].as_array().cloned().unwrap_or_default())
            .filter(|s| {
                s["traceId"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(trace))
            })
            .collect();
        let names: Vec<&str> = spans.iter().filter_map(|s| s["name"].as_str()).collect();
        if ["graphql", "admit", "cached", "plan", "execute", "respond"]
            .iter()
            .all(|n| names.contains(n))
        {
            break spans;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the collector got {names:?} of the caller's trace"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let root = spans.iter().find(|s| s["name"] == "graphql").unwrap();
    assert!(
        root["parentSpanId"]
            .as_str()
            .is_some_and(|p| p.eq_ignore_ascii_case(parent)),
        "the request span continues the caller's: {root}"
    );
    assert_eq!(attribute(root, "kommun"), Some("1880"), "{root}");
    assert_eq!(attribute(root, "operation"), Some("Projects"), "{root}");
    assert_eq!(attribute(root, "request_id"), Some(request_id.as_str()), "{root}");
    for stage in ["admit", "cached", "plan", "execute", "respond"] {
        let s = spans.iter().find(|s| s["name"] == stage).unwrap();
        assert_eq!(
            s["parentSpanId"], root["spanId"],
            "{stage} is a stage of the request"
        );
    }
}
