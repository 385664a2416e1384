//! What every event says about where it comes from: versions, OS, CPU,
//! UI language and how the app was installed. Detected only when the first
//! payload is built: most processes (every `tt` command, a launch that
//! said no) never need it.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub app_version: String,
    pub os: &'static str,
    pub os_version: String,
    pub arch: &'static str,
    /// Language only (`en`, `de`), never the region or a full locale.
    pub language: String,
    pub deployment: &'static str,
}

/// `deb`, `appimage`, `dev` (a debug build) or `binary` (anything else).
pub fn deployment(appimage: bool) -> &'static str {
    if cfg!(debug_assertions) {
        return "dev";
    }
    if appimage {
        return "appimage";
    }
    match std::env::current_exe() {
        Ok(exe) if exe.starts_with("/usr/bin") || exe.starts_with("/usr/lib") => "deb",
        _ => "binary",
    }
}

/// `en` from `en_GB.UTF-8`; `unknown` when it is not a plain language code.
pub fn language_from_locale(locale: &str) -> String {
    let lang: String = locale
        .split(['_', '-', '.', '@'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_lowercase()) && lang != "c"
    {
        lang
    } else {
        "unknown".to_owned()
    }
}

impl Context {
    pub fn detect(config: &super::TelemetryConfig) -> Self {
        let app_version = &config.app_version;
        let locale = &config.locale;
        Context {
            app_version: app_version.to_owned(),
            os: std::env::consts::OS,
            // Version numbers only: edition and codename strings are not
            // needed.
            os_version: os_version()
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '.')
                .take(16)
                .collect(),
            arch: std::env::consts::ARCH,
            language: language_from_locale(locale),
            deployment: deployment(config.appimage),
        }
    }
}

/// `VERSION_ID` from os-release(5). Not `os_info` here: on Linux it runs
/// `lsb_release -a` and `uname -m` as child processes, about 25 ms on this
/// kind of machine, to learn what one small file says.
#[cfg(target_os = "linux")]
fn os_version() -> String {
    ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .map(|text| version_id(&text))
        .unwrap_or_default()
}

#[cfg(not(target_os = "linux"))]
fn os_version() -> String {
    os_info::get().version().to_string()
}

/// The `VERSION_ID=` value of an os-release text, unquoted.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn version_id(os_release: &str) -> String {
    os_release
        .lines()
        .find_map(|line| line.trim().strip_prefix("VERSION_ID="))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_language_is_kept() {
        assert_eq!(language_from_locale("en_GB.UTF-8"), "en");
        assert_eq!(language_from_locale("de-AT"), "de");
        assert_eq!(language_from_locale("C.UTF-8"), "unknown");
        assert_eq!(language_from_locale(""), "unknown");
        assert_eq!(language_from_locale("/home/alice"), "unknown");
    }

    #[test]
    fn the_os_version_is_read_from_os_release() {
        let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n";
        assert_eq!(version_id(debian), "12");
        assert_eq!(version_id("ID=ubuntu\nVERSION_ID='24.04'\n"), "24.04");
        assert_eq!(version_id("ID=arch\n"), "");
    }

    #[test]
    fn context_holds_only_closed_values_and_no_host_or_user_names() {
        // Asserted on every machine: the context's shape and each value's
        // alphabet leave no room for a host, user or path, whatever this
        // machine is called and whoever runs the tests.
        let config = super::super::TelemetryConfig {
            app_version: "1.0.0".into(),
            locale: "en_GB.UTF-8".into(),
            ..Default::default()
        };
        let ctx = Context::detect(&config);
        let json = serde_json::to_value(&ctx).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "app_version",
                "os",
                "os_version",
                "arch",
                "language",
                "deployment",
            ]
        );
        assert_eq!(ctx.app_version, "1.0.0");
        assert_eq!(ctx.os, std::env::consts::OS);
        assert_eq!(ctx.arch, std::env::consts::ARCH);
        assert!(
            ctx.os_version.len() <= 16
                && ctx
                    .os_version
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.'),
            "{}",
            ctx.os_version
        );
        assert!(
            ctx.language == "unknown"
                || ((2..=3).contains(&ctx.language.len())
                    && ctx.language.chars().all(|c| c.is_ascii_lowercase())),
            "{}",
            ctx.language
        );
        assert!(["deb", "appimage", "dev", "binary"].contains(&ctx.deployment));
        // And the real names, which this machine always has.
        let text = json.to_string();
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        assert!(
            host.is_empty() || !text.contains(&format!("\"{host}\"")),
            "{text}"
        );
        let home = directories::BaseDirs::new()
            .map(|d| d.home_dir().to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(home.len() < 2 || !text.contains(&home), "{text}");
    }
}
