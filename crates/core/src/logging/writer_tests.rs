//! Tests of the rotating writer, kept apart from it for length.
use super::*;
use crate::FakeClock;

/// A writer config whose "today" is 2026-11-28 (UTC), whatever the date.
fn pinned(dir: &Path) -> (WriterConfig, FakeClock) {
    let clock = FakeClock::at("2026-11-28T23:59:00Z".parse().unwrap());
    let mut config = WriterConfig::new(dir.into());
    config.clock = Arc::new(clock.clone());
    (config, clock)
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn lines_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .iter()
        .flat_map(|p| {
            fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_line_arrives_whole_and_a_flush_waits_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let writer = Arc::new(LogWriter::start(WriterConfig::new(dir.path().into())));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let w = writer.clone();
            std::thread::spawn(move || {
                for i in 0..2500 {
                    w.write_line(format!(
                        "{{\"t\":{t},\"i\":{i},\"pad\":\"{}\"}}",
                        "x".repeat(i % 300)
                    ));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(writer.flush(Duration::from_secs(10)));
    let lines = lines_in(dir.path());
    assert_eq!(lines.len() as u64 + writer.dropped(), 10_000);
    assert_eq!(writer.dropped(), 0, "16k queue should hold 10k lines");
    for line in &lines {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    writer.shutdown(Duration::from_secs(5));
    writer.write_line("after shutdown".into());
    assert_eq!(writer.dropped(), 1);
}

#[test]
fn a_full_queue_drops_and_counts_instead_of_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = WriterConfig::new(dir.path().into());
    config.queue_capacity = 3;
    // No thread drains this queue: the fourth line onwards must not block.
    let (writer, _rx) = LogWriter::unstarted(&config);
    for i in 0..10 {
        writer.write_line(format!("{i}"));
    }
    assert_eq!(writer.dropped(), 7);
}

#[test]
fn rotation_by_size_names_files_by_day_and_caps_their_number() {
    let dir = tempfile::tempdir().unwrap();
    let (mut config, _clock) = pinned(dir.path());
    config.max_file_bytes = 200;
    config.max_files = 3;
    let writer = LogWriter::start(config);
    for i in 0..40 {
        // 50 bytes a line with its newline: four lines per file.
        writer.write_line(format!("{{\"i\":{i:03},\"pad\":\"{}\"}}", "y".repeat(31)));
        // One batch per line, so every rotation point is exercised.
        writer.flush(Duration::from_secs(5));
    }
    writer.shutdown(Duration::from_secs(5));

    let today = day("2026-11-28");
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            rotated_name(today, 8),
            rotated_name(today, 9),
            ACTIVE_FILE.to_owned(),
        ]
    );
    for name in &names {
        let size = fs::metadata(dir.path().join(name)).unwrap().len();
        assert!(size <= 200, "{name} is {size} bytes");
    }
    // The newest lines survive; the oldest went with pruned files.
    let all = lines_in(dir.path());
    assert!(all.iter().any(|l| l.contains("\"i\":039")));
    assert!(!all.iter().any(|l| l.contains("\"i\":000")));
}

#[test]
fn an_active_file_from_an_earlier_day_is_rotated_under_the_day_of_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let active = dir.path().join(ACTIVE_FILE);
    let old = "{\"asctime\":\"2026-11-25T08:00:00.000Z\",\"message\":\"a\"}\n\
               {\"asctime\":\"2026-11-26T23:59:59.999Z\",\"message\":\"b\"}\n";
    fs::write(&active, old).unwrap();
    // Written just now by the file system's clock: the lines decide.
    let (config, _clock) = pinned(dir.path());
    let writer = LogWriter::start(config);
    writer.write_line("{\"new\":true}".into());
    writer.shutdown(Duration::from_secs(5));
    let rotated = fs::read_to_string(dir.path().join(rotated_name(day("2026-11-26"), 1))).unwrap();
    assert_eq!(rotated, old);
    assert_eq!(fs::read_to_string(&active).unwrap(), "{\"new\":true}\n");
}

#[test]
fn a_file_of_todays_lines_is_kept_whatever_its_modification_time() {
    // A clock change, a restored backup or a copy moves the modification
    // time; a file of today's lines is still today's file.
    let dir = tempfile::tempdir().unwrap();
    let active = dir.path().join(ACTIVE_FILE);
    let today = "{\"asctime\":\"2026-11-28T00:00:01.000Z\",\"message\":\"a\"}\n";
    fs::write(&active, today).unwrap();
    for mtime in [
        std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(86_400),
        std::time::SystemTime::now() + Duration::from_secs(400 * 86_400),
    ] {
        File::options()
            .write(true)
            .open(&active)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let (config, _clock) = pinned(dir.path());
        let writer = LogWriter::start(config);
        writer.shutdown(Duration::from_secs(5));
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!(fs::read_to_string(&active).unwrap(), today);
    }
}

#[test]
fn the_day_changing_while_running_rotates_under_the_day_that_ended() {
    let dir = tempfile::tempdir().unwrap();
    let (config, clock) = pinned(dir.path());
    let writer = LogWriter::start(config);
    writer.write_line("{\"n\":1}".into());
    assert!(writer.flush(Duration::from_secs(5)));
    clock.advance(jiff::SignedDuration::from_mins(2));
    writer.write_line("{\"n\":2}".into());
    writer.shutdown(Duration::from_secs(5));
    let rotated = fs::read_to_string(dir.path().join(rotated_name(day("2026-11-28"), 1))).unwrap();
    assert_eq!(rotated, "{\"n\":1}\n");
    assert_eq!(
        fs::read_to_string(dir.path().join(ACTIVE_FILE)).unwrap(),
        "{\"n\":2}\n"
    );
}

#[test]
fn an_unreadable_last_line_keeps_the_file_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let active = dir.path().join(ACTIVE_FILE);
    fs::write(&active, "not json\n").unwrap();
    let (config, _clock) = pinned(dir.path());
    let writer = LogWriter::start(config);
    writer.write_line("{\"n\":1}".into());
    writer.shutdown(Duration::from_secs(5));
    assert_eq!(
        fs::read_to_string(&active).unwrap(),
        "not json\n{\"n\":1}\n"
    );
}

#[test]
fn an_unwritable_folder_degrades_to_stderr_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("logs");
    fs::write(&blocker, b"a file where the folder should be").unwrap();
    let writer = LogWriter::start(WriterConfig::new(blocker.clone()));
    writer.write_line("{\"still\":\"counted\"}".into());
    assert!(writer.flush(Duration::from_secs(5)));
    let reason = writer.degraded().expect("degraded");
    assert!(reason.contains("standard error"), "{reason}");
    assert_eq!(writer.written(), 1);
    assert_eq!(writer.dropped(), 0);
}

