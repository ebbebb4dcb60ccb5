"""Typed, frozen data passed between Recast's stages.

ingest → :class:`Script`; cast → :class:`Cast`; prepare text → :class:`Request`; synthesize → :class:`Clip`;
mix → :class:`Placement` / :class:`Mix`; write outputs → files described by ``episode.json``.
Objects validate themselves on construction so later stages never have to wonder.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import BadInput

#: Speaker id used for the narrator who reads the generated intro.
NARRATOR_ID = "narrator"

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


# --------------------------------------------------------------------------------------------- script


@dataclass(frozen=True)
class Span:
    """A piece of a turn's text: either speech or a stage direction such as （笑） or [inaudible]."""

    text: str
    """The characters exactly as they appear in the turn's text."""
    spoken: bool = True
    """False for stage directions, which are kept but not spoken by default."""


@dataclass(frozen=True)
class Speaker:
    """One person in the conversation."""

    id: str
    """Stable id used by turns (``s1``, ``s2`` … in order of first appearance, or as given in a JSON script)."""
    name: str
    """Display name, e.g. ``勞勃·西原`` or ``Audrey Tang``."""
    label: str
    """The label as first written in the source, e.g. ``勞勃·西原(Robert Nishihara)``."""
    aliases: tuple[str, ...] = ()
    """Other ways the source writes this speaker (e.g. ``Robert Nishihara``); all map to this speaker."""
    role: str | None = None
    """``host`` or ``guest`` when the source says so, else None (casting decides)."""
    gender: str | None = None
    """``female`` / ``male`` when known from the source or a cast file, else None."""

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id) or self.id == NARRATOR_ID:
            raise BadInput(f"invalid speaker id {self.id!r}: use letters, digits, '_', '-', '.' (not 'narrator')")
        if not self.name.strip():
            raise BadInput(f"speaker {self.id!r} has an empty name")
        if self.role not in (None, "host", "guest"):
            raise BadInput(f"speaker {self.id!r}: role must be host or guest, not {self.role!r}")
        if self.gender not in (None, "female", "male"):
            raise BadInput(f"speaker {self.id!r}: gender must be female or male, not {self.gender!r}")


@dataclass(frozen=True)
class Chapter:
    """A section heading of the source; a chapter of the edition."""

    title: str
    """The heading text."""
    start_turn: int
    """Index of the first turn in this chapter."""


@dataclass(frozen=True)
class Turn:
    """One uninterrupted contribution by one speaker (consecutive labels of one speaker are merged)."""

    speaker: str
    """The :attr:`Speaker.id` of who speaks."""
    text: str
    """The full text, paragraphs joined with a newline, stage directions included."""
    chapter: int | None = None
    """Index into :attr:`Script.chapters`, or None when the turn precedes every heading."""
    spans: tuple[Span, ...] = ()
    """``text`` split into speech and stage-direction spans; their texts concatenate to ``text``.
    Empty means the whole text is speech."""

    def __post_init__(self) -> None:
        if not self.spans:
            object.__setattr__(self, "spans", (Span(self.text, True),))
        elif "".join(s.text for s in self.spans) != self.text:
            raise ValueError("Turn.spans must concatenate to Turn.text")

    @property
    def spoken_text(self) -> str:
        """The text without stage directions."""
        return "".join(s.text for s in self.spans if s.spoken)


@dataclass(frozen=True)
class SourceInfo:
    """Where a script came from."""

    path: str
    """The path as given by the user (or ``<string>``)."""
    format: str
    """``article``, ``inline``, ``markdown``, ``vtt``, ``srt``, ``json`` or ``plain``."""
    encoding: str = "utf-8"
    """The detected text encoding."""
    sha256: str = ""
    """Hex digest of the raw bytes read."""


