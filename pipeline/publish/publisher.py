"""Publishing, the stage after rendering: catalogue → feed.xml → site, for one output folder.

``publish_edition`` adds or updates an episode, ``unpublish_episode`` removes one, ``edit_show`` changes the
show; each rewrites ``feed.xml`` and the site from the catalogue while holding the catalogue's write lock.

Before writing, every other published edition is re-read from disk (sizes checked, hashes not): when it was
re-rendered since, the feed describes the files actually served now (same guid and pubDate). When an
edition folder vanished or no longer validates, the feed keeps what was published and the result carries a
warning naming it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import pipeline
from pipeline import ffmpeg
from pipeline.errors import BadInput, RecastError
from pipeline.fsutil import atomic_write_bytes, copy_atomic
from pipeline.publish.catalogue import Catalogue, EpisodeRow, catalogue_path, open_catalogue, show_file_for
from pipeline.publish.feed import FeedContext, build_feed
from pipeline.publish.reader import EditionInfo, read_edition
from pipeline.publish.show import SHOW_FILE, Show, apply_sets, default_show, load_show, save_show
from pipeline.publish.site import EPISODES_DIR, SITE_INDEX, SiteContext, build_site
from pipeline.publish.urls import FEED_FILE, check_base_url, episode_guid, file_url, podcast_guid

GENERATOR = f"Recast {pipeline.__version__}"
#: Said on every publish while the show has no owner e-mail (the feed then has no itunes:email).
NO_OWNER_EMAIL = ("the show has no owner e-mail; Apple Podcasts Connect and Spotify send their ownership check "
                  "there: recast show --set owner_email=you@example.org")
#: Names in the output folder that belong to the show, so no edition may be called that.
_RESERVED = {EPISODES_DIR, FEED_FILE, SITE_INDEX, SHOW_FILE, "show.sqlite", "cover.png", "cover.jpg"}


@dataclass(frozen=True)
class PublishResult:
    """What a publish, unpublish or show edit did."""

    action: str
    """``added``, ``updated``, ``removed`` or ``rewritten``."""
    slug: str
    """The episode concerned (empty for a show edit)."""
    guid: str
    """Its RSS guid (empty for a show edit)."""
    feed_path: Path
    """``feed.xml`` on disk."""
    feed_url: str
    """Public URL of the feed."""
    episodes: int
    """Episodes now in the feed."""
    site_path: Path
    """The site's ``index.html`` on disk."""
    warnings: tuple[str, ...] = field(default=())
    """Problems that did not stop publishing (an edition folder gone missing, undersized artwork)."""

    def to_dict(self) -> dict:
        """JSON form for ``recast publish --json``."""
        return {"action": self.action, "slug": self.slug, "guid": self.guid, "feed_path": str(self.feed_path),
                "feed_url": self.feed_url, "episodes": self.episodes, "site_path": str(self.site_path),
                "warnings": list(self.warnings)}


