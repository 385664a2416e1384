//! A report Sentry refuses as too large (413) is cut down and offered once
//! more instead of being lost: what makes a report big (breadcrumbs, extra
//! data, deep stacks, long messages, attachments) is what a developer needs
//! least to see that the crash happened and where.

use sentry::protocol::{EnvelopeItem, Event, Stacktrace};
use sentry::Envelope;

/// Marks a report that was cut down, so it is never cut twice and the
/// developer reading it knows parts are missing.
pub const SHRUNK_TAG: &str = "shrunk";
/// The innermost frames kept of each stack: the crash site and its callers.
const FRAMES: usize = 50;
/// Longest message or exception value kept, in bytes.
const TEXT: usize = 4 * 1024;

/// The envelope cut down, or `None` when it cannot be made smaller (it
/// does not parse, or was cut down already).
pub fn envelope(bytes: &[u8]) -> Option<Vec<u8>> {
    let envelope = Envelope::from_slice(bytes).ok()?;
    if envelope
        .event()
        .is_some_and(|e| e.tags.contains_key(SHRUNK_TAG))
    {
        return None;
    }
    let mut out = Envelope::new().with_headers(envelope.headers().clone());
    for item in envelope.into_items() {
        match item {
            EnvelopeItem::Event(event) => out.add_item(event_cut(*event)),
            // Neither is the report itself: a trace, or a file beside it.
            EnvelopeItem::Transaction(_) | EnvelopeItem::Attachment(_) => {}
            other => out.add_item(other),
        }
    }
    let mut smaller = Vec::new();
    out.to_writer(&mut smaller).ok()?;
    (smaller.len() < bytes.len()).then_some(smaller)
}

fn event_cut(mut event: Event<'static>) -> Event<'static> {
    event.tags.insert(SHRUNK_TAG.into(), "413".into());
    event.breadcrumbs = Default::default();
    event.extra.clear();
    event.modules.clear();
    event.threads = Default::default();
    event.debug_meta = Default::default();
    event.request = None;
    if let Some(m) = event.message.as_mut() {
        cut_text(m);
    }
    if let Some(entry) = event.logentry.as_mut() {
        cut_text(&mut entry.message);
        entry.params.clear();
    }
    if let Some(stack) = event.stacktrace.as_mut() {
        cut_stack(stack);
    }
    for exception in &mut event.exception.values {
        if let Some(v) = exception.value.as_mut() {
            cut_text(v);
        }
        exception.raw_stacktrace = None;
        if let Some(stack) = exception.stacktrace.as_mut() {
            cut_stack(stack);
        }
    }
    event
}

fn cut_text(text: &mut String) {
    if text.len() > TEXT {
        let mut end = TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
}

/// Sentry lists frames outermost first: the innermost are kept, and the
/// gap is recorded the way Sentry shows it.
fn cut_stack(stack: &mut Stacktrace) {
    let n = stack.frames.len();
    if n > FRAMES {
        stack.frames.drain(..n - FRAMES);
        stack.frames_omitted = Some((0, (n - FRAMES) as u64));
    }
    for frame in &mut stack.frames {
        frame.vars.clear();
        frame.pre_context.clear();
        frame.post_context.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentry::protocol::{Breadcrumb, Exception, Frame};

    fn bytes(event: Event<'static>) -> Vec<u8> {
        let mut b = Vec::new();
        Envelope::from(event).to_writer(&mut b).unwrap();
        b
    }

    fn big() -> Event<'static> {
        let frames = (0..300)
            .map(|i| Frame {
                function: Some(format!("f{i}")),
                ..Default::default()
            })
            .collect();
        Event {
            message: Some("é".repeat(10_000)),
            breadcrumbs: (0..100)
                .map(|i| Breadcrumb {
                    message: Some(format!("crumb {i} {}", "y".repeat(200))),
                    ..Default::default()
                })
                .collect::<Vec<_>>()
                .into(),
            exception: vec![Exception {
                ty: "panic".into(),
                value: Some("boom".into()),
                stacktrace: Some(Stacktrace {
                    frames,
                    ..Default::default()
                }),
                ..Default::default()
            }]
            .into(),
            ..Default::default()
        }
    }

    #[test]
    fn keeps_the_id_the_crash_site_and_a_marked_short_message() {
        let event = big();
        let id = event.event_id;
        let before = bytes(event);
        let after = envelope(&before).expect("smaller");
        assert!(
            after.len() * 4 < before.len(),
            "{} → {}",
            before.len(),
            after.len()
        );
        let cut = Envelope::from_slice(&after).unwrap();
        let e = cut.event().unwrap();
        assert_eq!(e.event_id, id);
        assert_eq!(e.tags.get(SHRUNK_TAG).map(String::as_str), Some("413"));
        assert!(e.breadcrumbs.values.is_empty());
        let message = e.message.as_deref().unwrap();
        assert!(message.len() <= TEXT + '…'.len_utf8() && message.ends_with('…'));
        let stack = e.exception.values[0].stacktrace.as_ref().unwrap();
        assert_eq!(stack.frames.len(), FRAMES);
        assert_eq!(
            stack.frames.last().unwrap().function.as_deref(),
            Some("f299")
        );
        assert_eq!(stack.frames_omitted, Some((0, 250)));
        assert_eq!(e.exception.values[0].value.as_deref(), Some("boom"));
    }

    #[test]
    fn a_report_is_cut_once_and_garbage_not_at_all() {
        let once = envelope(&bytes(big())).unwrap();
        assert_eq!(envelope(&once), None);
        assert_eq!(envelope(b"not an envelope\n{"), None);
    }
}