@dataclass(frozen=True)
class Script:
    """A parsed transcript: who says what, in which chapter, with the source's metadata."""

    title: str
    """Episode title (from the source, or the file name when it has none)."""
    language: str
    """BCP-47 tag: ``zh-TW``, ``zh-CN``, ``en``, …"""
    speakers: tuple[Speaker, ...]
    """Everyone who speaks, in order of first appearance."""
    turns: tuple[Turn, ...]
    """The dialogue in order."""
    chapters: tuple[Chapter, ...] = ()
    """Section headings in order; ``start_turn`` is non-decreasing."""
    published: _dt.date | None = None
    """Publication date when the source gives one."""
    description: str = ""
    """The source's intro paragraphs (never spoken as dialogue)."""
    key_points: tuple[str, ...] = ()
    """The source's own key points (e.g. 核心觀點), when present."""
    source: SourceInfo = field(default_factory=lambda: SourceInfo("<string>", "json"))
    """Provenance of the script."""

    def __post_init__(self) -> None:
        ids = [s.id for s in self.speakers]
        if len(set(ids)) != len(ids):
            raise BadInput("duplicate speaker ids in script")
        known = set(ids)
        for i, t in enumerate(self.turns):
            if t.speaker not in known:
                raise BadInput(f"turn {i} names unknown speaker {t.speaker!r}")
            if t.chapter is not None and not (0 <= t.chapter < len(self.chapters)):
                raise BadInput(f"turn {i} names chapter {t.chapter} but there are {len(self.chapters)}")
        last = 0
        for c in self.chapters:
            if c.start_turn < last or c.start_turn > len(self.turns):
                raise BadInput(f"chapter {c.title!r} starts at turn {c.start_turn}, out of order")
            last = c.start_turn

    def speaker(self, speaker_id: str) -> Speaker:
        """The speaker with this id (KeyError when unknown)."""
        for s in self.speakers:
            if s.id == speaker_id:
                return s
        raise KeyError(speaker_id)


# ----------------------------------------------------------------------------------------------- cast


@dataclass(frozen=True)
class Voice:
    """A voice in the catalogue (``voices/``)."""

    name: str
    """Engine voice id: Edge ShortName (``zh-TW-HsiaoChenNeural``) or espeak-ng voice (``cmn-latn-pinyin``)."""
    engine: str
    """``edge`` or ``espeak``."""
    locale: str
    """BCP-47 locale, e.g. ``zh-TW``."""
    gender: str
    """``female`` or ``male``."""
    personalities: tuple[str, ...] = ()
    """Edge VoiceTag personalities (``Warm``, ``Friendly`` …)."""
    categories: tuple[str, ...] = ()
    """Edge VoiceTag content categories (``News``, ``Conversation`` …)."""


@dataclass(frozen=True)
class VoiceSettings:
    """Everything an engine needs to know about how to speak: voice plus prosody."""

    engine: str
    """``edge`` or ``espeak``."""
    voice: str
    """Engine voice id."""
    rate: int = 0
    """Speaking-rate change in percent (−50 … +100)."""
    pitch: int = 0
    """Pitch change in Hz (−50 … +50)."""
    volume: int = 0
    """Volume change in percent (−50 … +50)."""

    def __post_init__(self) -> None:
        if self.engine not in ("edge", "espeak"):
            raise BadInput(f"unknown engine {self.engine!r}")
        if not self.voice or any(c in self.voice for c in "<>&'\"\n"):
            raise BadInput(f"invalid voice name {self.voice!r}")
        for name, value, lo, hi in (("rate", self.rate, -50, 100), ("pitch", self.pitch, -50, 50),
                                    ("volume", self.volume, -50, 50)):
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise BadInput(f"{name} must be an integer from {lo} to {hi}, not {value!r}")

    @property
    def edge_rate(self) -> str:
        """Rate in edge-tts form, e.g. ``+10%``."""
        return f"{self.rate:+d}%"

    @property
    def edge_pitch(self) -> str:
        """Pitch in edge-tts form, e.g. ``-5Hz``."""
        return f"{self.pitch:+d}Hz"

    @property
    def edge_volume(self) -> str:
        """Volume in edge-tts form, e.g. ``+0%``."""
        return f"{self.volume:+d}%"

    def describe(self) -> str:
        """Short human form: ``zh-TW-YunJheNeural (rate +10%, pitch -5Hz)``."""
        extras = [f"{n} {v:+d}{u}" for n, v, u in (("rate", self.rate, "%"), ("pitch", self.pitch, "Hz"),
                                                    ("volume", self.volume, "%")) if v]
        return self.voice + (f" ({', '.join(extras)})" if extras else "")


