"""The machine's details and the results table of bench/suite.py (Markdown between markers, and plain text).

Every row is computed from the results dict that the suite also writes as JSON, so the table and the JSON
never disagree. A row: measurement, value, target, ratio, PASS/FAIL (or "info" for rows without a target).
The ratio column holds the measured ratio that the target bounds; for an absolute target (MB, seconds) it is
the value ÷ the limit, so ≤ 1 passes.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
from pathlib import Path

from suite_measure import write_atomic

START = "<!-- results:start -->"
END = "<!-- results:end -->"
TARGETS = {"scaling": 12.0, "rss_mb": 512.0, "cached": 1.5, "synthesis": 1.15, "edit": 0.20, "help": 0.3}


# ------------------------------------------------------------------------------------------ machine


def _first_line(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as err:
        return f"unavailable ({err})"
    text = (proc.stdout or proc.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _proc_field(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text("utf-8", "replace").splitlines():
            if line.split(":")[0].strip() == key:
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def details(root: Path) -> dict:
    """CPU, cores, RAM, OS, Python, ffmpeg, espeak-ng, load average, date and the commit measured."""
    mem_kb = _proc_field("/proc/meminfo", "MemTotal").split()[0]
    os_name = "unknown"
    try:
        match = re.search(r'^PRETTY_NAME="?([^"\n]*)', Path("/etc/os-release").read_text("utf-8"), re.M)
        os_name = match.group(1) if match else os_name
    except OSError:
        pass
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    commit = head.stdout.strip() if head.returncode == 0 else "unknown (not a git checkout)"
    dirty = head.returncode == 0 and subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--", "pipeline"], capture_output=True, text=True).stdout.strip()
    ffmpeg = _first_line(["ffmpeg", "-version"])
    return {
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "os": f"{os_name} (kernel {platform.release()})",
        "python": platform.python_version(),
        "ffmpeg": ffmpeg.split(" Copyright")[0],
        "espeak_ng": _first_line(["espeak-ng", "--version"]).split("  Data at")[0],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + (" (pipeline/ modified)" if dirty else ""),
    }


# ------------------------------------------------------------------------------------------ rows


def _sections(run: dict) -> str:
    """``encoded 3 of 18 section files, mp3 + m4a`` from a render's ``stats.sections``."""
    per = run.get("sections") or {}
    if not per:
        return "encoded in one pass"
    encoded, total = (sum(f[k] for f in per.values()) for k in ("encoded", "total"))
    return f"encoded {encoded} of {total} section files, {' + '.join(per)}"


def _row(name: str, value: str, target: str = "", ratio: float | None = None, ok: bool | None = None) -> tuple:
    status = "info" if ok is None else ("PASS" if ok else "FAIL")
    return (name, value, target, "" if ratio is None else f"{ratio:.2f}", status)


