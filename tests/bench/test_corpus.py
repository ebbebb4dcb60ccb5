"""bench/corpus.py: deterministic, varied synthetic transcripts that Recast reads as intended."""

from __future__ import annotations

import importlib.util
import json
import statistics
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def _turn_texts(md: str) -> list[str]:
    return [block.split("\n", 1)[1].strip() for block in md.split("### ")[1:]]


def test_same_arguments_same_text_and_no_repeated_sentence():
    a = corpus.transcript(60, 40)
    assert a == corpus.transcript(60, 40)
    assert a != corpus.transcript(60, 40, seed=1)
    turns = _turn_texts(a)
    assert len(turns) == 60
    sentences = [s for t in turns for s in t.replace("?", ".").split(". ") if s]
    assert len(set(sentences)) == len(sentences)
    assert a.count("\n## ") == 60 // 25 + 1


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("words", [40, 118, 385])
def test_words_per_turn_is_the_mean(lang, words):
    turns = _turn_texts(corpus.transcript(40, words, lang))
    counts = [corpus._words(t, lang) for t in turns]
    assert abs(statistics.mean(counts) - words) < 0.06 * words
    assert max(counts) < 1.4 * words


def test_edit_changes_only_that_turn():
    before = _turn_texts(corpus.transcript(30, 50))
    after = _turn_texts(corpus.transcript(30, 50, edit=15))
    changed = [i for i, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]
    assert changed == [15]
    assert abs(len(after[15].split()) - len(before[15].split())) < 0.5 * len(before[15].split())


@pytest.mark.parametrize(("lang", "inline"), [("en", False), ("en", True), ("zh-TW", False), ("zh-TW", True)])
def test_recast_reads_the_speakers_turns_and_chapters(tmp_path, recast, lang, inline):
    source = tmp_path / ("t.txt" if inline else "t.md")
    source.write_text(corpus.transcript(12, 30, lang, chapter_every=5, inline=inline), "utf-8")
    proc = recast("inspect", str(source), "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    info = json.loads(proc.stdout)
    assert len(info["turns"]) == 12
    assert len(info["speakers"]) == 3
    assert info["language"].startswith("en" if lang == "en" else "zh")
    if not inline:
        assert [c["start_turn"] for c in info["chapters"]] == [0, 5, 10]
