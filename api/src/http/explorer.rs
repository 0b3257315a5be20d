//! The explorer: GraphiQL and everything its page loads, embedded in the binary, so the page
//! works on networks without a route to a CDN and names no third-party URL. The vendored
//! files come from `scripts/update-explorer.sh` (pinned versions, checked integrity).
use actix_web::{HttpResponse, http::header, web};

use super::AppState;

/// What the page may load and run: only this service's own files. Styles allow inline
/// values because GraphiQL's editor sets element styles while it lays out; fonts and icons
/// are data URLs inside GraphiQL's stylesheet.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = include_str!("../../explorer/index.html");

/// The page's assets by the name the page uses, with their media type.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "explorer.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../explorer/explorer.js"),
    ),
    (
        "explorer.css",
        "text/css; charset=utf-8",
        include_bytes!("../../explorer/explorer.css"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../explorer/vendor/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../explorer/vendor/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../explorer/vendor/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../explorer/vendor/react-dom.production.min.js"),
    ),
    (
        "LICENSES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../explorer/vendor/LICENSES.txt"),
    ),
];

fn off() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("The explorer is off on this server (SAMVERKAN_EXPLORER=true turns it on).")
}

/// The page itself (`GET /graphql` from a browser).
pub fn page(state: &AppState) -> HttpResponse {
    if !state.explorer {
        return off();
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE.replace("{{version}}", env!("CARGO_PKG_VERSION")))
}

/// `GET /explorer/{file}`. The files change only with the binary, whose version the page
/// puts in each asset's URL, so a browser may keep them.
pub async fn asset(file: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    if !state.explorer {
        return off();
    }
    let Some((_, media, body)) = ASSETS.iter().find(|(name, _, _)| *name == file.as_str()) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such file");
    };
    HttpResponse::Ok()
        .content_type(*media)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=604800, immutable"))
        .body(*body)
}
