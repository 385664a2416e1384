//! The API's routes: thin handlers over [`Tracker`], with the same
//! validation and error codes as the app and `tt`. Each is documented for
//! the OpenAPI document in [`super::openapi`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::errors::{ApiError, ErrorBody};
use super::params::{self, Range};
use super::{guard, labels, openapi, Shared};
use crate::breaks::TimerState;
use crate::error::Error;
use crate::reports::Report;
use crate::{Entry, EntryPatch, NewEntry, Project, StartOutcome};

pub(crate) type Api = State<Arc<Shared>>;
pub(crate) type Answer<T> = Result<Json<T>, ApiError>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v1/timer", get(timer_get))
        .route("/api/v1/timer/start", post(timer_start))
        .route("/api/v1/timer/stop", post(timer_stop))
        .route("/api/v1/timer/pause", post(timer_pause))
        .route("/api/v1/timer/resume", post(timer_resume))
        .route("/api/v1/entries", get(entries_list).post(entry_create))
        .route(
            "/api/v1/entries/{id}",
            get(entry_get).patch(entry_patch).delete(entry_delete),
        )
        .route("/api/v1/projects", get(projects_list).post(project_create))
        .route(
            "/api/v1/projects/{id}",
            get(project_get).patch(project_patch),
        )
        .route(
            "/api/v1/clients",
            get(labels::clients_list).post(labels::client_create),
        )
        .route(
            "/api/v1/clients/{id}",
            get(labels::client_get).patch(labels::client_patch),
        )
        .route(
            "/api/v1/tags",
            get(labels::tags_list).post(labels::tag_create),
        )
        .route(
            "/api/v1/tags/{id}",
            get(labels::tag_get).patch(labels::tag_patch),
        )
        .route("/api/v1/reports", get(report))
        .route("/api/v1/openapi.json", get(openapi_json))
        .fallback(not_found)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            guard::guard,
        ))
        .with_state(shared)
}

async fn not_found() -> ApiError {
    ApiError(Error::ApiNotFound)
}

async fn wrong_method() -> ApiError {
    ApiError(Error::ApiMethodNotAllowed)
}

#[utoipa::path(get, path = "/api/v1/timer", tag = "timer",
    responses((status = 200, body = TimerState), (status = 401, body = ErrorBody)))]
async fn timer_get(State(api): Api) -> Answer<TimerState> {
    Ok(Json(api.read(|t| t.timer_state())?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StartTimer {
    /// A project by name; one is made if there is none, as `tt start` does.
    project: Option<String>,
    /// A project by id; give this or `project`, not both.
    project_id: Option<i64>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// Starts a timer; one that was running stops at the same instant.
#[utoipa::path(post, path = "/api/v1/timer/start", tag = "timer", request_body = StartTimer,
    responses((status = 201, body = StartOutcome),
        (status = 404, description = "No project has that id", body = ErrorBody),
        (status = 422, description = "A description, tag or name the app would refuse", body = ErrorBody)))]
async fn timer_start(State(api): Api, body: Bytes) -> Result<Response, ApiError> {
    let start: StartTimer = params::body(&body)?;
    if start.project.is_some() && start.project_id.is_some() {
        return Err(Error::ApiInvalidRequest("give project or project_id, not both".into()).into());
    }
    let outcome = api.write(|t| {
        let project_id = match (start.project_id, start.project.as_deref()) {
            (Some(id), _) => Some(t.project(id)?.id),
            (None, Some(name)) => Some(t.find_or_create_project(name)?.0.id),
            (None, None) => None,
        };
        t.start_timer_tagged(project_id, &start.description, &start.tags)
    })?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}

#[utoipa::path(post, path = "/api/v1/timer/stop", tag = "timer",
    responses((status = 200, description = "The stopped entry", body = Entry),
        (status = 409, description = "No timer is running (`timer.not_running`)", body = ErrorBody)))]
async fn timer_stop(State(api): Api) -> Answer<Entry> {
    Ok(Json(api.write(|t| t.stop_timer())?))
}

/// Stops the timer as a break: `resume` starts the same work again.
#[utoipa::path(post, path = "/api/v1/timer/pause", tag = "timer",
    responses((status = 200, description = "The paused entry", body = Entry),
        (status = 409, description = "No timer is running", body = ErrorBody)))]
