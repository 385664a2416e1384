//! The sync folder on disk.
//!
//! ```text
//! <folder>/timetracker/v1/<device id>/device.json           who the device is, its last file
//! <folder>/timetracker/v1/<device id>/changes/0000000007.jsonl  change files, never rewritten
//! <folder>/timetracker/v1/<device id>/snapshots/0000000009.jsonl  everything up to a point
//! ```
//!
//! A device writes only under its own id. Every file appears by rename
//! after it was written whole and fsynced, so another device (or the sync
//! engine) never sees a half-written file under a real name. A file is one
//! JSON object per line: a header, the records, and an end line with their
//! count and a SHA-256 of everything before it, so a truncated, half-copied
//! or garbled copy is recognised and skipped, never applied in part.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::hlc::Hlc;
use super::record::{Field, Kind, Record};

/// The layout and record format this build reads and writes.
pub const FORMAT: u32 = 1;
pub const ROOT: &str = "timetracker";
pub const VERSION_DIR: &str = "v1";
pub const MANIFEST: &str = "device.json";
pub const CHANGES: &str = "changes";
pub const SNAPSHOTS: &str = "snapshots";
/// Our own files while they are written; never read by anyone.
const TEMP_PREFIX: &str = ".tt-tmp-";

/// `<folder>/timetracker/v1`.
pub fn root(folder: &Path) -> PathBuf {
    folder.join(ROOT).join(VERSION_DIR)
}

/// What a device says about itself in `device.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub timetracker_sync: u32,
    pub device: ManifestDevice,
    #[serde(default)]
    pub app_version: String,
    /// The newest file written, change file or snapshot.
    pub last_seq: u64,
    /// The newest snapshot: every file before it is folded into it.
    #[serde(default)]
    pub snapshot: Option<u64>,
    pub updated_at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestDevice {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// One item of a file: a record, or the merge of one record into another.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Record(Record),
    Merge {
        kind: Kind,
        gone: String,
        into: String,
        hlc: Hlc,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Changes,
    Snapshot,
}

impl FileKind {
    fn as_str(self) -> &'static str {
        match self {
            FileKind::Changes => "changes",
            FileKind::Snapshot => "snapshot",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            FileKind::Changes => CHANGES,
            FileKind::Snapshot => SNAPSHOTS,
        }
    }
}

pub fn file_name(seq: u64) -> String {
    format!("{seq:010}.jsonl")
}

/// The sequence number of a file named `0000000007.jsonl`.
pub fn parse_file_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".jsonl")?;
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Why a file in the folder is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// Ours, still being written (or left by a crash).
    OurTemp,
    /// A sync engine's partial download.
    EngineTemp,
    /// A sync engine's copy of a file two sides changed.
    ConflictCopy,
    Unknown,
}

/// Sorts a name found in a device folder.
pub fn classify(name: &str) -> Result<u64, Unusable> {
    if name.starts_with(TEMP_PREFIX) {
        return Err(Unusable::OurTemp);
    }
    let lower = name.to_lowercase();
    if (lower.starts_with(".syncthing.") && lower.ends_with(".tmp"))
        || lower.starts_with("~syncthing~")
        || lower.ends_with(".partial")
        || lower.ends_with(".part")
        || lower.starts_with(".~")
    {
        return Err(Unusable::EngineTemp);
    }
    if lower.contains(".sync-conflict-")
        || lower.contains("conflicted copy")
        || lower.contains("(conflict")
        || lower.contains("conflict)")
    {
        return Err(Unusable::ConflictCopy);
    }
    parse_file_name(name).ok_or(Unusable::Unknown)
}

/// Writes `bytes` to `dir/name` so that it appears whole or not at all:
/// a temporary file in the same folder, fsynced, renamed, and the folder
/// fsynced so the rename survives a power cut.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{TEMP_PREFIX}{}", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, dir.join(name))?;
        // Some file systems (network shares) cannot open a folder to sync it.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes our own temporary files left in `dir` by a crash.
pub fn remove_our_temps(dir: &Path) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Encodes one file: header, items, end line.
pub fn encode(
    kind: FileKind,
    device: &str,
    seq: u64,
    created_at: jiff::Timestamp,
    items: &[Item],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(items.len() * 256 + 256);
    let header = json!({
        "timetracker_sync": FORMAT,
        "type": kind.as_str(),
        "device": device,
        "seq": seq,
        "created_at": created_at.to_string(),
        "records": items.len(),
    });
    push_line(&mut out, &header);
    for item in items {
        push_line(&mut out, &item_json(item));
    }
    let digest = hex(&Sha256::digest(&out));
    push_line(
        &mut out,
        &json!({"end": {"records": items.len(), "sha256": digest}}),
    );
    out
}

