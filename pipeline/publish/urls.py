"""URLs of the published show: base URL validation, file URLs, the podcast:guid and subscribe links."""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlsplit

from pipeline.errors import BadInput

#: Namespace of podcast:guid (Podcasting 2.0): UUIDv5 of the feed URL without scheme and trailing slashes.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_FILE = "feed.xml"


def check_base_url(base_url: str) -> str:
    """The base URL if it is usable (ASCII http/https, a host, ending with ``/``), else BadInput."""
    url = (base_url or "").strip()
    hint = "give the public URL of the output folder, e.g. --base-url https://example.org/podcast/"
    if not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise BadInput(f"base URL {base_url!r} must be ASCII without spaces (percent-encode it); {hint}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"base URL {base_url!r} must start with http:// or https:// and name a host; {hint}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise BadInput(f"base URL {base_url!r} must not contain a query, fragment or credentials; {hint}")
    if not url.endswith("/"):
        raise BadInput(f"base URL {base_url!r} must end with '/' (it is a folder): {url}/")
    return url


def file_url(base_url: str, *parts: str) -> str:
    """Absolute URL of a file under the base URL; every path part percent-encoded (ASCII result)."""
    return base_url + "/".join(quote(p, safe="") for p in parts)


def rel_url(*parts: str) -> str:
    """Relative URL of a file (percent-encoded parts joined by ``/``)."""
    return "/".join(quote(p, safe="") for p in parts)


def podcast_guid(feed_url: str) -> str:
    """podcast:guid for a feed URL: UUIDv5 of the URL without scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def episode_guid(base_url: str, slug: str) -> str:
    """A new episode's guid: UUIDv5 of the episode's URL (fixed at first publish, then stored)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, base_url + quote(slug, safe="") + "/"))


def subscribe_links(feed_url: str) -> dict[str, str]:
    """The feed URL and the app links ``podcast://`` and ``itpc://`` that open it in a podcast app."""
    bare = feed_url.split("://", 1)[-1]
    return {"feed": feed_url, "podcast": "podcast://" + bare, "itpc": "itpc://" + bare}
