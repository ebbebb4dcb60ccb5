"""The user's cast file (``recast render --cast cast.toml``): voices and prosody by speaker name.

.. code-block:: toml

    [speakers."勞勃·西原"]          # a speaker's name, label, alias or id
    name = "西原"                  # the name listeners hear (intro, transcripts, show notes, feed)
    voice = "zh-TW-YunJheNeural"   # a voice of the engine in use (`recast voices`)
    rate = 5                       # percent, -50 … 100
    pitch = -2                     # Hz, -50 … 50
    volume = 0                     # percent, -50 … 50
    gender = "male"                # female / male: used when no voice is given
    role = "guest"                 # host / guest

    [narrator]
    voice = "zh-TW-HsiaoYuNeural"

Every problem is a :class:`~pipeline.errors.BadInput` naming the file and saying what to change.
"""

from __future__ import annotations

import dataclasses
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import BadInput
from pipeline.model import Script

_RANGES = {"rate": (-50, 100), "pitch": (-50, 50), "volume": (-50, 50)}
_SPEAKER_KEYS = ("name", "voice", "rate", "pitch", "volume", "gender", "role")
_NARRATOR_KEYS = ("voice", "rate", "pitch", "volume")
_ENGINE_NAMES = {"edge": "Edge", "espeak": "espeak-ng"}


@dataclass(frozen=True)
class CastEntry:
    """One table of a cast file; None means "not given" (casting decides)."""

    name: str | None = None
    """The speaker's display name, instead of the one read from the transcript."""
    voice: str | None = None
    """Catalogue voice name (canonical spelling)."""
    rate: int | None = None
    """Rate change, percent."""
    pitch: int | None = None
    """Pitch change, Hz."""
    volume: int | None = None
    """Volume change, percent."""
    gender: str | None = None
    """``female`` or ``male``."""
    role: str | None = None
    """``host`` or ``guest``."""


@dataclass(frozen=True)
class CastFile:
    """A validated cast file."""

    speakers: tuple[tuple[str, CastEntry], ...] = ()
    """(speaker id, entry) for every speaker the file names."""
    narrator: CastEntry | None = None
    """The ``[narrator]`` table, if any."""
    path: str = ""
    """The file it was read from."""


def load_cast_file(path: Path, script: Script, engine: str, catalogue) -> CastFile:
    """Read and validate a cast file against the script's speakers and the engine's voices."""
    path = Path(path)
    doc = _read(path)
    check = _Check(path, engine, catalogue)
    chosen = {sid: (key, check.entry(f"speakers.{key!r}", table, _SPEAKER_KEYS))
              for sid, (key, table) in _tables(path, doc, script).items()}
    narrator = check.entry("narrator", doc["narrator"], _NARRATOR_KEYS) if "narrator" in doc else None
    order = [s.id for s in script.speakers if s.id in chosen]
    return CastFile(tuple((sid, chosen[sid][1]) for sid in order), narrator, str(path))


def apply_names(script: Script, path: Path | None) -> Script:
    """The script with the display names the cast file gives (``name = "…"``); the label stays as written.
    Applied before anything is said about the speakers, so the intro and every file use the new names."""
    if path is None:
        return script
    path = Path(path)
    tables = _tables(path, _read(path), script)
    names: dict[str, str] = {}
    for sid, (key, table) in tables.items():
        if isinstance(table, dict) and "name" in table:
            names[sid] = _display_name(path, f"speakers.{key!r}", table["name"])
    if not names:
        return script
    speakers = tuple(dataclasses.replace(s, name=names[s.id], aliases=tuple(dict.fromkeys((*s.aliases, s.name))))
                     if s.id in names else s for s in script.speakers)
    return dataclasses.replace(script, speakers=speakers)


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"cast file not found: {path}") from None
    except UnicodeDecodeError:
        raise BadInput(f"cast file {path} is not UTF-8 text; save it as UTF-8") from None
    except OSError as err:
        raise BadInput(f"cannot read cast file {path}: {err.strerror or err}") from err
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise BadInput(f"cast file {path} is not valid TOML: {err}") from err
    unknown = [k for k in doc if k not in ("speakers", "narrator")]
    if unknown:
        raise BadInput(f"cast file {path}: unknown entry {unknown[0]!r}; use [speakers.\"Name\"] tables and [narrator]")
    return doc


