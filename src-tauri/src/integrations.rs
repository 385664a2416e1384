//! Settings › Integrations: the local API's switch, port and tokens, and
//! the webhooks with their delivery log.

use tauri::AppHandle;
use timetracker_core::api::ApiStatus;
use timetracker_core::settings::ApiSettings;
use timetracker_core::webhooks::{Delivery, Webhook};
use timetracker_core::ErrorPayload;

use crate::state::{on_pool, AppState};

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

#[tauri::command]
pub async fn webhooks_list(app: AppHandle) -> Result<Vec<Webhook>, ErrorPayload> {
    AppState::off_main(app, "webhooks_list", |_, t| t.list_webhooks()).await
}

#[tauri::command]
pub async fn webhook_add(
    app: AppHandle,
    url: String,
    events: Vec<String>,
) -> Result<Webhook, ErrorPayload> {
    AppState::off_main(app, "webhook_add", move |_, t| t.add_webhook(&url, &events)).await
}

#[tauri::command]
pub async fn webhook_remove(app: AppHandle, id: i64) -> Result<(), ErrorPayload> {
    AppState::off_main(app, "webhook_remove", move |_, t| t.remove_webhook(id)).await
}

/// Sends a test delivery now; on the blocking pool, as it waits for the
/// receiver (at most the request timeout).
#[tauri::command]
pub async fn webhook_test(app: AppHandle, id: i64) -> Result<Delivery, ErrorPayload> {
    AppState::off_main(app, "webhook_test", move |_, t| t.send_webhook_test(id)).await
}

#[tauri::command]
pub async fn webhook_deliveries(
    app: AppHandle,
    id: Option<i64>,
    limit: u32,
) -> Result<Vec<Delivery>, ErrorPayload> {
    AppState::off_main(app, "webhook_deliveries", move |_, t| {
        t.webhook_deliveries(id, limit)
    })
    .await
}
