"""The pieces: sentence splitting, condensing, tokens, numbers, roles, duration, topic blocks."""

from __future__ import annotations

import pytest

from pipeline.model import Script, Speaker, Turn
from pipeline.summary import text as tx
from pipeline.summary.templates import description_roles, en_number, estimate_seconds, zh_number
from pipeline.summary.topics import topic_blocks


def test_chinese_sentences_with_full_and_half_width_punctuation():
    text = "這是第一句。這是第二句,還沒結束!第三句?「引號裡的話。」最後一句\n新段落的句子"
    assert tx.sentences(text, cjk=True) == ["這是第一句。", "這是第二句,還沒結束!", "第三句?", "「引號裡的話。」",
                                            "最後一句", "新段落的句子"]
    assert tx.sentences("GPT-4.0 Mini 的成本只有 1%。", cjk=True) == ["GPT-4.0 Mini 的成本只有 1%。"]


def test_english_sentences_keep_abbreviations():
    text = "Dr. Reed works in the U.S. now. We set the norms. Data follows. Is it? Yes!"
    assert tx.sentences(text, cjk=False) == ["Dr. Reed works in the U.S. now.", "We set the norms.",
                                             "Data follows.", "Is it?", "Yes!"]


@pytest.mark.parametrize("raw, expected", [
    ("我認為，知識蒸餾技術將成為一個極為重要的領域。", "知識蒸餾技術將成為一個極為重要的領域。"),
    ("所以其實我們常常是在探索中前行，因為世界變化如此迅速。", "我們常常是在探索中前行，因為世界變化如此迅速。"),
    ("而 O1 的獨特之處在於其學會了推理。", "O1 的獨特之處在於其學會了推理。"),
    ("對於新技術及其引發的各種社會挑戰，我們相信逐步部署。", "對於新技術及其引發的各種社會挑戰，我們相信逐步部署。"),
    ("能力,我認為他是全球最優秀的產品思維者之一", "能力，我認為他是全球最優秀的產品思維者之一。"),
])
def test_condense_strips_leading_markers_only(raw, expected):
    assert tx.condense(raw, cjk=True, limit=60) == expected


def test_condense_english_markers_and_capital():
    assert tx.condense("Well, I think the key is trust in the numbers", False, 30) == "The key is trust in the numbers."
    assert (tx.condense("What I'm trying to say is that we must align incentives.", False, 30)
            == "We must align incentives.")
    assert tx.condense("I know, but people learn fast when the tools are simple.", False, 30) == \
        "People learn fast when the tools are simple."


def test_condense_trims_to_whole_clauses_and_drops_fragments():
    long = ("昨天，我們推出了一項新的蒸餾技術，使得大型模型可以被精簡為小型模型，"
            "這些小型模型在執行特定任務時表現出色且更高效，而且成本也大幅下降了很多很多。")
    out = tx.condense(long, cjk=True, limit=60)
    assert out == "昨天，我們推出了一項新的蒸餾技術，使得大型模型可以被精簡為小型模型，這些小型模型在執行特定任務時表現出色且更高效。"
    assert tx.units(out, True) <= 60
    # a trailing clause that only starts a new thought (而且… / but …) is not kept
    trailing = ("城市交通減碳的關鍵是讓大眾運輸、自行車和步行成為最方便的選擇，我們在三個示範區重新分配道路空間，"
                "而且效果很好，公車的準點率在一年之內提高了兩成以上，商家的營業額也跟著成長。")
    assert tx.condense(trailing, True, 60) == ("城市交通減碳的關鍵是讓大眾運輸、自行車和步行成為最方便的選擇，"
                                                "我們在三個示範區重新分配道路空間。")
    assert tx.condense("如果我們能用少量費用在五分鐘內完成原本需要花費八千美元的任務。", True, 60) is None
    assert tx.condense("If the model can think for five days about a single very hard question.", False, 30) is None
    assert tx.condense("「一個沒有結束的引號，" + "很長的子句" * 15, True, 60) is None


