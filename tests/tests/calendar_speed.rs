//! The calendar on 100,000 entries over ten years, in the real window:
//! only the week on screen is drawn, and the time from a click to the
//! drawn week (opening the view, stepping back a week) and the frames of
//! a drag are measured there and printed. Speed is reported, not asserted:
//! timed assertions fail at random on shared machines. Run with
//! `-- --nocapture` to read the figures (docs/benchmarks.md has them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Its figures are its output.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use serde_json::Value;
use timetracker_e2e::{fresh_data_dir, App, SERIAL};

const DAYS: i64 = 3572;
const PER_DAY: i64 = 28;
/// Between two steps: clicking "previous" as fast as a person does, about
/// four times a second.
const STEP_PAUSE_MS: u64 = 250;

/// No two weeks alike, as in a real history: each entry starts 0 to 5
/// minutes into its half hour and lasts 20 to 25 minutes (so none
/// overlap), on one of five projects of five colours. A calendar that
/// reuses a block's element for the block at the same place a week
/// earlier would otherwise find nothing to change.
fn vary(data: &std::path::Path) {
    let conn = rusqlite::Connection::open(timetracker_core::config::database_path(data)).unwrap();
    conn.execute_batch(
        "BEGIN;
         INSERT INTO projects (name, name_key, color, created_at, updated_at) VALUES
           ('Heron', 'heron', '#ef4444', 0, 0), ('Owl', 'owl', '#22c55e', 0, 0),
           ('Wren', 'wren', '#f59e0b', 0, 0), ('Kite', 'kite', '#a855f7', 0, 0);
         UPDATE time_entries SET
           project_id = 1 + (id * 7) % 5,
           started_at = started_at + ((id * 7919) % 6) * 60000,
           stopped_at = stopped_at + ((id * 7919) % 6) * 60000 + ((id * 104729) % 6) * 60000;
         DELETE FROM sync_dirty;
         COMMIT;",
    )
    .unwrap();
}

/// Resolves once `ready()` holds, after the next frame has been painted,
/// with the milliseconds since `t0` and where they went (`PHASES`): up to
/// the DOM being ready, its style and layout (forced there, as the engine
/// would do them next), the wait for the next frame, and that frame.
const DRAWN: &str = "window.__drawn = (ready, t0) => new Promise((resolve) => {
  const painted = () => {
    const seen = performance.now();
    document.body.offsetHeight;
    const laid = performance.now();
    requestAnimationFrame(() => {
      const frame = performance.now();
      setTimeout(() => {
        const done = performance.now();
        resolve([done - t0, [seen - t0, laid - seen, frame - laid, done - frame]]);
      }, 0);
    });
  };
  if (ready()) return painted();
  const seen = new MutationObserver(() => {
    if (ready()) { seen.disconnect(); painted(); }
  });
  seen.observe(document.body, { subtree: true, childList: true, attributes: true });
});";

async fn run(app: &App, body: &str) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         (async () => {{ {body} }})().then(done, (e) => done({{ error: String(e) }}));"
    );
    let value = app.client.execute_async(&script, vec![]).await.unwrap();
    assert!(value.get("error").is_none(), "{value}");
    value
}

/// From clicking the Calendar in the navigation to its week drawn,
/// starting from the Timer view, as `__drawn` times it. The window mounts
/// the calendar out of view soon after start-up, so an open shows it.
async fn open_ms(app: &App) -> Value {
    run(
        app,
        "const shown = () => {
           const c = document.querySelector('[data-testid=calendar]');
           return c && c.dataset.shown === 'true' && c.dataset.from;
         };
         document.querySelector('[data-testid=nav-timer]').click();
         await window.__drawn(() => !shown(), 0);
         const t0 = performance.now();
         document.querySelector('[data-testid=nav-calendar]').click();
         // Shown once its week was read afresh (the first time, mounted);
         // this week may have no blocks yet (today is its first day).
         return await window.__drawn(shown, t0);",
    )
    .await
}

/// Where a step's time went, in milliseconds: script (the click to the
/// DOM changed, the read from the core included), style and layout, the
/// wait for the next frame, and that frame (paint).
const PHASES: [&str; 4] = [
    "script and read",
    "style and layout",
    "wait for the frame",
    "paint",
];

