"""Publishing: the show catalogue, the podcast feed, the static site and a local HTTP server.

Stages inside: ``edition`` (read and validate an edition folder) → ``catalogue`` (show.sqlite) →
``feed`` (feed.xml) and ``site`` (index.html, episodes/*.html); ``show`` holds the show file; ``serve``
serves the output folder. lxml is used only inside this package.

The names below are loaded on first use, so a renderer asking the catalogue for the show's title
(``catalogue.show_title_for``) does not load the feed and site writers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.publish.publisher import (
        PublishResult,
        edit_show,
        load_show_for,
        publish_edition,
        unpublish_episode,
    )
    from pipeline.publish.show import Show

__all__ = ["PublishResult", "Show", "edit_show", "load_show_for", "publish_edition", "unpublish_episode"]


def __getattr__(name: str):
    if name == "Show":
        from pipeline.publish.show import Show

        return Show
    if name in __all__:
        from pipeline.publish import publisher

        return getattr(publisher, name)
    raise AttributeError(f"module 'pipeline.publish' has no attribute {name!r}")