def publish_edition(edition_dir: Path, *, base_url: str, show_file: Path | None = None,
                    number: int | None = None, season: int | None = None) -> PublishResult:
    """Add or update the edition in ``edition_dir`` in its show (the parent folder), then rewrite feed and site.

    ``number``/``season`` set itunes:episode/itunes:season (kept on later publishes when not given). Serial
    shows number unnumbered episodes in publish order; episodic shows carry numbers only when given.
    """
    base = check_base_url(base_url)
    for name, value in (("episode number", number), ("season", season)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise BadInput(f"{name} must be a whole number from 1 up, not {value!r}")
    edition_dir = Path(os.path.abspath(edition_dir))  # normalizes "." and "..", keeps symlinked folders
    edition = read_edition(edition_dir)
    if edition.slug.lower() in _RESERVED:
        raise BadInput(f"the edition folder name {edition.slug!r} is reserved for the show's own files; "
                       "render it under another name")
    output_dir = edition_dir.parent
    with open_catalogue(output_dir, write=True, create=True) as cat:
        if show_file is not None:
            cat.set_meta("show_file", str(Path(show_file).absolute()))
        show_path = cat.show_file()
        show = load_show(show_path) if show_path.exists() else _first_show(output_dir, edition, show_path)
        if cat.meta("podcast_guid") is None:
            cat.set_meta("podcast_guid", podcast_guid(base + FEED_FILE))
        cat.set_meta("base_url", base)
        existing = cat.find(edition.slug)
        now = _now()
        row = EpisodeRow(
            slug=edition.slug,
            guid=existing.guid if existing else _new_guid(cat, base, edition.slug),
            seq=existing.seq if existing else cat.next_seq(),
            number=number if number is not None else (existing.number if existing else None),
            season=season if season is not None else (existing.season if existing else None),
            pub_date=_pub_date(edition, existing.first_published if existing else now),
            first_published=existing.first_published if existing else now,
            updated=now, edition=edition)
        cat.put(row)
        warnings = _refresh_others(cat, output_dir, skip=edition.slug)
        if not show.owner.email:
            warnings.append(NO_OWNER_EMAIL)
        result = _write_outputs(cat, output_dir, show, warnings)
    return replace(result, action="updated" if existing else "added", slug=row.slug, guid=row.guid)


def unpublish_episode(output_dir: Path, episode: str) -> PublishResult:
    """Remove an episode (by slug or guid) from the catalogue, feed and site; its edition folder is kept."""
    output_dir = Path(output_dir).absolute()
    with open_catalogue(output_dir, write=True) as cat:
        row = cat.find(episode.strip())
        if row is None:
            known = ", ".join(r.slug for r in cat.episodes()) or "none"
            raise BadInput(f"no published episode {episode!r} in {output_dir}; published: {known}")
        cat.delete(row.slug)
        show = load_show(cat.show_file())
        warnings = _refresh_others(cat, output_dir, skip=row.slug)
        result = _write_outputs(cat, output_dir, show, warnings)
    return replace(result, action="removed", slug=row.slug, guid=row.guid)


def load_show_for(output_dir: Path) -> Show:
    """The show of ``output_dir`` (its show file as recorded at publish, else ``show.toml``)."""
    return load_show(show_file_for(Path(output_dir)))


def edit_show(output_dir: Path, sets: list[str]) -> Show:
    """Apply ``key=value`` edits to the show file (validated, atomic); rewrite feed and site when published."""
    output_dir = Path(output_dir).absolute()
    path = show_file_for(output_dir)
    show = apply_sets(load_show(path), sets)
    if not catalogue_path(output_dir).exists():
        _resolve_cover(output_dir, show, "http://localhost/")  # validate before saving
        save_show(show, path)
        return show
    with open_catalogue(output_dir, write=True) as cat:
        if cat.meta("base_url"):
            _resolve_cover(output_dir, show, cat.meta("base_url") or "")
        save_show(show, path)
        if cat.meta("base_url"):
            _write_outputs(cat, output_dir, show, _refresh_others(cat, output_dir, skip=""))
    return show


# ------------------------------------------------------------------------------------------- internals


def _write_outputs(cat: Catalogue, output_dir: Path, show: Show, warnings: list[str]) -> PublishResult:
    base = cat.meta("base_url") or ""
    feed_url = base + FEED_FILE
    cover_url, cover_rel, cover_warning = _resolve_cover(output_dir, show, base)
    rows = cat.episodes()
    ctx = FeedContext(base_url=base, feed_url=feed_url, podcast_guid=cat.meta("podcast_guid") or "",
                      cover_url=cover_url, generator=GENERATOR)
    feed_path = output_dir / FEED_FILE
    atomic_write_bytes(feed_path, build_feed(show, rows, ctx))
    site = build_site(output_dir, show, rows, SiteContext(feed_url=feed_url, cover=cover_rel,
                                                          generator=GENERATOR))
    if cover_warning:
        warnings.append(cover_warning)
    return PublishResult(action="rewritten", slug="", guid="", feed_path=feed_path, feed_url=feed_url,
                         episodes=len(rows), site_path=site, warnings=tuple(warnings))


def _refresh_others(cat: Catalogue, output_dir: Path, *, skip: str) -> list[str]:
    warnings = []
    for row in cat.episodes():
        if row.slug == skip:
            continue
        try:
            fresh = read_edition(output_dir / row.slug, verify_hashes=False)
        except BadInput as err:
            warnings.append(f"{row.slug}: {err} (the feed keeps the published version)")
            continue
        if fresh != row.edition:
            cat.put(replace(row, edition=fresh, updated=_now(), pub_date=_pub_date(fresh, row.first_published)))
    return warnings


def _first_show(output_dir: Path, edition: EditionInfo, show_path: Path) -> Show:
    hosts = [p.name for p in edition.persons if p.role == "host"] or [p.name for p in edition.persons]
    if edition.cover is not None:  # the show's artwork is its own file, independent of the episode
        cover = "cover" + Path(edition.cover.name).suffix
        copy_atomic(output_dir / edition.slug / edition.cover.name, output_dir / cover)
    else:
        cover = _default_artwork(output_dir, edition)
    show = default_show(show_title=edition.show or edition.title, language=edition.language, hosts=hosts,
                        cover=cover)
    save_show(show, show_path)
    return show


def _default_artwork(output_dir: Path, edition: EditionInfo) -> str:
    """A plain 1400×1400 gradient PNG (Apple's minimum size) when no edition brings a cover; '' on failure."""
    target = output_dir / "cover.png"
    if target.exists():
        return target.name
    digest = hashlib.sha256((edition.show or edition.title).encode("utf-8")).hexdigest()
    c0, c1 = digest[:6], digest[6:12]
    work = output_dir / f".tmp-artwork-{c0}{c1}.png"
    try:
        ffmpeg.run("ffmpeg", ["-y", "-f", "lavfi", "-i", f"gradients=s=1400x1400:c0=0x{c0}:c1=0x{c1}:"
                              "x0=0:y0=0:x1=1400:y1=1400:nb_colors=2:seed=1", "-frames:v", "1",
                              "-f", "image2", "-c:v", "png", str(work)])
        copy_atomic(work, target)
    except RecastError:
        return ""
    finally:
        work.unlink(missing_ok=True)
    return target.name


def _resolve_cover(output_dir: Path, show: Show, base: str) -> tuple[str, str, str]:
    """(absolute cover URL, path relative to the output folder or '', warning or '') for the show artwork."""
    cover = show.cover.strip()
    if not cover:
        return "", "", "the show has no artwork; Apple Podcasts requires it: recast show --set cover=FILE"
    if cover.startswith(("http://", "https://")):
        return cover, "", ""
    path = Path(cover) if Path(cover).is_absolute() else output_dir / cover
    try:
        head = path.read_bytes()[:8]
    except OSError as err:
        raise BadInput(f"show cover {cover!r} cannot be read ({err.strerror or err}); "
                       "set another with: recast show --set cover=FILE") from err
    if head[:3] == b"\xff\xd8\xff":
        ext = ".jpg"
    elif head == b"\x89PNG\r\n\x1a\n":
        ext = ".png"
    else:
        raise BadInput(f"show cover {cover!r} is not a JPEG or PNG image")
    real, root = path.resolve(), output_dir.resolve()
    if not real.is_relative_to(root):
        real = root / f"cover{ext}"
        if not real.exists() or real.read_bytes() != path.read_bytes():
            copy_atomic(path, real)
    rel = real.relative_to(root).as_posix()
    return file_url(base, *rel.split("/")), rel, _artwork_warning(real)


def _artwork_warning(path: Path) -> str:
    size = image_size(path)
    if size is None:
        return ""
    w, h = size
    if w != h or not 1400 <= w <= 3000:
        return f"show artwork is {w}×{h}; Apple Podcasts wants a square from 1400×1400 to 3000×3000"
    return ""


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a PNG or baseline/progressive JPEG from its header, or None when unreadable."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(24)
            if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
                return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
            if head[:2] != b"\xff\xd8":
                return None
            fh.seek(2)
            while True:
                marker = fh.read(2)
                if len(marker) < 2 or marker[0] != 0xFF:
                    return None
                length = int.from_bytes(fh.read(2), "big")
                if marker[1] in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                    sof = fh.read(5)
                    return int.from_bytes(sof[3:5], "big"), int.from_bytes(sof[1:3], "big")
                fh.seek(length - 2, 1)
    except OSError:
        return None


def _new_guid(cat: Catalogue, base: str, slug: str) -> str:
    guid = episode_guid(base, slug)
    if cat.find(guid) is not None:
        raise BadInput(f"guid {guid} of {slug!r} is already taken in the catalogue")
    return guid


def _pub_date(edition: EditionInfo, fallback: str) -> str:
    day = edition.published_date()
    if day is None:
        return fallback
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.timezone.utc).isoformat()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


__all__ = ["PublishResult", "publish_edition", "unpublish_episode", "load_show_for", "edit_show"]
