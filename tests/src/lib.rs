//! Harness for the end-to-end tests: launches the real, built `timetracker`
//! binary through `tauri-driver` and WebKitWebDriver (under Xvfb in CI) with
//! its own data directory, and drives it by `data-testid`.
//!
//! Every launch starts its own `tauri-driver` on free loopback ports with
//! `TIMETRACKER_DATA_DIR` in its environment, which WebKitWebDriver passes
//! on to the app it spawns.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod history;
pub mod syncthing;

pub use timetracker_test_support::{fixture, Receiver};

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::process::{Child, Command};

/// How long to wait for the UI to show something before failing.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

/// Driver pairs tried before a launch counts as failed.
const LAUNCH_ATTEMPTS: usize = 3;

/// The app under test: `TIMETRACKER_E2E_APP`, else the debug build that
/// `tauri build --debug --no-bundle` leaves in the target directory.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TIMETRACKER_E2E_APP") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug/timetracker")
}

/// The time zone the app under test and the tests' own "today" use: a
/// fixed-offset zone (`Etc/GMT-3` is UTC+3) where it is about noon when the
/// test binary starts. A test that adds an entry "today" or finds it in
/// today's list then never straddles a midnight, whatever the real time is;
/// what happens around midnight, across DST and on leap days is tested in
/// the core with a fake clock (and the whole core again under faketime).
pub fn midday_zone() -> &'static (String, jiff::tz::TimeZone) {
    static ZONE: std::sync::OnceLock<(String, jiff::tz::TimeZone)> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| {
        let utc_hour = i32::from(
            jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .hour(),
        );
        // Local = UTC + offset, offset in -11..=12; Etc/GMT signs are inverted.
        let offset = 12 - utc_hour;
        let name = match offset {
            0 => "Etc/UTC".to_owned(),
            o if o > 0 => format!("Etc/GMT-{o}"),
            o => format!("Etc/GMT+{}", -o),
        };
        let tz = jiff::tz::TimeZone::get(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
        (name, tz)
    })
}

/// Now, in [`midday_zone`].
pub fn local_now() -> jiff::ZonedDateTime {
    jiff::Timestamp::now().to_zoned_datetime(midday_zone().1.clone())
}

/// The `tt` binary that scripts/build-app leaves beside the app.
pub fn tt_binary() -> PathBuf {
    let tt = app_binary().with_file_name("tt");
    assert!(
        tt.exists(),
        "{} is missing: build it with scripts/build-app",
        tt.display()
    );
    tt
}

pub fn tt(data: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new(tt_binary())
        .arg("--data-dir")
        .arg(data)
        .env("TZ", &midday_zone().0)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "tt {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub use timetracker_test_support::free_port;

/// Child processes of `pid`, recursively, read from /proc.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name may hold spaces and parentheses: the ppid is the
        // second field after the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((child, ppid));
        }
    }
    let mut found = vec![];
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        for &(child, ppid) in &parents {
            if ppid == p && !found.contains(&child) {
                found.push(child);
                frontier.push(child);
            }
        }
    }
    found
}

fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Still running: a zombie has already closed its files and sockets.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace().next().map(|state| state != "Z")
        })
        .unwrap_or(false)
}

