"""The Markdown that bench/run prints and writes to bench/results/latest.md."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path

from .timing import Samples
from .tools import OP_TITLES, OPS


def fmt_ms(s: float) -> str:
    ms = s * 1000
    if ms >= 10_000:
        return f"{ms / 1000:.1f} s"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    return f"{ms:.1f} ms"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    osname = platform.platform()
    try:
        osname = re.search(r'PRETTY_NAME="([^"]+)"', Path("/etc/os-release").read_text()).group(1)
    except (OSError, AttributeError):
        pass
    fs = subprocess.run(["df", "-T", "/tmp"], capture_output=True, text=True).stdout.splitlines()
    fstype = fs[1].split()[1] if len(fs) > 1 else "?"
    return (f"{cpu}, {os.cpu_count()} cores{mem}; {osname}, Linux {platform.release()}; "
            f"stores in /tmp ({fstype})")


def best(variants: list[Samples]) -> Samples | None:
    done = [v for v in variants if v.seconds]
    return min(done, key=lambda v: v.median) if done else None


def ratio(tt: Samples | None, peer: Samples | None) -> str:
    if not tt or not peer:
        return "–"
    r = peer.median / tt.median
    if r >= 1:
        return f"**{r:.2f}× faster**" if r < 10 else f"**{r:.1f}× faster**" if r < 100 else f"**{r:,.0f}× faster**"
    return f"{1 / r:.2f}× slower"


def render(meta: dict, results: dict[str, dict[str, list[Samples]]], tools: list,
           skipped: dict[str, str], na: dict[tuple[str, str], str], notes: list[str]) -> str:
    by_key = {t.key: t for t in tools}
    cols = [("tt", "TimeTracker"), ("timew", "Timewarrior"), ("watson", "Watson")]
    out = [f"# Benchmark: {meta['entries']:,} entries",
           "",
           f"- date: {meta['date']}",
           f"- command: `{meta['command']}`",
           f"- machine: {meta['machine']}",
           f"- load average before / after: {meta['load_before']} / {meta['load_after']}",
           "- versions: " + "; ".join(
               f"{name} {by_key[k].version}" if k in by_key else f"{name}: skipped"
               for k, name in cols),
           f"- history: {meta['history']}",
           "",
           f"Median wall-clock time of the whole process (fork + exec to exit), min in brackets, over "
           f"{meta['runs']} runs after one warm-up ({meta['quick_runs']} runs for cells under 0.25 s); "
           "lower is better. The ratio is the peer's median over TimeTracker's.",
           "",
           "| operation | TimeTracker | Timewarrior | Watson | vs Timewarrior | vs Watson |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    marks: dict[str, int] = {}
    footnotes: list[str] = []

    def cell(op: str, key: str) -> str:
        if key not in by_key:
            return "skipped"
        if (key, op) in na:
            reason = na[(key, op)]
            if reason not in marks:
                footnotes.append(reason)
                marks[reason] = len(footnotes)
            return f"n/a [{marks[reason]}]"
        b = best(results.get(op, {}).get(key, []))
        return f"{fmt_ms(b.median)} ({fmt_ms(b.min)})" if b else "–"

    for op in meta["ops"]:
        row = results.get(op, {})
        tt = best(row.get("tt", []))
        out.append(f"| {OP_TITLES[op]} | {cell(op, 'tt')} | {cell(op, 'timew')} | {cell(op, 'watson')} | "
                   f"{ratio(tt, best(row.get('timew', [])))} | {ratio(tt, best(row.get('watson', [])))} |")
    out.append("")
    for i, f in enumerate(footnotes, 1):
        out.append(f"[{i}] {f}  ")
    if footnotes:
        out.append("")
    out += ["## What each cell ran", "",
            "Where a tool has more than one way to do a row, each is timed and the table shows the fastest.", "",
            "CPU is the processes' user + system time (median), which other load on the machine disturbs less.", "",
            "| operation | tool | command | median | min | CPU |", "| --- | --- | --- | ---: | ---: | ---: |"]
    for op in meta["ops"]:
        for key, name in cols:
            for s in results.get(op, {}).get(key, []):
                if s.seconds:
                    out.append(f"| {OP_TITLES[op]} | {name} | `{s.label}` | {fmt_ms(s.median)} | {fmt_ms(s.min)} | {fmt_ms(s.cpu_median)} |")
    if notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"


__all__ = ["render", "machine", "fmt_ms", "OPS"]
