//! Real Syncthing for the sync tests: instances on this machine, each with
//! its own home and folder, talking only to each other over 127.0.0.1.
//!
//! Every feature that would leave loopback is off before the first start:
//! global and local discovery, relays, NAT traversal (and with it STUN),
//! usage reporting (declined), crash reporting and automatic upgrades. Each
//! instance listens on a static 127.0.0.1 port and knows the other by that
//! address. Tests wait for Syncthing's own REST API to report the folder in
//! sync, never for a fixed time.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::free_port;

/// The folder id both instances share.
pub const FOLDER: &str = "timetracker-test";

/// How long Syncthing may take to connect or to bring a change across.
const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Syncthing {
    pub home: PathBuf,
    /// The shared folder, as this instance holds it.
    pub folder: PathBuf,
    pub id: String,
    gui: u16,
    listen: u16,
    api_key: String,
    child: Option<Child>,
}

/// Sets `<tag>value</tag>` inside `<options>`, adding it when absent.
fn set_option(config: &mut String, tag: &str, value: &str) {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    if let (Some(a), Some(b)) = (config.find(&open), config.find(&close)) {
        config.replace_range(a + open.len()..b, value);
    } else {
        let at = config
            .find("</options>")
            .expect("no <options> in config.xml");
        config.insert_str(at, &format!("{open}{value}{close}"));
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

impl Syncthing {
    /// Generates keys and a config for an instance under `root/name`,
    /// locked to loopback, and starts it.
    pub fn start(root: &Path, name: &str) -> Syncthing {
        let home = root.join(format!("{name}-syncthing"));
        let folder = root.join(format!("{name}-folder"));
        std::fs::create_dir_all(&folder).unwrap();
        let out = Command::new("syncthing")
            .args(["generate", "--no-default-folder", "--skip-port-probing"])
            .arg(format!("--home={}", home.display()))
            .output()
            .expect("syncthing not found: scripts/setup --test installs it");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = home.join("config.xml");
        let mut config = std::fs::read_to_string(&path).unwrap();
        let (gui, listen) = (free_port(), free_port());
        let api_key = format!("tt-test-{}", std::process::id());
        let start = config.find("<gui ").unwrap();
        let end = config[start..].find("</gui>").unwrap() + start;
        config.replace_range(
            start..end,
            &format!(
                "<gui enabled=\"true\" tls=\"false\" debugging=\"false\">\
                 <address>127.0.0.1:{gui}</address><apikey>{api_key}</apikey><theme>default</theme>"
            ),
        );
        for (tag, value) in [
            ("listenAddress", format!("tcp://127.0.0.1:{listen}")),
            ("globalAnnounceEnabled", "false".into()),
            ("localAnnounceEnabled", "false".into()),
            ("relaysEnabled", "false".into()),
            ("natEnabled", "false".into()),
            ("stunKeepaliveStartS", "0".into()),
            ("stunKeepaliveMinS", "0".into()),
            ("urAccepted", "-1".into()),
            ("urSeen", "3".into()),
            ("crashReportingEnabled", "false".into()),
            ("autoUpgradeIntervalH", "0".into()),
            ("startBrowser", "false".into()),
            ("announceLANAddresses", "false".into()),
        ] {
            set_option(&mut config, tag, &value);
        }
        std::fs::write(&path, config).unwrap();
        let id = String::from_utf8(
            Command::new("syncthing")
                .args(["--device-id"])
                .arg(format!("--home={}", home.display()))
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
        .trim()
        .to_owned();
        let mut st = Syncthing {
            home,
            folder,
            id,
            gui,
            listen,
            api_key,
            child: None,
        };
        st.serve();
        st
    }

    fn serve(&mut self) {
        let log = std::fs::File::create(self.home.join("syncthing.log")).unwrap();
        let child = Command::new("syncthing")
            .arg("serve")
            .arg(format!("--home={}", self.home.display()))
            .args(["--no-browser", "--no-restart", "--no-upgrade"])
            .env("STNOUPGRADE", "1")
            .env("STNODEFAULTFOLDER", "1")
            .env("STNORESTART", "1")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + TIMEOUT;
        while self.get("/rest/system/ping").is_err() {
            assert!(
                Instant::now() < deadline,
                "syncthing did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.join("syncthing.log")).unwrap_or_default()
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.gui)
    }

    pub fn get(&self, path: &str) -> Result<Value, String> {
        let mut r = agent()
            .get(&self.url(path))
            .header("X-API-Key", &self.api_key)
            .call()
            .map_err(|e| e.to_string())?;
        if r.status() != 200 {
            return Err(format!("{path}: HTTP {}", r.status()));
        }
        r.body_mut().read_json().map_err(|e| e.to_string())
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) {
        let req = match method {
            "POST" => agent().post(&self.url(path)),
            _ => agent().put(&self.url(path)),
        }
        .header("X-API-Key", &self.api_key);
        let r = match body {
            Some(b) => req.send_json(b),
            None => req.send_empty(),
        }
        .unwrap();
        assert!(r.status().is_success(), "{method} {path}: {}", r.status());
    }

    /// Options as Syncthing reports them: the test checks nothing leaves
    /// loopback.
    pub fn options(&self) -> Value {
        self.get("/rest/config/options").unwrap()
    }

    /// Introduces `other` (at its static loopback address) and shares the
    /// folder with it. Both sides must be introduced to each other.
    pub fn share_with(&self, others: &[&Syncthing]) {
        for other in others {
            self.send(
                "POST",
                "/rest/config/devices",
                Some(json!({
                    "deviceID": other.id,
                    "name": other.home.file_name().unwrap().to_string_lossy(),
                    "addresses": [format!("tcp://127.0.0.1:{}", other.listen)],
                    "autoAcceptFolders": false,
                })),
            );
        }
        let mut devices = vec![json!({"deviceID": self.id})];
        devices.extend(others.iter().map(|o| json!({"deviceID": o.id})));
        self.send(
            "POST",
            "/rest/config/folders",
            Some(json!({
                "id": FOLDER,
                "label": FOLDER,
                "path": self.folder,
                "type": "sendreceive",
                "devices": devices,
                "fsWatcherEnabled": true,
                "fsWatcherDelayS": 1,
                "rescanIntervalS": 3600,
            })),
        );
    }

    /// Waits until Syncthing says `peer` holds everything this instance
    /// has (after a rescan that picks up what was just written) and it has
    /// nothing left to pull itself.
    pub fn wait_in_sync_with(&self, peer: &Syncthing) {
        self.send("POST", &format!("/rest/db/scan?folder={FOLDER}"), None);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let completion = self
                .get(&format!(
                    "/rest/db/completion?folder={FOLDER}&device={}",
                    peer.id
                ))
                .unwrap_or_default();
            let status = self
                .get(&format!("/rest/db/status?folder={FOLDER}"))
                .unwrap_or_default();
            let peer_status = peer
                .get(&format!("/rest/db/status?folder={FOLDER}"))
                .unwrap_or_default();
            let done = completion["completion"].as_f64() == Some(100.0)
                && completion["needItems"].as_i64() == Some(0)
                && completion["needDeletes"].as_i64() == Some(0)
                && status["needTotalItems"].as_i64() == Some(0)
                && status["state"] == "idle"
                && peer_status["needTotalItems"].as_i64() == Some(0)
                && peer_status["state"] == "idle"
                && peer_status["globalFiles"] == status["globalFiles"]
                && peer_status["localFiles"] == peer_status["globalFiles"];
            if done {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not in sync after {TIMEOUT:?}: {completion} {status} {peer_status}\n{}\n{}",
                self.log(),
                peer.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until both instances see each other connected.
    pub fn wait_connected(&self, peer: &Syncthing) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let c = self.get("/rest/system/connections").unwrap_or_default();
            if c["connections"][&peer.id]["connected"] == true {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not connected: {c}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Syncthing {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Two instances sharing [`FOLDER`], connected, in `root`.
pub fn pair(root: &Path) -> (Syncthing, Syncthing) {
    let a = Syncthing::start(root, "a");
    let b = Syncthing::start(root, "b");
    a.share_with(&[&b]);
    b.share_with(&[&a]);
    a.wait_connected(&b);
    b.wait_connected(&a);
    (a, b)
}
