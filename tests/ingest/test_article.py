"""Article-style transcripts: labels, headings and metadata are learned from the document itself."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from pipeline.ingest import parse_text


def _article(*body: str, head: str = "標題:一次訪談\n\n2023-01-02\n\n") -> str:
    return head + "\n\n".join(body) + "\n"


def _said(script) -> list[tuple[str, str]]:
    names = {s.id: s.name for s in script.speakers}
    return [(names[t.speaker], t.text) for t in script.turns]


def test_labels_are_learned_not_listed():
    script = parse_text(_article("甲", "今天天氣很好。", "乙", "是啊,適合出門。", "甲", "那我們走吧。"))
    assert script.source.format == "article"
    assert _said(script) == [("甲", "今天天氣很好。"), ("乙", "是啊,適合出門。"), ("甲", "那我們走吧。")]


def test_bare_latin_labels_and_short_unpunctuated_speech():
    script = parse_text(_article("Audrey Tang", "Hello, good to see you.", "Host", "Thanks for coming",
                                 "Audrey Tang", "My pleasure.", "Host", "Let us begin.",
                                 head="A Conversation\n\n"))
    assert [s.name for s in script.speakers] == ["Audrey Tang", "Host"]
    assert script.speakers[1].role == "host"
    assert _said(script)[1] == ("Host", "Thanks for coming")
    assert script.chapters == ()


def test_heading_precedes_a_label_but_short_lines_inside_a_turn_are_speech():
    script = parse_text(_article(
        "開場", "主持人", "歡迎收聽。", "來賓", "謝謝。", "第二部分", "主持人", "好。", "我們繼續聊", "上次說到哪裡了?",
        "來賓", "好的。"))
    assert [c.title for c in script.chapters] == ["開場", "第二部分"]
    assert [c.start_turn for c in script.chapters] == [0, 2]
    assert _said(script)[2] == ("主持人", "好。\n我們繼續聊\n上次說到哪裡了?")


def test_one_speaker_written_two_ways_is_one_speaker():
    script = parse_text(_article("唐鳳", "你好。", "記者（Reporter）", "請問。", "唐鳳（Audrey Tang）", "請說。",
                                 "Reporter", "謝謝。", "Audrey Tang", "不客氣。"))
    assert [(s.id, s.name, s.label) for s in script.speakers] == [("s1", "唐鳳", "唐鳳"), ("s2", "記者", "記者（Reporter）")]
    assert script.speakers[0].aliases == ("唐鳳（Audrey Tang）", "Audrey Tang")
    assert [t.speaker for t in script.turns] == ["s1", "s2", "s1", "s2", "s1"]


def test_consecutive_labels_merge_and_a_trailing_label_adds_nothing():
    script = parse_text(_article("王(Wang)", "第一段。", "王(Wang)", "第二段。", "李(Li)", "好。", "王(Wang)", "結束。",
                                 "李(Li)"))
    assert _said(script) == [("王", "第一段。\n第二段。"), ("李", "好。"), ("王", "結束。")]


def test_recurring_unpunctuated_reply_is_not_a_label():
    body = []
    for k in range(3):
        body += ["Alice Wong", f"Question number {k}?", "Bob Li", "OK", "Alice Wong", "Go on then.", "Bob Li",
                 f"Answer {k} is long enough to be a paragraph."]
    script = parse_text(_article(*body, head="Q and A\n\n"))
    assert [s.name for s in script.speakers] == ["Alice Wong", "Bob Li"]
    assert ("Bob Li", "OK") in _said(script)


def test_header_metadata_and_footer_never_reach_dialogue():
    text = "\n\n".join([
        "當前位置: 首頁 > 科技", "一場關於 AI 的對談", "2024年10月22日 科技", "36:07", "這是導言第一段。", "導言第二段。",
        "王小明 的核心觀點包括:", "  • 觀點一:要點。", "  • 觀點二:要點。", "  • 以下是本期內容的完整轉譯,我們作了刪減。",
        "第一章", "陳大文(David Chen)", "第一個問題?", "王小明(Ming Wang)", "回答。", "陳大文(David Chen)", "好的。",
        "王小明(Ming Wang)", "再見。", "責任編輯:李四", "版權所有 © 2024", "(完)"])
    script = parse_text(text)
    assert script.title == "一場關於 AI 的對談"
    assert script.published == dt.date(2024, 10, 22)
    assert script.description == "這是導言第一段。\n導言第二段。"
    assert script.key_points == ("觀點一:要點。", "觀點二:要點。")
    assert [c.title for c in script.chapters] == ["第一章"]
    assert _said(script)[-1] == ("王小明", "再見。")
    spoken = "".join(t.text for t in script.turns)
    for furniture in ("當前位置", "36:07", "核心觀點", "以下是", "責任編輯", "版權", "完"):
        assert furniture not in spoken


@pytest.mark.parametrize("line, day", [
    ("2024-10-22科技", dt.date(2024, 10, 22)),
    ("發布時間：2021/3/9", dt.date(2021, 3, 9)),
    ("Published: Oct 22, 2024", dt.date(2024, 10, 22)),
    ("22 October 2024", dt.date(2024, 10, 22)),
])
def test_date_lines(line, day):
    script = parse_text(_article("A B", "One.", "C D", "Two.", "A B", "Three.", head=f"Title Here\n\n{line}\n\n"))
    assert script.published == day


def test_untitled_text_is_titled_by_its_file_name_or_else_by_what_is_said():
    text = ("Ann Lee: Today we look at rain gardens, the shallow beds that take the water off a roof.\n"
            "Bo Chen: Rain gardens catch the water from downspouts and let it soak in over a day or two.\n"
            "Ann Lee: And clay soil? Clay soil drains slowly, so rain gardens on clay need gravel below.\n"
            "Bo Chen: Gravel under the rain gardens, yes, and native plants with deep roots on top.\n")
    assert parse_text(text, source_path="/x/episode-7.txt").title == "episode-7"  # a name someone chose
    for generic in ("/x/transcript (2).txt", "/x/index.txt", "<string>"):  # names that say nothing
        title = parse_text(text, source_path=generic).title
        assert "Rain Gardens" in title and " and " in title and "Ann" not in title, title
    # nothing to title it by (greetings only): the file's own name
    script = parse_text("Ann Lee: Hi.\nBo Chen: Hello.\nAnn Lee: Bye.\n", source_path="/x/my-episode.txt")
    assert script.title == "my-episode"


def test_a_speaker_who_talks_once_is_learned_from_the_look_of_the_others():
    body = ["主持人", "今天的主題是交通。", "王教授", "謝謝。", "主持人", "請說說您的看法。", "王教授", "我認為要先改公車。",
            "觀眾", "我想問一個問題。", "王教授", "請說。", "主持人", "時間到了。"]
    script = parse_text(_article(*body))
    assert [s.name for s in script.speakers] == ["主持人", "王教授", "觀眾"]
    assert ("觀眾", "我想問一個問題。") in _said(script)


def test_short_lines_inside_a_turn_do_not_become_speakers():
    body = ["主持人", "今天的主題是交通。", "王教授", "我有三點想法。", "第三點", "公車要準時。", "接下來", "捷運要便宜。",
            "主持人", "謝謝。", "王教授", "不客氣。"]
    script = parse_text(_article(*body))
    assert [s.name for s in script.speakers] == ["主持人", "王教授"]
    assert _said(script)[1] == ("王教授", "我有三點想法。\n第三點\n公車要準時。\n接下來\n捷運要便宜。")


def test_numbered_headings_role_prefixed_labels_and_body_furniture():
    text = "\n\n".join([
        "專訪:社區大學的二十年", "2019/05/05 10:30", "一、開場", "主持人 陳大文：", "歡迎收聽。", "嘉賓 王小明：", "謝謝邀請。",
        "圖片來源：社區大學提供", "（二）未來", "陳大文：", "未來呢?", "（圖／社區大學）", "嘉賓 王小明：", "我們會繼續做下去。",
        "廣告", "嘉賓 王小明：", "謝謝大家。"])
    script = parse_text(text)
    assert script.published == dt.date(2019, 5, 5)
    assert [(s.name, s.label, s.role) for s in script.speakers] == [("陳大文", "主持人 陳大文", "host"),
                                                                     ("王小明", "嘉賓 王小明", "guest")]
    assert [(c.title, c.start_turn) for c in script.chapters] == [("一、開場", 0), ("（二）未來", 2)]
    assert _said(script) == [("陳大文", "歡迎收聽。"), ("王小明", "謝謝邀請。"), ("陳大文", "未來呢?"),
                             ("王小明", "我們會繼續做下去。\n謝謝大家。")]


def test_speech_that_mentions_copyright_or_sharing_is_kept():
    body = ["甲", "我們不會說版權所有、翻印必究。", "乙", "分享到這裡,謝謝。", "甲", "Copyright law matters too."]
    assert [t for _, t in _said(parse_text(_article(*body)))] == [
        "我們不會說版權所有、翻印必究。", "分享到這裡,謝謝。", "Copyright law matters too."]


def test_the_name_is_the_form_in_the_transcripts_own_script():
    zh = parse_text(_article("Robert Nishihara(勞勃·西原)", "您好。", "凱文·威爾(Kevin Weil)", "你好。",
                             "Robert Nishihara(勞勃·西原)", "再見。", "Kevin Weil", "再見。"))
    assert [(s.name, s.label, s.aliases) for s in zh.speakers] == [
        ("勞勃·西原", "Robert Nishihara(勞勃·西原)", ("Robert Nishihara",)),
        ("凱文·威爾", "凱文·威爾(Kevin Weil)", ("Kevin Weil",))]
    en = parse_text("Audrey Tang (唐鳳): Hello.\nJane Doe: Hi.\nAudrey Tang: Bye.\n")
    assert [(s.name, s.aliases) for s in en.speakers] == [("Audrey Tang", ("唐鳳",)), ("Jane Doe", ())]


def test_key_points_after_a_lead_without_colon_and_circled_numbers():
    text = "\n\n".join(["一場對談", "本期重點", "① 第一點。", "② 第二點。", "這是導言。", "甲", "你好。", "乙", "你好。", "甲",
                        "再見。"])
    script = parse_text(text)
    assert (script.title, script.key_points, script.description) == ("一場對談", ("第一點。", "第二點。"), "這是導言。")


def test_a_chinese_transcript_is_titled_from_its_recurring_phrases_without_loading_a_dictionary(tmp_path):
    turns = ["主持人：今天我們聊社區菜園。社區菜園在台北越來越多。", "來賓：對，社區菜園需要堆肥，堆肥可以用廚餘來做。",
             "主持人：廚餘堆肥會不會臭？社區菜園的鄰居會抱怨嗎？", "來賓：堆肥做得好就不會臭，社區菜園也會辦堆肥課。",
             "主持人：謝謝你來聊社區菜園和堆肥。"]
    src = tmp_path / "transcript.txt"
    src.write_text("\n".join(turns * 3) + "\n", "utf-8")
    code = ("import sys; from pipeline.ingest import load_script; s = load_script(sys.argv[1]); "
            "print(s.title); print('jieba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(src)], capture_output=True, text=True, check=True)
    title, jieba_loaded = done.stdout.split("\n")[:2]
    assert title == "社區菜園與堆肥" and jieba_loaded == "False"
