"""Speaker attribution on real transcripts (../shared/corpus/*.md) and on shapes derived from them.

Each Markdown transcript is the truth: every paragraph under ``### Name：`` is Name's. We also rewrite
it at runtime as an inline ``Name：text`` transcript, as an article-style transcript (label lines,
headings, breadcrumb, key points, footer) and as WebVTT and SRT captions, and parse those. The score is the share of spoken characters
attributed to the right speaker; the bar is ≥ 0.98 on average and ≥ 0.90 for every case, with no
label, heading or boilerplate spoken. Our own Markdown fixtures run through the same checks so this is
covered when ../shared is absent.
"""

from __future__ import annotations

import difflib
import html
import re
from pathlib import Path

import pytest

from pipeline.ingest import load_script, parse_text
from pipeline.model import Script

DATA = Path(__file__).parent / "data"
OWN = [DATA / "markdown-library.md", DATA / "markdown-podcast-en.md"]
HEADING = re.compile(r"^#{3}\s+(.+?)\s*[：:]\s*$")
LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
CJK = re.compile(r"[\u4e00-\u9fff]")


def truth(md: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """(title, [(speaker, paragraphs)]) from a Markdown transcript; blockquotes are notes."""
    title, turns = "", []
    for line in md.split("\n"):
        s = line.strip()
        if not s:
            continue
        if s.startswith("# "):
            title = s[2:]
        elif m := HEADING.match(s):
            turns.append((m.group(1), []))
        elif turns and not s.startswith(("#", ">")):
            turns[-1][1].append(s)
    return title, turns


def norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", html.unescape(LINK.sub(r"\1", text)).replace("\\", ""))


def attribution(turns: list[tuple[str, list[str]]], script: Script) -> tuple[float, list[str]]:
    """(share of characters attributed to the right speaker, spoken paragraphs not in the truth)."""
    names = {sp.id: {sp.name, sp.label, *sp.aliases} for sp in script.speakers}
    truth_pars = [(norm(p), name) for name, pars in turns for p in pars if norm(p)]
    ours = [(norm(p), t.speaker, spoken) for t in script.turns for p, spoken in paragraphs(t) if norm(p)]
    matcher = difflib.SequenceMatcher(None, [a for a, _ in truth_pars], [o[0] for o in ours], autojunk=False)
    right, matched = 0, set()
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            text, name = truth_pars[block.a + k]
            matched.add(block.b + k)
            if name in names[ours[block.b + k][1]]:
                right += len(text)
    total = sum(len(a) for a, _ in truth_pars)
    spurious = [ours[i][0][:40] for i in range(len(ours)) if i not in matched and norm(ours[i][2])]
    return right / total, spurious


def paragraphs(turn) -> list[tuple[str, str]]:
    """(paragraph text, its spoken part) for each newline-separated paragraph of a turn."""
    spoken = "".join(ch if span.spoken else "\0" for span in turn.spans for ch in span.text)
    out, pos = [], 0
    for par in turn.text.split("\n"):
        out.append((par, spoken[pos:pos + len(par)].replace("\0", "")))
        pos += len(par) + 1
    return out


def inline_shape(title: str, turns) -> str:
    out = [title, ""]
    for name, pars in turns:
        colon = "：" if CJK.search(name) else ": "
        out += [f"{name}{colon}{pars[0]}" if pars else f"{name}{colon}", ""]
        for p in pars[1:]:
            out += [p, ""]
    return "\n".join(out)


def article_shape(title: str, turns) -> str:
    """News-site shape: breadcrumb, title, date, stamp, intro, key points, headings, label lines, footer."""
    zh = bool(CJK.search(title + "".join(n for n, _ in turns)))
    english = {}
    out = ["當前位置: 首頁 > 訪談" if zh else "Home > Interviews", "", title, "", "2024-05-01科技", "", "41:12", "",
           "本期節目的導言，介紹來賓與主題。" if zh else "An introduction to this episode and its guests.", "",
           "本期的核心觀點包括:" if zh else "Key points:", "",
           "  • 第一個觀點。" if zh else "  • The first point.", "",
           "  • 以下是本期內容的完整轉譯，我們作了不改變原意的刪減。" if zh else
           "  • The following is a transcript, edited for length.", ""]
    for k, (name, pars) in enumerate(turns):
        if k and k % 10 == 0:
            out += [f"第{k // 10}段討論" if zh else f"Part {k // 10}", ""]
        label = name
        if CJK.search(name):
            english.setdefault(name, f"Speaker {chr(65 + len(english))}")
            label = f"{name}({english[name]})" if k % 4 else name
        out += [label, ""]
        for p in pars:
            out += ["    " + p, ""]
    out += ["責任編輯: 王小明" if zh else "Editor: Jane Roe", "", "(完)" if zh else "THE END"]
    return "\n".join(out)


def _clock(ms: int, sep: str) -> str:
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def caption_shape(turns, kind: str) -> str:
    """Subtitles: each paragraph cut into 40-character cues; the speaker named on a turn's first cue
    (``<v Name>`` in WebVTT, ``Name: `` in SRT) and not on the cues that continue it."""
    out = ["WEBVTT", ""] if kind == "vtt" else []
    sep = "." if kind == "vtt" else ","
    n = 0
    for name, pars in turns:
        for k, cue in enumerate(c for p in pars for c in _pieces(html.unescape(LINK.sub(r"\1", p)), 40)):
            tag = ("" if k else f"<v {name}>") if kind == "vtt" else ("" if k else f"{name}: ")
            head = [] if kind == "vtt" else [str(n + 1)]
            out += [*head, f"{_clock(n * 2000, sep)} --> {_clock(n * 2000 + 1900, sep)}", tag + cue, ""]
            n += 1
    return "\n".join(out)


def _pieces(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


def runs(turns, script: Script | None = None) -> list[tuple[str, str]]:
    """(speaker name, normalised text) per change of speaker."""
    if script is not None:
        names = {sp.id: sp.name for sp in script.speakers}
        return [(names[t.speaker], norm(t.text)) for t in script.turns]
    out: list[list[str]] = []
    for name, pars in turns:
        text = norm("".join(pars))
        if out and out[-1][0] == name:
            out[-1][1] += text
        elif text:
            out.append([name, text])
    return [(a, b) for a, b in out]


def _cases(paths):
    return [pytest.param(p, id=p.name[:40]) for p in paths]


def check_all_shapes(path: Path, scores: dict) -> None:
    md = path.read_text("utf-8")
    title, turns = truth(md)
    speakers = {n for n, _ in turns}
    for shape, script in (("markdown", load_script(path)),
                          ("inline", parse_text(inline_shape(title, turns))),
                          ("article", parse_text(article_shape(title, turns)))):
        assert script.source.format == shape
        assert len(script.speakers) == len(speakers), (shape, [s.name for s in script.speakers])
        assert {s.name for s in script.speakers} == speakers
        score, spurious = attribution(turns, script)
        scores[(path.name, shape)] = score
        assert score >= 0.98, (shape, score)
        assert spurious == [], (shape, spurious[:5])
        if shape == "article":
            assert [c.title for c in script.chapters] == [
                (f"第{k}段討論" if CJK.search(title + "".join(speakers)) else f"Part {k}")
                for k in range(1, (len(turns) - 1) // 10 + 1)]
            assert len(script.key_points) == 1
    for kind in ("vtt", "srt"):
        script = parse_text(caption_shape(turns, kind))
        assert script.source.format == kind
        truth_runs, ours = runs(turns), runs(turns, script)
        right = sum(len(text) for (name, text), got in zip(truth_runs, ours, strict=False) if got == (name, text))
        scores[(path.name, kind)] = right / sum(len(text) for _, text in truth_runs)
        assert scores[(path.name, kind)] >= 0.98, kind


@pytest.mark.parametrize("path", _cases(OWN))
def test_own_markdown_in_every_shape(path):
    check_all_shapes(path, {})


def test_corpus_in_every_shape(shared_dir):
    paths = sorted((shared_dir / "corpus").glob("*.md"))
    assert len(paths) == 6
    scores: dict = {}
    for path in paths:
        check_all_shapes(path, scores)
    assert sum(scores.values()) / len(scores) >= 0.98
    assert min(scores.values()) >= 0.90


def test_corpus_speaker_counts_and_metadata(shared_dir):
    expected = {"2017-02-08": 2, "2018-05-14": 2, "2018-07-18": 2, "2019-04-12": 4, "2023-02-13": 2,
                "2023-08-14": 2}
    for path in sorted((shared_dir / "corpus").glob("*.md")):
        script = load_script(path)
        day = path.name[:10]
        assert len(script.speakers) == expected[day]
        assert script.published.isoformat() == day
        assert not script.title.startswith(day)
        assert script.language == ("en" if "-Interview-" in path.name or "Conversation" in path.name else "zh-TW")
