"""Publishing: the show catalogue, the podcast feed, the static site and a local HTTP server.

Stages inside: ``edition`` (read and validate an edition folder) → ``catalogue`` (show.sqlite) →
``feed`` (feed.xml) and ``site`` (index.html, episodes/*.html); ``show`` holds the show file; ``serve``
serves the output folder. lxml is used only inside this package.
"""

from pipeline.publish.publisher import (
    PublishResult,
    edit_show,
    load_show_for,
    publish_edition,
    unpublish_episode,
)
from pipeline.publish.show import Show

__all__ = ["PublishResult", "Show", "edit_show", "load_show_for", "publish_edition", "unpublish_episode"]
