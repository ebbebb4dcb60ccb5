"""The show: podcast-level metadata kept in a TOML file (``show.toml`` in the output folder by default).

The file is created on first publish with defaults taken from that first edition (title from the edition's
``show`` field, language from the edition, author from the host speakers) and stays editable by hand or with
``recast show --set key=value``. Every field is validated when a :class:`Show` is made, so the feed writer
never has to wonder. Example::

    title = "AI 講堂"
    description = "Interviews about AI, re-voiced."
    author = "Robert Nishihara"
    language = "zh-TW"
    category = "Technology"
    subcategory = ""
    explicit = false
    type = "episodic"
    cover = "cover.png"          # a file in the output folder, or an https URL
    link = ""                    # the show's web page; empty = the generated site at the base URL
    copyright = ""
    locked = false               # podcast:locked (yes needs owner.email)

    [owner]
    name = "Robert Nishihara"
    email = "owner@example.org"
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from pipeline.errors import BadInput
from pipeline.fsutil import atomic_write_text

SHOW_FILE = "show.toml"
DEFAULT_CATEGORY = "Society & Culture"
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@functools.lru_cache(maxsize=1)
def apple_categories() -> dict[str, tuple[str, ...]]:
    """Apple Podcasts categories → their subcategories (shipped as ``apple_categories.json``)."""
    data = json.loads((Path(__file__).with_name("apple_categories.json")).read_text("utf-8"))
    return {k: tuple(v) for k, v in data.items() if not k.startswith("_")}


def canonical_category(category: str, subcategory: str = "") -> tuple[str, str]:
    """Apple's exact spelling of a category and subcategory (case-insensitive match) or BadInput."""
    cats = apple_categories()
    by_lower = {c.lower(): c for c in cats}
    main = by_lower.get(category.strip().lower())
    if main is None:
        raise BadInput(f"{category!r} is not an Apple Podcasts category; choose one of: {', '.join(cats)}")
    if not subcategory.strip():
        return main, ""
    subs = {s.lower(): s for s in cats[main]}
    sub = subs.get(subcategory.strip().lower())
    if sub is None:
        allowed = ", ".join(cats[main]) or "none"
        raise BadInput(f"{subcategory!r} is not a subcategory of {main!r}; choose one of: {allowed}")
    return main, sub


@dataclass(frozen=True)
class Owner:
    """Who owns the feed (itunes:owner): Apple sends verification mail to this address."""

    name: str = ""
    """Owner's name."""
    email: str = ""
    """Owner's e-mail address; empty leaves itunes:owner out of the feed."""

    def __post_init__(self) -> None:
        if self.email and not _EMAIL_RE.match(self.email):
            raise BadInput(f"owner.email {self.email!r} is not an e-mail address")


