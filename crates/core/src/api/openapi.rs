//! The API's OpenAPI 3.1 document, derived by utoipa from the handlers and
//! the Rust types they serve, so it cannot drift from the code. It is
//! served at `/api/v1/openapi.json` and committed as `docs/api/openapi.json`
//! (a test checks the two are the same).

use std::sync::OnceLock;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::errors::{ErrorBody, ErrorDetail};
use super::labels::{self, LabelPatch, NewName};
use super::routes::{self, EntryList, NewProject, ProjectPatch, StartTimer};
use crate::breaks::TimerState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "TimeTracker local API",
        description = "Drives the timer and reads and edits entries, projects and reports of the TimeTracker app on this computer. Off unless turned on in Settings › Integrations or with TIMETRACKER_API_ADDR; every request needs a bearer token. See docs/api.md.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        routes::timer_get, routes::timer_start, routes::timer_stop, routes::timer_pause,
        routes::timer_resume, routes::entries_list, routes::entry_create, routes::entry_get,
        routes::entry_patch, routes::entry_delete, routes::projects_list,
        routes::project_create, routes::project_get, routes::project_patch,
        labels::clients_list, labels::client_create, labels::client_get, labels::client_patch,
        labels::tags_list, labels::tag_create, labels::tag_get, labels::tag_patch, routes::report, routes::openapi_json,
    ),
    components(schemas(ErrorBody, ErrorDetail, TimerState, StartTimer, EntryList, NewProject, ProjectPatch, NewName, LabelPatch)),
    modifiers(&Bearer),
    security(("bearer" = [])),
    tags(
        (name = "timer", description = "The running timer, pauses and resumes"),
        (name = "entries", description = "Time entries, and tags on their own"),
        (name = "projects", description = "Projects and their clients"),
        (name = "reports", description = "Totals over a range, as `tt report --json`"),
        (name = "meta", description = "This document"),
    ),
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "The token in the data folder's api-token file (or TIMETRACKER_API_TOKEN); the api-token-readonly file's token may only GET.".into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document as served and committed: pretty JSON with a final newline.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut text = ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    })
}

/// Every route template in the document, for metrics labels: a label is
/// one of these or `other`, never a raw path.
pub(crate) fn route_templates() -> &'static [&'static str] {
    static ROUTES: OnceLock<Vec<&'static str>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        ApiDoc::openapi()
            .paths
            .paths
            .into_keys()
            .map(|path| &*Box::leak(path.into_boxed_str()))
            .collect()
    })
}

pub(crate) fn route_label(matched: Option<&str>) -> &'static str {
    matched
        .and_then(|m| route_templates().iter().copied().find(|&t| t == m))
        .unwrap_or("other")
}
