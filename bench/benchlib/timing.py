"""Whole-process wall-clock timing: fork+exec to exit, stdout to /dev/null."""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .tools import Variant

TIMEOUT_S = 1800


class StepFailed(Exception):
    pass


def _to_next_second() -> None:
    # Timewarrior refuses to stop an interval in the second it started
    # ("The end of a date range must be after the start"), so every tool's stop
    # runs in a later second than its start. The wait is not timed.
    now = time.time()
    time.sleep(1.0 - (now % 1.0) + 0.02)


def run_variant(v: Variant, env: dict[str, str], cwd: Path, errfile: Path,
                capture: bool = False) -> tuple[float, str]:
    """Runs every step of v; returns (seconds spent inside the processes, last stdout)."""
    total = 0.0
    out = ""
    for i, argv in enumerate(v.steps):
        if i:
            _to_next_second()
        stdin = v.stdin.open("rb") if v.stdin else subprocess.DEVNULL
        with errfile.open("wb") as err:
            stdout = subprocess.PIPE if capture else subprocess.DEVNULL
            t0 = time.perf_counter()
            p = subprocess.run(argv, env=env, cwd=cwd, stdin=stdin, stdout=stdout,
                               stderr=err, timeout=TIMEOUT_S)
            total += time.perf_counter() - t0
        if v.stdin:
            stdin.close()
        if p.returncode not in v.ok_codes:
            msg = errfile.read_text(errors="replace").strip()[-2000:]
            raise StepFailed(f"`{' '.join(argv)}` exited {p.returncode}: {msg}")
        if capture:
            out = p.stdout.decode("utf-8", errors="replace")
    return total, out


@dataclass
class Samples:
    label: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min(self) -> float:
        return min(self.seconds)