@dataclass(frozen=True)
class Show:
    """Podcast-level metadata written into the feed's channel and the site."""

    title: str
    """Show title (channel title, site heading)."""
    language: str
    """BCP-47 language tag, e.g. ``zh-TW`` (channel language, ``<html lang>``)."""
    description: str = ""
    """What the show is about; empty means the title is used."""
    author: str = ""
    """itunes:author: usually the host names."""
    owner: Owner = field(default_factory=Owner)
    """itunes:owner."""
    category: str = DEFAULT_CATEGORY
    """Apple Podcasts category (validated against :func:`apple_categories`)."""
    subcategory: str = ""
    """Apple Podcasts subcategory of :attr:`category`, or empty."""
    explicit: bool = False
    """itunes:explicit."""
    type: str = "episodic"
    """itunes:type: ``episodic`` (newest first, numbers only when set) or ``serial`` (numbered in order)."""
    cover: str = ""
    """Show artwork: a path relative to the output folder (or absolute), or an http(s) URL; empty = none."""
    link: str = ""
    """The show's web page; empty means the generated site at the base URL."""
    copyright: str = ""
    """Copyright line, e.g. ``© 2024 Example Media``; empty leaves it out."""
    locked: bool = False
    """podcast:locked: ``yes`` tells other platforms not to import the feed (needs owner.email)."""

    def __post_init__(self) -> None:
        for name in ("title", "language", "description", "author", "category", "subcategory", "type",
                     "cover", "link", "copyright"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise BadInput(f"show field {name} must be text, not {value!r}")
            if "\x00" in value:
                raise BadInput(f"show field {name} contains a NUL character")
        for name in ("explicit", "locked"):
            if not isinstance(getattr(self, name), bool):
                raise BadInput(f"show field {name} must be true or false, not {getattr(self, name)!r}")
        if not self.title.strip():
            raise BadInput("the show title is empty; set one with: recast show --set title='My Show'")
        if not _LANG_RE.match(self.language):
            raise BadInput(f"show language {self.language!r} is not a language tag such as zh-TW or en")
        cat, sub = canonical_category(self.category, self.subcategory)
        object.__setattr__(self, "category", cat)
        object.__setattr__(self, "subcategory", sub)
        if self.type not in ("episodic", "serial"):
            raise BadInput(f"show type must be episodic or serial, not {self.type!r}")
        if self.link and not re.match(r"^https?://[^\s/]+", self.link):
            raise BadInput(f"show link {self.link!r} must be an http:// or https:// URL (or empty)")
        if self.locked and not self.owner.email:
            raise BadInput("locked = true needs owner.email (podcast:locked names the owner); set both")

    def to_dict(self) -> dict:
        """Plain JSON-able form (``recast show --json``)."""
        return dataclasses.asdict(self)

    def to_toml(self) -> str:
        """TOML text of the show file (top-level fields, then the ``[owner]`` table)."""
        data = self.to_dict()
        owner = data.pop("owner")
        data["owner"] = owner
        return tomli_w.dumps(data)

    @classmethod
    def from_dict(cls, data: dict, *, where: str = "show file") -> Show:
        """Build from parsed TOML; unknown or mistyped fields → BadInput naming the field."""
        if not isinstance(data, dict):
            raise BadInput(f"{where} must be a TOML table")
        data = dict(data)
        owner = data.pop("owner", {})
        if not isinstance(owner, dict):
            raise BadInput(f"{where}: owner must be a table with name and email")
        known = {f.name for f in dataclasses.fields(cls)} - {"owner"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise BadInput(f"{where}: unknown field {unknown[0]!r}; known fields: {', '.join(sorted(known))}, "
                           "owner.name, owner.email")
        bad_owner = sorted(set(owner) - {"name", "email"})
        if bad_owner:
            raise BadInput(f"{where}: unknown field owner.{bad_owner[0]}; known: owner.name, owner.email")
        for key in ("title", "language"):
            if key not in data:
                raise BadInput(f"{where}: missing field {key!r}")
        for key, value in owner.items():
            if not isinstance(value, str):
                raise BadInput(f"{where}: owner.{key} must be text, not {value!r}")
        return cls(owner=Owner(**owner), **data)


def default_show(*, show_title: str, language: str, hosts: list[str], cover: str = "") -> Show:
    """The show created on first publish, from the first edition's metadata."""
    author = ", ".join(dict.fromkeys(h for h in hosts if h.strip()))
    from pipeline.lang import variant

    written = variant(language)  # zh-TW, zh-CN or en: how the show's own words are written
    generic = not show_title.strip() or show_title.strip() == "Recast"
    if generic and author:
        title = {"zh-TW": f"{author}的節目", "zh-CN": f"{author}的节目"}.get(written, f"{author}'s podcast")
    else:
        title = show_title.strip() or "Recast"
    description = _DEFAULT_DESCRIPTION[written].format(title=title)
    return Show(title=title, language=language, description=description, author=author,
                owner=Owner(name=author), cover=cover)


#: Default show description (edit with `recast show --set description=…`).
_DEFAULT_DESCRIPTION = {
    "zh-TW": "{title}：由逐字稿重新製作的對談節目，每集附有章節、逐字稿與節目摘要。",
    "zh-CN": "{title}：由逐字稿重新制作的对谈节目，每集附有章节、逐字稿与节目摘要。",
    "en": "{title}: conversations re-voiced from their transcripts, with chapters, transcripts and show notes.",
}


def load_show(path: Path) -> Show:
    """Read and validate a show file; a missing file, bad TOML or a bad field → BadInput."""
    try:
        text = Path(path).read_text("utf-8")
    except FileNotFoundError as err:
        raise BadInput(f"show file {path} does not exist; publish an episode first "
                       "(recast publish OUTPUT/<slug> --base-url URL)") from err
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"cannot read show file {path}: {err}") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise BadInput(f"show file {path} is not valid TOML: {err}") from err
    return Show.from_dict(data, where=str(path))


def save_show(show: Show, path: Path) -> None:
    """Write the show file atomically."""
    atomic_write_text(Path(path), show.to_toml())


def apply_sets(show: Show, sets: list[str]) -> Show:
    """A new show with ``key=value`` assignments applied, each typed by its field and validated."""
    data = show.to_dict()
    for item in sets:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BadInput(f"--set takes key=value, e.g. --set title='My Show', not {item!r}")
        parts = _ALIASES.get(key, key).split(".")
        target = data
        if len(parts) == 2 and parts[0] == "owner":
            target = data["owner"]
        elif len(parts) != 1 or parts[0] == "owner":
            raise BadInput(f"unknown show field {key!r}; use one of: {', '.join(_settable())}")
        name = parts[-1]
        if name not in target:
            raise BadInput(f"unknown show field {key!r}; use one of: {', '.join(_settable())}")
        if isinstance(target[name], bool):
            value = raw.strip().lower()
            if value not in _TRUE | _FALSE:
                raise BadInput(f"{key} takes true or false, not {raw!r}")
            target[name] = value in _TRUE
        else:
            target[name] = raw
    return Show.from_dict(data, where="--set")


#: ``--set`` spellings without the dot (as the publish warning names them).
_ALIASES = {"owner_email": "owner.email", "owner_name": "owner.name"}


def _settable() -> list[str]:
    names = [f.name for f in dataclasses.fields(Show) if f.name != "owner"]
    return names + ["owner.name", "owner.email"]