@dataclass(frozen=True)
class Cast:
    """Who speaks with which voice."""

    engine: str
    """The engine the cast is for (``edge`` or ``espeak``)."""
    speakers: tuple[tuple[str, VoiceSettings], ...]
    """(speaker id, voice settings) for every speaker of the script, in script order."""
    narrator: VoiceSettings
    """The voice that reads the intro; distinct from every speaker's settings."""
    host: str | None = None
    """Speaker id of the host (opens or asks most), None for a single narrator script."""
    roles: tuple[tuple[str, str], ...] = ()
    """(speaker id, ``host``/``guest``) for every speaker."""

    def voice_for(self, speaker_id: str) -> VoiceSettings:
        """Voice settings for a speaker id, or the narrator's for :data:`NARRATOR_ID`."""
        if speaker_id == NARRATOR_ID:
            return self.narrator
        for sid, vs in self.speakers:
            if sid == speaker_id:
                return vs
        raise KeyError(speaker_id)

    def role_of(self, speaker_id: str) -> str:
        """``host`` or ``guest``."""
        return dict(self.roles).get(speaker_id, "host" if speaker_id == self.host else "guest")


# ------------------------------------------------------------------------------------------ synthesis


@dataclass(frozen=True)
class Request:
    """One speech request: a piece of one turn (or of the intro) sent to the engine as one call."""

    index: int
    """Position in the edition (0-based, in play order)."""
    speaker: str
    """Speaker id, or :data:`NARRATOR_ID` for the intro."""
    text: str
    """Prepared plain text to speak (never markup; engines escape it)."""
    voice: VoiceSettings
    """How to speak it."""
    turn: int | None
    """Index of the script turn it belongs to; None for intro requests."""
    part: int
    """Position within its turn (or within the intro)."""
    chapter: int | None
    """Script chapter index of its turn; None for intro requests and turns before every heading."""
    lang: str = ""
    """Language of this piece when it differs from the script's (espeak-ng script runs), else ``""``."""
    continues: bool = False
    """True when this request continues the previous one mid-sentence (an espeak-ng script-run split, e.g.
    an English word inside Chinese): the mixer joins the two with a very short gap."""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("empty request text")


@dataclass(frozen=True)
class SentenceTiming:
    """Where one sentence lies inside a clip, as the engine reported it."""

    text: str
    """The sentence text."""
    start_ms: int
    """Start, in ms from the start of the clip's audio as returned by the engine."""
    end_ms: int
    """End, in ms from the start of the clip's audio."""

    def __post_init__(self) -> None:
        if self.start_ms < 0 or self.end_ms < self.start_ms:
            raise ValueError(f"bad sentence timing {self.start_ms}..{self.end_ms}")


@dataclass(frozen=True)
class Synthesis:
    """What an engine returns for one request."""

    audio: bytes
    """Encoded audio (``format``)."""
    format: str
    """``mp3`` (Edge: 24 kHz 48 kbps mono) or ``wav``."""
    sentences: tuple[SentenceTiming, ...]
    """Sentence timings reported by the engine (may be empty when the engine has none)."""
    duration_ms: int
    """Duration of the decoded audio."""


@dataclass(frozen=True)
class Clip:
    """A synthesized request, stored in the clip cache."""

    request: Request
    """The request it answers."""
    path: Path
    """The cached audio file."""
    format: str
    """``mp3`` or ``wav``."""
    duration_ms: int
    """Duration of the audio file."""
    sentences: tuple[SentenceTiming, ...]
    """Sentence timings relative to the start of the audio file."""
    cached: bool
    """True when it came from the cache, False when synthesized in this run."""


# ----------------------------------------------------------------------------------------------- mix


@dataclass(frozen=True)
class Placement:
    """Where a clip's trimmed speech lies in the edition."""

    request: Request
    """The request the clip answers."""
    start_ms: int
    """Start of the (trimmed) speech in the edition."""
    end_ms: int
    """End of the (trimmed) speech in the edition."""
    sentences: tuple[SentenceTiming, ...]
    """Sentence timings in edition time (absolute ms), clamped inside [start_ms, end_ms]."""


