"""TimeTracker's `tt`, built in release mode from this repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from . import history as H
from .tools import REPO, Ctx, Tool, Unavailable, Variant, _run

CLI_DIR = REPO / "crates" / "cli"
NEEDED = ["status", "start", "stop", "report", "export", "import"]


class TimeTracker(Tool):
    def __init__(self, tt: str | None) -> None:
        super().__init__("tt", "TimeTracker")
        self.tt = tt

    def locate(self, build: bool) -> None:
        if not self.tt:
            manifest = CLI_DIR / "Cargo.toml"
            if not manifest.exists():
                raise Unavailable("crates/cli does not exist yet (no `tt` to measure)")
            m = re.search(r'^name\s*=\s*"([^"]+)"', manifest.read_text(), re.M)
            if not m:
                raise Unavailable(f"no package name in {manifest}")
            target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
            self.tt = str(target / "release" / "tt")
            if build:
                print(f"building {m.group(1)} (release) ...", file=sys.stderr)
                r = subprocess.run(["cargo", "build", "--release", "--quiet", "-p", m.group(1)], cwd=REPO)
                if r.returncode != 0:
                    raise Unavailable(f"cargo build --release -p {m.group(1)} failed")
        if not Path(self.tt).exists():
            raise Unavailable(f"{self.tt} missing")
        helptext = _run([self.tt, "--help"]).stdout
        missing = [c for c in NEEDED if not re.search(rf"^\s+{c}\b", helptext, re.M)]
        if missing:
            raise Unavailable(f"`tt` has no {', '.join(missing)} command yet")
        self.version = _run([self.tt, "--version"]).stdout.strip()

    def env(self, store: Path, home: Path) -> dict[str, str]:
        return {**self.base_env(home), "TIMETRACKER_DATA_DIR": str(store)}

    def seed_empty(self, store: Path) -> None:
        store.mkdir(parents=True)

    def import_source(self, h: H.History, work: Path) -> Path:
        self.json_source = H.write_tt_json(h, work / "timetracker-import.json")
        return H.write_tt_csv(h, work / "timetracker-import.csv")

    def seed_full(self, h: H.History, store: Path, home: Path, source: Path) -> None:
        """The full store is made by `tt import` itself: TimeTracker's own way in."""
        self.seed_empty(store)
        subprocess.run([self.tt, "import", str(source)], env=self.env(store, home),
                       check=True, capture_output=True)

    def count(self, store: Path, home: Path) -> int:
        out = subprocess.run([self.tt, "export", "--format", "json"], env=self.env(store, home),
                             check=True, capture_output=True, text=True).stdout
        return len(json.loads(out)["entries"])

    def variants(self, op: str, c: Ctx) -> list[Variant]:
        t = self.tt
        if op == "status":
            return [Variant("tt status", [[t, "status"]])]
        if op == "start_stop":
            return [Variant(f"tt start {c.project} --tag {c.tag}; tt stop",
                            [[t, "start", c.project, "--tag", c.tag], [t, "stop"]])]
        if op == "report_all":
            return [Variant("tt report --all", [[t, "report", "--all"]])]
        if op == "report_week":
            return [Variant(f"tt report --from {c.week_from} --to {c.week_to}",
                            [[t, "report", "--from", c.week_from, "--to", c.week_to]])]
        if op == "export":
            return [Variant("tt export --format json", [[t, "export", "--format", "json"]])]
        if op == "import":
            # Our own two formats; both are timed, the table shows the faster.
            return [Variant("tt import FILE.csv", [[t, "import", str(c.import_files[self.key])]]),
                    Variant("tt import FILE.json", [[t, "import", str(self.json_source)]])]
        raise KeyError(op)

