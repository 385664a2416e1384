"""Whole-process wall-clock timing: fork+exec to exit, stdout to /dev/null."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
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
                capture: bool = False) -> tuple[float, float, str]:
    """Runs every step of v.

    Returns (wall seconds inside the processes, their user + system CPU
    seconds, the last step's stdout when captured).
    """
    total = cpu = 0.0
    out = ""
    for i, argv in enumerate(v.steps):
        if i:
            _to_next_second()
        stdin = v.stdin.open("rb") if v.stdin else subprocess.DEVNULL
        with errfile.open("wb") as err:
            stdout = subprocess.PIPE if capture else subprocess.DEVNULL
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=stdout, stderr=err)
            if capture:
                # A reader thread drains the pipe; this thread waits in wait4.
                chunks: list[bytes] = []
                reader = threading.Thread(target=lambda: chunks.append(p.stdout.read()))
                reader.start()
            # A blocking wait4, not subprocess's wait(timeout=...): that one polls
            # with sleeps of 0.5, 1, 2, 4 ... ms and rounds every time up to them.
            killer = threading.Timer(TIMEOUT_S, p.kill)
            killer.start()
            _, status, usage = os.wait4(p.pid, 0)
            total += time.perf_counter() - t0
            cpu += usage.ru_utime + usage.ru_stime
            killer.cancel()
            p.returncode = os.waitstatus_to_exitcode(status)
            if capture:
                reader.join()
                p.stdout.close()
                out = b"".join(chunks).decode("utf-8", errors="replace")
        if v.stdin:
            stdin.close()
        if p.returncode not in v.ok_codes:
            msg = errfile.read_text(errors="replace").strip()[-2000:]
            raise StepFailed(f"`{' '.join(argv)}` exited {p.returncode}: {msg}")
    return total, cpu, out


@dataclass
class Samples:
    label: str
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min(self) -> float:
        return min(self.seconds)
