//! The API's clients and tags: list, create, rename, archive and restore,
//! with the same rules as the app (see `clients` and `entries::tag_edit`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::errors::{ApiError, ErrorBody};
use super::params;
use super::routes::{Answer, Api};
use crate::{Client, Tag};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArchivedQuery {
    /// List archived ones too (default false).
    archived: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewName {
    name: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LabelPatch {
    /// A new name (a rename).
    name: Option<String>,
    /// True archives it, false restores it.
    archived: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/clients", tag = "projects", params(ArchivedQuery),
    responses((status = 200, description = "Active clients by name, then archived ones if asked", body = Vec<Client>)))]
pub(crate) async fn clients_list(State(api): Api, RawQuery(raw): RawQuery) -> Answer<Vec<Client>> {
    let q: ArchivedQuery = params::query(raw.as_deref())?;
    Ok(Json(api.read(|t| t.clients(q.archived.unwrap_or(false)))?))
}

#[utoipa::path(post, path = "/api/v1/clients", tag = "projects", request_body = NewName,
    responses((status = 201, body = Client),
        (status = 409, description = "The name is taken, archived or not (`client.name_taken`)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn client_create(State(api): Api, body: Bytes) -> Result<Response, ApiError> {
    let new: NewName = params::body(&body)?;
    let client = api.write(|t| t.create_client(&new.name))?;
    Ok((StatusCode::CREATED, Json(client)).into_response())
}

#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "projects",
    params(("id" = i64, Path, description = "The client's id")),
    responses((status = 200, body = Client), (status = 404, body = ErrorBody)))]
pub(crate) async fn client_get(State(api): Api, Path(id): Path<String>) -> Answer<Client> {
    let id = params::id(&id)?;
    Ok(Json(api.read(|t| t.client(id))?))
}

/// Renames, archives or restores a client, in that order: a refused name
/// changes nothing. Its projects keep it archived or not.
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "projects",
    params(("id" = i64, Path, description = "The client's id")), request_body = LabelPatch,
    responses((status = 200, body = Client), (status = 404, body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn client_patch(
    State(api): Api,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer<Client> {
    let id = params::id(&id)?;
    let patch: LabelPatch = params::body(&body)?;
    let client = api.write(|t| {
        let mut client = t.client(id)?;
        if let Some(name) = &patch.name {
            client = t.rename_client(id, name)?;
        }
        match patch.archived {
            Some(archived) if archived != client.archived => t.set_client_archived(id, archived),
            _ => Ok(client),
        }
    })?;
    Ok(Json(client))
}

#[utoipa::path(get, path = "/api/v1/tags", tag = "entries", params(ArchivedQuery),
    responses((status = 200, description = "Active tags by name, then archived ones if asked", body = Vec<Tag>)))]
pub(crate) async fn tags_list(State(api): Api, RawQuery(raw): RawQuery) -> Answer<Vec<Tag>> {
    let q: ArchivedQuery = params::query(raw.as_deref())?;
    Ok(Json(api.read(|t| t.tags(q.archived.unwrap_or(false)))?))
}

/// Makes a tag before any entry carries it. A tag of that name (ignoring
/// case) is returned as it is, restored if archived.
#[utoipa::path(post, path = "/api/v1/tags", tag = "entries", request_body = NewName,
    responses((status = 201, description = "Made", body = Tag),
        (status = 200, description = "It existed", body = Tag),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn tag_create(State(api): Api, body: Bytes) -> Result<Response, ApiError> {
    let new: NewName = params::body(&body)?;
    let (tag, created) = api.write(|t| t.create_tag(&new.name))?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(tag)).into_response())
}

#[utoipa::path(get, path = "/api/v1/tags/{id}", tag = "entries",
    params(("id" = i64, Path, description = "The tag's id")),
    responses((status = 200, body = Tag), (status = 404, body = ErrorBody)))]
pub(crate) async fn tag_get(State(api): Api, Path(id): Path<String>) -> Answer<Tag> {
    let id = params::id(&id)?;
    Ok(Json(api.read(|t| t.tag(id))?))
}

/// Renames, archives or restores a tag, in that order. A rename other than
/// a change of case moves the tag's entries to the tag of the new name
/// (merged into one that exists) and archives the old one: the answer is
/// the tag the entries carry now, whose id may differ from the path's.
#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "entries",
    params(("id" = i64, Path, description = "The tag's id")), request_body = LabelPatch,
    responses((status = 200, body = Tag), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn tag_patch(State(api): Api, Path(id): Path<String>, body: Bytes) -> Answer<Tag> {
    let id = params::id(&id)?;
    let patch: LabelPatch = params::body(&body)?;
    let tag = api.write(|t| {
        let mut tag = t.tag(id)?;
        if let Some(name) = &patch.name {
            tag = t.rename_tag(id, name)?;
        }
        match patch.archived {
            Some(archived) if archived != tag.archived => t.set_tag_archived(tag.id, archived),
            _ => Ok(tag),
        }
    })?;
    Ok(Json(tag))
}
