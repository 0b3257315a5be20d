//! Reports as files: the committee report and the audit's answers as CSV.
use actix_web::{HttpRequest, HttpResponse, http::header, web};
use tracing::Instrument;

use super::{AppState, Authenticated, Refusal};
use crate::error::ApiError;
/// The period of a report file: `from` and `to` as dates (YYYY-MM-DD).
fn period(req: &HttpRequest) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let date = |k: &str| -> Result<chrono::NaiveDate, ApiError> {
        let v = pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| ApiError::input(k, format!("{k} must be a date (YYYY-MM-DD)")))
    };
    Ok((date("from")?, date("to")?))
}

/// `GET /reports/{county}/committee.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: the committee report
/// as CSV, with the same bearer token and visibility as the GraphQL report.
pub async fn committee_csv(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Refusal> {
    let rid = who.request_id.clone();
    let (from, to) = committee_request(&req, &who, &state).await?;
    let span = tracing::info_span!("report", request_id = %rid);
    let internal = |e: anyhow::Error| who.failed(&span, "report", ApiError::Internal(e));
    let rows = crate::export::CommitteeCsv::new(state.services.reference())
        .map_err(|e| internal(anyhow::anyhow!("cannot make the report's temporary files: {e}")))?;
    let scope = state.services.scope(&who.caller, &rid);
    let (report, rows) = scope
        .report()
        .committee_report_into(&path, from, to, rows)
        .instrument(span.clone())
        .await
        .map_err(|e| who.failed(&span, "report", e))?;
    let parts = rows.finish(&report).map_err(|e| internal(e.into()))?;
    let name = format!("committee-{}-{from}-{to}.csv", report.county.code);
    Ok(attachment(&who, "text/csv; charset=utf-8", &name).streaming(body_of(parts)))
}

/// A file written in parts as an answer's body: the temporary files are read in 64 KiB pieces
/// on the blocking threads, so the answer costs a piece of memory, not the file.
fn body_of(
    parts: Vec<crate::export::Part>,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> + 'static {
    use crate::export::Part;
    use futures_util::{StreamExt, stream};
    stream::iter(parts).flat_map(|part| match part {
        Part::Bytes(bytes) => stream::once(async move { Ok(web::Bytes::from(bytes)) }).boxed(),
        Part::File(file) => stream::try_unfold(file, |mut file| async move {
            let (file, piece) = tokio::task::spawn_blocking(move || {
                use std::io::Read;
                let mut piece = vec![0; 64 * 1024];
                let n = file.read(&mut piece)?;
                piece.truncate(n);
                Ok::<_, std::io::Error>((file, piece))
            })
            .await
            .map_err(std::io::Error::other)??;
            Ok((!piece.is_empty()).then(|| (web::Bytes::from(piece), file)))
        })
        .boxed(),
    })
}

/// `GET /reports/{county}/committee.pdf?from=YYYY-MM-DD&to=YYYY-MM-DD`: the committee report
/// as a PDF/A-2b document in Swedish for the meeting's papers and the minutes, with the same
/// bearer token, visibility and figures as the CSV. The county's own template, when the
/// setting names one, is read at each request, so a new letterhead needs no restart.
pub async fn committee_pdf(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Refusal> {
    let rid = who.request_id.clone();
    let (from, to) = committee_request(&req, &who, &state).await?;
    let span = tracing::info_span!("report", request_id = %rid, format = "pdf");
    let template = match &state.committee_template {
        None => crate::papers::COMMITTEE_TEMPLATE.to_owned(),
        Some(file) => tokio::fs::read_to_string(file).await.map_err(|e| {
            let e = anyhow::anyhow!("cannot read the committee template {}: {e}", file.display());
            who.failed(&span, "committee document", ApiError::Internal(e))
        })?,
    };
    let reference = state.services.reference();
    let made = chrono::Utc::now();
    let scope = state.services.scope(&who.caller, &rid);
    let made_doc = scope
        .report()
        .committee_paper(&path, from, to, crate::papers::PAPER_ROWS, move |report| {
            let name = format!("committee-{}-{from}-{to}.pdf", report.county.code);
            crate::papers::committee_pdf(&report, &reference, made, &template).map(|pdf| (name, pdf))
        })
        .instrument(span.clone())
        .await
        .map_err(|e| who.failed(&span, "committee document", e))?;
    let (name, pdf) =
        made_doc.map_err(|e| who.failed(&span, "committee document", ApiError::Internal(e.into())))?;
    Ok(attachment(&who, "application/pdf", &name).body(pdf))
}

/// What every committee file asks first: a signed-in caller, the file's cost charged to its
/// budget, and the period.
async fn committee_request(
    req: &HttpRequest,
    who: &Authenticated,
    state: &AppState,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), Refusal> {
    who.signed_in("the report")?;
    who.charge(state, state.limits.max_cost).await?;
    period(req).map_err(|e| who.refusal(e))
}

/// A file to download, named `name`, answering `who`'s request.
fn attachment(who: &Authenticated, content_type: &str, name: &str) -> actix_web::HttpResponseBuilder {
    let mut answer = HttpResponse::Ok();
    answer
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header(("x-request-id", who.request_id.as_str()));
    answer
}

/// A CSV file as the answer, or the writer's failure as INTERNAL.
fn csv_file(
    who: &Authenticated,
    name: &str,
    bytes: Result<Vec<u8>, csv::Error>,
) -> Result<HttpResponse, Refusal> {
    match bytes {
        Ok(bytes) => Ok(attachment(who, "text/csv; charset=utf-8", name).body(bytes)),
        Err(e) => Err(who.refusal(ApiError::Internal(e.into()))),
    }
}

/// `GET /reports/audit/{kommun}.csv?asOf=YYYY-MM-DD`: the audit's nine answers for a kommun as
/// CSV (today by default), with the same bearer token and visibility as `auditReadiness`.
pub async fn audit_readiness_csv(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Refusal> {
    let rid = who.request_id.clone();
    who.signed_in("the audit's answers")?;
    who.charge(&state, state.limits.max_cost).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let as_of = match pairs.iter().find(|(n, _)| n == "asOf") {
        None => None,
        Some((_, v)) => match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => return Err(who.refusal(ApiError::input("asOf", "asOf must be a date (YYYY-MM-DD)"))),
        },
    };
    let span = tracing::info_span!("report", request_id = %rid);
    let scope = state.services.scope(&who.caller, &rid);
    let r = scope
        .readiness()
        .audit_readiness(&path, as_of)
        .instrument(span.clone())
        .await
        .map_err(|e| who.failed(&span, "audit answers", e))?;
    let name = format!("revisionsunderlag-{}-{}.csv", path.as_str(), r.as_of);
    csv_file(
        &who,
        &name,
        crate::export::audit_readiness_csv(&r, &state.services.reference()),
    )
}
