"""Extractive key-point selection: score the dialogue's sentences, then pick one per topic with MMR.

Scoring combines general signals of a good interview key point, each normalized to 0…1:

* centrality — TextRank (PageRank) over a BM25 sentence-similarity graph of the whole dialogue;
* topicality — how much of the sentence is made of its own section's characteristic words
  (term frequency in the section × inverse frequency across sections);
* relevance — overlap with the section heading (or the episode title) and with the question it answers;
* cue phrases — stance markers such as 我認為 / 我們的理念 / "I think" / "the key";
* position — answers open with their thesis: earlier sentences of a turn and of a section score higher.

Speaker balance multiplies the sum: people who mostly ask (hosts) weigh less than people who answer.
Sentences that open with a pronoun pointing back ("這…", "It…") and very short or long ones weigh less.
Greetings, thanks, questions and talk about the recording are never candidates.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from pipeline.model import Cast, Script
from pipeline.summary import text as tx
from pipeline.summary.topics import topic_blocks


@dataclass(frozen=True)
class Sentence:
    """One sentence of the dialogue with what ranking needs to know about it."""

    index: int
    """Position among all sentences of the dialogue."""
    turn: int
    """Index of its turn in the script."""
    speaker: str
    """Speaker id."""
    text: str
    """The sentence as written."""
    tokens: tuple[str, ...]
    """Content tokens (stop words removed)."""
    pos_in_turn: int
    """0 for the first sentence of its turn."""
    left_in_turn: int
    """0 for the last sentence of its turn."""
    question: bool
    """True when it asks something."""


@dataclass(frozen=True)
class Candidate:
    """A sentence that may become a key point."""

    sentence: Sentence
    """The source sentence."""
    point: str
    """The condensed form that would be spoken."""
    group: int
    """Chapter index, or topic-block index when the script has no chapters."""
    score: float
    """Combined score (higher is better)."""
    features: tuple[float, ...] = ()
    """Normalized centrality, topicality, relevance, cue and position, then the multiplier (for benches)."""


@dataclass(frozen=True)
class Limits:
    """Length limits of a key point, in :func:`pipeline.summary.text.units`."""

    min_units: int
    """Shorter sentences are not candidates (12 CJK characters / 6 English words)."""
    max_units: int
    """Longer sentences are trimmed to whole clauses within this (60 CJK characters / 30 words)."""


WEAK_TOPIC = 0.5
"""A topic whose best candidate scores below this share of the best overall gets no point of its own."""

ZH_LIMITS = Limits(12, 60)
EN_LIMITS = Limits(6, 30)

# Cue phrases of key statements, in classes (Edmundson's cue method): stance, importance, generalization,
# outlook/conclusion. A sentence's cue score is the share of classes it hits (capped at two).
_ZH_CUES = tuple(re.compile(p) for p in (
    r"我認為|我认为|我覺得|我觉得|我相信|我們相信|我们相信|我的看法|我們發現|我们发现",
    r"重要|關鍵|关键|核心|根本|本質|本质|最大的|首要|必須|必须|至關|至关|不可或缺",
    r"總體而言|总体而言|總的來說|总的来说|理念|使命|目標|目标|原則|原则|策略|致力於|致力于|我們希望|我们希望",
    r"未來|未来|將會|将会|將成為|将成为|趨勢|趋势|意味著|意味着|因此|所以|總之|总之|正在從|正在从|轉變|转变",
))
_EN_CUES = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\bI (?:think|believe|feel)\b|\bwe (?:believe|found|think)\b|\bmy view\b|\bin my opinion\b",
    r"\bimportant\b|\bkey\b|\bessential|\bfundamental|\bcrucial\b|\bcore\b|\bcritical\b|\bthe point is\b",
    r"\boverall\b|\bphilosophy\b|\bmission\b|\bgoal\b|\bprinciple|\bstrategy\b|\bwe (?:want|need|have) to\b|"
    r"\bcommitted to\b|\bwe hope\b",
    r"\bfuture\b|\bwill (?:be|become)\b|\btrend|\bmeans that\b|\btherefore\b|\bthat's why\b|"
    r"\bshift(?:ing)?\b|\bmoving (?:from|to)\b",
))


def cue_score(sentence: str, cjk: bool) -> float:
    """0, 0.5 or 1: how many classes of key-statement cue phrases the sentence uses (two or more → 1)."""
    hits = sum(bool(c.search(sentence)) for c in (_ZH_CUES if cjk else _EN_CUES))
    return min(hits, 2) / 2


# Weights of the score components (sum to 1).
_W_CENTRAL, _W_TOPIC, _W_RELEVANT, _W_CUE, _W_POSITION = 0.25, 0.25, 0.15, 0.15, 0.20


def split_dialogue(script: Script, cjk: bool) -> list[Sentence]:
    """Every spoken sentence of the dialogue, in order."""
    out: list[Sentence] = []
    for ti, turn in enumerate(script.turns):
        sents = tx.sentences(turn.spoken_text, cjk)
        for pos, sent in enumerate(sents):
            out.append(Sentence(len(out), ti, turn.speaker, sent, tuple(tx.tokens(sent, cjk)), pos,
                                len(sents) - 1 - pos, tx.is_question(sent)))
    return out


def speaker_weights(script: Script, sentences: list[Sentence], cast: Cast | None) -> dict[str, float]:
    """How much a speaker's sentences count: answerers 1.0, askers down to 0.5.

    Roles come from the cast, else from the source (:attr:`Speaker.role`), else from how often each
    speaker asks (share of their turns that contain a question).
    """
    known: dict[str, str] = {}
    if cast is not None:
        known = {sid: cast.role_of(sid) for sid, _ in cast.speakers}
    for sp in script.speakers:
        if sp.role and sp.id not in known:
            known[sp.id] = sp.role
    asking_turns = {s.turn for s in sentences if s.question}
    turns: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    for ti, turn in enumerate(script.turns):
        turns[turn.speaker] += 1
        asked[turn.speaker] += ti in asking_turns
    weights = {}
    for sp in script.speakers:
        if sp.id in known and len(set(known.values())) > 1:
            weights[sp.id] = 0.55 if known[sp.id] == "host" else 1.0
        else:
            share = asked[sp.id] / turns[sp.id] if turns[sp.id] else 0.0
            weights[sp.id] = 1.0 - 0.5 * min(1.0, share / 0.6)
    return weights


COMMON_SHARE = 0.25
"""Words in more than this share of the sentences (and at least 40) are left out of the similarity graph:
they link everything to everything, and skipping them keeps long transcripts fast."""


NEIGHBOURS = 30
"""Each sentence keeps its strongest links only (a sparse graph keeps TextRank fast on long episodes)."""


def _bm25_graph(docs: list[tuple[str, ...]]) -> list[dict[int, float]]:
    """Symmetrized BM25 similarity between sentences, as sparse adjacency (via an inverted index)."""
    n = len(docs)
    tfs = [Counter(d) for d in docs]
    postings: dict[str, list[int]] = {}
    for j, tf in enumerate(tfs):
        for t in tf:
            postings.setdefault(t, []).append(j)
    avgdl = sum(len(d) for d in docs) / max(1, n)
    k1, b = 1.2, 0.75
    norms = [k1 * (1 - b + b * len(d) / avgdl) for d in docs]
    common = max(40, COMMON_SHARE * n)
    raw: list[dict[int, float]] = [{} for _ in range(n)]
    for t, js in postings.items():
        if len(js) < 2 or len(js) > common:
            continue
        idf = math.log(1 + (n - len(js) + 0.5) / (len(js) + 0.5))
        for j in js:  # every sentence j containing t gains from every other sentence i containing t
            tf = tfs[j][t]
            gain = idf * tf * (k1 + 1) / (tf + norms[j])
            for i in js:
                if i != j:
                    raw[i][j] = raw[i].get(j, 0.0) + gain
    graph = []
    for i, row in enumerate(raw):
        sym = {j: (w + raw[j].get(i, 0.0)) / 2 for j, w in row.items()}
        keep = sorted(sym, key=lambda j: (-sym[j], j))[:NEIGHBOURS]
        graph.append({j: sym[j] for j in sorted(keep)})
    return graph


def textrank(docs: list[tuple[str, ...]], damping: float = 0.85, iterations: int = 60) -> list[float]:
    """PageRank over the BM25 similarity graph, normalized so the top sentence has 1."""
    n = len(docs)
    if n == 0:
        return []
    graph = _bm25_graph(docs)
    out_sum = [sum(edges.values()) for edges in graph]
    rank = [1.0 / n] * n
    for _ in range(iterations):
        new = [(1 - damping) / n] * n
        for i, edges in enumerate(graph):
            if out_sum[i] == 0:
                continue
            share = damping * rank[i] / out_sum[i]
            for j, w in edges.items():
                new[j] += share * w
        done = max(abs(a - b) for a, b in zip(new, rank, strict=True)) < 1e-7 / n
        rank = new
        if done:
            break
    top = max(rank)
    return [r / top for r in rank]


def _section_weights(sentences: list[Sentence], groups: list[int]) -> dict[tuple[int, str], float]:
    """TF (within the section) × IDF (across sections) for every section word."""
    per_group: dict[int, Counter[str]] = {}
    for s, g in zip(sentences, groups, strict=True):
        per_group.setdefault(g, Counter()).update(s.tokens)
    n = len(per_group)
    df: Counter[str] = Counter(t for c in per_group.values() for t in c)
    out = {}
    for g, counts in per_group.items():
        for t, f in counts.items():
            out[(g, t)] = (1 + math.log(f)) * math.log(1 + n / df[t]) if f > 1 else 0.0
    return out


def _overlap(a: tuple[str, ...], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(set(a) & b) / math.sqrt(len(set(a)) * len(b))


def _coverage(tokens: tuple[str, ...], query: set[str]) -> float:
    """Share of the query's words (a heading or title) the sentence contains."""
    return len(set(tokens) & query) / len(query) if query else 0.0