@dataclass(frozen=True)
class TimedChapter:
    """A chapter of the edition with times."""

    title: str
    """Chapter title (the intro chapter first)."""
    start_ms: int
    """Where its first clip's speech starts (0 for the first chapter)."""
    end_ms: int
    """Where the next chapter starts, or the end of the audio."""


@dataclass(frozen=True)
class Loudness:
    """EBU R128 measurement of an encoded file (ffmpeg ebur128)."""

    integrated_lufs: float
    """Integrated loudness."""
    true_peak_dbtp: float
    """True peak."""
    lra: float
    """Loudness range in LU."""


@dataclass(frozen=True)
class Section:
    """A stretch of the master the encoders encode on its own (see ``pipeline.mix``)."""

    start: int
    """First frame; a multiple of whole MP3 and AAC frames, in silence."""
    end: int
    """Frame after the last (the next section's start, or the master's end)."""
    key: str
    """Names the PCM of the stretch (before the final gain and limiter): same key, same samples."""


@dataclass(frozen=True)
class Master:
    """The edition's audio before its final gain: mono 16-bit PCM, streamed on demand, never held whole.

    The mixer describes it (loudness combined from per-speaker measurements, no pass over the whole
    edition); the audio writers stream it through the final gain and limiter into every encoder at once.
    """

    sample_rate: int
    """Frames per second."""
    frames: int
    """Length in frames."""
    loudness_lufs: float
    """Integrated loudness (BS.1770 gating) of the PCM as streamed, measured or combined from its parts."""
    peak_dbfs: float
    """Highest sample level of the PCM as streamed (−inf for silence)."""
    read: Callable[[], Iterator[bytes]]
    """A fresh pass over the PCM (mono s16le), in order, in chunks of bounded size."""
    gain_db: float = 0.0
    """Final gain that brings it to the target loudness (with the limiter below, when there is one)."""
    limit_dbfs: float | None = None
    """Level of the limiter after the final gain (sample peaks); None when the gain alone stays under the
    true-peak ceiling."""
    final_lufs: float | None = None
    """Loudness expected after the final gain and limiter (measured on the parts through them)."""
    sections: tuple[Section, ...] = ()
    """The stretches the encoders may encode apart and keep between renders, in order, covering every
    frame; empty when the master is encoded in one pass."""
    read_range: Callable[[int, int], Iterator[bytes]] | None = None
    """A pass over the frames from the first argument to the second (given with ``sections``)."""

    @property
    def duration_ms(self) -> int:
        """Length in ms."""
        return round(self.frames * 1000 / self.sample_rate)


# ------------------------------------------------------------------------------------------- edition


@dataclass(frozen=True)
class Summary:
    """The generated (or source) spoken intro."""

    points: tuple[str, ...]
    """3–5 key points, each one sentence, in the transcript's language."""
    intro: str
    """The full intro script the narrator reads (greeting, title, speakers, points, chapters, hand-over)."""
    mode: str = "auto"
    """``auto`` (generated from the dialogue) or ``source`` (the source's key points)."""

    def to_dict(self) -> dict:
        """JSON form for ``recast summarize --json``."""
        return {"intro": self.intro, "points": list(self.points), "mode": self.mode}


@dataclass(frozen=True)
class Edition:
    """Everything the output writers need to write one edition (audio mixed; its final gain planned)."""

    script: Script
    """The parsed transcript."""
    cast: Cast
    """Voices of speakers and narrator."""
    summary: Summary | None
    """The spoken intro, or None with ``--intro none``."""
    placements: tuple[Placement, ...]
    """Every clip's speech in edition time, in play order (intro requests first)."""
    chapters: tuple[TimedChapter, ...]
    """Edition chapters in time order: the intro chapter (when there is an intro) then the script's."""
    duration_ms: int
    """Duration of the mixed edition."""
    slug: str
    """ASCII folder name of the edition, e.g. ``2024-10-22-openai-cpo``."""
    show_title: str
    """Album / show name written into tags."""
    engine: str
    """Engine actually used (``edge`` or ``espeak``)."""
    engine_version: str
    """Engine version string (edge-tts or espeak-ng version)."""
    cover: Path | None = None
    """Cover image given with ``--cover``."""