fn kill9(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

pub struct App {
    pub client: Client,
    driver: Child,
    pub data_dir: PathBuf,
}

impl App {
    /// Launches the app on `data_dir` and waits until its UI is up.
    pub async fn launch(data_dir: &Path) -> App {
        Self::launch_with_env(data_dir, &[]).await
    }

    pub async fn launch_with_env(data_dir: &Path, env: &[(&str, &str)]) -> App {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the end-to-end tests under xvfb-run (see scripts/test)"
        );
        wait_single_instance_name_free().await;
        let app = app_binary();
        assert!(
            app.exists(),
            "{} is missing: build it first with `ui/node_modules/.bin/tauri build --debug --no-bundle`",
            app.display()
        );
        let log_path = data_dir.with_extension("driver.log");
        let mut failures = Vec::new();
        let (client, driver) = loop {
            match Self::open_session(&app, data_dir, &log_path, env).await {
                Ok(opened) => break opened,
                // The driver pair is two processes on ports picked a moment
                // earlier; on a busy machine one of them now and then never
                // answers. A fresh pair on fresh ports is what a user's
                // retry would be; an app that cannot start fails every try.
                Err(failure) => {
                    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                    eprintln!(
                        "launch attempt {} failed: {failure}\n{log}",
                        failures.len() + 1
                    );
                    failures.push(failure);
                    if failures.len() == LAUNCH_ATTEMPTS {
                        panic!(
                            "no WebDriver session in {LAUNCH_ATTEMPTS} attempts: {failures:?} (driver log: {})",
                            log_path.display()
                        );
                    }
                    wait_single_instance_name_free().await;
                }
            }
        };
        let app = App {
            client,
            driver,
            data_dir: data_dir.to_owned(),
        };
        // The navigation paints before the app has answered `app_info`, and
        // until then keys are ignored: wait for the shell to say it is ready.
        app.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(".shell[data-ready='true']"))
            .await
            .unwrap_or_else(|e| panic!("the window never became ready: {e}"));
        app
    }

    /// Starts `tauri-driver` on free ports and opens a session on `app`
    /// within 30 s; on failure nothing it started is left running.
    async fn open_session(
        app: &Path,
        data_dir: &Path,
        log_path: &Path,
        env: &[(&str, &str)],
    ) -> Result<(Client, Child), String> {
        let port = free_port();
        let native_port = free_port();
        let log = std::fs::File::create(log_path).unwrap();
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("TIMETRACKER_DATA_DIR", data_dir)
            // WebKitWebDriver passes its environment on to the app.
            .env("TZ", &midday_zone().0)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut driver = command
            .spawn()
            .expect("tauri-driver not found: `cargo install tauri-driver --locked`");
        // Until the App exists (and its Drop takes over), a failed launch
        // must not leave the driver's children behind either.
        let mut orphans = KillTree(driver.id());
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = driver.try_wait() {
                return Err(format!("tauri-driver on {url} exited: {status}"));
            }
            // The driver may accept and then wait for a window that never
            // comes (an app that exits at once): bounded too.
            let left = deadline.saturating_duration_since(Instant::now());
            let attempt = tokio::time::timeout(
                left.max(Duration::from_secs(1)),
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url),
            )
            .await;
            match attempt {
                Ok(Ok(client)) => {
                    orphans.0 = None;
                    return Ok((client, driver));
                }
                Ok(Err(_)) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok(Err(error)) => return Err(format!("no WebDriver session on {url}: {error}")),
                Err(_) => {
                    return Err(format!(
                        "no WebDriver session on {url} within 30 s: the app opened no window"
                    ))
                }
            }
        }
    }

    fn locator(test_id: &str) -> String {
        format!("[data-testid='{test_id}']")
    }

    /// Waits until an element with `test_id` is present and returns it.
    pub async fn wait_for(&self, test_id: &str) -> Element {
        let css = Self::locator(test_id);
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("{test_id} did not appear: {e}"))
    }

    /// Opens the Calendar and waits until it is shown: the window keeps it
    /// mounted out of view, so its elements may be there before it is.
    pub async fn open_calendar(&self) {
        self.click("nav-calendar").await;
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css("[data-testid='calendar'][data-shown='true']"))
            .await
            .unwrap_or_else(|e| panic!("the calendar was not shown: {e}"));
    }

    /// Runs `script` in the window and returns what it returns.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    pub async fn all(&self, test_id: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(&Self::locator(test_id)))
            .await
            .unwrap()
    }

    pub async fn click(&self, test_id: &str) {
        self.wait_for(test_id).await.click().await.unwrap();
    }

    /// Replaces the text of an input.
    pub async fn fill(&self, test_id: &str, text: &str) {
        let input = self.wait_for(test_id).await;
        input.clear().await.unwrap();
        if !text.is_empty() {
            input.send_keys(text).await.unwrap();
        }
    }

    pub async fn text(&self, test_id: &str) -> String {
        self.wait_for(test_id)
            .await
            .text()
            .await
            .unwrap()
            .trim()
            .to_owned()
    }

    /// Polls until `test_id`'s text satisfies `ok`, returning it.
    pub async fn wait_for_text(&self, test_id: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let text = self.text(test_id).await;
            if ok(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{test_id} still reads {text:?} after {UI_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Polls until exactly `n` elements with `test_id` exist.
    pub async fn wait_for_count(&self, test_id: &str, n: usize) -> Vec<Element> {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let found = self.all(test_id).await;
            if found.len() == n {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} × {test_id}, found {}",
                found.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Makes the next file dialog the shell opens answer with `path`
    /// (WebDriver cannot drive a GTK dialog). Needs the app launched with
    /// `TIMETRACKER_TEST_HOOKS=1`.
    pub async fn answer_dialog(&self, path: &Path) {
        let refused = self.try_answer_dialog(path).await;
        assert!(refused.is_none(), "test_dialog_answer: {refused:?}");
    }

    /// [`Self::answer_dialog`], returning the error (as JSON) if refused.
    pub async fn try_answer_dialog(&self, path: &Path) -> Option<String> {
        let answered = self
            .client
            .execute_async(
                "const [path, done] = arguments;
                 window.__TAURI_INTERNALS__.invoke('test_dialog_answer', { path })
                   .then(() => done(null), (e) => done(JSON.stringify(e)));",
                vec![path.to_str().unwrap().into()],
            )
            .await
            .unwrap();
        answered.as_str().map(str::to_owned)
    }

    /// Opens Settings at `section` (`general`, `sync`, `privacy`,
    /// `desktop`, `import`, `metrics`).
    pub async fn open_settings(&self, section: &str) {
        self.click("nav-settings").await;
        self.click(&format!("settings-section-{section}")).await;
    }

    pub async fn select_project(&self, name: &str) {
        let select = self.wait_for("timer-project").await;
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            if select.select_by_label(name).await.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no project {name:?} in the picker"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The `timetracker` process that WebKitWebDriver started for us.
    pub fn app_pid(&self) -> Option<u32> {
        let driver = self.driver.id()?;
        descendants(driver)
            .into_iter()
            .find(|&pid| process_name(pid) == "timetracker")
    }

    /// Saves a screenshot of the window to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Closes the window the way a user quitting does and stops the driver.
    pub async fn quit(mut self) {
        // Found first: closing the session may end the driver, and the app
        // (still shutting down, its single-instance name held) would no
        // longer be its descendant.
        let app = self.app_pid();
        let _ = self.client.clone().close().await;
        // Let it finish its exit (the last telemetry flush, the log) as a
        // user's quit would; stop_driver kills whatever is left after that.
        if let Some(pid) = app {
            wait_gone(&[pid], Duration::from_secs(10)).await;
        }
        self.stop_driver(app).await;
    }

    /// Kills the app with SIGKILL, as a crash or power cut would.
    pub async fn kill_app(mut self) {
        let pid = self.app_pid().expect("the app process was not found");
        kill9(pid);
        self.stop_driver(Some(pid)).await;
    }

    /// Cleans up after the app ended by itself (a crash on purpose).
    pub async fn after_exit(mut self) {
        self.stop_driver(None).await;
    }

    /// Stops the driver and everything under it, and waits until they and
    /// `app` are gone.
    async fn stop_driver(&mut self, app: Option<u32>) {
        let mut killed: Vec<u32> = app.into_iter().collect();
        if let Some(pid) = self.driver.id() {
            for child in descendants(pid) {
                kill9(child);
                killed.push(child);
            }
        }
        let _ = self.driver.kill().await;
        // A SIGKILLed app holds its single-instance D-Bus name until the
        // kernel has torn it down; a relaunch in that window forwards to the
        // dying instance and exits. Wait until every killed process is gone.
        for &pid in &killed {
            kill9(pid);
        }
        wait_gone(&killed, Duration::from_secs(10)).await;
        wait_single_instance_name_free().await;
    }
}

/// Kills every descendant of a process when dropped (unless emptied).
struct KillTree(Option<u32>);

impl Drop for KillTree {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            for child in descendants(pid) {
                kill9(child);
            }
        }
    }
}

impl Drop for App {
    /// A test that fails drops its app without [`App::quit`]. The driver
    /// alone would die (`kill_on_drop`): WebKitWebDriver and the app under
    /// it would live on, hold the single-instance name, and every later
    /// launch would forward to that orphan and wait for a window forever.
    fn drop(&mut self) {
        drop(KillTree(self.driver.id()));
    }
}

/// The bus drops a dead process's names when it gets round to it; until
/// then a new instance finds the name taken, forwards to the dead one and
/// exits. Waited for after every app stops, and before every launch.
async fn wait_single_instance_name_free() {
    let deadline = Instant::now() + Duration::from_secs(10);
    while single_instance_name_taken() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The app's single-instance name (`<identifier>.SingleInstance`, from
/// tauri-plugin-single-instance) still has an owner on the session bus.
fn single_instance_name_taken() -> bool {
    let Ok(out) = std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ])
        .stderr(Stdio::null())
        .output()
    else {
        return false;
    };
    String::from_utf8_lossy(&out.stdout).contains("app.timetracker.desktop.SingleInstance")
}

async fn wait_gone(pids: &[u32], at_most: Duration) {
    let deadline = Instant::now() + at_most;
    while pids.iter().any(|&pid| alive(pid)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An empty data folder inside a temporary directory that lives as long as
/// the returned guard (the driver's log is written beside the folder).
pub fn fresh_data_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    (tmp, data)
}

/// GETs `url` from a loopback service and returns the status and body
/// (errors included: an HTTP error status is an answer too).
pub fn http_get(url: &str) -> Result<(u16, String), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// Parses `HH:MM:SS` (hours may exceed 99) into seconds.
pub fn parse_hms(text: &str) -> u64 {
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let parts: Vec<u64> = digits.split(':').map(|p| p.parse().unwrap()).collect();
    assert_eq!(parts.len(), 3, "not HH:MM:SS: {text:?}");
    parts[0] * 3600 + parts[1] * 60 + parts[2]
}

/// A small deterministic generator for the kill tests: the run is the same
/// every time, and a failure can be replayed.
pub struct Lcg(pub u64);

impl Lcg {
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A TimeTracker CSV of `n` entries that no other batch `k` has: entry `i`
/// is described `import {k} row {i}`, 30 s long, on one of `projects`
/// projects named `{project} 0`, `{project} 1`, …
pub fn import_batch(dir: &Path, k: u32, n: u32, project: &str, projects: u32) -> PathBuf {
    let mut csv = String::from("id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\r\n");
    for i in 0..n {
        let start = 1_700_000_000 + i64::from(k) * 100_000 + i64::from(i) * 60;
        let at = |s: i64| jiff::Timestamp::from_second(s).unwrap();
        csv.push_str(&format!(
            "{i},{project} {},,import {k} row {i},{},{},30,kill,false,,\r\n",
            i % projects.max(1),
            at(start),
            at(start + 30)
        ));
    }
    let path = dir.join(format!("batch-{k}.csv"));
    std::fs::write(&path, csv).unwrap();
    path
}

/// A serialising lock: the tests share two cores and one X display, so they
/// run one at a time whatever `--test-threads` says.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
