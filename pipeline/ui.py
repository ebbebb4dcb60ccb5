"""Terminal presentation (rich lives only here): notices, the progress bar, human views of results.

Rules: notices and progress go to stderr; results to stdout. ``quiet`` silences notices and progress.
When stderr is not a terminal there is no progress bar and no colour, so logs and pipes stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.model import Cast, Script, Voice


def _fmt_clock(ms: int) -> str:
    s = max(0, int(round(ms / 1000)))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class _RichProgress:
    """The synthesis progress bar: clips done/total, minutes of audio, ETA (rich, stderr, TTY only)."""

    def __init__(self, console) -> None:
        self._console = console
        self._progress = None
        self._task = None
        self._audio_s = 0.0

    def start(self, label: str, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.finish()
        self._audio_s = 0.0
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("clips"), TextColumn("{task.fields[audio]}"), TextColumn("ETA"), TimeRemainingColumn(),
            console=self._console, transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(label, total=total, audio="0.0 min audio")

    def advance(self, units: int = 1, audio_seconds: float = 0.0) -> None:
        if self._progress is None:
            return
        self._audio_s += audio_seconds
        self._progress.update(self._task, advance=units, audio=f"{self._audio_s / 60:.1f} min audio")

    def note(self, message: str) -> None:
        self._console.print(message, markup=False, highlight=False)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class _StageNotes:
    """Non-TTY progress: no bar; stage starts are silent, notices print as plain lines."""

    def __init__(self, ui: Ui) -> None:
        self._ui = ui

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, units: int = 1, audio_seconds: float = 0.0) -> None:
        pass

    def note(self, message: str) -> None:
        self._ui.note(message)

    def finish(self) -> None:
        pass


class Ui:
    """What the CLI shows. Library code receives only ``note`` callables and :class:`Progress` objects."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._err = None
        self._out = None
        self._t0 = time.monotonic()

    # consoles are created lazily so `recast --help` never imports rich.console
    @property
    def err(self):
        if self._err is None:
            from rich.console import Console

            self._err = Console(stderr=True, highlight=False, soft_wrap=True)
        return self._err

    @property
    def out(self):
        if self._out is None:
            from rich.console import Console

            self._out = Console(highlight=False, soft_wrap=True)
        return self._out

    def note(self, message: str) -> None:
        """A one-line notice on stderr (silent with --quiet)."""
        if not self.quiet:
            sys.stderr.write(f"recast: {message}\n")
            sys.stderr.flush()

    def warning(self, message: str) -> None:
        """A one-line warning on stderr: something the user should fix (silent with --quiet, like notices;
        ``--json`` output carries it instead)."""
        self.note(f"warning: {message}")

    def progress(self):
        """A Progress for long stages: a rich bar on a terminal, nothing when quiet or not a TTY."""
        from pipeline.progress import NullProgress

        if self.quiet:
            return NullProgress()
        if sys.stderr.isatty():
            return _RichProgress(self.err)
        return _StageNotes(self)

    # ------------------------------------------------------------------------------------------ views

    def show_script(self, script: Script, cast: Cast | None = None) -> None:
        """Human view of ``recast inspect``."""
        from rich.table import Table

        spoken = {s.id: 0 for s in script.speakers}
        turns = {s.id: 0 for s in script.speakers}
        for t in script.turns:
            spoken[t.speaker] += len(t.spoken_text)
            turns[t.speaker] += 1
        total_chars = sum(spoken.values())
        est_s = estimate_speech_seconds(script)
        c = self.out
        c.print(f"[bold]{_esc(script.title)}[/bold]")
        c.print(f"Published: {script.published.isoformat() if script.published else 'unknown'}   "
                f"Language: {script.language}   Format: {script.source.format} ({script.source.encoding})")
        c.print(f"Turns: {len(script.turns)}   Spoken characters: {total_chars:,}   "
                f"Estimated speech: {_fmt_clock(int(est_s * 1000))}")
        table = Table(title="Speakers", title_justify="left")
        table.add_column("id")
        table.add_column("name")
        table.add_column("label")
        table.add_column("turns", justify="right")
        table.add_column("characters", justify="right")
        if cast is not None:
            table.add_column("role")
            table.add_column("voice")
        for s in script.speakers:
            row = [s.id, s.name, s.label, str(turns[s.id]), f"{spoken[s.id]:,}"]
            if cast is not None:
                row += [cast.role_of(s.id), cast.voice_for(s.id).describe()]
            table.add_row(*(_esc(x) for x in row))
        c.print(table)
        if cast is not None:
            c.print(f"Narrator voice: {_esc(cast.narrator.describe())}")
        if script.chapters:
            c.print("[bold]Chapters[/bold]")
            for i, ch in enumerate(script.chapters, 1):
                c.print(f"  {i}. {_esc(ch.title)}  (from turn {ch.start_turn + 1})")
        if script.key_points:
            c.print("[bold]Key points[/bold]")
            for kp in script.key_points:
                c.print(f"  • {_esc(kp)}")
        if script.description:
            c.print("[bold]Description[/bold]")
            c.print("  " + _esc(script.description[:400]) + ("…" if len(script.description) > 400 else ""))

    def show_render(self, result: Any) -> None:
        """Human summary of ``recast render``: where the edition is and what it holds."""
        m = result.manifest
        c = self.out
        c.print(f"[bold]Edition ready:[/bold] {_nice_path(result.edition_dir)}")
        c.print(f"  {_esc(m.title)}")
        lo = m.loudness
        c.print(f"  Duration {_fmt_clock(m.duration_ms)}, {len(m.chapters)} chapters, "
                f"{len(m.speakers)} speakers, engine {m.engine.get('name')}; loudness "
                f"{lo.get('integrated_lufs', float('nan')):.1f} LUFS, true peak "
                f"{lo.get('true_peak_dbtp', float('nan')):.1f} dBTP")
        st = m.stats
        c.print(f"  Clips: {st.get('synthesized', 0)} synthesized, {st.get('cached', 0)} from cache; "
                f"took {st.get('timings', {}).get('total', 0):.1f} s")
        for f in m.files:
            c.print(f"  {f.name:<18} {f.bytes:>12,} bytes")
        c.print(f"Play it: ffplay -nodisp {_nice_path(result.edition_dir / m.files[0].name)}" if m.files else "")

    def show_voices(self, voices: list[Voice]) -> None:
        """Table of voices for ``recast voices``."""
        from rich.table import Table

        table = Table(title=f"{len(voices)} voices", title_justify="left")
        for col in ("engine", "name", "locale", "gender", "personalities"):
            table.add_column(col)
        for v in voices:
            table.add_row(v.engine, v.name, v.locale, v.gender, ", ".join(v.personalities))
        self.out.print(table)

    def show_publish(self, result: Any) -> None:
        """One-paragraph summary of publish/unpublish on stdout; its warnings go to stderr, one line each."""
        d = result.to_dict()
        lines = [f"{d.get('action', 'done').capitalize()}: {d.get('slug', '')}"]
        for key in ("guid", "feed_url", "feed_path", "site_path", "episodes"):
            if d.get(key) not in (None, ""):
                lines.append(f"  {key.replace('_', ' ')}: {d[key]}")
        self.out.print("\n".join(_esc(x) for x in lines))
        for warning in d.get("warnings") or []:
            self.warning(warning)


def estimate_speech_seconds(script: Script) -> float:
    """Rough speech duration at a typical voice's pace (:data:`pipeline.lang.TYPICAL`)."""
    from pipeline.lang import TYPICAL

    return sum(TYPICAL.ms(t.spoken_text) for t in script.turns) / 1000


def _nice_path(path) -> str:
    """``path`` relative to the current folder when it is inside it (as the user typed it), else absolute."""
    import os

    rel = os.path.relpath(path)
    return rel if not rel.startswith("..") else str(path)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(str(text))
