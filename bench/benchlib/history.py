"""One deterministic history, written in each tool's native storage.

The history is a pure function of (seed, entry count, anchor day): the same
arguments give byte-identical files. The anchor is the first day *without*
entries (by default today, UTC), so "the last week" always holds a full week
of work and a timer started now never overlaps the history.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

ENTRIES_PER_DAY = 27.4  # 100,000 entries ~ ten years of heavy use
DAY_START_MIN = 6 * 60  # work day in UTC minutes: 06:00 ..
DAY_END_MIN = 22 * 60  #                            .. 22:00; nothing crosses midnight

CLIENTS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell"]
PROJECT_STEMS = [
    "website", "mobile-app", "billing", "onboarding", "api", "data-warehouse",
    "design-system", "support", "infra", "security-audit", "marketing",
    "research", "hiring", "docs", "analytics", "migration",
]
TAGS = [
    "meeting", "code", "review", "email", "planning", "bugfix", "design",
    "call", "research", "writing", "deploy", "testing", "admin", "travel",
    "pairing", "ops", "support", "urgent", "focus", "learning", "interview",
    "invoice", "qa", "spec",
]
VERBS = ["Fix", "Review", "Write", "Plan", "Discuss", "Deploy", "Test", "Refactor",
         "Design", "Update", "Investigate", "Prepare", "Document", "Sync on"]
OBJECTS = ["login flow", "invoice export", "search page", "release notes", "sprint board",
           "database schema", "onboarding emails", "error handling", "dashboard charts",
           "pricing page", "API rate limits", "backup job", "user interviews",
           "quarterly report", "CI pipeline", "accessibility issues", "caching layer"]
CURRENCIES = ["EUR", "USD", "GBP"]


@dataclass(frozen=True)
class Project:
    name: str
    client: str | None
    billable: bool
    hourly_rate_cents: int | None
    currency: str | None


@dataclass(frozen=True)
class Entry:
    start: int  # UTC seconds since the epoch
    end: int
    project: str
    tags: tuple[str, ...]  # sorted, distinct, never the project's name
    description: str


@dataclass(frozen=True)
class History:
    seed: int
    anchor: dt.date  # first day after the history
    projects: list[Project]
    entries: list[Entry]  # sorted by start, no overlaps

    @property
    def first_day(self) -> dt.date:
        return utc_date(self.entries[0].start)

    def busiest_project(self) -> str:
        counts: dict[str, int] = {}
        for e in self.entries:
            counts[e.project] = counts.get(e.project, 0) + 1
        return max(sorted(counts), key=lambda p: counts[p])


def utc_date(ts: int) -> dt.date:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).date()


def _projects(rng: random.Random) -> list[Project]:
    projects = []
    for client in CLIENTS:
        for stem in rng.sample(PROJECT_STEMS, 4):
            billable = rng.random() < 0.7
            projects.append(Project(
                name=f"{client.lower()}-{stem}",
                client=client,
                billable=billable,
                hourly_rate_cents=rng.choice([6000, 7500, 9000, 12000]) if billable else None,
                currency=rng.choice(CURRENCIES) if billable else None,
            ))
    for stem in ["internal", "learning", "admin", "open-source"]:
        projects.append(Project(stem, None, False, None, None))
    return projects  # 36 projects


def generate(n: int, seed: int = 7, anchor: dt.date | None = None) -> History:
    """n entries on consecutive days ending the day before `anchor`."""
    anchor = anchor or dt.datetime.now(dt.timezone.utc).date()
    rng = random.Random(seed)
    projects = _projects(rng)
    # Zipf-like weights: a few projects and tags carry most of the work.
    pweights = [1.0 / (i + 1) for i in range(len(projects))]
    rng.shuffle(pweights)
    tweights = [1.0 / (i + 1) ** 0.8 for i in range(len(TAGS))]

    days = max(1, round(n / ENTRIES_PER_DAY))
    first = anchor - dt.timedelta(days=days)
    base, extra = divmod(n, days)
    extra_days = set(rng.sample(range(days), extra))
    window = DAY_END_MIN - DAY_START_MIN

    entries: list[Entry] = []
    for d in range(days):
        k = base + (1 if d in extra_days else 0)
        if k == 0:
            continue
        day = first + dt.timedelta(days=d)
        midnight = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())
        slot = window * 60 // k  # seconds per entry; each entry fills part of its slot
        for i in range(k):
            length = int(slot * rng.uniform(0.45, 0.95))
            offset = rng.randint(0, slot - length)
            start = midnight + DAY_START_MIN * 60 + i * slot + offset
            project = rng.choices(projects, weights=pweights)[0].name
            ntags = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
            tags = set()
            while len(tags) < ntags:
                tags.add(rng.choices(TAGS, weights=tweights)[0])
            desc = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
            if rng.random() < 0.3:
                desc += f" (#{rng.randint(100, 9999)})"
            entries.append(Entry(start, start + length, project, tuple(sorted(tags)), desc))
    return History(seed, anchor, projects, entries)


# --- Timewarrior: $TIMEWARRIORDB/data/YYYY-MM.data + tags.data -------------

def _tw_time(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _tw_tag(tag: str) -> str:
    # timew itself quotes anything beyond [A-Za-z0-9_] (e.g. hyphens); it reads both.
    if tag.replace("_", "").isalnum() and tag.isascii():
        return tag
    return '"' + tag.replace("\\", "\\\\").replace('"', '\\"') + '"'


def timew_tags(e: Entry) -> list[str]:
    """Timewarrior has only tags: the project is one more tag (sorted, as timew keeps them)."""
    return sorted({e.project, *e.tags})


def write_timewarrior(h: History, db: Path) -> None:
    data = db / "data"
    data.mkdir(parents=True, exist_ok=True)
    (db / "extensions").mkdir(exist_ok=True)
    (db / "timewarrior.cfg").touch()
    by_month: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for e in h.entries:
        tags = timew_tags(e)
        for t in tags:
            counts[t] = counts.get(t, 0) + 1
        # Descriptions carry no quotes or backslashes: timew 1.4.3 fails its own
        # encode/decode check on an annotation holding both.
        line = (f"inc {_tw_time(e.start)} - {_tw_time(e.end)} # "
                f"{' '.join(_tw_tag(t) for t in tags)} # \"{e.description}\"\n")
        by_month.setdefault(dt.datetime.fromtimestamp(e.start, dt.timezone.utc).strftime("%Y-%m"), []).append(line)
    for month, lines in by_month.items():
        (data / f"{month}.data").write_text("".join(lines))
    # Same layout timew writes: one "tag":{"count":N} per line.
    body = ",\n".join(f"  {json.dumps(t)}:{{\"count\":{c}}}" for t, c in sorted(counts.items()))
    (data / "tags.data").write_text("{\n" + body + "\n}")


# --- Watson: $WATSON_DIR/frames -------------------------------------------

def watson_frames(h: History) -> list[list]:
    """[start, stop, project, id, tags, updated_at]; Watson has no descriptions."""
    rng = random.Random(h.seed + 1)
    return [[e.start, e.end, e.project, uuid.UUID(int=rng.getrandbits(128), version=4).hex,
             list(e.tags), e.end] for e in h.entries]


def write_watson(h: History, watson_dir: Path) -> Path:
    watson_dir.mkdir(parents=True, exist_ok=True)
    path = watson_dir / "frames"
    # Watson writes its frames file with indent=1, ensure_ascii=False.
    path.write_text(json.dumps(watson_frames(h), indent=1, ensure_ascii=False))
    return path


# --- TimeTracker: our own import formats (docs/export-format.md) -----------

def _rfc3339(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rate(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


CSV_COLUMNS = ["id", "project", "client", "description", "start", "end",
               "duration_seconds", "tags", "billable", "hourly_rate", "currency"]


def write_tt_csv(h: History, path: Path) -> Path:
    projects = {p.name: p for p in h.projects}
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(CSV_COLUMNS)
        for i, e in enumerate(h.entries, 1):
            p = projects[e.project]
            w.writerow([i, e.project, p.client or "", e.description, _rfc3339(e.start),
                        _rfc3339(e.end), e.end - e.start, ";".join(e.tags),
                        "true" if p.billable else "false", _rate(p.hourly_rate_cents),
                        p.currency or ""])
    return path


def write_tt_json(h: History, path: Path) -> Path:
    projects = {p.name: p for p in h.projects}
    entries = []
    for i, e in enumerate(h.entries, 1):
        p = projects[e.project]
        entries.append({
            "id": i, "project": e.project, "client": p.client, "description": e.description,
            "start": _rfc3339(e.start), "end": _rfc3339(e.end), "duration_seconds": e.end - e.start,
            "tags": list(e.tags), "billable": p.billable, "hourly_rate_cents": p.hourly_rate_cents,
            "currency": p.currency,
        })
    doc = {"format": "timetracker", "version": 1,
           "exported_at": _rfc3339(int(dt.datetime(h.anchor.year, h.anchor.month, h.anchor.day,
                                                   tzinfo=dt.timezone.utc).timestamp())),
           "entries": entries}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False))
    return path
