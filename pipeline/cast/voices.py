"""The voice catalogue: every voice ``voices/`` lists, loaded and validated here.

* ``voices/edge-voices.json`` — the Edge voice list in Recast's own schema (``recast voices --refresh``
  rewrites it from the live service's list).
* ``voices/espeak.toml`` — espeak-ng: one base voice per language, the ``+variant`` voices that make
  speakers distinct, and the variant order per role.

The casting presets (``voices/presets/<lang>.toml``) are read in :mod:`pipeline.cast.presets`, with the
same checks (:func:`read_toml`, :class:`Checker`). A malformed file is a
:class:`~pipeline.errors.RecastError` naming the file.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import RecastError
from pipeline.model import Voice
from pipeline.synth.engines import ENGINES as _ENGINE_REGISTRY

#: The project's voices/ folder.
VOICES_DIR = Path(__file__).resolve().parents[2] / "voices"
EDGE_FILE = "edge-voices.json"
ESPEAK_FILE = "espeak.toml"
EDGE_FORMAT = "recast-edge-voices/1"
ROLES = ("host", "guest", "narrator")
ENGINES = tuple(_ENGINE_REGISTRY)  # the registered engines (pipeline.synth.engines.ENGINES)


# ------------------------------------------------------------------------------------------ catalogue


@dataclass(frozen=True)
class Catalogue:
    """Every voice Recast can cast: Edge voices (edge-voices.json) then espeak-ng voices (espeak.toml)."""

    voices: tuple[Voice, ...]
    """All voices, Edge ones sorted by name, then espeak-ng ones in espeak.toml's order."""
    edge_source: str = ""
    """Where the Edge list came from (header of edge-voices.json)."""
    edge_retrieved: str = ""
    """When the Edge list was retrieved (ISO date)."""
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for v in self.voices:
            self._index.setdefault((v.name.casefold(), v.engine), v)

    def find(self, lang: str | None = None, engine: str | None = None) -> list[Voice]:
        """Voices for a language and/or engine.

        ``zh-TW`` matches that locale exactly (and a language-wide voice such as espeak-ng's ``zh``);
        ``zh`` matches every ``zh-*`` locale; matching ignores case.
        """
        return [v for v in self.voices if (engine is None or v.engine == engine)
                and (lang is None or locale_matches(v.locale, lang))]

    def get(self, name: str, engine: str | None = None) -> Voice | None:
        """The voice called ``name`` (case-insensitive) for ``engine`` (any engine when None)."""
        for eng in (engine,) if engine else ENGINES:
            v = self._index.get((name.strip().casefold(), eng))
            if v is not None:
                return v
        return None

    def nearest(self, name: str, engine: str, n: int = 3) -> list[str]:
        """Up to ``n`` voice names close to ``name`` for "did you mean …" messages."""
        query = name.strip().casefold()
        base = query.partition("+")[0]
        # Names sharing the query's locale ("zh-TW-Foo") or base voice ("cmn+f3") first, closest first.
        prefix = "-".join(base.split("-")[:2]) if "-" in base else base
        scored = []
        for v in self.voices:
            if v.engine == engine:
                fold = v.name.casefold()
                ratio = difflib.SequenceMatcher(None, query, fold).ratio()
                same = bool(prefix) and fold.startswith(prefix)
                if same or ratio >= 0.6:
                    scored.append((not same, -ratio, v.name))
        return [name for _, _, name in sorted(scored)[:n]]


def locale_matches(locale: str, lang: str) -> bool:
    """True when a voice of ``locale`` serves language tag ``lang`` (see :meth:`Catalogue.find`)."""
    loc, q = locale.casefold(), lang.strip().casefold()
    if "-" in q:
        return loc == q or (loc == q.split("-")[0] and "-" not in loc)
    return loc == q or loc.startswith(q + "-")


def voice_to_dict(v: Voice) -> dict:
    """JSON form of a voice for ``recast voices --json``."""
    return {"name": v.name, "engine": v.engine, "locale": v.locale, "gender": v.gender,
            "categories": list(v.categories), "personalities": list(v.personalities)}


def load_catalogue(voices_dir: Path | None = None) -> Catalogue:
    """The catalogue from ``voices_dir`` (default: the project's voices/), loaded once and cached."""
    return _load_catalogue(Path(voices_dir or VOICES_DIR).resolve())


