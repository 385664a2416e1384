//! Undo data for deleted entries, kept in the core. The UI holds only an
//! opaque token: were it to send the entry back itself, a compromised
//! webview could "restore" any row it liked, id included (an id of
//! 2^63-1 would exhaust AUTOINCREMENT for good).

use std::collections::VecDeque;

use serde::Serialize;
use ts_rs::TS;

use super::edit::DeletedEntry;

/// How many deletes can still be undone. The UI offers undo for the last
/// one; a few more cover several windows or quick successive deletes
/// without keeping every deleted description in memory for the session.
const KEPT: usize = 50;

/// What a delete returns to the UI: the id it removed and the token that
/// brings it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Deleted {
    #[ts(type = "number")]
    pub id: i64,
    /// Pass to `restore_entry`; valid while this process runs, once.
    pub undo: String,
}

#[derive(Default)]
pub(crate) struct UndoLog {
    deleted: VecDeque<(String, DeletedEntry)>,
}

impl UndoLog {
    pub(crate) fn keep(&mut self, entry: DeletedEntry) -> Deleted {
        // Random, not a counter: a token must not be guessable from another.
        let token = uuid::Uuid::new_v4().simple().to_string();
        let id = entry.id;
        if self.deleted.len() == KEPT {
            self.deleted.pop_front();
        }
        self.deleted.push_back((token.clone(), entry));
        Deleted { id, undo: token }
    }

    pub(crate) fn get(&self, token: &str) -> Option<&DeletedEntry> {
        self.deleted
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, e)| e)
    }

    pub(crate) fn forget(&mut self, token: &str) {
        self.deleted.retain(|(t, _)| t != token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn entry(id: i64) -> DeletedEntry {
        DeletedEntry {
            id,
            project_id: None,
            description: String::new(),
            started_at: Timestamp::UNIX_EPOCH,
            stopped_at: None,
            tags: Vec::new(),
            created_at: Timestamp::UNIX_EPOCH,
            gid: None,
        }
    }

    #[test]
    fn tokens_are_distinct_and_only_the_newest_are_kept() {
        let mut log = UndoLog::default();
        let tokens: Vec<Deleted> = (0..=KEPT as i64).map(|i| log.keep(entry(i))).collect();
        assert_eq!(tokens[1].undo.len(), 32);
        assert_ne!(tokens[1].undo, tokens[2].undo);
        assert!(log.get(&tokens[0].undo).is_none(), "the oldest was dropped");
        assert_eq!(log.get(&tokens[KEPT].undo).map(|e| e.id), Some(KEPT as i64));
        log.forget(&tokens[KEPT].undo);
        assert!(log.get(&tokens[KEPT].undo).is_none());
    }
}
