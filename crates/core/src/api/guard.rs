//! What every API request passes before its handler: the `Host` allow-list
//! (DNS rebinding), no `Origin` (a web page's fetch), a bearer token, and
//! the read-only token kept to `GET`. Each request also gets a request id
//! (in its log lines and the `x-request-id` header), an `api.request` log
//! line, and its place in `timetracker_api_requests_total`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use super::errors::ApiError;
use super::{openapi, Shared};
use crate::error::{Error, ErrorCode};
use crate::logging;
use crate::metrics::server::{host_allowed, method_label, token_ok};

fn check(shared: &Shared, request: &Request) -> Result<(), Error> {
    let headers = request.headers();
    if !host_allowed(headers, &shared.hosts) || headers.contains_key(header::ORIGIN) {
        return Err(Error::ApiForbidden);
    }
    if token_ok(headers, &shared.tokens.full) {
        return Ok(());
    }
    if !token_ok(headers, &shared.tokens.read_only) {
        return Err(Error::ApiUnauthorized);
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        Ok(())
    } else {
        Err(Error::ApiReadOnly)
    }
}

pub(crate) async fn guard(
    State(shared): State<Arc<Shared>>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let route = openapi::route_label(matched.as_ref().map(MatchedPath::as_str));
    let method = method_label(request.method());
    let request_id = logging::new_request_id();
    let span = logging::request_span_with_id("api", &request_id);
    let mut response = match check(&shared, &request) {
        Ok(()) => next.run(request).instrument(span.clone()).await,
        Err(e) => ApiError(e).into_response(),
    };
    let status = response.status().as_u16();
    let code = response.extensions().get::<ErrorCode>().map(|c| c.as_str());
    span.in_scope(|| {
        crate::log_event!(
            "api.request",
            method = method,
            route = route,
            status = status,
            code = code,
            duration_ms = start.elapsed().as_secs_f64() * 1000.0,
        )
    });
    shared.metrics.observe_api(route, status, start.elapsed());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
