//! Settings › Integrations: the local API's switch, port and tokens.

use tauri::AppHandle;
use timetracker_core::api::ApiStatus;
use timetracker_core::settings::ApiSettings;
use timetracker_core::ErrorPayload;

use crate::state::on_pool;

#[tauri::command]
pub async fn api_status(app: AppHandle) -> Result<ApiStatus, ErrorPayload> {
    on_pool(app, |s| s.with_api("api_status", |t, c| c.status(t))).await
}

#[tauri::command]
pub async fn api_configure(
    app: AppHandle,
    enabled: bool,
    port: u16,
) -> Result<ApiStatus, ErrorPayload> {
    let settings = ApiSettings { enabled, port };
    on_pool(app, move |s| {
        s.with_api("api_configure", |t, c| c.configure(t, &settings))
    })
    .await
}

#[tauri::command]
pub async fn api_tokens_rotate(app: AppHandle) -> Result<ApiStatus, ErrorPayload> {
    on_pool(app, |s| {
        s.with_api("api_tokens_rotate", |t, c| c.rotate_tokens(t))
    })
    .await
}
