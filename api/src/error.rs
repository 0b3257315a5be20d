//! The one error type of the request path and its mapping to `extensions.code`.
use async_graphql::ErrorExtensions;

/// Why a token was refused; each has its own `extensions.reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    Malformed,
    AlgNone,
    WrongAlgorithm,
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    MissingClaim,
    InvalidKommun,
    KommunNotAllowed,
    UnknownKommun,
    KommunNotServed,
    UnknownRole,
    TooLarge,
}

impl TokenRefusal {
    /// The stable `extensions.reason` value.
    pub fn reason(self) -> &'static str {
        use TokenRefusal::*;
        match self {
            Malformed => "MALFORMED_TOKEN",
            AlgNone => "ALG_NONE",
            WrongAlgorithm => "WRONG_ALGORITHM",
            BadSignature => "BAD_SIGNATURE",
            Expired => "TOKEN_EXPIRED",
            NotYetValid => "TOKEN_NOT_YET_VALID",
            WrongIssuer => "WRONG_ISSUER",
            WrongAudience => "WRONG_AUDIENCE",
            MissingClaim => "MISSING_CLAIM",
            InvalidKommun => "INVALID_KOMMUN",
            KommunNotAllowed => "KOMMUN_NOT_ALLOWED_FOR_ISSUER",
            UnknownKommun => "UNKNOWN_KOMMUN",
            KommunNotServed => "KOMMUN_NOT_SERVED",
            UnknownRole => "UNKNOWN_ROLE",
            TooLarge => "TOKEN_TOO_LARGE",
        }
    }
}

/// A row of an import that cannot be imported: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The line, the header being line 1.
    pub line: usize,
    /// The column by its header text.
    pub column: String,
    pub reason: String,
}

/// Every way a request can fail, each mapped to one `extensions.code`.
///
/// It deliberately does not implement `Display`: async-graphql converts any `Display` type
/// into an error without extensions, and that path would silently drop the code. The only
/// conversion is the one below, which sets `extensions.code`.
#[derive(Debug)]
pub enum ApiError {
    /// The bearer token is missing where needed, or was refused.
    Unauthenticated {
        reason: Option<TokenRefusal>,
        message: String,
    },
    /// The caller is known but lacks the role or kommun for this action.
    Forbidden(String),
    /// No such record, or one the caller may not see (the two are indistinguishable).
    NotFound(String),
    /// An input value is invalid; `field` names it as the client sent it.
    BadUserInput { field: String, message: String },
    /// Rows of an import that cannot be imported; nothing was written.
    ImportRows(Vec<RowError>),
    /// The record changed since the client read it, or the action clashes with its state.
    Conflict(String),
    /// Too many requests from one principal.
    RateLimited(u64),
    /// The query is deeper, more complex or wider than the configured bounds.
    QueryTooComplex(String),
    /// The database cannot be reached right now; the request may be retried.
    Unavailable(anyhow::Error),
    /// Anything unexpected; details go to the log, never to the client.
    Internal(anyhow::Error),
}

impl ApiError {
    /// A bad input value on the named field. The message always names its subject
    /// (`score: must be between 0 and 5`), also where the caller wrote only the reason:
    /// a client that shows `message` alone must still tell which field to fix.
    pub fn input(field: impl Into<String>, message: impl Into<String>) -> Self {
        let (field, message) = (field.into(), message.into());
        let message = if field.is_empty() || message.starts_with(field.as_str()) {
            message
        } else {
            format!("{field}: {message}")
        };
        Self::BadUserInput { field, message }
    }

    /// A refused token.
    pub fn token(reason: TokenRefusal, message: impl Into<String>) -> Self {
        Self::Unauthenticated {
            reason: Some(reason),
            message: message.into(),
        }
    }

    /// The error of work shared with other readers (a cache's single computation): the
    /// error itself for the last holder, else the same answer for each of them. A statement
    /// the database stopped at its time limit is that for every reader who shared it, not a
    /// fault of the service.
    pub fn shared(e: std::sync::Arc<ApiError>) -> Self {
        std::sync::Arc::try_unwrap(e).unwrap_or_else(|shared| match &*shared {
            Self::Unavailable(_) => Self::Unavailable(anyhow::anyhow!("{shared:?}")),
            Self::QueryTooComplex(m) => Self::QueryTooComplex(m.clone()),
            _ => Self::Internal(anyhow::anyhow!(
                "work shared with other readers failed: {shared:?}"
            )),
        })
    }

