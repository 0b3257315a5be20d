//! One tracing subscriber for the whole process: log lines, and (when an OTLP endpoint is set)
//! the request's spans exported to an OpenTelemetry collector.
//!
//! Log lines follow `RUST_LOG` (default INFO). The exporter has its own filter: this crate's
//! spans down to DEBUG, which is where the request's stages are (`http::graphql`), so that
//! stages cost nothing when no exporter runs (no layer asks for DEBUG spans then).
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use tracing_subscriber::{EnvFilter, Layer, filter::Targets, fmt, prelude::*};

/// The exporter, flushed when the process ends.
#[must_use = "dropping it flushes and stops the span exporter"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(p) = self.provider.take()
            && let Err(e) = p.shutdown()
        {
            eprintln!("the span exporter did not shut down cleanly: {e}");
        }
    }
}

/// The OTLP exporter for `endpoint` (OTLP over HTTP, JSON encoding, e.g.
/// `http://collector:4318/v1/traces`), batching spans on a thread of its own.
fn exporter(endpoint: &str) -> Result<SdkTracerProvider, String> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(endpoint)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("samverkan").build())
        .build())
}

/// Installs the subscriber; `RUST_LOG` overrides the default log filter. With `otlp_endpoint`
/// the spans of this crate also go to that collector, and incoming W3C `traceparent` headers
/// are honoured (`http::graphql` makes its request span their child).
pub fn init(format: &str, otlp_endpoint: Option<&str>) -> Telemetry {
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"))
    };
    let provider = match otlp_endpoint.map(exporter) {
        Some(Ok(provider)) => Some(provider),
        Some(Err(e)) => {
            eprintln!("spans are not exported: the OTLP endpoint is refused: {e}");
            None
        }
        None => None,
    };
    let _ = match &provider {
        // Without an exporter the log filter is global, so that a disabled span or event
        // (sqlx's and sea-orm's statements, the request's DEBUG stages) is switched off at
        // its callsite and costs nothing. A per-layer filter beside an absent exporter layer
        // would not: `Option::<Layer>::None` takes an interest in every callsite, so each of
        // them would be built and offered to the layers on every call (measured: 5.5 % of
        // the uncached list's throughput).
        None => tracing_subscriber::registry()
            .with(filter())
            .with(log_layer(format))
            .try_init(),
        Some(provider) => {
            opentelemetry::global::set_text_map_propagator(
                opentelemetry_sdk::propagation::TraceContextPropagator::new(),
            );
            let spans = tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("samverkan"))
                .with_filter(Targets::new().with_target("samverkan", tracing::Level::DEBUG));
            tracing_subscriber::registry()
                .with(spans)
                .with(log_layer(format).with_filter(filter()))
                .try_init()
        }
    };
    Telemetry { provider }
}

/// Log lines on standard error: JSON for `json`, else text, coloured only for a person at a
/// terminal (files and log shippers get plain text).
fn log_layer<S>(format: &str) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    if format == "json" {
        fmt::layer().json().with_writer(std::io::stderr).boxed()
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        fmt::layer().with_ansi(ansi).with_writer(std::io::stderr).boxed()
    }
}

/// The trace context of an incoming request (its W3C `traceparent` and `tracestate`), for
/// the request's span to continue; empty when none was sent or no exporter runs.
pub fn remote_context(traceparent: Option<&str>, tracestate: Option<&str>) -> opentelemetry::Context {
    struct Headers<'a>(Option<&'a str>, Option<&'a str>);
    impl opentelemetry::propagation::Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            match key {
                "traceparent" => self.0,
                "tracestate" => self.1,
                _ => None,
            }
        }
        fn keys(&self) -> Vec<&str> {
            vec!["traceparent", "tracestate"]
        }
    }
    opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(traceparent, tracestate)))
}
