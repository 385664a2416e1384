use std::os::unix::fs::symlink;

use super::*;
use crate::clock::FakeClock;

fn tracker_in(dir: &Path) -> Tracker {
    let clock = std::sync::Arc::new(FakeClock::at("2026-11-27T10:00:00Z".parse().unwrap()));
    Tracker::open_in_dir(dir, clock).unwrap()
}

#[test]
fn an_import_reads_a_regular_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("frames");
    std::fs::write(&file, b"[]").unwrap();
    assert_eq!(read_import(&file).unwrap(), b"[]");
    assert_eq!(
        read_import(dir.path()).unwrap_err().code(),
        "import.not_a_file"
    );
    // A device would be read forever: refused before it is opened.
    assert_eq!(
        read_import(Path::new("/dev/zero")).unwrap_err().code(),
        "import.not_a_file"
    );
    let missing = read_import(&dir.path().join("gone")).unwrap_err();
    assert_eq!(missing.code(), "import.unreadable");
    assert!(missing.to_string().contains("gone"), "{missing}");
}

#[test]
fn a_piped_import_without_end_is_refused_at_the_cap() {
    let unreadable = |source| Error::ImportUnreadable {
        path: "-".into(),
        source,
    };
    let err = read_to_cap(std::io::repeat(b'x'), 1024, 0, unreadable).unwrap_err();
    assert_eq!(err.code(), "import.too_large");
    assert_eq!(read_import_stream(&b"a,b\n"[..]).unwrap(), b"a,b\n");
}

#[test]
fn an_import_over_the_cap_is_refused_without_reading_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    std::fs::write(&file, vec![b'x'; 1025]).unwrap();
    let err = read_capped(&file, 1024).unwrap_err();
    assert_eq!(err.code(), "import.too_large");
    assert_eq!(read_capped(&file, 1025).unwrap().len(), 1025);
    // The real cap, on a sparse file that claims 257 MiB: refused from its
    // size, so the test reads nothing.
    let sparse = std::fs::File::create(dir.path().join("sparse")).unwrap();
    sparse.set_len(IMPORT_MAX_BYTES + 1024 * 1024).unwrap();
    let err = read_import(&dir.path().join("sparse")).unwrap_err();
    assert_eq!(err.code(), "import.too_large");
    assert!(err.to_string().contains("257 MiB"), "{err}");
}

#[test]
fn an_export_never_lands_on_the_database_or_in_the_data_folder() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let t = tracker_in(&data);
    let guard = Protected::of(&t);
    let db = data.join(DATABASE_FILE);
    let refused = |target: &Path| guard.check(target).map_err(|e| e.code()).err();
    for target in [
        db.clone(),
        data.join("timetracker.sqlite3-wal"),
        data.join("timetracker.sqlite3-shm"),
        data.join("logs/app.jsonl"),
        data.join("report.csv"),
        // The same places by another spelling.
        home.path().join("data/../data/timetracker.sqlite3"),
    ] {
        assert_eq!(
            refused(&target),
            Some("export.target_protected"),
            "{}",
            target.display()
        );
    }
    // A symlink outside that leads in, and one inside that leads out.
    symlink(&db, home.path().join("innocent.csv")).unwrap();
    assert_eq!(
        refused(&home.path().join("innocent.csv")),
        Some("export.target_protected")
    );
    symlink(home.path().join("out.csv"), data.join("link.csv")).unwrap();
    assert_eq!(
        refused(&data.join("link.csv")),
        Some("export.target_protected")
    );

    assert_eq!(refused(&home.path().join("november.csv")), None);
    assert_eq!(refused(&home.path().join("timetracker.sqlite3-wal")), None);
    // A folder that does not exist is left to the write, which says so.
    assert_eq!(refused(&home.path().join("nowhere/x.csv")), None);
    assert_eq!(
        refused(&data.join("new/x.csv")),
        Some("export.target_protected")
    );
}

#[test]
fn a_database_outside_a_data_folder_protects_itself_and_not_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("work.sqlite3");
    let clock = std::sync::Arc::new(FakeClock::at("2026-11-27T10:00:00Z".parse().unwrap()));
    let t = Tracker::open(&db, clock).unwrap();
    let guard = Protected::of(&t);
    assert!(guard.check(&db).is_err());
    assert!(guard.check(&dir.path().join("work.sqlite3-wal")).is_err());
    assert!(guard.check(&dir.path().join("work.csv")).is_ok());
}

#[test]
fn only_a_chosen_file_can_be_read_and_only_until_it_is_imported() {
    let grants = Grants::default();
    let chosen = grants.grant(PathBuf::from("/home/u/toggl.csv"));
    assert_eq!(chosen.path, "/home/u/toggl.csv");
    assert_eq!(
        grants.path(&chosen.token).unwrap(),
        Path::new("/home/u/toggl.csv")
    );
    // Previewing again (another format) keeps the grant.
    assert!(grants.path(&chosen.token).is_ok());
    for forged in ["", "/home/u/.bashrc", &chosen.token.to_uppercase()] {
        assert_eq!(grants.path(forged).unwrap_err().code(), "import.not_chosen");
    }
    grants.spend(&chosen.token);
    assert_eq!(
        grants.path(&chosen.token).unwrap_err().code(),
        "import.not_chosen"
    );

    let tokens: Vec<_> = (0..=GRANTS_KEPT)
        .map(|i| grants.grant(PathBuf::from(format!("/f{i}"))).token)
        .collect();
    assert!(grants.path(&tokens[0]).is_err(), "the oldest is forgotten");
    assert!(grants.path(&tokens[GRANTS_KEPT]).is_ok());
}
