"""Properties of text preparation: normalisation, request splitting and script runs, on hostile text."""

from __future__ import annotations

import re
import time
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from prop_strategies import FAST, INVISIBLE, TEXT, xml_size

from pipeline import prepare as prepare_module
from pipeline.prepare import (
    DEFAULT_MAX_BYTES,
    EN_MAX,
    ZH_MAX,
    escaped_size,
    is_speakable,
    prepare,
    split_requests,
    split_scripts,
)

_LANGS = st.sampled_from(["en", "zh-TW", "zh-CN", "ar", "ja"])


def check_split(text: str, pieces: list[str], max_chars: int, max_bytes: int) -> None:
    """Every piece is a stripped, speakable request within both limits; nothing lost, nothing duplicated."""
    for p in pieces:
        assert p and p == p.strip(), repr(p)
        assert is_speakable(p), f"punctuation-only request {p!r}"
        assert len(p) <= max_chars, (len(p), max_chars)
        assert xml_size(p) <= max_bytes, (xml_size(p), max_bytes, p)
    # The non-space characters of the pieces, in order, are those of the text minus stretches that hold
    # no letter or digit (punctuation-only pieces are dropped, never spoken).
    joined = "".join("".join(p.split()) for p in pieces)
    source = "".join(text.split())
    i = 0
    for ch in source:
        if i < len(joined) and joined[i] == ch:
            i += 1
        else:
            assert not is_speakable(ch), f"lost {ch!r} from {text!r}"
    assert i == len(joined), "a piece holds text that is not in the input (duplicated or invented)"


# ------------------------------------------------------------------------------------------- prepare


@FAST
@given(TEXT)
@example("a\u202edlrow\u202c b\u200bc\x00d\x1b[0m\ufeff")
@example("<speak><break time='10s'/></speak> &amp; ]]>")
def test_prepare_is_one_clean_line_and_idempotent(text: str):
    out = prepare(text)
    assert out == out.strip()
    assert "\n" not in out and "\r" not in out and "  " not in out
    assert not any(ch in INVISIBLE for ch in out), repr(out)
    assert not any(unicodedata.category(ch) in ("Cc", "Co", "Cs") for ch in out), repr(out)
    assert not any(unicodedata.bidirectional(ch) in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI")
                   for ch in out), repr(out)
    assert prepare(out) == out


@FAST
@given(TEXT)
def test_prepare_keeps_every_letter_and_digit(text: str):
    """Normalisation may re-shape punctuation and widths, never drop or invent letters and digits."""
    def letters(s: str) -> str:
        s = "".join(ch for ch in s if ch not in INVISIBLE)
        return "".join(ch for ch in unicodedata.normalize("NFKC", s) if ch.isalnum())

    assert letters(prepare(text)) == letters(text)


@FAST
@given(st.text(alphabet=st.sampled_from(list("&<>\"'aé我😀 ")), max_size=200))
def test_escaped_size_is_the_real_escaped_size(text: str):
    assert escaped_size(text) == xml_size(text)


# ---------------------------------------------------------------------------------------------- split


@FAST
@given(TEXT, _LANGS, st.integers(8, 400), st.integers(32, 1200))
def test_split_hostile_text_within_limits_nothing_lost(text: str, lang: str, max_chars: int, max_bytes: int):
    check_split(text, split_requests(text, lang, max_chars=max_chars, max_bytes=max_bytes), max_chars, max_bytes)


@FAST
@given(TEXT.map(prepare), _LANGS)
def test_split_prepared_text_with_default_limits(text: str, lang: str):
    pieces = split_requests(text, lang)
    cap = ZH_MAX if lang.startswith(("zh", "ja")) else EN_MAX
    check_split(text, pieces, cap, DEFAULT_MAX_BYTES)
    assert bool(pieces) == is_speakable(text)


@FAST
@given(st.integers(1, 60), st.sampled_from(["&", "<", "'", "我", "😀", "a", "&amp;"]))
def test_split_escape_heavy_text_stays_under_the_byte_limit(n: int, unit: str):
    text = (unit * n + "x ") * 40
    check_split(text, split_requests(text, "en", max_bytes=64), EN_MAX, 64)


# --------------------------------------------------------------------------------------------- scripts


def _reference_split_scripts(text: str, default: str) -> list[tuple[str, str]]:
    """The definition, one character at a time: neutral characters join the run before them."""
    runs: list[list] = []
    pending = ""
    for ch in text:
        kind = "zh" if prepare_module._CJK.match(ch) else "en" if prepare_module._LATIN.match(ch) else None
        if kind is None:
            if runs:
                runs[-1][0] += ch
            else:
                pending += ch
        elif runs and runs[-1][1] == kind:
            runs[-1][0] += ch
        else:
            runs.append([pending + ch if not runs else ch, kind])
            pending = ""
    if not runs:
        return [(text, default)] if text else []
    return [(run, kind) for run, kind in runs]


@FAST
@given(TEXT, st.sampled_from(["zh", "en"]))
def test_split_scripts_matches_its_definition(text: str, default: str):
    runs = split_scripts(text, default)
    assert runs == _reference_split_scripts(text, default)
    assert "".join(r for r, _ in runs) == text
    assert all(a[1] != b[1] for a, b in zip(runs, runs[1:], strict=False))


@pytest.mark.parametrize("unit", ["word ", "人工智慧 and the future 我們 ", "我們正在過渡"])
def test_split_scripts_is_linear_on_a_megabyte(unit: str):
    """A 1 MB turn (espeak-ng splits every turn into script runs) is split in well under a few seconds.
    One long run used to be built a character at a time, quadratically: ≈50 s for 1 MB of English."""
    text = (unit * (1 + (1 << 20) // len(unit)))[: 1 << 20]
    start = time.perf_counter()
    runs = split_scripts(text)
    elapsed = time.perf_counter() - start
    assert "".join(r for r, _ in runs) == text
    assert elapsed < 3.0, f"{elapsed:.1f} s"


def test_split_requests_leaves_no_markup_meaning():
    """Markup-looking text is split like prose and kept literally (engines escape it)."""
    text = "<speak><break time='10s'/>Hello &amp; welcome.</speak> ]]> <voice name='x'>there</voice>"
    pieces = split_requests(prepare(text), "en")
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", text)
