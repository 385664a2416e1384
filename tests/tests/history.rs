//! The Entries view over years of history in the real window: a jump to a
//! date far back, scrolling to the first entry ever, and back to the
//! newest, with only a screenful of rows in the DOM throughout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use jiff::civil::Date;
use jiff::ToSpan;
use timetracker_e2e::{fresh_data_dir, App, SERIAL};

const YEARS: i64 = 3;
const PER_DAY: i64 = 8;

fn seed(data: &Path) -> (Date, Date) {
    timetracker_e2e::history::seed(data, YEARS * 365 + 1, PER_DAY, 60)
}

/// The dates of the day headers drawn, top first.
async fn days_drawn(app: &App) -> Vec<String> {
    let dates = app.js(
        "return [...document.querySelectorAll('[data-testid=entries-day]')].map((d) => d.dataset.date)",
    )
    .await;
    serde_json::from_value(dates).unwrap()
}

/// The text of every row in the DOM, those in the overscan off screen too.
async fn rows_text(app: &App) -> String {
    let texts = app.js(
        "return [...document.querySelectorAll('[data-testid=entry-row]')].map((r) => r.textContent).join('\\n')",
    )
    .await;
    texts.as_str().unwrap().to_owned()
}

async fn wait_for_row(app: &App, text: &str) {
    let deadline = std::time::Instant::now() + timetracker_e2e::UI_TIMEOUT;
    while !rows_text(app).await.contains(text) {
        assert!(std::time::Instant::now() < deadline, "no row with {text:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn rows_drawn(app: &App) -> usize {
    app.all("entry-row").await.len()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_entries_view_reaches_the_first_entry_of_years_of_history() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let (first, last) = seed(&data);
    let total = (YEARS * 365 + 1) * PER_DAY;

    let app = App::launch(&data).await;
    app.click("nav-entries").await;
    app.wait_for("entry-row").await;
    let top = days_drawn(&app).await;
    assert_eq!(top.first(), Some(&last.to_string()), "the newest day first");
    let drawn = rows_drawn(&app).await;
    assert!(drawn > 5 && drawn < 100, "{drawn} of {total} rows drawn");

    // A jump two years back: that day at the top, its latest entry first.
    let target = last.checked_sub(730.days()).unwrap();
    app.js(&format!(
        "const input = document.querySelector('[data-testid=entries-jump]');
             input.value = '{target}';
             input.dispatchEvent(new Event('input', {{ bubbles: true }}));"
    ))
    .await;
    app.click("entries-jump-go").await;
    let wanted = format!("Day {target} #{}", PER_DAY - 1);
    wait_for_row(&app, &wanted).await;
    assert!(days_drawn(&app).await.contains(&target.to_string()));
    assert!(app.all("entries-jump-missing").await.is_empty());

    // Down to the first entry ever, a screen's worth of scrolling at a
    // time from the bottom of what is loaded, as a user dragging would.
    let oldest = format!("Day {first} #0");
    let mut found = false;
    let mut most_rows = 0;
    let mut tallest = 0.0f64;
    for _ in 0..400 {
        let height = app
            .js(
                "const list = document.querySelector('[data-testid=entries-list]');
             list.scrollTop = list.scrollHeight;
             return list.scrollHeight;",
            )
            .await;
        tallest = tallest.max(height.as_f64().unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        most_rows = most_rows.max(rows_drawn(&app).await);
        if rows_text(&app).await.contains(&oldest) {
            found = true;
            break;
        }
    }
    assert!(found, "never reached {oldest}");
    assert!(most_rows < 100, "{most_rows} rows drawn at once");
    // What stays loaded is a few pages (some 150 days here), not the
    // years scrolled through: 1,096 days would be over 450,000 px.
    assert!(tallest < 100_000.0, "the list grew to {tallest} px");

    app.click("entries-newest").await;
    wait_for_row(&app, &format!("Day {last} #{}", PER_DAY - 1)).await;
    assert_eq!(days_drawn(&app).await.first(), Some(&last.to_string()));
    app.quit().await;
}
