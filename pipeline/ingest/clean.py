"""Text hygiene: one newline convention and no invisible characters.

Control characters, zero-width characters and bidi overrides are removed here, once, so they can never
reach speech; every Unicode space becomes a plain space; text is NFC-normalised.
"""

from __future__ import annotations

import re
import unicodedata

_NEWLINES = re.compile(r"\r\n?|[\u0085\u2028\u2029\x0b\x0c]")
#: C0/C1 controls except tab and newline, DEL, zero-width and bidi formatting characters, soft hyphen.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def normalize(text: str) -> str:
    """Normalise newlines to ``\\n``, drop invisible/control characters, turn exotic spaces into ' '."""
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def collapse_spaces(text: str) -> str:
    """Trim a line and squeeze runs of spaces/tabs into one space."""
    return re.sub(r"[ \t]+", " ", text).strip()
