//! Clients and tags managed in the Projects view of the real window: a tag
//! renamed there is renamed on its entries in the database, and a client
//! renamed there shows on its project at once and leaves the picker when
//! archived.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tracking_support;

use tracking_support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_tag_renamed_in_the_window_is_renamed_on_its_entries() {
    let w = Window::open(with_november).await;
    let app = &w.app;
    app.click("nav-projects").await;
    let field = row_with(app, "tag-row", "field").await;
    assert_eq!(
        content(&find_in(&field, "tag-uses").await).await,
        "2 entries"
    );
    find_in(&field, "tag-rename").await.click().await.unwrap();
    app.fill("tag-rename-input", "Fieldwork").await;
    app.click("tag-rename-save").await;
    let status = wait_text(app, "tag-status", "Fieldwork").await;
    assert!(status.contains("2 entries"), "{status}");
    wait_rows_with(app, "tag-name", "field", 0).await;

    let mut tagged: Vec<(String, Vec<String>)> = all_entries(&w.data)
        .into_iter()
        .filter(|e| e.tags.iter().any(|t| t.starts_with("Field")))
        .map(|e| (e.description, e.tags))
        .collect();
    tagged.sort();
    assert_eq!(
        tagged,
        [
            (
                "Nest count at the north marsh".to_owned(),
                vec!["birds".to_owned(), "Fieldwork".to_owned()]
            ),
            (
                "Night walk".to_owned(),
                vec!["Fieldwork".to_owned(), "night".to_owned()]
            ),
        ]
    );
    // The old name is archived, shown only with archived tags.
    app.click("tag-show-archived").await;
    let old = row_with(app, "tag-row", "archived").await;
    assert!(content(&old).await.contains("field"));
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_renamed_in_the_window_shows_on_its_project_and_archived_leaves_the_picker() {
    let w = Window::open(|data| {
        with_november(data);
        bill_heron(data);
    })
    .await;
    let app = &w.app;
    app.click("nav-projects").await;
    let trust = row_with(app, "client-row", "Wetlands Trust").await;
    assert_eq!(
        content(&find_in(&trust, "client-uses").await).await,
        "1 project"
    );
    find_in(&trust, "client-rename")
        .await
        .click()
        .await
        .unwrap();
    app.fill("client-rename-input", "Wetlands Trust NE").await;
    app.click("client-rename-save").await;
    wait_text(app, "client-status", "Wetlands Trust NE").await;
    // Heron Survey is the only project billed to the client.
    row_with(app, "project-billing-summary", "Wetlands Trust NE").await;

    let trust = row_with(app, "client-row", "Wetlands Trust NE").await;
    find_in(&trust, "client-archive")
        .await
        .click()
        .await
        .unwrap();
    wait_rows_with(app, "client-name", "Wetlands Trust NE", 0).await;
    let db = open_db(&w.data);
    assert!(db.list_clients().unwrap().is_empty());
    let archived = db.clients(true).unwrap();
    assert_eq!(archived.len(), 1);
    assert!(archived[0].archived && archived[0].name == "Wetlands Trust NE");
    w.quit().await;
}
