"""Casting presets: ``voices/presets/<lang>.toml`` (Edge) and ``voices/espeak.toml``'s roles (espeak-ng).

A preset lists, per role (host, guest, narrator), the voices casting tries first and their rate/pitch,
plus the wider pool casting uses when more variety is needed. Which preset a script gets is decided by
its language tag, read by :func:`pipeline.lang.region` like every other stage reads it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pipeline.cast.voices import (
    ENGINES,
    ESPEAK_FILE,
    ROLES,
    VOICES_DIR,
    Catalogue,
    Checker,
    EspeakConfig,
    load_catalogue,
    load_espeak_config,
    read_toml,
)
from pipeline.errors import RecastError
from pipeline.lang import nearest, region


@dataclass(frozen=True)
class RolePreset:
    """Candidates and prosody for one role."""

    voices: tuple[str, ...]
    """Preferred voices for the role, best first."""
    rate: int = 0
    """Default rate change, percent."""
    pitch: int = 0
    """Default pitch change, Hz."""


@dataclass(frozen=True)
class Preset:
    """Ordered voice candidates for casting one language on one engine."""

    language: str
    """The language asked for (the script's)."""
    locale: str
    """The language the preset is for (differs from ``language`` after a fallback)."""
    engine: str
    """``edge`` or ``espeak``."""
    host: RolePreset
    """Candidates for the host."""
    guest: RolePreset
    """Candidates for guests."""
    narrator: RolePreset
    """Candidates for the narrator who reads the intro."""
    pool: tuple[str, ...]
    """Every voice casting may use, in order of preference (the role lists come first)."""
    source: str
    """The file it was read from, or ``catalogue`` when generated from the voice list."""
    fallback: bool = False
    """True when no preset serves the language and another language's stands in."""

    def role(self, role: str) -> RolePreset:
        """The :class:`RolePreset` for ``host``, ``guest`` or ``narrator``."""
        return {"host": self.host, "guest": self.guest, "narrator": self.narrator}[role]

    def candidates(self, role: str) -> tuple[str, ...]:
        """The role's voices, then the rest of the pool."""
        first = self.role(role).voices
        return first + tuple(v for v in self.pool if v not in first)


@functools.lru_cache(maxsize=64)
def load_preset(language: str, engine: str, voices_dir: Path | None = None) -> Preset:
    """The casting preset for a script language: ``voices/presets/<lang>.toml`` for Edge (the tag read as
    :func:`pipeline.lang.region` reads it, so ``zh-Hant`` is zh-TW and ``yue`` zh-HK; falling back to the
    :func:`pipeline.lang.nearest` form, en-* → en, other languages → generated from the catalogue, else en),
    espeak.toml for espeak-ng (the language's base voice, else English)."""
    if engine not in ENGINES:
        raise RecastError(f"unknown engine {engine!r}")
    folder = Path(voices_dir or VOICES_DIR).resolve()
    if engine == "espeak":
        return _espeak_preset(language, load_espeak_config(folder), folder / ESPEAK_FILE)
    tried = []
    tag = region(language)
    for candidate in (tag, nearest(tag), tag.split("-")[0] if "-" in tag else None):
        if candidate and candidate not in tried:
            tried.append(candidate)
            path = _preset_path(folder, candidate)
            if path is not None:
                return _read_preset(path, language, fallback=candidate not in (tag, tag.split("-")[0]))
    generated = _generated_preset(language, load_catalogue(folder))
    if generated is not None:
        return generated
    path = _preset_path(folder, "en")
    if path is None:
        raise RecastError(f"no voice preset for {language!r} and {folder / 'presets' / 'en.toml'} is missing")
    return _read_preset(path, language, fallback=True)


def _preset_path(folder: Path, tag: str) -> Path | None:
    presets = folder / "presets"
    if not presets.is_dir():
        return None
    for p in sorted(presets.glob("*.toml")):
        if p.stem.casefold() == tag.casefold():
            return p
    return None


def _read_preset(path: Path, language: str, fallback: bool) -> Preset:
    doc = read_toml(path)
    check = Checker(path)
    roles = {}
    for role in ROLES:
        entry = check.table(doc, role)
        roles[role] = RolePreset(check.names(entry, "voices"), check.integer(entry, "rate", -50, 100),
                                 check.integer(entry, "pitch", -50, 50))
    pool = check.names(check.table(doc, "pool"), "voices")
    missing = [v for r in roles.values() for v in r.voices if v not in pool]
    if missing:
        raise RecastError(f"{path}: role voices {sorted(set(missing))} are not in [pool]")
    return Preset(language=language, locale=check.string(doc, "language"), engine="edge", pool=pool,
                  source=str(path), fallback=fallback, **roles)


def _generated_preset(language: str, catalogue: Catalogue) -> Preset | None:
    """A preset from the catalogue's Edge voices for a language without a preset file (exact locale first)."""
    tag = language.strip()
    found = catalogue.find(lang=tag.split("-")[0], engine="edge")
    primary = tag.split("-")[0].casefold()
    # The exact locale first, then the language's home region (fr-FR, ja-JP), then the others.
    found.sort(key=lambda v: (v.locale.casefold() != tag.casefold(),
                              v.locale.casefold() != f"{primary}-{primary}", v.locale, v.name))
    if not found:
        return None
    female = [v.name for v in found if v.gender == "female"]
    male = [v.name for v in found if v.gender == "male"]
    pool = tuple(x for pair in _zip_longest(female, male) for x in pair if x)
    guest = tuple(x for pair in _zip_longest(male, female) for x in pair if x)
    narrator = pool[2:] + pool[:2]
    return Preset(language=language, locale=tag, engine="edge", host=RolePreset(pool),
                  guest=RolePreset(guest), narrator=RolePreset(narrator), pool=pool, source="catalogue")


def _espeak_preset(language: str, config: EspeakConfig, path: Path) -> Preset:
    entry = config.language(region(language))
    fallback = entry is None
    entry = entry or config.language(config.english)
    assert entry is not None  # validated: english names an entry
    roles = {role: RolePreset(tuple(f"{entry.voice}+{v}" for v in order), rate, pitch)
             for role, order, rate, pitch in config.roles}
    pool = tuple(f"{entry.voice}+{v}" for pair in _zip_longest(config.female, config.male) for v in pair if v)
    return Preset(language=language, locale=entry.locale, engine="espeak", pool=pool, source=str(path),
                  fallback=fallback, **roles)


def _zip_longest(a: list | tuple, b: list | tuple) -> list[tuple]:
    n = max(len(a), len(b))
    return [(a[i] if i < len(a) else None, b[i] if i < len(b) else None) for i in range(n)]