@functools.lru_cache(maxsize=8)
def _load_catalogue(voices_dir: Path) -> Catalogue:
    path = voices_dir / EDGE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecastError(f"voice list {path} is missing; run `recast voices --refresh` online") from None
    except (OSError, ValueError) as err:
        raise RecastError(f"voice list {path} is unreadable ({err}); run `recast voices --refresh`") from err
    if not isinstance(data, dict) or data.get("format") != EDGE_FORMAT or not isinstance(data.get("voices"), list):
        raise RecastError(f"voice list {path} is not a {EDGE_FORMAT} file; run `recast voices --refresh`")
    edge = []
    for i, item in enumerate(data["voices"]):
        try:
            edge.append(_edge_voice(item))
        except (TypeError, KeyError, ValueError) as err:
            raise RecastError(f"voice list {path}: entry {i} is malformed ({err})") from err
    espeak = load_espeak_config(voices_dir).voices()
    return Catalogue(tuple(edge) + espeak, str(data.get("source", "")), str(data.get("retrieved", "")))


def _edge_voice(item: dict) -> Voice:
    name, locale, gender = item["name"], item["locale"], item["gender"]
    if not all(isinstance(x, str) and x for x in (name, locale)) or gender not in ("female", "male"):
        raise ValueError(f"bad name/locale/gender in {item!r}")
    cats, pers = item.get("categories", []), item.get("personalities", [])
    if not all(isinstance(x, list) and all(isinstance(s, str) for s in x) for x in (cats, pers)):
        raise ValueError(f"categories/personalities of {name} must be lists of strings")
    return Voice(name=name, engine="edge", locale=locale, gender=gender, personalities=tuple(pers),
                 categories=tuple(cats))


# -------------------------------------------------------------------------------- Edge list refresh


def normalize_edge_voices(raw: object) -> list[dict]:
    """Recast's schema for a voice list as ``edge_tts.list_voices()`` returns it, sorted by name.

    Entries without a ShortName/Locale or with a gender other than Female/Male are left out.
    """
    if not isinstance(raw, list):
        raise RecastError(f"the Edge voice list is malformed: expected a list, got {type(raw).__name__}")
    out: dict[str, dict] = {}
    for item in raw:
        if not isinstance(item, dict):
            continue
        name, locale, gender = item.get("ShortName"), item.get("Locale"), str(item.get("Gender", "")).lower()
        if not isinstance(name, str) or not isinstance(locale, str) or not name or gender not in ("female", "male"):
            continue
        tag = item.get("VoiceTag") if isinstance(item.get("VoiceTag"), dict) else {}
        out[name] = {"name": name, "locale": locale, "gender": gender,
                     "categories": [str(c) for c in tag.get("ContentCategories") or []],
                     "personalities": [str(p) for p in tag.get("VoicePersonalities") or []]}
    return [out[k] for k in sorted(out)]


def edge_catalogue_json(raw: object, *, source: str, retrieved: str) -> str:
    """The text of edge-voices.json for a raw Edge voice list."""
    voices = normalize_edge_voices(raw)
    if not voices:
        raise RecastError("the Edge voice list has no usable voices; the file was left unchanged")
    head = {"format": EDGE_FORMAT, "source": source, "retrieved": retrieved, "count": len(voices)}
    lines = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    body = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in voices)  # one voice per line: small diffs
    return "{\n" + "\n".join(lines) + '\n "voices": [\n' + body + "\n ]\n}\n"


def refresh_edge_voices(voices_dir: Path | None = None) -> int:
    """Fetch the live Edge voice list, write voices/edge-voices.json atomically, return the voice count.

    Raises :class:`~pipeline.errors.SynthesisError` when the service is unreachable (file unchanged).
    """
    from pipeline.fsutil import atomic_write_text
    from pipeline.synth.engines.edge import fetch_voice_list

    raw = fetch_voice_list()
    text = edge_catalogue_json(raw, source="edge_tts.list_voices() (Microsoft Edge read-aloud service)",
                               retrieved=_dt.date.today().isoformat())
    target = Path(voices_dir or VOICES_DIR)
    atomic_write_text(target / EDGE_FILE, text)
    from pipeline.cast.presets import load_preset

    _load_catalogue.cache_clear()
    load_preset.cache_clear()
    return len(json.loads(text)["voices"])


# -------------------------------------------------------------------------------------------- espeak


@dataclass(frozen=True)
class EspeakLanguage:
    """One espeak-ng base voice and the language tags it reads."""

    locale: str
    """The tag it is listed under (``zh``, ``zh-HK``, ``en-US`` …)."""
    voice: str
    """espeak-ng voice name (``cmn-latn-pinyin``)."""
    serves: tuple[str, ...]
    """Other language tags it is chosen for (lower-case)."""