fn push_line(out: &mut Vec<u8>, value: &Value) {
    // Serialising a Value cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
    out.push(b'\n');
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn item_json(item: &Item) -> Value {
    match item {
        Item::Record(r) => {
            let mut fields = serde_json::Map::new();
            for name in r.kind.fields() {
                if let Some(f) = r.fields.get(*name) {
                    fields.insert((*name).to_owned(), json!([f.value, f.hlc, f.prev]));
                }
            }
            json!({
                "type": r.kind.as_str(),
                "id": r.id,
                "deleted": r.deleted,
                "fields": fields,
            })
        }
        Item::Merge {
            kind,
            gone,
            into,
            hlc,
        } => json!({
            "type": "merge",
            "of": kind.as_str(),
            "id": gone,
            "into": into,
            "hlc": hlc,
        }),
    }
}

/// The header of a file, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub format: u32,
    pub device: String,
    pub seq: u64,
    pub snapshot: bool,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Written by a newer TimeTracker: not applied, the user should update.
    NewerFormat(u32),
    /// Truncated, half-copied or garbled: skipped, tried again later.
    Damaged(String),
}

fn damaged(why: impl Into<String>) -> Invalid {
    Invalid::Damaged(why.into())
}

/// Reads a whole file and checks it end to end before any of it is used.
pub fn decode(bytes: &[u8]) -> Result<(Header, Vec<Item>), Invalid> {
    let text = std::str::from_utf8(bytes).map_err(|_| damaged("not UTF-8"))?;
    let body = text
        .strip_suffix('\n')
        .ok_or_else(|| damaged("it does not end with a complete line"))?;
    let (before_end, end_line) = match body.rfind('\n') {
        Some(i) => (&text[..=i], &body[i + 1..]),
        None => return Err(damaged("it has no end line")),
    };
    let first = before_end.lines().next().unwrap_or_default();
    let header: Value =
        serde_json::from_str(first).map_err(|_| damaged("its header is not JSON"))?;
    let format = header["timetracker_sync"]
        .as_u64()
        .and_then(|f| u32::try_from(f).ok())
        .ok_or_else(|| damaged("it is not a TimeTracker sync file"))?;
    if format > FORMAT {
        return Err(Invalid::NewerFormat(format));
    }
    let end: Value =
        serde_json::from_str(end_line).map_err(|_| damaged("its end line is cut off"))?;
    let expected = end["end"]["sha256"]
        .as_str()
        .ok_or_else(|| damaged("its end line is cut off"))?;
    if hex(&Sha256::digest(before_end.as_bytes())) != expected {
        return Err(damaged(
            "its checksum does not match (changed or cut short)",
        ));
    }
    let header = Header {
        format,
        device: header["device"].as_str().unwrap_or_default().to_owned(),
        seq: header["seq"]
            .as_u64()
            .ok_or_else(|| damaged("its header has no sequence number"))?,
        snapshot: header["type"] == "snapshot",
    };
    let mut items = Vec::new();
    for line in before_end.lines().skip(1) {
        let value: Value = serde_json::from_str(line).map_err(|_| damaged("a line is not JSON"))?;
        if let Some(item) = parse_item(&value)? {
            items.push(item);
        }
    }
    let count = end["end"]["records"].as_u64().unwrap_or(u64::MAX);
    let lines = before_end.lines().count().saturating_sub(1) as u64;
    if count != lines {
        return Err(damaged("it holds fewer records than it says"));
    }
    Ok((header, items))
}

/// One line; `None` for a record type a newer version added (skipped, as
/// older readers skip new fields).
fn parse_item(value: &Value) -> Result<Option<Item>, Invalid> {
    let kind_name = value["type"]
        .as_str()
        .ok_or_else(|| damaged("a record has no type"))?;
    let id = value["id"]
        .as_str()
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .ok_or_else(|| damaged("a record has no valid id"))?
        .to_owned();
    let stamp = |v: &Value| -> Result<Hlc, Invalid> {
        v.as_str()
            .and_then(Hlc::parse)
            .ok_or_else(|| damaged("a record has a malformed clock"))
    };
    if kind_name == "merge" {
        let kind = value["of"]
            .as_str()
            .and_then(Kind::parse)
            .ok_or_else(|| damaged("a merge names no record type"))?;
        let into = value["into"]
            .as_str()
            .filter(|id| uuid::Uuid::parse_str(id).is_ok())
            .ok_or_else(|| damaged("a merge names no record"))?
            .to_owned();
        return Ok(Some(Item::Merge {
            kind,
            gone: id,
            into,
            hlc: stamp(&value["hlc"])?,
        }));
    }
    let Some(kind) = Kind::parse(kind_name) else {
        return Ok(None);
    };
    let deleted = match &value["deleted"] {
        Value::Null => None,
        v => Some(stamp(v)?),
    };
    let mut fields = std::collections::BTreeMap::new();
    if let Some(map) = value["fields"].as_object() {
        for name in kind.fields() {
            let Some(v) = map.get(*name) else { continue };
            let Some([val, hlc, prev]) = v.as_array().map(Vec::as_slice) else {
                return Err(damaged("a field is malformed"));
            };
            fields.insert(
                (*name).to_owned(),
                Field {
                    value: canonical(name, val.clone()),
                    hlc: stamp(hlc)?,
                    prev: stamp(prev)?,
                },
            );
        }
    }
    Ok(Some(Item::Record(Record {
        kind,
        id,
        deleted,
        fields,
    })))
}