async fn timer_pause(State(api): Api) -> Answer<Entry> {
    Ok(Json(api.write(|t| t.pause_timer())?))
}

#[utoipa::path(post, path = "/api/v1/timer/resume", tag = "timer",
    responses((status = 201, body = StartOutcome),
        (status = 409, description = "Nothing is paused (`timer.not_paused`)", body = ErrorBody)))]
async fn timer_resume(State(api): Api) -> Result<Response, ApiError> {
    let outcome = api.write(|t| t.resume_timer())?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}

const PAGE_DEFAULT: usize = 100;
const PAGE_MAX: usize = 1000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntriesQuery {
    /// Entries that started at or after this: an RFC 3339 instant, or a
    /// date (local midnight). Default: seven days before today.
    from: Option<String>,
    /// Entries that started before this: an instant, or a date (its whole
    /// day included). Default: the end of today.
    to: Option<String>,
    /// At most this many entries (default 100, at most 1000).
    limit: Option<usize>,
    /// Entries to skip, for the next page.
    offset: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EntryList {
    #[schema(value_type = String, format = DateTime)]
    from: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    to: jiff::Timestamp,
    /// Entries in the whole range.
    total: usize,
    offset: usize,
    limit: usize,
    /// Oldest first.
    entries: Vec<Entry>,
}

#[utoipa::path(get, path = "/api/v1/entries", tag = "entries", params(EntriesQuery),
    responses((status = 200, body = EntryList),
        (status = 400, description = "A range or page that cannot be read", body = ErrorBody),
        (status = 422, description = "A range that ends before it starts", body = ErrorBody)))]
async fn entries_list(State(api): Api, RawQuery(raw): RawQuery) -> Answer<EntryList> {
    let q: EntriesQuery = params::query(raw.as_deref())?;
    let limit = q.limit.unwrap_or(PAGE_DEFAULT);
    if limit == 0 || limit > PAGE_MAX {
        return Err(
            Error::ApiInvalidRequest(format!("limit is 1 to {PAGE_MAX}, not {limit}")).into(),
        );
    }
    let offset = q.offset.unwrap_or(0);
    let range = Range {
        from: q.from,
        to: q.to,
    };
    let list = api.read(|t| {
        let (from, to) = range.for_entries(t, &api.tz)?;
        let (total, entries) = t.list_entries_page(from, to, offset, limit)?;
        Ok(EntryList {
            from,
            to,
            total,
            offset,
            limit,
            entries,
        })
    })?;
    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/entries", tag = "entries", request_body = NewEntry,
    responses((status = 201, body = Entry),
        (status = 404, description = "No project has that id", body = ErrorBody),
        (status = 422, description = "Times, a description or tags the app would refuse", body = ErrorBody)))]
async fn entry_create(State(api): Api, body: Bytes) -> Result<Response, ApiError> {
    let entry: NewEntry = params::body(&body)?;
    let entry = api.write(|t| t.add_entry(entry))?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

#[utoipa::path(get, path = "/api/v1/entries/{id}", tag = "entries",
    params(("id" = i64, Path, description = "The entry's id")),
    responses((status = 200, body = Entry), (status = 404, body = ErrorBody)))]
async fn entry_get(State(api): Api, Path(id): Path<String>) -> Answer<Entry> {
    let id = params::id(&id)?;
    Ok(Json(api.read(|t| t.entry(id))?))
}