    /// The message the client sees; internal details never reach it.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated { message, .. } | Self::BadUserInput { message, .. } => message.clone(),
            Self::Forbidden(m) | Self::NotFound(m) | Self::Conflict(m) | Self::QueryTooComplex(m) => {
                m.clone()
            }
            Self::RateLimited(secs) => format!("too many requests; retry after {secs} seconds"),
            Self::ImportRows(rows) if rows.len() == 1 => {
                "csv: 1 row cannot be imported; nothing was written".into()
            }
            Self::ImportRows(rows) => {
                format!("csv: {} rows cannot be imported; nothing was written", rows.len())
            }
            Self::Unavailable(_) => "the database cannot be reached right now; try again shortly".into(),
            Self::Internal(_) => "internal error".into(),
        }
    }

    /// The stable `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated { .. } => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput { .. } | Self::ImportRows(_) => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::RateLimited(_) => "RATE_LIMITED",
            Self::QueryTooComplex(_) => "QUERY_TOO_COMPLEX",
            // Not the caller's fault and not a bug either, but docs/api.md's codes have no other
            // word for it; the message says to retry and the request id finds the log line.
            Self::Unavailable(_) | Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    /// Constraint violations are the caller's input meeting a concurrent change or a record
    /// that is gone (the services check what they can name first); anything else is ours.
    fn from(e: sea_orm::DbErr) -> Self {
        match e.sql_err() {
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::NotFound("a record this change refers to does not exist (any more)".into())
            }
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("a record with these values exists already; reload and try again".into())
            }
            _ if matches!(e, sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_)) => {
                Self::Unavailable(e.into())
            }
            _ if stopped_at_time_limit(&e) => Self::QueryTooComplex(
                "the database stopped a statement of this request at its time limit (just inside \
                 the request's deadline); ask for less"
                    .into(),
            ),
            _ => Self::Internal(e.into()),
        }
    }
}

/// Whether PostgreSQL cancelled the statement at `statement_timeout` (SQLSTATE 57014,
/// `query_canceled`): the request asked for more than its deadline admits, the same as the
/// deadline itself, not a fault of the service.
fn stopped_at_time_limit(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::Query(RuntimeErr::SqlxError(x)) | DbErr::Exec(RuntimeErr::SqlxError(x)) => x
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|c| c == "57014"),
        _ => false,
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(e: sea_orm::TransactionError<ApiError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        (&e).into()
    }
}

impl From<&ApiError> for async_graphql::Error {
    fn from(e: &ApiError) -> Self {
        if let ApiError::Internal(inner) | ApiError::Unavailable(inner) = e {
            // Logged once here, inside the request span that carries the request id; the
            // HTTP layer adds the same id to the error the client sees.
            tracing::error!(error = %format!("{inner:#}"), "request failed");
        }
        let code = e.code();
        async_graphql::Error::new(e.message()).extend_with(|_, ext| {
            ext.set("code", code);
            match e {
                ApiError::BadUserInput { field, .. } => ext.set("field", field.as_str()),
                ApiError::Unauthenticated { reason: Some(r), .. } => ext.set("reason", r.reason()),
                ApiError::RateLimited(secs) => ext.set("retryAfterSeconds", *secs),
                ApiError::ImportRows(rows) => {
                    ext.set("field", "csv");
                    let list: Vec<async_graphql::Value> = rows
                        .iter()
                        .map(|r| {
                            let mut m = async_graphql::indexmap::IndexMap::new();
                            m.insert(
                                async_graphql::Name::new("line"),
                                async_graphql::Value::from(r.line as i64),
                            );
                            m.insert(
                                async_graphql::Name::new("column"),
                                async_graphql::Value::from(r.column.as_str()),
                            );
                            m.insert(
                                async_graphql::Name::new("reason"),
                                async_graphql::Value::from(r.reason.as_str()),
                            );
                            async_graphql::Value::Object(m)
                        })
                        .collect();
                    ext.set("rows", async_graphql::Value::List(list));
                }
                _ => {}
            }
        })
    }
}

/// The `'static` form of a code this service hands out (`ApiError::code`), for metrics
/// labels; anything else is counted as INTERNAL.
pub fn code_named(code: &str) -> &'static str {
    [
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "CONFLICT",
        "RATE_LIMITED",
        "QUERY_TOO_COMPLEX",
    ]
    .into_iter()
    .find(|c| *c == code)
    .unwrap_or("INTERNAL")
}

/// The result type of services and resolvers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::ApiError;

    #[test]
    fn a_bad_input_message_names_its_field_once() {
        assert_eq!(
            ApiError::input("score", "must be between 0 and 5").message(),
            "score: must be between 0 and 5"
        );
        assert_eq!(
            ApiError::input("leadMonths", "leadMonths must be at most 60").message(),
            "leadMonths must be at most 60"
        );
    }
}