/// The one spelling of a value that two devices compare: instants in
/// jiff's RFC 3339 form (`…:00Z`, never `…:00.000Z`), tags sorted.
fn canonical(field: &str, value: Value) -> Value {
    match (field, value) {
        ("start" | "end", Value::String(s)) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => Value::String(t.to_string()),
            Err(_) => Value::String(s),
        },
        ("tags", Value::Array(mut items)) => {
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            Value::Array(items)
        }
        (_, v) => v,
    }
}

/// Reads `device.json`, if it is there and whole.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = fs::read(dir.join(MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub fn write_manifest(dir: &Path, manifest: &Manifest) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(dir, MANIFEST, &bytes)
}

/// Sequence numbers of the files of one kind in a device folder, and the
/// names found there that are not such files.
pub fn list(dir: &Path, kind: FileKind) -> (Vec<u64>, Vec<(String, Unusable)>) {
    let mut seqs = Vec::new();
    let mut other = Vec::new();
    for entry in fs::read_dir(dir.join(kind.dir()))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        match classify(&name) {
            Ok(seq) => seqs.push(seq),
            Err(why) => other.push((name, why)),
        }
    }
    seqs.sort_unstable();
    (seqs, other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Item> {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert(
            "name".to_owned(),
            Field {
                value: json!("Website"),
                hlc: Hlc::new(1, 0, "ab"),
                prev: Hlc::ZERO,
            },
        );
        vec![Item::Record(Record {
            kind: Kind::Client,
            id: uuid::Uuid::new_v4().to_string(),
            deleted: None,
            fields,
        })]
    }

    #[test]
    fn a_file_round_trips_and_any_damage_is_caught() {
        let items = sample();
        let bytes = encode(
            FileKind::Changes,
            "dev",
            7,
            jiff::Timestamp::UNIX_EPOCH,
            &items,
        );
        let (header, back) = decode(&bytes).unwrap();
        assert_eq!(header.seq, 7);
        assert!(!header.snapshot);
        assert_eq!(back, items);
        // Cut anywhere, or one byte changed: never accepted.
        for cut in [1, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                matches!(decode(&bytes[..cut]), Err(Invalid::Damaged(_))),
                "cut at {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let i = flipped.iter().position(|b| *b == b'W').unwrap();
        flipped[i] = b'V';
        assert!(matches!(decode(&flipped), Err(Invalid::Damaged(_))));
    }

    #[test]
    fn a_newer_format_is_recognised_not_applied() {
        let bytes = encode(
            FileKind::Changes,
            "dev",
            1,
            jiff::Timestamp::UNIX_EPOCH,
            &sample(),
        );
        let text = String::from_utf8(bytes).unwrap().replacen(
            "\"timetracker_sync\":1",
            "\"timetracker_sync\":2",
            1,
        );
        assert_eq!(
            decode(text.as_bytes()).unwrap_err(),
            Invalid::NewerFormat(2)
        );
    }

    #[test]
    fn engine_temporaries_and_conflict_copies_are_told_apart() {
        assert_eq!(classify("0000000003.jsonl"), Ok(3));
        assert_eq!(
            classify(".syncthing.0000000003.jsonl.tmp"),
            Err(Unusable::EngineTemp)
        );
        assert_eq!(
            classify("~syncthing~0000000003.jsonl.tmp"),
            Err(Unusable::EngineTemp)
        );
        assert_eq!(
            classify("0000000003.sync-conflict-20261201-101010-ABCDEFG.jsonl"),
            Err(Unusable::ConflictCopy)
        );
        assert_eq!(
            classify("0000000003 (conflicted copy 2026-12-01).jsonl"),
            Err(Unusable::ConflictCopy)
        );
        assert_eq!(classify(".tt-tmp-abc"), Err(Unusable::OurTemp));
        assert_eq!(classify("notes.txt"), Err(Unusable::Unknown));
        assert_eq!(classify("3.jsonl"), Err(Unusable::Unknown));
    }
}
