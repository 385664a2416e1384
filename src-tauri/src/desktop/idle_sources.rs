//! Where the idle time comes from on Linux: GNOME's Mutter IdleMonitor over
//! the D-Bus session bus (the only source that works on a Wayland session),
//! else the X11 XScreenSaver extension. Either may be missing; the first that
//! answers at start-up is used, and none at all turns idle detection off.

use std::time::Duration;

use timetracker_core::desktop::IdleSource;
use x11rb::connection::Connection;
use x11rb::protocol::screensaver::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

/// The X server's time since the last key press or pointer move.
pub struct X11Idle {
    conn: RustConnection,
    root: u32,
}

impl X11Idle {
    pub fn connect() -> Option<Self> {
        let (conn, screen) = x11rb::connect(None).ok()?;
        let root = conn.setup().roots.get(screen)?.root;
        let source = Self { conn, root };
        // A server without the extension fails here, not at every poll.
        source.idle_for().map(|_| source)
    }
}

impl IdleSource for X11Idle {
    fn idle_for(&self) -> Option<Duration> {
        let reply = self
            .conn
            .screensaver_query_info(self.root)
            .ok()?
            .reply()
            .ok()?;
        Some(Duration::from_millis(u64::from(reply.ms_since_user_input)))
    }
}

/// GNOME Shell's idle monitor (X11 and Wayland sessions alike).
pub struct MutterIdle {
    conn: zbus::blocking::Connection,
}

impl MutterIdle {
    pub fn connect() -> Option<Self> {
        let conn = zbus::blocking::Connection::session().ok()?;
        let source = Self { conn };
        source.idle_for().map(|_| source)
    }
}

impl IdleSource for MutterIdle {
    fn idle_for(&self) -> Option<Duration> {
        let reply = self
            .conn
            .call_method(
                Some("org.gnome.Mutter.IdleMonitor"),
                "/org/gnome/Mutter/IdleMonitor/Core",
                Some("org.gnome.Mutter.IdleMonitor"),
                "GetIdletime",
                &(),
            )
            .ok()?;
        let millis: u64 = reply.body().deserialize().ok()?;
        Some(Duration::from_millis(millis))
    }
}

/// The first source that answers, with its name for the log.
pub fn detect() -> Option<(&'static str, Box<dyn IdleSource>)> {
    if let Some(source) = MutterIdle::connect() {
        return Some(("mutter", Box::new(source)));
    }
    if let Some(source) = X11Idle::connect() {
        return Some(("x11", Box::new(source)));
    }
    None
}