def _length_factor(n_units: int, limits: Limits) -> float:
    """1 for points of comfortable length, less for very short ones."""
    low = limits.min_units * 1.6
    return 1.0 if n_units >= low else 0.85 + 0.15 * (n_units - limits.min_units) / (low - limits.min_units)


def candidates(script: Script, sentences: list[Sentence], cjk: bool, cast: Cast | None,
               n_blocks: int) -> list[Candidate]:
    """Score every eligible sentence; the group is its chapter (or its topic block)."""
    limits = ZH_LIMITS if cjk else EN_LIMITS
    if not sentences:
        return []
    groups = group_of(script, sentences, n_blocks, cjk)
    central = textrank([s.tokens for s in sentences])
    section = _section_weights(sentences, groups)
    weights = speaker_weights(script, sentences, cast)
    title = set(tx.tokens(script.title, cjk))
    headings = [set(tx.tokens(c.title, cjk)) for c in script.chapters]
    group_start = {}
    for s, g in zip(sentences, groups, strict=True):
        group_start.setdefault(g, s.index)
    group_len = Counter(groups)

    rows = []
    for s, g in zip(sentences, groups, strict=True):
        if (s.question or not s.tokens or tx.is_smalltalk(s.text, cjk) or not tx.balanced(s.text)
                or tx.is_continuation(s.text)):
            continue
        if tx.units(s.text, cjk) < limits.min_units:
            continue
        point = tx.condense(s.text, cjk, limits.max_units)
        if point is None or tx.units(point, cjk) < limits.min_units:
            continue
        distinct = dict.fromkeys(s.tokens)
        topic = sum(section[(g, t)] for t in distinct) / math.sqrt(len(distinct) + 2)
        turn = script.turns[s.turn]
        heading = headings[turn.chapter] if script.chapters and turn.chapter is not None else title
        question = _previous_question(sentences, s)
        relevant = (0.6 * max(_coverage(s.tokens, heading), _coverage(s.tokens, title))
                    + 0.4 * _overlap(s.tokens, question))
        cue = cue_score(s.text, cjk)
        offset = (s.index - group_start[g]) / max(1, group_len[g])
        edge = 1.0 if s.pos_in_turn == 0 else 0.7 if s.left_in_turn == 0 else 0.5 / s.pos_in_turn
        position = 0.5 * edge + 0.25 * (1 - offset) + 0.25 * (1 - s.index / len(sentences))
        factor = weights.get(s.speaker, 1.0) * _length_factor(tx.units(point, cjk), limits)
        if tx.dangles(point, cjk):
            factor *= 0.7
        if tx.is_example(point, cjk) or tx.is_anecdote(point, cjk):
            factor *= 0.8
        rows.append((s, point, g, [central[s.index], topic, relevant, cue, position], factor))

    if not rows:
        return []
    tops = [max(r[3][k] for r in rows) or 1.0 for k in range(5)]
    w = (_W_CENTRAL, _W_TOPIC, _W_RELEVANT, _W_CUE, _W_POSITION)
    out = []
    for s, point, g, feats, factor in rows:
        norm = tuple(f / t for f, t in zip(feats, tops, strict=True))
        out.append(Candidate(s, point, g, factor * sum(wk * f for wk, f in zip(w, norm, strict=True)),
                             (*norm, factor)))
    return out