/// Changes the fields given; `project_id: null` takes the entry off its
/// project, `stopped_at: null` makes it the running entry again.
#[utoipa::path(patch, path = "/api/v1/entries/{id}", tag = "entries",
    params(("id" = i64, Path, description = "The entry's id")), request_body = EntryPatch,
    responses((status = 200, body = Entry), (status = 404, body = ErrorBody),
        (status = 409, description = "Another entry is running (`entry.running_conflict`)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn entry_patch(State(api): Api, Path(id): Path<String>, body: Bytes) -> Answer<Entry> {
    let id = params::id(&id)?;
    let patch: EntryPatch = params::body(&body)?;
    Ok(Json(api.write(|t| t.update_entry(id, patch))?))
}

#[utoipa::path(delete, path = "/api/v1/entries/{id}", tag = "entries",
    params(("id" = i64, Path, description = "The entry's id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
async fn entry_delete(State(api): Api, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let id = params::id(&id)?;
    api.write(|t| t.delete_entry(id))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectsQuery {
    /// List archived projects too (default false).
    archived: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectsQuery),
    responses((status = 200, body = Vec<Project>)))]
async fn projects_list(State(api): Api, RawQuery(raw): RawQuery) -> Answer<Vec<Project>> {
    let q: ProjectsQuery = params::query(raw.as_deref())?;
    Ok(Json(
        api.read(|t| t.list_projects(q.archived.unwrap_or(false)))?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewProject {
    name: String,
    /// `#rrggbb`; one of the palette's colours when left out.
    color: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = NewProject,
    responses((status = 201, body = Project),
        (status = 409, description = "The name is taken (`project.name_taken`)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn project_create(State(api): Api, body: Bytes) -> Result<Response, ApiError> {
    let new: NewProject = params::body(&body)?;
    let project = api.write(|t| t.create_project(&new.name, new.color.as_deref()))?;
    Ok((StatusCode::CREATED, Json(project)).into_response())
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = i64, Path, description = "The project's id")),
    responses((status = 200, body = Project), (status = 404, body = ErrorBody)))]
async fn project_get(State(api): Api, Path(id): Path<String>) -> Answer<Project> {
    let id = params::id(&id)?;
    Ok(Json(api.read(|t| t.project(id))?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectPatch {
    /// A new name (a rename).
    name: Option<String>,
    /// A new colour, `#rrggbb`.
    color: Option<String>,
    /// True archives the project, false restores it.
    archived: Option<bool>,
    /// The client it is billed to, by name (made if new; an archived one
    /// is restored); blank for none.
    client: Option<String>,
}

/// Renames, recolours, bills to a client, archives or restores a project.
/// The changes are made in that order, each in its own commit: a refused
/// name changes nothing, a refused colour leaves the new name.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = i64, Path, description = "The project's id")), request_body = ProjectPatch,
    responses((status = 200, body = Project), (status = 404, body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn project_patch(State(api): Api, Path(id): Path<String>, body: Bytes) -> Answer<Project> {
    let id = params::id(&id)?;
    let patch: ProjectPatch = params::body(&body)?;
    let project = api.write(|t| {
        let mut project = t.project(id)?;
        if let Some(name) = &patch.name {
            project = t.rename_project(id, name)?;
        }
        if let Some(color) = &patch.color {
            project = t.set_project_color(id, color)?;
        }
        if let Some(client) = &patch.client {
            let billing = crate::ProjectBilling {
                client: Some(client.clone()),
                billable: project.billable,
                hourly_rate_cents: project.hourly_rate_cents,
                currency: project.currency.clone(),
            };
            project = t.set_project_billing(id, billing)?;
        }
        match patch.archived {
            Some(true) if !project.archived => project = t.archive_project(id)?,
            Some(false) if project.archived => project = t.restore_project(id)?,
            _ => {}
        }
        Ok(project)
    })?;
    Ok(Json(project))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportParams {
    /// An instant or a date; default: this week's Monday.
    from: Option<String>,
    /// An instant, or a date whose day is included; default: this week's end.
    to: Option<String>,
    /// Rounding in minutes (1, 5, 6, 10, 15 or 30); default: the setting.
    round: Option<u32>,
}

/// The same JSON as `tt report --json`.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportParams),
    responses((status = 200, body = Report),
        (status = 400, body = ErrorBody),
        (status = 422, description = "A backwards range or a rounding not offered", body = ErrorBody)))]
async fn report(State(api): Api, RawQuery(raw): RawQuery) -> Answer<Report> {
    let q: ReportParams = params::query(raw.as_deref())?;
    let range = Range {
        from: q.from,
        to: q.to,
    };
    let report = api.read(|t| t.report(&range.for_report(t, q.round, &api.tz)?))?;
    Ok(Json(report))
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", content_type = "application/json")))]
async fn openapi_json() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi::document(),
    )
        .into_response()
}
