"""Benchmark the generated key points against LEAD on the reference transcript (one run, prints a table).

Metric: character-bigram overlap (ROUGE-2-like on characters; letters and digits only, lower-cased,
punctuation and spaces removed; bigrams never cross a point boundary), precision / recall / F1.

References (proxies for the human summary we do not have):
  * key points — the transcript's own 核心觀點 bullets (metadata; ``mode="auto"`` never reads them);
  * description — the source's intro paragraphs.

Baselines: LEAD-k, the first k sentences of the dialogue (k = number of generated points), and LEAD-len,
the first sentences of the dialogue up to the generated points' total length.

Also a sanity pass over ../shared/corpus: points per chapter/topic block, greetings, spoken duration.

Usage: .venv/bin/python bench/summary_bench.py [REFERENCE.txt] [CORPUS_DIR]
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.model import Script  # noqa: E402
from pipeline.summary import estimate_seconds, rank, summarize  # noqa: E402
from pipeline.summary import text as tx  # noqa: E402

SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "examples" / "ray-summit-2024-kevin-weil.txt"
CORPUS = SHARED / "corpus"

# ------------------------------------------------------------------------------------------ metric

_KEEP = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def bigrams(texts: list[str]) -> Counter[str]:
    """Character bigrams of each text (letters/digits only, lower-cased), summed over the texts."""
    out: Counter[str] = Counter()
    for t in texts:
        chars = _KEEP.findall(t.lower())
        out.update(a + b for a, b in zip(chars, chars[1:], strict=False))
    return out


def prf(candidate: list[str], reference: list[str]) -> tuple[float, float, float]:
    """Clipped character-bigram precision, recall and F1 of candidate texts against reference texts."""
    c, r = bigrams(candidate), bigrams(reference)
    hit = sum((c & r).values())
    p = hit / max(1, sum(c.values()))
    rec = hit / max(1, sum(r.values()))
    return p, rec, (2 * p * rec / (p + rec) if p + rec else 0.0)


def lead_k(script: Script, k: int) -> list[str]:
    """The first k sentences of the dialogue, as the baseline summary."""
    cjk = tx.is_cjk_text("".join(t.text for t in script.turns[:20]))
    return [s.text for s in rank.split_dialogue(script, cjk)[:k]]


def lead_len(script: Script, n_chars: int) -> list[str]:
    """The opening of the dialogue cut to exactly ``n_chars`` letters/digits (length-matched LEAD)."""
    cjk = tx.is_cjk_text("".join(t.text for t in script.turns[:20]))
    out, total = [], 0
    for s in rank.split_dialogue(script, cjk):
        chars = _KEEP.findall(s.text)
        if total + len(chars) >= n_chars:
            out.append("".join(chars[: n_chars - total]))
            break
        out.append(s.text)
        total += len(chars)
    return out


def textrank_naive(script: Script, k: int, n_chars: int | None = None) -> list[str]:
    """Plain TextRank: the k most central sentences (no filters, no topics), in dialogue order.

    With ``n_chars``: the most central sentences up to that many letters/digits (the last one cut).
    """
    cjk = tx.is_cjk_text("".join(t.text for t in script.turns[:20]))
    sentences = rank.split_dialogue(script, cjk)
    scores = rank.textrank([s.tokens for s in sentences])
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    if n_chars is None:
        return [sentences[i].text for i in sorted(order[:k])]
    chosen, total = {}, 0
    for i in order:
        chars = _KEEP.findall(sentences[i].text)
        chosen[i] = "".join(chars[: n_chars - total])
        total += len(chars)
        if total >= n_chars:
            break
    return [chosen[i] for i in sorted(chosen)]


# Weight settings for the sensitivity check (centrality, topicality, relevance, cues, position).
SWEEP = [(0.25, 0.25, 0.15, 0.15, 0.20), (0.2, 0.2, 0.2, 0.2, 0.2), (0.4, 0.2, 0.2, 0.1, 0.1),
         (0.1, 0.4, 0.2, 0.1, 0.2), (0.3, 0.3, 0.1, 0.1, 0.2), (0.3, 0.3, 0.2, 0.05, 0.15),
         (0.2, 0.3, 0.3, 0.1, 0.1), (0.3, 0.2, 0.2, 0.15, 0.15), (0.25, 0.30, 0.20, 0.10, 0.15)]


def sweep(script: Script) -> list[tuple[tuple[float, ...], float, float]]:
    """(weights, F1 / LEAD-k F1, F1 / LEAD-len F1) on the key points for each weight setting."""
    saved = (rank._W_CENTRAL, rank._W_TOPIC, rank._W_RELEVANT, rank._W_CUE, rank._W_POSITION)
    ref = list(script.key_points)
    out = []
    try:
        for w in SWEEP:
            rank._W_CENTRAL, rank._W_TOPIC, rank._W_RELEVANT, rank._W_CUE, rank._W_POSITION = w
            points = list(summarize(script).points)
            n_chars = sum(len(_KEEP.findall(p)) for p in points)
            f = prf(points, ref)[2]
            out.append((w, f / prf(lead_k(script, len(points)), ref)[2], f / prf(lead_len(script, n_chars), ref)[2]))
    finally:
        rank._W_CENTRAL, rank._W_TOPIC, rank._W_RELEVANT, rank._W_CUE, rank._W_POSITION = saved
    return out


# ------------------------------------------------------------------------------------------ loading


def load(path: Path) -> Script:
    """Parse a transcript with Recast's own ingest stage."""
    from pipeline.ingest import load_script

    return load_script(path)