def _mins(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def rows(results: dict) -> list[tuple]:
    """The table's rows from the results dict (ERROR rows for measurements that could not run)."""
    m, out = results["measurements"], []
    if "renders" in m:
        r = m["renders"]
        sizes = r["sizes"]
        shown = set()
        for v in sizes.values():
            if (v["turns"], v["words_per_turn"]) in shown:  # --quick aliases sizes
                continue
            shown.add((v["turns"], v["words_per_turn"]))
            out.append(_row(f"espeak render, {v['turns']} turns ({_mins(v['audio_seconds'])} audio)",
                            f"{v['wall_seconds']:.1f} s; peak RSS {v['rss_mb']:.0f} MB "
                            f"(render process {v.get('own_peak_mb', 0):.0f} MB, tree {v.get('tree_peak_mb', 0):.0f} MB)"))
        lo, hi = sizes[r["scaling_pair"][0]], sizes[r["scaling_pair"][1]]
        out.append(_row(f"scaling {lo['turns']} → {hi['turns']} turns (render wall)",
                        f"{lo['wall_seconds']:.1f} s → {hi['wall_seconds']:.1f} s",
                        f"≤ {TARGETS['scaling']:g}×", r["scaling_ratio"], r["scaling_ratio"] <= TARGETS["scaling"]))
        worst = max(r["scaling_stage_ratios"].items(), key=lambda kv: kv[1], default=None)
        if worst:
            out.append(_row("worst stage scaling (same pair)", f"{worst[0]}: {worst[1]:.1f}×"))
        per = r["seconds_per_audio_minute"]
        chain = " → ".join(f"{per[k]:.2f}" for k in ("t10", "t100", "t1000") if k in per)
        out.append(_row("render s per audio minute, 10 → 100 → 1,000 turns", chain))
        big = max(sizes.values(), key=lambda v: v["audio_seconds"])
        out.append(_row(f"peak RSS, {big['turns']}-turn render ({_mins(big['audio_seconds'])})",
                        f"{big['rss_mb']:.0f} MB (render process {big.get('own_peak_mb', 0):.0f} MB, largest child "
                        f"{big.get('child_peak_mb', 0):.0f} MB {big.get('child_peak_name', '')})".replace(" )", ")"),
                        f"≤ {TARGETS['rss_mb']:g} MB", big["rss_mb"] / TARGETS["rss_mb"],
                        big["rss_mb"] <= TARGETS["rss_mb"]))
    if "cached" in m:
        for v in m["cached"].values():
            re_, bare = v["rerender"], v["bare"]
            strict = bare["mp3_seconds"] + bare["m4a_fast_seconds"]
            out.append(_row(f"cached re-render vs bare encode, {v['turns']} turns ({_mins(bare['audio_seconds'])}; "
                            "same codecs and settings: mp3, then AAC `-aac_coder fast`)",
                            f"{re_['wall_seconds']:.1f} s vs {strict:.1f} s (mp3 {bare['mp3_seconds']:.1f} + m4a "
                            f"{bare['m4a_fast_seconds']:.1f})",
                            f"≤ {TARGETS['cached']:g}×", v["ratio_fast_aac"], v["ratio_fast_aac"] <= TARGETS["cached"]))
            out.append(_row(f"… vs mp3 + m4a with ffmpeg's default AAC coder, one after the other, {v['turns']} turns",
                            f"{re_['wall_seconds']:.1f} s vs {bare['sequential_seconds']:.1f} s "
                            f"(mp3 {bare['mp3_seconds']:.1f} + m4a {bare['m4a_seconds']:.1f})", "",
                            v["ratio_sequential"]))
            out.append(_row(f"… vs both (default coders) at once, {v['turns']} turns",
                            f"{re_['wall_seconds']:.1f} s vs {bare['parallel_seconds']:.1f} s", "", v["ratio_parallel"]))
            out.append(_row(f"… stages after synthesis (mix … write), {v['turns']} turns",
                            f"{v['after_synthesis_seconds']:.1f} s vs {bare['sequential_seconds']:.1f} s", "",
                            v["ratio_stages_sequential"]))
            if "unchanged" in re_:
                same = re_["unchanged"]
                out.append(_row(f"… the same render once more, unchanged (every encoded section kept), {v['turns']} turns",
                                f"{same['wall_seconds']:.1f} s ({_sections(same)})", "",
                                round(same["wall_seconds"] / strict, 3)))
    if "naive" in m:
        v = m["naive"]
        n, rc = v["naive"], v["recast_cached"]
        out.append(_row(f"naive pydub `+` join + export, {v['turns']} turns (vs Recast cached re-render)",
                        f"{n['wall_seconds']:.1f} s, {n['rss_mb']:.0f} MB vs {rc['wall_seconds']:.1f} s, "
                        f"{rc['rss_mb']:.0f} MB", "", v["ratio_wall"]))
    if "synthesis" in m:
        v = m["synthesis"]
        for c, run in v["runs"].items():
            target = c == "4"
            out.append(_row(f"synthesis on emulator, concurrency {c} ({run['requests']} requests) vs ideal",
                            f"{run['timings']['synthesize']:.2f} s vs {run['ideal_seconds']:.2f} s",
                            f"≤ {TARGETS['synthesis']:g}×" if target else "", run["ratio"],
                            run["ratio"] <= TARGETS["synthesis"] if target else None))
        out.append(_row("synthesis concurrency 4 vs sequential (naive)",
                        f"{v['runs']['4']['timings']['synthesize']:.2f} s vs {v['runs']['1']['timings']['synthesize']:.2f} s",
                        "", v["ratio_c4_vs_c1"]))
    if "edit" in m:
        v = m["edit"]
        out.append(_row(f"re-render after a one-turn edit, {v['turns']} turns on emulator",
                        f"{v['edited']['wall_seconds']:.1f} s vs {v['full']['wall_seconds']:.1f} s "
                        f"({v['edited']['synthesized']} of {v['edited']['requests']} requests synthesized; "
                        f"{_sections(v['edited'])})",
                        f"≤ {TARGETS['edit']:g}×", v["ratio"], v["ratio"] <= TARGETS["edit"]))
    if "startup" in m:
        v = m["startup"]
        h, i = v["help"], v["inspect"]
        out.append(_row("`recast --help` (median of 5; min)", f"{h['median_seconds']:.3f} s; {h['min_seconds']:.3f} s",
                        f"< {TARGETS['help']:g} s", h["median_seconds"] / TARGETS["help"],
                        h["median_seconds"] < TARGETS["help"]))
        out.append(_row("`recast --help` heavy imports", ", ".join(v["help_heavy_imports"]) or "none", "none", None,
                        not v["help_heavy_imports"]))
        out.append(_row(f"`recast inspect --json`, {v['inspect_turns']} turns (median; min)",
                        f"{i['median_seconds']:.3f} s; {i['min_seconds']:.3f} s"))
    for name, error in results.get("errors", {}).items():
        out.append((name, f"could not run: {error}", "", "", "ERROR"))
    return out


# ------------------------------------------------------------------------------------------ output


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(results: dict, table: list[tuple]) -> str:
    """The Markdown that goes between the markers: machine details, the table, notes."""
    d = results["machine"]
    lines = [f"Measured {d['date']} on commit {d['commit']}{' — QUICK run (tiny sizes)' if results['quick'] else ''}.",
             "", f"- CPU: {d['cpu']} × {d['cores']} cores; RAM {d['ram_gib']} GiB",
             f"- OS: {d['os']}; Python {d['python']}",
             f"- {d['ffmpeg']}; {d['espeak_ng']}",
             f"- load average at start: {', '.join(str(x) for x in d['load_average'])}; "
             f"suite took {_mins(results.get('suite_seconds', 0))}", "",
             "| measurement | value | target | ratio | pass/fail |", "| --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table]
    lines += ["", "Ratio: the measured ratio the target bounds (for MB and seconds targets, value ÷ limit). Peak RSS: "
              "`ru_maxrss` of the render process from `os.wait4` (as GNU `time -f %M`), which on Linux is the peak "
              "of the largest single process — the Python render process or one of its ffmpeg/espeak-ng children; "
              "the render process's own peak (VmHWM) and the whole tree's total are sampled from /proc every 50 ms. "
              "Raw numbers: the suite's results JSON."]
    return "\n".join(lines)


def update_markdown(path: Path, body: str) -> None:
    """Put ``body`` between the markers in ``path`` (created with the markers if missing); keep the rest."""
    text = path.read_text("utf-8") if path.exists() else (
        "# Benchmarks\n\n`make bench` runs `bench/suite.py`, which measures every target below in one run and "
        f"rewrites the results between the markers.\n\n{START}\n{END}\n")
    if START not in text or END not in text or text.index(START) > text.index(END):
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, f"{head}{START}\n{body}\n{END}{tail}")


def plain(table: list[tuple]) -> str:
    """The table as aligned plain text for the terminal."""
    widths = [max(len(str(row[i])) for row in table) for i in range(5)] if table else [0] * 5
    widths[1] = min(widths[1], 70)
    return "".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
                   for row in table)
