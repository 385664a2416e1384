//! Three devices make random changes (projects made, renamed and archived;
//! timers started and stopped; entries added, edited, tagged and deleted),
//! with clocks hours apart, and exchange their files the way a sync engine
//! would: some files at a time, in any order, twice over, half-copied,
//! relayed through another device's copy, as conflict copies. Whatever
//! happened, once every file has arrived everywhere the three hold the same
//! data, nothing is duplicated, and no entry that was never deleted is lost.
//!
//! `PROPTEST_CASES` sets how many histories are tried (48 by default).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use serde_json::Value;
use timetracker_core::sync::files;
use timetracker_core::{EntryPatch, FakeClock, NewEntry, Tracker};

const DEVICES: usize = 3;
const NAMES: [&str; 4] = ["Alpha", "beta", "Gamma", "ALPHA"];
const TAGS: [&str; 3] = ["Design", "design", "review"];

#[derive(Debug, Clone)]
enum Deliver {
    /// Every file, and files removed at the source removed here too.
    Mirror,
    /// Each file with a coin toss, in any order.
    Some(u64),
    /// One file cut short under its real name, as a slow copy shows it.
    Truncated(usize),
    /// One file again as a conflict copy.
    ConflictCopy(usize),
}

#[derive(Debug, Clone)]
enum Op {
    CreateProject(usize, usize),
    RenameProject(usize, usize, usize),
    ArchiveProject(usize, usize),
    Start(usize, Option<usize>),
    Stop(usize),
    Add(usize, Option<usize>, u16, u16),
    Describe(usize, usize),
    MoveProject(usize, usize, Option<usize>),
    Shift(usize, usize, i16, i16),
    Tag(usize, usize, usize),
    Delete(usize, usize),
    Tick(usize, u16),
    Sync(usize),
    Deliver {
        owner: usize,
        via: usize,
        to: usize,
        how: Deliver,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0..DEVICES;
    let idx = 0usize..6;
    prop_oneof![
        (r.clone(), 0..NAMES.len()).prop_map(|(r, n)| Op::CreateProject(r, n)),
        (r.clone(), idx.clone(), 0..NAMES.len()).prop_map(|(r, p, n)| Op::RenameProject(r, p, n)),
        (r.clone(), idx.clone()).prop_map(|(r, p)| Op::ArchiveProject(r, p)),
        (r.clone(), proptest::option::of(idx.clone())).prop_map(|(r, p)| Op::Start(r, p)),
        r.clone().prop_map(Op::Stop),
        (
            r.clone(),
            proptest::option::of(idx.clone()),
            0u16..600,
            0u16..180
        )
            .prop_map(|(r, p, s, l)| Op::Add(r, p, s, l)),
        (r.clone(), idx.clone()).prop_map(|(r, e)| Op::Describe(r, e)),
        (r.clone(), idx.clone(), proptest::option::of(idx.clone()))
            .prop_map(|(r, e, p)| Op::MoveProject(r, e, p)),
        (r.clone(), idx.clone(), -90i16..90, -90i16..90)
            .prop_map(|(r, e, a, b)| Op::Shift(r, e, a, b)),
        (r.clone(), idx.clone(), 0..TAGS.len()).prop_map(|(r, e, t)| Op::Tag(r, e, t)),
        (r.clone(), idx.clone()).prop_map(|(r, e)| Op::Delete(r, e)),
        (r.clone(), 0u16..7200).prop_map(|(r, s)| Op::Tick(r, s)),
        r.clone().prop_map(Op::Sync),
        r.clone().prop_map(Op::Sync),
        (r.clone(), r.clone(), r.clone(), deliver()).prop_map(|(owner, via, to, how)| {
            Op::Deliver {
                owner,
                via,
                to,
                how,
            }
        }),
        (r.clone(), r.clone(), deliver()).prop_map(|(owner, to, how)| Op::Deliver {
            owner,
            via: owner,
            to,
            how
        }),
    ]
}

fn deliver() -> impl Strategy<Value = Deliver> {
    prop_oneof![
        Just(Deliver::Mirror),
        any::<u64>().prop_map(Deliver::Some),
        (0usize..8).prop_map(Deliver::Truncated),
        (0usize..8).prop_map(Deliver::ConflictCopy),
    ]
}

struct Replica {
    t: Tracker,
    clock: FakeClock,
    folder: tempfile::TempDir,
    id: String,
}

struct World {
    replicas: Vec<Replica>,
    next_token: u32,
    created: BTreeSet<u32>,
    deleted: BTreeSet<u32>,
}

/// The token an entry's description starts with (`e12` or `e12.3`).
fn token(description: &str) -> Option<u32> {
    description
        .strip_prefix('e')?
        .split('.')
        .next()?
        .parse()
        .ok()
}

fn device_dir(folder: &Path, id: &str) -> PathBuf {
    files::root(folder).join(id)
}

/// Files under a device folder, relative to it.
fn files_of(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !entry.file_name().to_string_lossy().starts_with(".tt-tmp-") {
                out.insert(
                    path.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

impl World {
    fn new(skews: &[i64]) -> World {
        let replicas = skews
            .iter()
            .enumerate()
            .map(|(i, skew)| {
                let at: Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
                let clock = FakeClock::at(at + SignedDuration::from_secs(*skew));
                let mut t = Tracker::open_in_memory(Arc::new(clock.clone())).unwrap();
                let folder = tempfile::tempdir().unwrap();
                t.sync_enable(folder.path(), Some(&format!("device {i}")), false)
                    .unwrap();
                let id = t.sync_status().unwrap().device.id;
                Replica {
                    t,
                    clock,
                    folder,
                    id,
                }
            })
            .collect();
        World {
            replicas,
            next_token: 0,
            created: BTreeSet::new(),
            deleted: BTreeSet::new(),
        }
    }

    fn token(&mut self) -> String {
        self.next_token += 1;
        self.created.insert(self.next_token);
        format!("e{}", self.next_token)
    }

    fn project(&self, r: usize, i: usize) -> Option<i64> {
        let projects = self.replicas[r].t.list_projects(true).unwrap();
        (!projects.is_empty()).then(|| projects[i % projects.len()].id)
    }

    fn entry(&self, r: usize, i: usize) -> Option<timetracker_core::Entry> {
        let all = entries(&self.replicas[r].t);
        (!all.is_empty()).then(|| all[i % all.len()].clone())
    }

    fn run(&mut self, op: &Op) {
        match op.clone() {
            Op::CreateProject(r, n) => {
                let _ = self.replicas[r].t.create_project(NAMES[n], None);
            }
            Op::RenameProject(r, p, n) => {
                if let Some(p) = self.project(r, p) {
                    let _ = self.replicas[r].t.rename_project(p, NAMES[n]);
                }
            }
            Op::ArchiveProject(r, p) => {
                if let Some(p) = self.project(r, p) {
                    let _ = self.replicas[r].t.archive_project(p);
                }
            }
            Op::Start(r, p) => {
                let project = p.and_then(|p| self.project(r, p));
                let description = self.token();
                if self.replicas[r]
                    .t
                    .start_timer(project, &description)
                    .is_err()
                {
                    self.created.remove(&self.next_token);
                }
            }
            Op::Stop(r) => {
                let _ = self.replicas[r].t.stop_timer();
            }
            Op::Add(r, p, start, len) => {
                let project = p.and_then(|p| self.project(r, p));
                let description = self.token();
                let started_at: Timestamp = "2026-11-22T00:00:00Z".parse().unwrap();
                let started_at = started_at + SignedDuration::from_mins(i64::from(start));
                let added = self.replicas[r].t.add_entry(NewEntry {
                    project_id: project,
                    description,
                    started_at,
                    stopped_at: started_at + SignedDuration::from_mins(i64::from(len)),
                    tags: vec![],
                });
                if added.is_err() {
                    self.created.remove(&self.next_token);
                }
            }
            Op::Describe(r, e) => {
                if let Some(entry) = self.entry(r, e) {
                    let n = token(&entry.description).unwrap();
                    let edit = format!("e{n}.{}", self.next_token);
                    self.next_token += 1;
                    let _ = self.replicas[r].t.update_entry(
                        entry.id,
                        EntryPatch {
                            description: Some(edit),
                            ..Default::default()
                        },
                    );
                }
            }
            Op::MoveProject(r, e, p) => {
                if let Some(entry) = self.entry(r, e) {
                    let project = p.and_then(|p| self.project(r, p));
                    let _ = self.replicas[r].t.update_entry(
                        entry.id,
                        EntryPatch {
                            project_id: Some(project),
                            ..Default::default()
                        },
                    );
                }
            }
            Op::Shift(r, e, a, b) => {
                if let Some(entry) = self.entry(r, e) {
                    let start = entry.started_at + SignedDuration::from_mins(i64::from(a));
                    let end = entry
                        .stopped_at
                        .map(|s| s + SignedDuration::from_mins(i64::from(b)));
                    let _ = self.replicas[r].t.update_entry(
                        entry.id,
                        EntryPatch {
                            started_at: Some(start),
                            stopped_at: end.map(Some),
                            ..Default::default()
                        },
                    );
                }
            }
            Op::Tag(r, e, tag) => {
                if let Some(entry) = self.entry(r, e) {
                    let mut tags = entry.tags.clone();
                    tags.push(TAGS[tag].to_owned());
                    let _ = self.replicas[r].t.update_entry(
                        entry.id,
                        EntryPatch {
                            tags: Some(tags),
                            ..Default::default()
                        },
                    );
                }
            }
            Op::Delete(r, e) => {
                if let Some(entry) = self.entry(r, e) {
                    if self.replicas[r].t.delete_entry(entry.id).is_ok() {
                        self.deleted.insert(token(&entry.description).unwrap());
                    }
                }
            }
            Op::Tick(r, secs) => self.replicas[r]
                .clock
                .advance(SignedDuration::from_secs(i64::from(secs))),
            Op::Sync(r) => {
                self.replicas[r].t.sync_now().unwrap();
            }
            Op::Deliver {
                owner,
                via,
                to,
                how,
            } => self.deliver(owner, via, to, &how),
        }
    }

    /// Copies device `owner`'s files, as device `via` holds them, to `to`.
    fn deliver(&self, owner: usize, via: usize, to: usize, how: &Deliver) {
        if owner == to {
            return;
        }
        let id = &self.replicas[owner].id;
        let src = device_dir(self.replicas[via].folder.path(), id);
        let dst = device_dir(self.replicas[to].folder.path(), id);
        let have = files_of(&src);
        let put = |rel: &Path, bytes: &[u8]| {
            let path = dst.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        };
        match how {
            Deliver::Mirror => {
                for rel in files_of(&dst).keys() {
                    if !have.contains_key(rel) {
                        std::fs::remove_file(dst.join(rel)).unwrap();
                    }
                }
                for (rel, bytes) in &have {
                    put(rel, bytes);
                }
            }
            Deliver::Some(seed) => {
                for (i, (rel, bytes)) in have.iter().enumerate() {
                    if (seed >> (i % 64)) & 1 == 1 {
                        put(rel, bytes);
                    }
                }
            }
            Deliver::Truncated(i) => {
                if let Some((rel, bytes)) = have.iter().nth(i % have.len().max(1)) {
                    put(rel, &bytes[..bytes.len() / 2]);
                }
            }
            Deliver::ConflictCopy(i) => {
                if let Some((rel, bytes)) = have.iter().nth(i % have.len().max(1)) {
                    let name = rel
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .replace(".jsonl", ".sync-conflict-20261123-101010-ABCDEFG.jsonl");
                    put(&rel.with_file_name(name), bytes);
                }
            }
        }
    }

    /// Every file everywhere, then sync, until nothing moves any more.
    fn settle(&mut self) {
        for _ in 0..4 {
            for r in 0..DEVICES {
                self.replicas[r].t.sync_now().unwrap();
            }
            for owner in 0..DEVICES {
                for to in 0..DEVICES {
                    self.deliver(owner, owner, to, &Deliver::Mirror);
                }
            }
            for r in 0..DEVICES {
                self.replicas[r].t.sync_now().unwrap();
            }
        }
    }
}

fn entries(t: &Tracker) -> Vec<timetracker_core::Entry> {
    t.list_entries(
        "2000-01-01T00:00:00Z".parse().unwrap(),
        "2100-01-01T00:00:00Z".parse().unwrap(),
    )
    .unwrap()
}

/// `tt export --format json` without the local ids and the export time.
fn export(t: &mut Tracker) -> Vec<Value> {
    let mut out = Vec::new();
    timetracker_core::io::export::json(
        t,
        "2000-01-01T00:00:00Z".parse().unwrap(),
        "2100-01-01T00:00:00Z".parse().unwrap(),
        &mut out,
    )
    .unwrap();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("id");
            e
        })
        .collect()
}

/// Every project's synced fields, sorted (two archived projects may share
/// a name, and each device lists those by its own local ids).
fn projects(t: &Tracker) -> Vec<String> {
    let mut list: Vec<String> = t
        .list_projects(true)
        .unwrap()
        .into_iter()
        .map(|p| {
            serde_json::json!([
                p.name,
                p.color,
                p.archived,
                p.client,
                p.billable,
                p.hourly_rate_cents,
                p.currency
            ])
            .to_string()
        })
        .collect();
    list.sort();
    list
}

#[allow(
    clippy::disallowed_methods,
    reason = "proptest's own knob, read by the test runner, not the app"
)]
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn three_devices_converge_and_lose_nothing(
        skews in proptest::collection::vec(-10_800i64..10_800, DEVICES),
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let mut world = World::new(&skews);
        for op in &ops {
            world.run(op);
        }
        world.settle();
        let first = export(&mut world.replicas[0].t);
        let first_projects = projects(&world.replicas[0].t);
        for r in 1..DEVICES {
            prop_assert_eq!(&export(&mut world.replicas[r].t), &first, "device {} differs", r);
            prop_assert_eq!(&projects(&world.replicas[r].t), &first_projects, "projects of {} differ", r);
        }
        let mut seen = BTreeSet::new();
        for e in &first {
            let n = token(e["description"].as_str().unwrap()).unwrap();
            prop_assert!(seen.insert(n), "entry e{} is there twice: {:?}", n, first);
        }
        for n in world.created.difference(&world.deleted) {
            prop_assert!(seen.contains(n), "entry e{} was lost: {:?}", n, first);
        }
        for r in &world.replicas {
            let running = entries(&r.t).iter().filter(|e| e.is_running()).count();
            prop_assert!(running <= 1);
        }
    }
}