@dataclass(frozen=True)
class EspeakConfig:
    """voices/espeak.toml, validated."""

    languages: tuple[EspeakLanguage, ...]
    """Base voices in file order."""
    female: tuple[str, ...]
    """Female ``+variant`` names in order of preference."""
    male: tuple[str, ...]
    """Male ``+variant`` names in order of preference."""
    roles: tuple[tuple[str, tuple[str, ...], int, int], ...]
    """(role, preferred variants, rate %, pitch Hz) for host, guest, narrator."""
    english: str
    """Locale of the entry that reads Latin-script runs inside Chinese text."""
    mandarin: str
    """Locale of the entry that reads Han runs inside other text."""

    def language(self, tag: str) -> EspeakLanguage | None:
        """The entry serving ``tag``: exact, listed in ``serves``, then by primary language."""
        q = tag.strip().casefold()
        for lang in self.languages:
            if lang.locale.casefold() == q or q in lang.serves:
                return lang
        primary = q.split("-")[0]
        for lang in self.languages:
            if lang.locale.casefold().split("-")[0] == primary:
                return lang
        return None

    def voices(self) -> tuple[Voice, ...]:
        """Catalogue entries: every base voice with every variant (``cmn-latn-pinyin+f3``)."""
        return tuple(Voice(name=f"{lang.voice}+{var}", engine="espeak", locale=lang.locale, gender=gender)
                     for lang in self.languages
                     for gender, variants in (("female", self.female), ("male", self.male)) for var in variants)

    def voice_in(self, voice: str, lang: str) -> str:
        """``voice`` (``base+variant``) moved to the base voice reading ``lang``, keeping its variant."""
        entry = self.language(lang)
        if entry is None:
            return voice
        _, _, variant = voice.partition("+")
        return f"{entry.voice}+{variant}" if variant else entry.voice


def load_espeak_config(voices_dir: Path | None = None) -> EspeakConfig:
    """voices/espeak.toml, validated (cached)."""
    return _load_espeak(Path(voices_dir or VOICES_DIR).resolve())


@functools.lru_cache(maxsize=8)
def _load_espeak(voices_dir: Path) -> EspeakConfig:
    path = voices_dir / ESPEAK_FILE
    doc = read_toml(path)
    check = Checker(path)
    variants = check.table(doc, "variants")
    female, male = check.names(variants, "female"), check.names(variants, "male")
    if set(female) & set(male):
        raise RecastError(f"{path}: a variant cannot be both female and male")
    languages = []
    for locale, entry in check.table(doc, "languages").items():
        entry = check.table({locale: entry}, locale)
        serves = tuple(s.casefold() for s in check.names(entry, "serves", required=False))
        languages.append(EspeakLanguage(locale, check.string(entry, "voice"), serves))
    if not languages:
        raise RecastError(f"{path}: [languages] is empty")
    roles = []
    for role in ROLES:
        entry = check.table(check.table(doc, "roles"), role)
        order = check.names(entry, "variants")
        unknown = [v for v in order if v not in female and v not in male]
        if unknown:
            raise RecastError(f"{path}: roles.{role} names unknown variants {unknown}")
        roles.append((role, order, check.integer(entry, "rate", -50, 100), check.integer(entry, "pitch", -50, 50)))
    config = EspeakConfig(tuple(languages), female, male, tuple(roles), check.string(doc, "english"),
                          check.string(doc, "mandarin"))
    for key in (config.english, config.mandarin):
        if not any(lang.locale == key for lang in languages):
            raise RecastError(f"{path}: {key!r} is not a [languages] entry")
    return config


# -------------------------------------------------------------------------------------------- checks


def read_toml(path: Path) -> dict:
    """A voice file's TOML; a missing or malformed file is a :class:`RecastError` naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecastError(f"voice file {path} is missing; restore it from the Recast sources") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise RecastError(f"voice file {path} is malformed: {err}") from err


@dataclass(frozen=True)
class Checker:
    """Typed reads from a voice file's TOML; each failure is a :class:`RecastError` naming the file."""

    path: Path
    """The file being read."""

    def fail(self, what: str) -> RecastError:
        return RecastError(f"voice file {self.path} is malformed: {what}")

    def table(self, doc: dict, key: str) -> dict:
        value = doc.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"[{key}] must be a table")
        return value

    def string(self, doc: dict, key: str) -> str:
        value = doc.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key} must be a non-empty string")
        return value

    def names(self, doc: dict, key: str, required: bool = True) -> tuple[str, ...]:
        value = doc.get(key, None if required else [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value) \
                or (required and not value) or len(set(value)) != len(value):
            raise self.fail(f"{key} must be a list of distinct names")
        return tuple(value)

    def integer(self, doc: dict, key: str, lo: int, hi: int) -> int:
        value = doc.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise self.fail(f"{key} must be an integer from {lo} to {hi}")
        return value
