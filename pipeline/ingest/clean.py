"""Text hygiene: one newline convention and no invisible characters.

Control characters, zero-width characters and bidi overrides are removed here, once, so they can never
reach speech; every Unicode space becomes a plain space; text is NFC-normalised.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.lang import CJK_PUNCTUATION, FULL_WIDTH, SYLLABIC

_NEWLINES = re.compile(r"\r\n?|[\u0085\u2028\u2029\x0b\x0c]")
#: C0/C1 controls except tab and newline, DEL, zero-width and bidi formatting characters, soft hyphen.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")

#: Chinese, Japanese and Korean characters (names and text written without spaces between words).
CJK = re.compile(f"[{SYLLABIC}]")
#: Written without spaces around it: CJK characters, CJK punctuation, full-width forms.
_WIDE = f"{SYLLABIC}{CJK_PUNCTUATION}{FULL_WIDTH}"
_WIDE_END = re.compile(f"[{_WIDE}]$")
_WIDE_START = re.compile(f"^[{_WIDE}]")


def normalize(text: str) -> str:
    """Normalise newlines to ``\\n``, drop invisible/control characters, turn exotic spaces into ' '."""
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def join_fragments(pieces: list[str], *, drop_repeats: bool = False) -> str:
    """Join wrapped lines or caption fragments: a space between words, nothing between CJK characters.

    With ``drop_repeats`` a fragment identical to the one before it is skipped (rolling captions).
    """
    out: list[str] = []
    prev = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece or (drop_repeats and piece == prev):
            continue
        if out:
            out.append("" if _WIDE_END.search(prev) and _WIDE_START.search(piece) else " ")
        out.append(piece)
        prev = piece
    return "".join(out)
