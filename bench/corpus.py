"""Deterministic synthetic interview transcripts for the benchmark suite (English by default, or zh-TW).

A transcript is a Markdown interview (``# title``, ``## chapter`` every ``chapter_every`` turns,
``### Speaker:`` then the turn) or plain ``Name: text`` lines. A host asks, two guests answer in turn.
Every sentence is drawn from a small grammar and is never repeated within a transcript, so the clip cache
cannot share a request between turns and the extractive summary has real ranking to do. The same
arguments always give the same text; ``edit=k`` gives the same transcript with only turn ``k``'s words
changed (same speaker, about the same length).

Sizes (words per turn calibrated by rendering with espeak-ng and Recast's default English voices and
reading ``duration_ms``: about 3.4 words/s, plus the 0.6 s gap after each turn; the generated intro adds
about 55 s; the 100-turn transcript measured 62.1 min):

* ``SIZES[10]``   ≈ 20 minutes of audio,
* ``SIZES[100]``  ≈ 1 hour,
* ``SIZES[1000]`` ≈ 3.5 hours,
* ``SCALING`` — 40 and 400 turns of one shape (≈ 9 and ≈ 84 minutes), for the "10× the turns" ratio.

Usage: .venv/bin/python bench/corpus.py TURNS [--words N] [--lang en|zh-TW] [--inline] [--edit K] > file.md
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable

# turns -> words per turn (see the module docstring for the calibration)
SIZES: dict[int, int] = {10: 385, 100: 118, 1000: 40}
SCALING: tuple[int, int] = (40, 400)
SCALING_WORDS = 40
LANGS = ("en", "zh-TW")

# ---------------------------------------------------------------------------------------------- English

EN_SPEAKERS = ("Alice Moreno", "Ben Carter", "Chloe Park")
EN_TOPICS = ("The early days", "Storm season", "Money and volunteers", "Building the antenna", "The night shift",
             "Teaching the next crew", "When things went wrong", "Weather data", "Listeners and letters",
             "The new studio", "Rules and licences", "Looking ahead")
EN_SUBJECTS = ("the harbor master", "my neighbour", "our first volunteer", "an old captain", "the weather office",
               "a young engineer", "the fish market", "the coast guard", "my grandmother", "the school teacher",
               "a retired pilot", "the mayor", "our sound technician", "a night watchman", "the ferry crew",
               "a local farmer", "the lighthouse keeper", "a visiting student", "the union leader", "my brother")
EN_VERBS = ("repaired", "argued about", "measured", "recorded", "borrowed", "painted", "tested", "carried",
            "explained", "rebuilt", "translated", "counted", "announced", "sketched", "replaced", "moved",
            "checked", "described", "ordered", "collected")
EN_OBJECTS = ("the copper antenna", "a broken transmitter", "the tide tables", "a box of batteries",
              "the storm warnings", "every fishing licence", "the backup generator", "a hand-drawn map",
              "the weekly schedule", "a pile of letters", "the rain gauge", "an old microphone",
              "the emergency channel", "a wooden mast", "the morning bulletin", "three spare radios",
              "the wind charts", "a list of boat names", "the studio door", "a roll of cable")
EN_PLACES = ("near the north pier", "behind the ice factory", "on the roof of the school",
             "at the end of the breakwater", "inside the old customs house", "next to the fuel dock",
             "in a rented garage", "on the hill above the bay", "beside the lighthouse", "under the market roof",
             "in the back of a truck", "at the ferry terminal")
EN_TIMES = ("one cold morning", "during the typhoon of that year", "every Sunday night", "before the first frost",
            "in the middle of a blackout", "after the summer festival", "on a quiet Tuesday",
            "late in the spring", "just before midnight", "during the long strike", "at dawn", "that winter")
EN_REASONS = ("because nobody else would do it", "so the boats could hear us past the reef",
              "since the old one kept failing", "to save a little money", "because the rules had changed",
              "so the families on shore could sleep", "because the captains asked for it",
              "to prove that it could work", "since the signal dropped every afternoon",
              "so the children could learn the trade")
EN_FEELINGS = ("honestly", "to be fair", "looking back", "I think", "in my memory", "as far as I know",
               "if I am honest", "strangely enough")
EN_QUESTIONS = ("What happened when {s} {v} {o}?", "Why do you think {s} {v} {o} {p}?",
                "How did people react after {s} {v} {o}?", "Can you tell us who {v} {o} {t}?",
                "Was it true that {s} {v} {o} {r}?", "What did you learn when {s} {v} {o} {p}?")
EN_STATEMENTS = ("{T}, {s} {v} {o} {p}.", "{F}, {s} {v} {o} {r}.", "{T}, we {v} {o} {r}.",
                 "{S} {v} {o} {p}, {r}.", "{F}, nobody expected that {s} {v} {o} {t}.",
                 "I remember that {s} {v} {o} {t}, {r}.", "{S} never {v} {o}, but we did {p}.",
                 "{T}, {s} and I {v} {o} {p}.")


def _en_sentence(rng: random.Random, question: bool, topic: str) -> str:
    template = rng.choice(EN_QUESTIONS if question else EN_STATEMENTS)
    s, t, f = rng.choice(EN_SUBJECTS), rng.choice(EN_TIMES), rng.choice(EN_FEELINGS)
    text = template.format(s=s, S=s[0].upper() + s[1:], v=rng.choice(EN_VERBS), o=rng.choice(EN_OBJECTS),
                           p=rng.choice(EN_PLACES), t=t, T=t[0].upper() + t[1:], r=rng.choice(EN_REASONS),
                           F=f[0].upper() + f[1:])
    if rng.random() < 0.25:
        text = text[:-1] + f", which mattered for {topic.lower()}" + text[-1]
    return text


# ---------------------------------------------------------------------------------------------- zh-TW

ZH_SPEAKERS = ("何思妤", "吳建宏", "林佩君")
ZH_TOPICS = ("港口的早晨", "颱風季節", "經費與志工", "架設天線", "夜班", "培訓新人", "出錯的時候", "氣象資料",
             "聽眾來信", "新的錄音室", "法規與執照", "未來的計畫")
ZH_SUBJECTS = ("港務長", "我的鄰居", "第一位志工", "一位老船長", "氣象站", "年輕的工程師", "魚市場的老闆", "海巡隊",
               "我的外婆", "學校老師", "退休的飛行員", "鎮長", "音控師", "夜班警衛", "渡輪的船員", "附近的農夫",
               "燈塔管理員", "來實習的學生", "工會代表", "我哥哥")
ZH_VERBS = ("修好了", "討論過", "量過", "錄下了", "借來了", "重新漆了", "測試了", "搬走了", "解釋過", "重建了",
            "翻譯了", "清點了", "宣布了", "畫出了", "換掉了", "檢查了", "描述過", "訂購了", "收集了", "整理了")
ZH_OBJECTS = ("那支銅製天線", "壞掉的發射機", "潮汐表", "一箱電池", "颱風警報", "每一張漁船執照", "備用發電機",
              "手繪的地圖", "每週的節目表", "一疊聽眾來信", "雨量計", "老麥克風", "緊急頻道", "木造桅桿",
              "早晨的新聞稿", "三台備用無線電", "風向圖", "漁船名單", "錄音室的門", "一捆電纜")
ZH_PLACES = ("在北邊碼頭", "在製冰廠後面", "在學校屋頂上", "在防波堤盡頭", "在舊海關裡", "在加油站旁邊",
             "在租來的車庫裡", "在海灣上面的山丘", "在燈塔旁邊", "在市場屋簷下", "在卡車後斗", "在渡輪站")
ZH_TIMES = ("有一天清晨", "那年颱風來的時候", "每個星期天晚上", "第一次寒流之前", "停電的那一晚", "夏天廟會之後",
            "一個平靜的星期二", "春天快結束時", "快到半夜的時候", "罷工那段期間", "天剛亮的時候", "那年冬天")
ZH_REASONS = ("因為沒有別人願意做", "好讓船在礁石外也聽得到", "因為舊的一直故障", "為了省一點錢", "因為規定改了",
              "好讓岸上的家人安心睡覺", "因為船長們要求", "想證明這件事做得到", "因為訊號每天下午都會斷",
              "好讓孩子們學會這門手藝")
ZH_FEELINGS = ("老實說", "說句公道話", "回想起來", "我覺得", "在我的記憶裡", "據我所知", "說真的", "很奇怪的是")
ZH_QUESTIONS = ("{s}{v}{o}之後發生了什麼事？", "你覺得{s}為什麼{p}{v}{o}？", "{s}{v}{o}以後，大家有什麼反應？",
                "可以說說{t}是誰{v}{o}嗎？", "聽說{s}{v}{o}，是{r}嗎？", "{s}{p}{v}{o}的時候，你學到了什麼？")
ZH_STATEMENTS = ("{t}，{s}{p}{v}{o}。", "{f}，{s}{v}{o}，{r}。", "{t}，我們{v}{o}，{r}。", "{s}{p}{v}{o}，{r}。",
                 "{f}，沒有人想到{s}會在{t}{v}{o}。", "我記得{s}{t}{v}{o}，{r}。", "{s}一直沒空處理{o}，可是我們{p}做到了。",
                 "{t}，{s}和我{p}{v}{o}。")


def _zh_sentence(rng: random.Random, question: bool, topic: str) -> str:
    template = rng.choice(ZH_QUESTIONS if question else ZH_STATEMENTS)
    text = template.format(s=rng.choice(ZH_SUBJECTS), v=rng.choice(ZH_VERBS), o=rng.choice(ZH_OBJECTS),
                           p=rng.choice(ZH_PLACES), t=rng.choice(ZH_TIMES), r=rng.choice(ZH_REASONS),
                           f=rng.choice(ZH_FEELINGS))
    if rng.random() < 0.25:
        text = text[:-1] + f"，這對「{topic}」很重要" + text[-1]
    return text


def _words(text: str, lang: str) -> int:
    """Spoken words of a generated sentence (zh: about two characters a word)."""
    if lang == "en":
        return len(text.split())
    return max(1, sum(1 for c in text if "\u4e00" <= c <= "\u9fff") // 2)


# ---------------------------------------------------------------------------------------------- transcript


def _turn_text(rng: random.Random, lang: str, words: int, question: bool, topic: str, seen: set[str]) -> str:
    """About ``words`` words (±15 %) of unseen sentences; a host turn ends on a question."""
    make: Callable[[random.Random, bool, str], str] = _en_sentence if lang == "en" else _zh_sentence

    def draw(ask: bool) -> str:
        for _ in range(1000):
            sentence = make(rng, ask, topic)
            if sentence not in seen:
                return sentence
        raise RuntimeError("sentence grammar exhausted")  # pragma: no cover - millions of sentences

    target = words * rng.uniform(0.85, 1.15)
    out: list[str] = []
    total = 0
    closing = draw(True) if question else None
    if closing is not None:
        seen.add(closing)
        target -= _words(closing, lang)
    while True:
        sentence = draw(False)
        n = _words(sentence, lang)
        if (out or closing is not None) and total + n / 2 > target:
            break
        seen.add(sentence)
        out.append(sentence)
        total += n
    if closing is not None:
        out.append(closing)
    return (" " if lang == "en" else "").join(out)


def transcript(turns: int, words_per_turn: int, lang: str = "en", *, chapter_every: int = 25,
               inline: bool = False, edit: int | None = None, seed: int = 0) -> str:
    """A deterministic interview of ``turns`` turns of about ``words_per_turn`` words each.

    ``chapter_every``: a ``## `` chapter starts every that many turns (Markdown form only).
    ``inline``: ``Name: text`` lines under a title line instead of Markdown.
    ``edit``: change only the words of turn ``edit`` (0-based); every other turn is identical.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    if turns < 1 or words_per_turn < 1:
        raise ValueError("turns and words_per_turn must be positive")
    if edit is not None and not 0 <= edit < turns:
        raise ValueError(f"edit must be a turn index below {turns}")
    en = lang == "en"
    speakers, topics = (EN_SPEAKERS, EN_TOPICS) if en else (ZH_SPEAKERS, ZH_TOPICS)
    colon = ":" if en else "："
    rng = random.Random(f"recast-bench:{seed}:{lang}:{words_per_turn}")
    seen: set[str] = set()
    plan = []  # (speaker, chapter title or None, text)
    for i in range(turns):
        chapter = i // chapter_every
        topic = topics[chapter % len(topics)]
        if chapter >= len(topics):
            topic = f"{topic} ({chapter // len(topics) + 1})" if en else f"{topic}（{chapter // len(topics) + 1}）"
        host = i % 2 == 0
        speaker = speakers[0] if host else speakers[1 + (i // 2) % 2]
        text = _turn_text(rng, lang, words_per_turn, host, topic, seen)
        plan.append((speaker, topic if i % chapter_every == 0 else None, text, host))
    if edit is not None:
        speaker, title, _, host = plan[edit]
        topic = next(t for _, t, _, _ in reversed(plan[: edit + 1]) if t)
        text = _turn_text(random.Random(f"recast-bench-edit:{seed}:{edit}"), lang, words_per_turn, host, topic,
                          seen)
        plan[edit] = (speaker, title, text, host)

    title = (f"Harbor radio: {turns} stories from the coast" if en else f"漁港廣播站的{turns}個故事")
    lines = [f"# {title}", ""]
    for speaker, chapter, text, _ in plan:
        if inline:
            lines.append(f"{speaker}{colon} {text}" if en else f"{speaker}{colon}{text}")
            continue
        if chapter:
            lines += [f"## {chapter}", ""]
        lines += [f"### {speaker}{colon}", text, ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("turns", type=int)
    ap.add_argument("--words", type=int, help="words per turn (default: the calibrated size, else 34)")
    ap.add_argument("--lang", choices=LANGS, default="en")
    ap.add_argument("--chapter-every", type=int, default=25)
    ap.add_argument("--inline", action="store_true", help="Name: text lines instead of Markdown")
    ap.add_argument("--edit", type=int, help="change only this turn's words (0-based)")
    args = ap.parse_args(argv)
    words = args.words or SIZES.get(args.turns, SCALING_WORDS)
    sys.stdout.write(transcript(args.turns, words, args.lang, chapter_every=args.chapter_every,
                                inline=args.inline, edit=args.edit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
