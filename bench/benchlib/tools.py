"""The three tools: where they come from, their stores, and what each row runs.

Every row maps to the nearest honest equivalent in each tool; docs/benchmarks.md
explains each mapping. A row can have several variants (e.g. Timewarrior's
built-in `summary` and its shipped `totals` report); the table shows the
fastest, the notes list them all.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import history as H

BENCH = Path(__file__).resolve().parent.parent
REPO = BENCH.parent
WATSON_VERSION = "2.1.0"
TOTALS_EXT = Path("/usr/share/doc/timewarrior/ext/totals.py.gz")

OPS = ["status", "start_stop", "report_all", "report_week", "export", "import"]
OP_TITLES = {
    "status": "status",
    "start_stop": "start + stop",
    "report_all": "report, all time",
    "report_week": "report, last 7 days",
    "export": "export everything",
    "import": "import the whole history",
}


class Unavailable(Exception):
    """A tool (or one of its rows) cannot run here; the message says why."""


@dataclass
class Ctx:
    """What the commands need to know about the generated history."""
    history: H.History
    project: str
    tag: str
    week_from: str  # YYYY-MM-DD, first day of the last 7 days
    week_to: str  # YYYY-MM-DD, last day (inclusive)
    anchor: str  # YYYY-MM-DD, the day after the history (exclusive end)
    import_files: dict[str, Path] = field(default_factory=dict)  # tool key -> file


@dataclass
class Variant:
    label: str  # the command line as shown in the docs
    steps: list[list[str]]  # one process per step; start+stop has two
    stdin: Path | None = None
    ok_codes: tuple[int, ...] = (0,)


@dataclass
class Tool:
    key: str
    name: str
    version: str = ""
    notes: dict[str, str] = field(default_factory=dict)  # op -> why n/a

    def base_env(self, home: Path) -> dict[str, str]:
        # /usr/bin first: Timewarrior's extensions run on Debian's python3.
        return {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": str(home),
            "TZ": "UTC",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "DO_NOT_TRACK": "1",
            "ENABLE_TELEMETRY": "false",
        }


def _run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=True, text=True, capture_output=True, **kw)


# --- Timewarrior -------------------------------------------------------------

class Timewarrior(Tool):
    def __init__(self) -> None:
        super().__init__("timew", "Timewarrior")
        self.timew = shutil.which("timew")

    def locate(self, install: bool) -> None:
        if not self.timew and install and os.geteuid() == 0:
            print("installing Debian's timewarrior with apt-get ...", file=sys.stderr)
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "timewarrior", "python3-dateutil"], check=False)
            self.timew = shutil.which("timew")
        if not self.timew:
            raise Unavailable("timew not found: apt-get install timewarrior")
        self.version = _run([self.timew, "--version"]).stdout.strip()
        # The shipped `totals` report is Timewarrior's fast route for the
        # report rows, and it needs python3-dateutil: a timew installed
        # without it gets it now, as root.
        if not self._dateutil() and install and os.geteuid() == 0:
            print("installing python3-dateutil for Timewarrior's totals report ...", file=sys.stderr)
            subprocess.run(["apt-get", "install", "-y", "-qq", "python3-dateutil"], check=False)
        self.has_totals = TOTALS_EXT.exists() and self._dateutil()

    @staticmethod
    def _dateutil() -> bool:
        return subprocess.run(["/usr/bin/python3", "-c", "import dateutil"],
                              capture_output=True).returncode == 0

    def env(self, store: Path, home: Path) -> dict[str, str]:
        return {**self.base_env(home), "TIMEWARRIORDB": str(store)}

    def seed_full(self, h: H.History, store: Path, home: Path) -> None:
        H.write_timewarrior(h, store)
        self._install_totals(store)

    def seed_empty(self, store: Path) -> None:
        (store / "data").mkdir(parents=True)
        (store / "extensions").mkdir()
        (store / "timewarrior.cfg").touch()

    def _install_totals(self, store: Path) -> None:
        if self.has_totals:
            ext = store / "extensions" / "totals.py"
            ext.write_bytes(gzip.decompress(TOTALS_EXT.read_bytes()))
            ext.chmod(0o755)

    def variants(self, op: str, c: Ctx) -> list[Variant]:
        t = self.timew
        week = [f"{c.week_from}", "-", f"{c.anchor}"]
        if op == "status":
            # timew exits 1 when nothing is being tracked: that is its answer, not a failure.
            return [Variant("timew", [[t]], ok_codes=(0, 1))]
        if op == "start_stop":
            return [Variant(f"timew start {c.project} {c.tag}; timew stop",
                            [[t, "start", c.project, c.tag], [t, "stop"]])]
        if op in ("report_all", "report_week"):
            if not self.has_totals:
                # `summary` alone is many times slower than `totals`: timing
                # only it would flatter us, so the cell says why it is empty.
                raise Unavailable(
                    "not comparable: Timewarrior's fastest report, its shipped `totals` extension, "
                    "needs python3-dateutil (`apt-get install python3-dateutil`), which is missing here")
            rng = [":all"] if op == "report_all" else week
            shown = " ".join(rng)
            out = [Variant(f"timew summary {shown}", [[t, "summary", *rng]])]
            if self.has_totals:
                out.append(Variant(f"timew report totals {shown}", [[t, "report", "totals", *rng]]))
            return out
        if op == "export":
            return [Variant("timew export", [[t, "export"]])]
        if op == "import":
            raise Unavailable(
                f"Timewarrior {self.version} has no import command (upstream issue #359); "
                "its documented way in is writing the data files, or one `timew track` per interval")
        raise KeyError(op)

    def track_variant(self, c: Ctx, i: int) -> Variant:
        """One interval added the only way the CLI allows: the per-entry cost of an import.

        Call i gets its own 30-second interval in the free 22:00-24:00 gap of
        the history's last day, so calls never overlap each other or the history.
        """
        d = (c.history.anchor - dt.timedelta(days=1)).isoformat()
        hh, mm = 22 + i // 60 % 2, i % 60
        return Variant("timew track START - END PROJECT TAG",
                       [[self.timew, "track", f"{d}T{hh}:{mm:02d}:00Z", "-",
                         f"{d}T{hh}:{mm:02d}:30Z", c.project, c.tag]])


# --- Watson --------------------------------------------------------------------

class Watson(Tool):
    def __init__(self, venv: Path) -> None:
        super().__init__("watson", "Watson")
        self.venv = venv
        self.watson = str(venv / "bin" / "watson")

    def locate(self, install: bool) -> None:
        if not Path(self.watson).exists():
            if not install:
                raise Unavailable(f"{self.watson} missing (run without --no-install)")
            print(f"installing td-watson=={WATSON_VERSION} into {self.venv} ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
            subprocess.run([str(self.venv / "bin" / "pip"), "install", "-q",
                            f"td-watson=={WATSON_VERSION}"], check=True)
        self.version = _run([self.watson, "--version"]).stdout.strip().rsplit(" ", 1)[-1]

    def env(self, store: Path, home: Path) -> dict[str, str]:
        return {**self.base_env(home), "WATSON_DIR": str(store)}

    def seed_full(self, h: H.History, store: Path, home: Path) -> None:
        H.write_watson(h, store)

    def seed_empty(self, store: Path) -> None:
        store.mkdir(parents=True)

    def variants(self, op: str, c: Ctx) -> list[Variant]:
        w = self.watson
        if op == "status":
            return [Variant("watson status", [[w, "status"]])]
        if op == "start_stop":
            return [Variant(f"watson start {c.project} +{c.tag}; watson stop",
                            [[w, "start", c.project, f"+{c.tag}"], [w, "stop"]])]
        if op == "report_all":
            return [Variant("watson report --all", [[w, "report", "--all"]])]
        if op == "report_week":
            return [Variant(f"watson report --from {c.week_from} --to {c.week_to}",
                            [[w, "report", "--from", c.week_from, "--to", c.week_to]])]
        if op == "export":
            return [Variant("watson log --all --json", [[w, "log", "--all", "--json"]])]
        if op == "import":
            return [Variant("watson merge --force FRAMES",
                            [[w, "merge", "--force", str(c.import_files[self.key])]])]
        raise KeyError(op)

    def import_source(self, h: H.History, work: Path) -> Path:
        return H.write_watson(h, work / "watson-import")

    def count(self, store: Path, home: Path) -> int:
        return len(json.loads((store / "frames").read_text()))