/// From clicking "previous" to the week before drawn, as `__drawn` times
/// it; the week's first day and the starts of the blocks drawn.
async fn step_ms(app: &App) -> (Value, String, Vec<jiff::Timestamp>) {
    let value = run(
        app,
        "const cal = document.querySelector('[data-testid=calendar]');
         const before = cal.dataset.from;
         const t0 = performance.now();
         document.querySelector('[data-testid=calendar-prev]').click();
         const timed = await window.__drawn(() => cal.dataset.from !== before, t0);
         return [timed, cal.dataset.from,
           [...document.querySelectorAll('[data-testid=calendar-entry]')].map((b) => b.dataset.start)];",
    )
    .await;
    (
        value[0].clone(),
        value[1].as_str().unwrap().to_owned(),
        value[2]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().parse().unwrap())
            .collect(),
    )
}

/// A block dragged for 180 frames, one pointer move per frame: the
/// intervals between frames and, per frame, the time from its start to
/// the moved block laid out (the drag's own work).
async fn drag_frames(app: &App) -> (Vec<f64>, Vec<f64>) {
    let value = run(
        app,
        "const block = document.querySelector('[data-testid=calendar-entry]');
         const columns = block.closest('.columns');
         const r = block.getBoundingClientRect();
         const x = r.left + r.width / 2, y = r.top + r.height / 2;
         const pointer = (type, i) => new PointerEvent(type, {
           bubbles: true, pointerId: 7, isPrimary: true, button: 0, buttons: 1,
           clientX: x + (i % 40), clientY: y + 20 + (i % 90) * 2 });
         block.dispatchEvent(pointer('pointerdown', 0));
         const stamps = [], work = [];
         await new Promise((finish) => {
           let i = 0;
           const frame = (ts) => {
             stamps.push(ts);
             const ghost = document.querySelector('[data-testid=calendar-ghost]');
             if (ghost) { ghost.getBoundingClientRect(); work.push(performance.now() - ts); }
             if (i++ === 180) return finish();
             columns.dispatchEvent(pointer('pointermove', i));
             requestAnimationFrame(frame);
           };
           requestAnimationFrame(frame);
         });
         columns.dispatchEvent(pointer('pointercancel', 0));
         const intervals = stamps.slice(1).map((t, i) => t - stamps[i]);
         return [intervals, work];",
    )
    .await;
    let floats = |v: &Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    (floats(&value[0]), floats(&value[1]))
}

