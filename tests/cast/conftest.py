"""Fixtures for the voice tests: scripts built directly from pipeline.model (no parser needed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from pipeline.model import Chapter, Script, Span, Speaker, Turn

ScriptFactory = Callable[..., Script]


def build_script(speakers: Sequence[str | Speaker], turns: Sequence[tuple[int, str]], language: str = "zh-TW",
                 chapters: Sequence[Chapter] = (), chapter_of: Callable[[int], int | None] | None = None,
                 title: str = "測試節目") -> Script:
    """A script whose speaker i is ``s{i+1}``; turns are (speaker index, text) pairs.

    Text in full-width brackets such as （笑） becomes a stage-direction span.
    """
    sps = tuple(s if isinstance(s, Speaker) else Speaker(f"s{i + 1}", s, s) for i, s in enumerate(speakers))
    ts = []
    for n, (who, text) in enumerate(turns):
        spans = _spans(text)
        ts.append(Turn(sps[who].id, text, chapter=chapter_of(n) if chapter_of else None, spans=spans))
    return Script(title, language, sps, tuple(ts), chapters=tuple(chapters))


def _spans(text: str) -> tuple[Span, ...]:
    out, pos = [], 0
    while True:
        a = text.find("（", pos)
        b = text.find("）", a + 1) if a >= 0 else -1
        if a < 0 or b < 0:
            break
        if a > pos:
            out.append(Span(text[pos:a]))
        out.append(Span(text[a:b + 1], spoken=False))
        pos = b + 1
    if pos < len(text):
        out.append(Span(text[pos:]))
    return tuple(out)


@pytest.fixture
def make_script() -> ScriptFactory:
    return build_script


@pytest.fixture
def interview(make_script: ScriptFactory) -> Script:
    """A Traditional-Chinese interview in the reference input's shape: host asks, guest answers, 2 chapters."""
    turns = [
        (0, "您曾在多家公司負責領導產品管理工作。那麽在 OpenAI 的產品管理與其他公司有什麽不同之處呢？"),
        (1, "各家公司在某種程度上都各具特色。Twitter 的文化過於強調達成共識（笑），導致在行動上受到限制。"),
        (0, "你們怎麼決定先做哪個產品？"),
        (1, "我們常常是在探索中前行，因為世界和技術變化如此迅速。這雖然帶來了很大的挑戰，但也充滿了樂趣。"),
        (0, "推理模型會改變什麼嗎？"),
        (1, "會的。這些模型不再僅依賴於已有的知識，而是能夠進行深入思考和假設驗證。"),
    ]
    speakers = [Speaker("s1", "勞勃·西原", "勞勃·西原(Robert Nishihara)", aliases=("Robert Nishihara",)),
                Speaker("s2", "凱文·威爾", "凱文·威爾(Kevin Weil)", aliases=("Kevin Weil",))]
    return build_script(speakers, turns, chapters=[Chapter("在探索中前行", 0), Chapter("推理能力", 4)],
                        chapter_of=lambda n: 0 if n < 4 else 1)
