//! Health checks for process supervisors and load balancers.
use actix_web::{HttpResponse, web};

use super::AppState;
/// `GET /healthz`: the process is alive.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// `GET /readyz`: the database answers, the migrations are applied and the replica is not
/// shutting down.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("draining: shutting down");
    }
    if state.services.ready().await {
        HttpResponse::Ok().content_type("text/plain").body("ready")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database not ready")
    }
}
