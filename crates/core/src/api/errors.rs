//! Errors as the API answers them: `{"error": {"code", "message"}}` with
//! the core's stable code (the same the app and `tt --json` give) and an
//! HTTP status that fits its kind.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{Error, ErrorKind};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// The stable machine code (`resource.reason`), as in `docs/errors.md`.
    #[schema(example = "entry.not_found")]
    code: String,
    /// What went wrong, in words a person can act on.
    message: String,
}

/// A core error on its way out of a handler.
#[derive(Debug)]
pub(crate) struct ApiError(pub(crate) Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

pub(crate) fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::ApiUnauthorized => StatusCode::UNAUTHORIZED,
        Error::ApiReadOnly | Error::ApiForbidden => StatusCode::FORBIDDEN,
        Error::ApiInvalidRequest(_) => StatusCode::BAD_REQUEST,
        Error::ApiMethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        // A name that is taken, a running timer in the way: the request was
        // fine, the data's state refuses it.
        Error::ProjectNameTaken(_) | Error::ClientNameTaken(_) | Error::EntryAlreadyExists => {
            StatusCode::CONFLICT
        }
        _ => match error.kind() {
            ErrorKind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::InvalidFile => StatusCode::BAD_REQUEST,
            ErrorKind::TimerState => StatusCode::CONFLICT,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Storage => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Io => StatusCode::INTERNAL_SERVER_ERROR,
        },
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code().to_owned(),
                message: self.0.to_string(),
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        // The core's code rides along for the guard's log line and metrics.
        response.extensions_mut().insert(self.0.error_code());
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