def test_filters():
    assert tx.is_question("那麽在 OpenAI 的產品管理有什麽不同之處呢?")
    assert tx.is_question("你覺得呢")
    assert not tx.is_question("我們發現了很多問題。")
    assert tx.is_smalltalk("謝謝你邀請我。", True) and tx.is_smalltalk("恭喜你!", True)
    assert tx.is_smalltalk("Thanks for having me, Maria.", False)
    assert tx.is_smalltalk("Can you hear me?", False)
    assert not tx.is_smalltalk("Trust comes from showing people the numbers.", False)
    assert tx.dangles("這是一種更為根本的哲學轉變。", True) and tx.dangles("It is a shift.", False)
    assert tx.is_example("比如有一個社區發現了車流來源。", True) and tx.is_anecdote("Yesterday we shipped it.", False)
    assert tx.is_continuation("...is GAN and the current trends.") and tx.is_continuation("and then it broke.")


def test_tokens_drop_stop_words_and_stem_english():
    assert tx.tokens("The cities were designing greener roofs", False) == ["city", "design", "greener", "roof"]
    zh = tx.tokens("我們認為知識蒸餾技術非常重要", True)
    assert "我們" not in zh and "非常" not in zh and "技術" in zh


def test_numbers():
    assert [zh_number(n) for n in (1, 2, 10, 12, 20, 45)] == ["一", "二", "十", "十二", "二十", "四十五"]
    assert zh_number(2, count=True) == "兩" and zh_number(2, count=True, simplified=True) == "两"
    assert en_number(4) == "four" and en_number(21) == "21"


def _with_description(description: str, *speakers: Speaker) -> Script:
    return Script("t", "zh-TW", speakers, tuple(Turn(s.id, "你好") for s in speakers), description=description)


def test_roles_only_right_next_to_the_name():
    kevin = Speaker("k", "凱文·威爾", "凱文·威爾(Kevin Weil)", aliases=("Kevin Weil",))
    robert = Speaker("r", "勞勃·西原", "勞勃·西原(Robert Nishihara)")
    s = _with_description("在 Ray Summit 2024 大會上,OpenAI 的首席產品官 Kevin Weil 將探討新興技術。"
                          "自 2024 年加入 OpenAI 以來,Weil 一直專註於產品。", kevin, robert)
    assert description_roles(s) == {"k": ("OpenAI 的首席產品官", True)}
    s = _with_description("他和凱文·威爾在 Twitter 共事多年。許多人認為凱文·威爾很有遠見。", kevin)
    assert description_roles(s) == {}
    maria, daniel = Speaker("m", "Maria Lopez", "Maria Lopez"), Speaker("d", "Daniel Reed", "Daniel Reed")
    s = _with_description("Host Maria Lopez talks with Daniel Reed, who is writing a book, about water.", maria, daniel)
    assert description_roles(s) == {"m": ("Host", True)}
    s = _with_description("We hear from OpenAI's chief product officer Daniel Reed.", daniel)
    assert description_roles(s) == {"d": ("OpenAI's chief product officer", True)}


def test_estimate_seconds_uses_documented_rates():
    assert estimate_seconds("字" * 34) == pytest.approx(10.0)
    assert estimate_seconds(" ".join(["word"] * 23)) == pytest.approx(10.0)
    assert estimate_seconds("我們用 OpenAI 的 API") == pytest.approx(4 / 3.4 + 2 / 2.3)


def test_topic_blocks_find_the_subject_change():
    water = ["water", "pipe", "leak", "meter"]
    money = ["price", "tariff", "budget", "cost"]
    turns = [water[i % 4:] + water[: i % 4] for i in range(6)] + [money[i % 4:] + money[: i % 4] for i in range(6)]
    assert topic_blocks(turns, 2) == [0] * 6 + [1] * 6
    assert topic_blocks(turns, 1) == [0] * 12
    assert topic_blocks([], 3) == []
    labels = topic_blocks(turns * 2, 4)
    assert labels == sorted(labels) and len(set(labels)) == 4  # contiguous, non-empty blocks