/// The same 180 frames with nothing moving: how late the window's frames
/// are on this machine when the calendar does no work at all.
async fn idle_frames(app: &App) -> Vec<f64> {
    let value = run(
        app,
        "const stamps = [];
         await new Promise((finish) => {
           const frame = (ts) => {
             stamps.push(ts);
             if (stamps.length === 181) return finish();
             requestAnimationFrame(frame);
           };
           requestAnimationFrame(frame);
         });
         return stamps.slice(1).map((t, i) => t - stamps[i]);",
    )
    .await;
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// 180 frames that each move one small square by a pixel, over the
/// calendar: the fewest a frame can change. Under Xvfb every changed
/// frame is painted and composited in software, so this, not an idle
/// window, is the floor a drag is held to.
async fn least_change_frames(app: &App) -> Vec<f64> {
    let value = run(
        app,
        "const dot = document.createElement('div');
         dot.style.cssText = 'position:fixed;left:400px;top:300px;width:24px;height:24px;background:#888';
         document.body.append(dot);
         const stamps = [];
         await new Promise((finish) => {
           const frame = (ts) => {
             stamps.push(ts);
             if (stamps.length === 181) return finish();
             dot.style.top = `${300 + (stamps.length % 90) * 2}px`;
             requestAnimationFrame(frame);
           };
           requestAnimationFrame(frame);
         });
         dot.remove();
         return stamps.slice(1).map((t, i) => t - stamps[i]);",
    )
    .await;
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Frames over 1.5 times the median interval.
fn late(intervals: &[f64], median: f64) -> usize {
    intervals.iter().filter(|&&i| i > median * 1.5).count()
}

/// Click-to-drawn times and their `PHASES`, as `__drawn` gives them.
#[derive(Default)]
struct Timings {
    ms: Vec<f64>,
    phases: [Vec<f64>; 4],
}

impl Timings {
    fn push(&mut self, timed: &Value) {
        self.ms.push(timed[0].as_f64().unwrap());
        for (i, all) in self.phases.iter_mut().enumerate() {
            all.push(timed[1][i].as_f64().unwrap());
        }
    }

    fn print(self, name: &str) {
        summary(name, self.ms);
        for (phase, ms) in PHASES.iter().zip(self.phases) {
            summary(&format!("  of which {phase}"), ms);
        }
    }
}

fn summary(name: &str, mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name}: median {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} runs)",
        at(0.5),
        at(0.95),
        at(1.0),
        ms.len()
    );
    at(0.5)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_week_of_ten_years_is_drawn_alone_and_measured() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let (_, last) = timetracker_e2e::history::seed(&data, DAYS, PER_DAY, 30);
    vary(&data);
    let app = App::launch(&data).await;
    app.js(DRAWN).await;

    // Mounted out of view a moment after start-up, its week read.
    app.client
        .wait()
        .at_most(timetracker_e2e::UI_TIMEOUT)
        .for_element(fantoccini::Locator::Css(
            "[data-testid='calendar'][data-days='7']",
        ))
        .await
        .unwrap();
    let mut opens = Timings::default();
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(STEP_PAUSE_MS)).await;
        opens.push(&open_ms(&app).await);
    }
    // Step back from the current week into weeks that are all full.
    let mut steps = Timings::default();
    let mut weeks: Vec<(String, Vec<jiff::Timestamp>)> = Vec::new();
    for _ in 0..25 {
        // A person's clicks, not a script's: the window gets the time
        // between two clicks to read and draw the weeks either side.
        tokio::time::sleep(Duration::from_millis(STEP_PAUSE_MS)).await;
        let (timed, from, starts) = step_ms(&app).await;
        steps.push(&timed);
        weeks.push((from, starts));
    }
    // Scrolled to the evening, the day's last entries are drawn too.
    let evening = format!("#{}", PER_DAY - 1);
    app.js("const s = document.querySelector('.calendar-grid .scroller'); s.scrollTop = s.scrollHeight;")
        .await;
    let deadline = std::time::Instant::now() + timetracker_e2e::UI_TIMEOUT;
    loop {
        let text = app
            .js("return [...document.querySelectorAll('[data-testid=calendar-entry]')].map((b) => b.textContent).join(' ')")
            .await;
        if text.as_str().unwrap().contains(&evening) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {evening} after scrolling: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.js("document.querySelector('.calendar-grid .scroller').scrollTop = 7 * 48;")
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = idle_frames(&app).await;
    let least = least_change_frames(&app).await;
    let (intervals, work) = drag_frames(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        app.all("calendar-ghost").await.is_empty(),
        "the cancelled drag left its ghost"
    );
    app.quit().await;

    // Each week drawn is that week and no more: blocks of its seven days
    // only, at most their 28 a day (those in view and two hours around).
    let zone = &timetracker_e2e::midday_zone().1;
    for (from, starts) in &weeks[1..] {
        let first: jiff::civil::Date = from.parse().unwrap();
        let lo = first.to_zoned_datetime(zone.clone()).unwrap().timestamp();
        let hi = first
            .checked_add(jiff::Span::new().days(7))
            .unwrap()
            .to_zoned_datetime(zone.clone())
            .unwrap()
            .timestamp();
        assert!(
            !starts.is_empty() && starts.len() <= 7 * PER_DAY as usize,
            "week of {from}: {} blocks",
            starts.len()
        );
        assert!(
            starts.iter().all(|s| *s >= lo && *s < hi),
            "week of {from}: {starts:?}"
        );
    }
    let firsts: Vec<jiff::civil::Date> = weeks.iter().map(|(f, _)| f.parse().unwrap()).collect();
    for pair in firsts.windows(2) {
        assert_eq!(pair[0].since(pair[1]).unwrap().get_days(), 7, "{firsts:?}");
    }
    assert!(firsts[0] <= last, "{firsts:?} {last}");
    assert!(
        work.len() >= 170,
        "the drag drew its block on only {} of 180 frames",
        work.len()
    );

    println!("calendar on {} entries:", DAYS * PER_DAY);
    let drawn: Vec<usize> = weeks[1..].iter().map(|(_, s)| s.len()).collect();
    println!(
        "blocks in the DOM per week: {} to {} of {} (the hours in view and two either side)",
        drawn.iter().min().unwrap(),
        drawn.iter().max().unwrap(),
        7 * PER_DAY
    );
    opens.print("open the calendar (click to drawn)");
    steps.print("step back a week (click to drawn)");
    let frame = summary("drag: frame interval", intervals.clone());
    summary("drag: work per frame (move to laid out)", work);
    println!(
        "drag: {} of {} frames late (over 1.5x the median interval)",
        late(&intervals, frame),
        intervals.len()
    );
    let still = summary("no drag: frame interval", idle.clone());
    println!(
        "no drag: {} of {} frames late",
        late(&idle, still),
        idle.len()
    );
    let moved = summary("one square moved: frame interval", least.clone());
    println!(
        "one square moved: {} of {} frames late, the floor for a frame that changes anything",
        late(&least, moved),
        least.len()
    );
}
