"""Properties of the espeak-ng engine's sentence splitting (each sentence is one espeak-ng run and one cue)."""

from __future__ import annotations

import re

from hypothesis import example, given
from prop_strategies import FAST, TEXT

from pipeline.synth.engines.espeak import split_sentences

#: A sentence may end with no space after it only at CJK end punctuation (and brackets/quotes closing it).
_CJK_END = "。！？；…」』”’\"')）]"


@FAST
@given(TEXT)
@example("me &lt;here&gt;. <!-- no --> <![CDATA[x]]> Yahoo!com a;b")
@example('He said "Stop!" and left. Really?! Yes;  no')
def test_espeak_sentences_cover_the_text_and_never_cut_a_word(text: str):
    pieces = split_sentences(text)
    assert all(p and p == " ".join(p.split()) for p in pieces)
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", text)
    # where two sentences touch in the text (no whitespace between), the first ends with CJK punctuation:
    # Latin '.', '!', '?', ';' end a sentence only before a space, so '&lt;' or '<!--' are never cut
    solid = [i for i, ch in enumerate(text) if not ch.isspace()]
    k = 0
    for a, b in zip(pieces, pieces[1:], strict=False):
        k += len(re.sub(r"\s", "", a))
        last, first = solid[k - 1], solid[k]
        if first == last + 1:
            assert text[last] in _CJK_END and re.search("[。！？；…]", a), (a, b)