#[test]
fn a_deleted_log_folder_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let mut config = WriterConfig::new(logs.clone());
    config.recheck_every = Duration::from_millis(20);
    let writer = LogWriter::start(config);
    writer.write_line("{\"n\":1}".into());
    assert!(writer.flush(Duration::from_secs(5)));
    fs::remove_dir_all(&logs).unwrap();
    let mut sink_checked = false;
    for _ in 0..100 {
        writer.write_line("{\"n\":2}".into());
        writer.flush(Duration::from_secs(5));
        if logs.join(ACTIVE_FILE).exists() {
            sink_checked = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(sink_checked, "log file was not recreated");
    writer.shutdown(Duration::from_secs(5));
}

#[test]
fn rotated_names_round_trip() {
    let day: Date = "2026-11-28".parse().unwrap();
    assert_eq!(rotated_name(day, 3), "app.2026-11-28.3.jsonl");
    assert_eq!(parse_rotated("app.2026-11-28.3.jsonl"), Some((day, 3)));
    assert_eq!(parse_rotated(ACTIVE_FILE), None);
    assert_eq!(parse_rotated("app.notes.jsonl"), None);
}

#[cfg(unix)]
#[test]
fn the_log_folder_and_its_files_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let writer = LogWriter::start(WriterConfig::new(logs.clone()));
    writer.write_line("{\"message\":\"x\"}".into());
    assert!(writer.flush(std::time::Duration::from_secs(5)));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&logs), 0o700);
    assert_eq!(mode(&logs.join(ACTIVE_FILE)), 0o600);
}

#[test]
fn a_line_torn_by_a_full_disk_is_cut_before_the_next_is_appended() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _clock) = pinned(dir.path());
    let whole = r#"{"asctime":"2026-11-28T10:00:00Z","message":"a.whole_line"}"#;
    // What a write cut short by ENOSPC leaves: a whole line, then half of one.
    fs::write(
        dir.path().join(ACTIVE_FILE),
        format!("{whole}\n{{\"asctime\":\"2026-11-28T10:00:01Z\",\"mess"),
    )
    .unwrap();
    let writer = LogWriter::start(config);
    writer.write_line(r#"{"message":"after.the_disk_was_freed"}"#.into());
    assert!(writer.flush(Duration::from_secs(5)));
    let lines = lines_in(dir.path());
    assert_eq!(
        lines,
        [whole, r#"{"message":"after.the_disk_was_freed"}"#],
        "{lines:#?}"
    );
    writer.shutdown(Duration::from_secs(5));
}

#[test]
fn a_file_with_no_whole_line_is_emptied_before_use() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _clock) = pinned(dir.path());
    fs::write(dir.path().join(ACTIVE_FILE), "{\"asctime\":\"2026-11-2").unwrap();
    let writer = LogWriter::start(config);
    writer.write_line(r#"{"message":"first.whole"}"#.into());
    assert!(writer.flush(Duration::from_secs(5)));
    assert_eq!(lines_in(dir.path()), [r#"{"message":"first.whole"}"#]);
    writer.shutdown(Duration::from_secs(5));
}
