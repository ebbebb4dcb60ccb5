"""Topic blocks for scripts without chapters: TextTiling over turns.

The lexical cohesion across every turn boundary is the cosine between the words of the turns just before
and just after it (windows of about :data:`WINDOW` tokens). Boundaries in a cohesion valley (high depth)
where a question starts a turn are where the conversation changes subject; the deepest ones, kept apart
so that no block is tiny, split the dialogue into blocks.
"""

from __future__ import annotations

import math
from collections import Counter

WINDOW = 60
"""Tokens on each side of a boundary compared for cohesion."""

QUESTION_BONUS = 1.25
"""Depth multiplier for boundaries where the next turn asks a question (new questions open topics)."""


def _window(turns: list[list[str]], start: int, step: int) -> Counter[str]:
    out: Counter[str] = Counter()
    i, n = start, 0
    while 0 <= i < len(turns) and n < WINDOW:
        out.update(turns[i])
        n += len(turns[i])
        i += step
    return out


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[t] for t, v in a.items())
    na, nb = math.sqrt(sum(v * v for v in a.values())), math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def topic_blocks(turns: list[list[str]], k: int, question_turns: set[int] = frozenset()) -> list[int]:
    """Block index (0…) for every turn, splitting the dialogue into at most ``k`` topical blocks.

    ``turns`` holds the content tokens of each turn; ``question_turns`` the turns that ask something.
    Deterministic: ties go to the earlier boundary.
    """
    n = len(turns)
    total = sum(len(t) for t in turns)
    if n == 0:
        return []
    if k <= 1 or n < 2 or total == 0:
        return [0] * n
    gaps = [_cosine(_window(turns, i - 1, -1), _window(turns, i, 1)) for i in range(1, n)]
    depth = []
    for gi, g in enumerate(gaps):
        left = max(gaps[: gi + 1])
        right = max(gaps[gi:])
        score = (left - g) + (right - g)
        if gi + 1 in question_turns:
            score = score * QUESTION_BONUS + 0.05
        depth.append(score)

    before = [0]
    for t in turns:
        before.append(before[-1] + len(t))
    min_block = total / (2 * k)
    order = sorted(range(len(depth)), key=lambda gi: (-depth[gi], gi))
    cuts: list[int] = []
    for gi in order:
        if len(cuts) == k - 1:
            break
        b = gi + 1
        edges = sorted([0, n, *cuts])
        lo = max(e for e in edges if e < b)
        hi = min(e for e in edges if e > b)
        if before[b] - before[lo] >= min_block and before[hi] - before[b] >= min_block:
            cuts.append(b)
    labels, block = [], 0
    cutset = set(cuts)
    for i in range(n):
        if i in cutset:
            block += 1
        labels.append(block)
    return labels
