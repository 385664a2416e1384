//! Clients and tags edited on their own travel like projects: names and
//! archived flags, and a tag rename as the entries' new tag lists.

use super::*;
use crate::ProjectBilling;

fn tagged(d: &mut Device, description: &str, tags: &[&str]) -> crate::Entry {
    d.t.add_entry(NewEntry {
        project_id: None,
        description: description.into(),
        started_at: ts("2026-11-23T08:00:00Z"),
        stopped_at: ts("2026-11-23T08:30:00Z"),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    })
    .unwrap()
}

/// Each entry's tags by its description (entries that start together
/// export in local id order, which differs between devices).
fn tags_by_description(t: &mut Tracker) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = export(t)
        .into_iter()
        .map(|e| {
            (
                e["description"].as_str().unwrap().to_owned(),
                e["tags"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn names(tags: &[crate::Tag]) -> Vec<(&str, bool, i64)> {
    tags.iter()
        .map(|t| (t.name.as_str(), t.archived, t.entries))
        .collect()
}

#[test]
fn a_client_made_renamed_and_archived_on_one_device_is_so_on_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let acme = a.t.create_client("Acme").unwrap();
    let p = a.t.create_project("Site", None).unwrap();
    a.t.set_project_billing(
        p.id,
        ProjectBilling {
            client: Some("acme".into()),
            ..Default::default()
        },
    )
    .unwrap();
    a.t.create_client("Initech").unwrap();
    sync_both(&mut a, &mut b);
    assert_eq!(b.t.list_clients().unwrap(), ["Acme", "Initech"]);

    a.clock.advance(SignedDuration::from_mins(1));
    a.t.rename_client(acme.id, "ACME Corp").unwrap();
    let initech = a.t.clients(false).unwrap()[1].id;
    a.t.set_client_archived(initech, true).unwrap();
    sync_both(&mut a, &mut b);
    assert_eq!(b.t.list_clients().unwrap(), ["ACME Corp"]);
    let all = b.t.clients(true).unwrap();
    let got: Vec<_> = all
        .iter()
        .map(|c| (c.name.as_str(), c.archived, c.projects))
        .collect();
    assert_eq!(got, [("ACME Corp", false, 1), ("Initech", true, 0)]);
    assert_eq!(
        b.t.list_projects(false).unwrap()[0].client.as_deref(),
        Some("ACME Corp")
    );

    // Restored on the other device: back in the picker on both.
    b.clock.advance(SignedDuration::from_mins(2));
    b.t.set_client_archived(all[1].id, false).unwrap();
    sync_both(&mut a, &mut b);
    assert_eq!(a.t.list_clients().unwrap(), ["ACME Corp", "Initech"]);
}

#[test]
fn a_client_archived_on_one_device_and_made_again_on_the_other_becomes_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let gone = a.t.create_client("Acme").unwrap();
    a.t.set_client_archived(gone.id, true).unwrap();
    // Made again later on the other device: the later name and the later
    // "not archived" win on both, so it is back in the pickers.
    b.clock.advance(SignedDuration::from_mins(1));
    b.t.create_client("ACME").unwrap();
    sync_both(&mut a, &mut b);
    for side in [&a, &b] {
        let all = side.t.clients(true).unwrap();
        let got: Vec<_> = all.iter().map(|c| (c.name.as_str(), c.archived)).collect();
        assert_eq!(got, [("ACME", false)]);
    }
}

#[test]
fn a_tag_renamed_on_one_device_is_renamed_on_the_others_entries_and_the_old_one_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    tagged(&mut a, "one", &["urgnet", "billing"]);
    tagged(&mut a, "two", &["urgnet"]);
    sync_both(&mut a, &mut b);
    let typo = b.t.tags(false).unwrap()[1].clone();
    assert_eq!(typo.name, "urgnet");

    b.clock.advance(SignedDuration::from_mins(1));
    let urgent = b.t.rename_tag(typo.id, "urgent").unwrap();
    assert_eq!((urgent.name.as_str(), urgent.entries), ("urgent", 2));
    assert_ne!(urgent.id, typo.id);
    sync_both(&mut a, &mut b);
    for d in [&mut a, &mut b] {
        assert_eq!(
            tags_by_description(&mut d.t),
            [
                ("one".to_owned(), serde_json::json!(["billing", "urgent"])),
                ("two".to_owned(), serde_json::json!(["urgent"]))
            ]
        );
        assert_eq!(d.t.list_tags().unwrap(), ["billing", "urgent"]);
        assert_eq!(
            names(&d.t.tags(true).unwrap()),
            [
                ("billing", false, 1),
                ("urgent", false, 2),
                ("urgnet", true, 0)
            ]
        );
    }

    // A change of case is the same tag, edited in place.
    a.clock.advance(SignedDuration::from_mins(5));
    let id = a.t.tags(false).unwrap()[1].id;
    let same = a.t.rename_tag(id, "Urgent").unwrap();
    assert_eq!(same.id, id);
    sync_both(&mut a, &mut b);
    assert_eq!(b.t.list_tags().unwrap(), ["billing", "Urgent"]);
    assert_eq!(
        tags_by_description(&mut b.t)[1].1,
        serde_json::json!(["Urgent"])
    );
}

#[test]
fn a_tag_archived_on_one_device_is_hidden_on_the_other_and_typing_it_brings_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    tagged(&mut a, "one", &["old"]);
    sync_both(&mut a, &mut b);
    let old = a.t.tags(false).unwrap()[0].id;
    a.clock.advance(SignedDuration::from_mins(1));
    a.t.set_tag_archived(old, true).unwrap();
    sync_both(&mut a, &mut b);
    assert!(b.t.list_tags().unwrap().is_empty());
    assert_eq!(export(&mut b.t)[0]["tags"], serde_json::json!(["old"]));

    b.clock.advance(SignedDuration::from_mins(2));
    tagged(&mut b, "two", &["OLD"]);
    sync_both(&mut a, &mut b);
    assert_eq!(a.t.list_tags().unwrap(), ["old"]);
}