def _previous_question(sentences: list[Sentence], s: Sentence) -> set[str]:
    """Tokens of the nearest question asked by someone else before this sentence (within a few turns)."""
    for prev in reversed(sentences[max(0, s.index - 12):s.index]):
        if prev.speaker != s.speaker and prev.question:
            return set(prev.tokens)
    return set()


def group_of(script: Script, sentences: list[Sentence], n_blocks: int, cjk: bool) -> list[int]:
    """Chapter index per sentence when the script has two or more chapters, else a topic-block index."""
    if len(script.chapters) >= 2:
        return [c if (c := script.turns[s.turn].chapter) is not None else -1 for s in sentences]
    per_turn: list[list[str]] = [[] for _ in script.turns]
    for s in sentences:
        per_turn[s.turn].extend(s.tokens)
    asks = {s.turn for s in sentences if s.question}
    by_turn = topic_blocks(per_turn, n_blocks, asks)
    return [by_turn[s.turn] for s in sentences]


def _cosine(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    ca, cb = Counter(a), Counter(b)
    dot = sum(v * cb[t] for t, v in ca.items())
    na, nb = math.sqrt(sum(v * v for v in ca.values())), math.sqrt(sum(v * v for v in cb.values()))
    return dot / (na * nb) if na and nb else 0.0


def select(cands: list[Candidate], n_points: int, mmr_lambda: float = 0.7) -> list[Candidate]:
    """One point per topic (strongest topics first when there are more topics than points), then fill.

    Every pick maximizes MMR: ``λ·score − (1−λ)·max similarity to what is already picked``, minus a
    speaker-balance term when one speaker would get more than their share of the candidates' words.
    Filling discounts topics that already gave a point; a topic whose best sentence is weak (under
    :data:`WEAK_TOPIC` of the best overall) gets no point of its own. Result in dialogue order.
    """
    if not cands:
        return []
    top = max(c.score for c in cands) or 1.0
    by_group: dict[int, list[Candidate]] = {}
    for c in cands:
        by_group.setdefault(c.group, []).append(c)
    words: Counter[str] = Counter()
    for c in cands:
        words[c.sentence.speaker] += len(c.sentence.tokens)
    share = {sp: n / max(1, sum(words.values())) for sp, n in words.items()}
    strength = {g: max(c.score for c in cs) / top + 0.15 * math.log1p(len(cs)) for g, cs in by_group.items()}
    strong = [g for g in by_group if max(c.score for c in by_group[g]) >= WEAK_TOPIC * top]
    chosen_groups = sorted(sorted(strong, key=lambda g: (-strength[g], g))[:n_points])
    picked: list[Candidate] = []

    def mmr(c: Candidate, discount: float = 1.0) -> float:
        redundancy = max((_cosine(c.sentence.tokens, p.sentence.tokens) for p in picked), default=0.0)
        same = sum(p.sentence.speaker == c.sentence.speaker for p in picked)
        over = max(0.0, (same + 1) / (len(picked) + 1) - share[c.sentence.speaker])
        return mmr_lambda * discount * c.score / top - (1 - mmr_lambda) * redundancy - 0.2 * over

    for g in chosen_groups:
        picked.append(max(by_group[g], key=lambda c: (mmr(c), -c.sentence.index)))
    while len(picked) < n_points:
        rest = [c for c in cands if c not in picked]
        if not rest:
            break
        used = Counter(p.group for p in picked)
        picked.append(max(rest, key=lambda c: (mmr(c, 0.8 ** used[c.group]), -c.sentence.index)))
    return sorted(picked, key=lambda c: c.sentence.index)