def _tables(path: Path, doc: dict, script: Script) -> dict[str, tuple[str, object]]:
    """speaker id → (the key the file names them by, their table)."""
    speakers_doc = doc.get("speakers", {})
    if not isinstance(speakers_doc, dict):
        raise BadInput(f"cast file {path}: 'speakers' must be tables like [speakers.\"Name\"]")
    index = _speaker_index(script)
    chosen: dict[str, tuple[str, CastEntry]] = {}
    for key, table in speakers_doc.items():
        ids = index.get(_norm(key), set())
        if not ids:
            names = ", ".join(s.name for s in script.speakers[:12]) + (" …" if len(script.speakers) > 12 else "")
            raise BadInput(f"cast file {path}: no speaker {key!r} in the transcript; its speakers are: {names}")
        if len(ids) > 1:
            raise BadInput(f"cast file {path}: {key!r} names more than one speaker; use a speaker id "
                           f"({', '.join(sorted(ids))})")
        sid = next(iter(ids))
        if sid in chosen:
            raise BadInput(f"cast file {path}: {key!r} and {chosen[sid][0]!r} name the same speaker")
        chosen[sid] = (key, table)
    return chosen


def _display_name(path: Path, where: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 60:
        raise BadInput(f"cast file {path}: {where}.name must be a name of 1 to 60 characters, not {value!r}")
    return " ".join(value.split())


def _norm(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _speaker_index(script: Script) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for s in script.speakers:
        for key in (s.id, s.name, s.label, *s.aliases):
            if key and key.strip():
                index.setdefault(_norm(key), set()).add(s.id)
    return index


@dataclass(frozen=True)
class _Check:
    path: Path
    engine: str
    catalogue: object

    def entry(self, where: str, table: object, allowed: tuple[str, ...]) -> CastEntry:
        if not isinstance(table, dict):
            raise BadInput(f"cast file {self.path}: {where} must be a table of {', '.join(allowed)}")
        extra = [k for k in table if k not in allowed]
        if extra:
            raise BadInput(f"cast file {self.path}: {where} has unknown key {extra[0]!r}; "
                           f"allowed: {', '.join(allowed)}")
        values: dict = {}
        if "name" in table:
            values["name"] = _display_name(self.path, where, table["name"])
        for key, (lo, hi) in _RANGES.items():
            if key in table:
                v = table[key]
                if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                    unit = "Hz" if key == "pitch" else "percent"
                    raise BadInput(f"cast file {self.path}: {where}.{key} must be an integer from {lo} to {hi} "
                                   f"({unit}), not {v!r}")
                values[key] = v
        for key, choices in (("gender", ("female", "male")), ("role", ("host", "guest"))):
            if key in table:
                v = table[key]
                if not isinstance(v, str) or v.strip().lower() not in choices:
                    raise BadInput(f"cast file {self.path}: {where}.{key} must be {' or '.join(choices)}, not {v!r}")
                values[key] = v.strip().lower()
        if "voice" in table:
            values["voice"] = self.voice(where, table["voice"])
        return CastEntry(**values)

    def voice(self, where: str, name: object) -> str:
        if not isinstance(name, str) or not name.strip():
            raise BadInput(f"cast file {self.path}: {where}.voice must be a voice name such as "
                           f"{self._example()!r}")
        found = self.catalogue.get(name, self.engine)
        if found is not None:
            return found.name
        other = "espeak" if self.engine == "edge" else "edge"
        if self.catalogue.get(name, other) is not None:
            raise BadInput(f"cast file {self.path}: {where}.voice {name!r} is an {_ENGINE_NAMES[other]} voice but "
                           f"this render uses {_ENGINE_NAMES[self.engine]}; pick one from `recast voices --engine "
                           f"{self.engine}` or render with --engine {other}")
        near = self.catalogue.nearest(name, self.engine)
        hint = f"did you mean {', '.join(near)}?" if near else f"e.g. {self._example()!r}"
        raise BadInput(f"cast file {self.path}: unknown voice {name!r} for {where}; {hint} "
                       f"(list voices with `recast voices --engine {self.engine}`)")

    def _example(self) -> str:
        return "zh-TW-YunJheNeural" if self.engine == "edge" else "cmn-latn-pinyin+m3"