# ------------------------------------------------------------------------------------------- report


def reference_table(path: Path) -> list[tuple[str, str, tuple[float, float, float]]]:
    """(reference name, system name, (P, R, F1), letters/digits) rows for the reference transcript."""
    script = load(path)
    summary = summarize(script)
    mine = list(summary.points)
    n_chars = sum(len(_KEEP.findall(p)) for p in mine)
    systems = {"generated (auto)": mine, f"LEAD-{len(mine)}": lead_k(script, len(mine)),
               "LEAD-len": lead_len(script, n_chars), f"TextRank-{len(mine)}": textrank_naive(script, len(mine)),
               "TextRank-len": textrank_naive(script, len(mine), n_chars)}
    refs = {"key points": list(script.key_points), "description": [script.description]}
    return [(rn, sn, prf(sv, rv), sum(len(_KEEP.findall(t)) for t in sv))
            for rn, rv in refs.items() for sn, sv in systems.items()]


def main(argv: list[str]) -> int:
    ref = Path(argv[1]) if len(argv) > 1 else REFERENCE
    corpus = Path(argv[2]) if len(argv) > 2 else CORPUS
    if not ref.is_file():
        print(f"reference transcript not found: {ref}")
        return 2
    t0 = time.perf_counter()
    rows = reference_table(ref)
    elapsed = time.perf_counter() - t0
    script = load(ref)
    summary = summarize(script)
    print(f"# {ref.name}: {len(script.turns)} turns, {len(script.chapters)} chapters ({elapsed:.2f} s)\n")
    print("points:")
    for p in summary.points:
        print(f"  - {p}")
    print(f"\nintro ({estimate_seconds(summary.intro):.0f} s): {summary.intro}\n")
    print(f"{'reference':<12} {'system':<18} {'chars':>5} {'P':>6} {'R':>6} {'F1':>6}  {'vs best LEAD':>12}")
    for ref_name in dict.fromkeys(r[0] for r in rows):
        sub = [r for r in rows if r[0] == ref_name]
        best_lead = max(r[2][2] for r in sub if r[1].startswith("LEAD"))
        for _, sys_name, (p, r, f), n in sub:
            ratio = f"{f / best_lead:.2f}x" if best_lead else "-"
            print(f"{ref_name:<12} {sys_name:<18} {n:5d} {p:6.3f} {r:6.3f} {f:6.3f}  {ratio:>12}")
    if script.key_points:
        print("\n# weight sensitivity (key points): F1 ratio to LEAD-k / LEAD-len")
        for w, vs_k, vs_len in sweep(script):
            print(f"  {w}: {vs_k:.2f}x / {vs_len:.2f}x")
    if corpus.is_dir():
        print("\n# corpus sanity (no human summaries): points, their topic blocks, duration")
        for path in sorted(corpus.glob("*.md")):
            s = load(path)
            cjk = tx.is_cjk_text("".join(t.text for t in s.turns[:20]))
            sents = rank.split_dialogue(s, cjk)
            cands = rank.candidates(s, sents, cjk, None, n_blocks=5)
            picked = rank.select(cands, 5)
            summ = summarize(s)
            greet = sum(tx.is_smalltalk(p, cjk) or tx.is_question(p) for p in summ.points)
            groups = [c.group for c in picked]
            print(f"\n{path.name}: {len(s.turns)} turns; blocks of points {groups}; "
                  f"{len(set(groups))} distinct; greetings/questions {greet}; "
                  f"intro {estimate_seconds(summ.intro):.0f} s")
            for c in picked:
                print(f"  [{c.group}] turn {c.sentence.turn:>3} {s.speaker(c.sentence.speaker).name}: {c.point}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
