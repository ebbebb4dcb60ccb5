"""Inline ``Name: text`` transcripts: labels are recurring line prefixes, false labels are not."""

from __future__ import annotations

from pipeline.ingest import parse_text


def _said(script) -> list[tuple[str, str]]:
    names = {s.id: s.name for s in script.speakers}
    return [(names[t.speaker], t.text) for t in script.turns]


def test_false_labels_stay_in_the_speech():
    text = """Ann Lee: We start at
10:30 sharp, remember.
Bo Chen: Noted.
Note: the venue changed last week.
https://example.org/venue has the map.
例如：這不是名字。
Ann Lee: Good.
Bo Chen: See you.
"""
    script = parse_text(text)
    assert script.source.format == "inline"
    assert [s.name for s in script.speakers] == ["Ann Lee", "Bo Chen"]
    said = _said(script)
    assert said[0] == ("Ann Lee", "We start at\n10:30 sharp, remember.")
    assert said[1][1].startswith("Noted.\nNote: the venue changed")
    assert "https://example.org/venue has the map." in said[1][1]
    assert "例如：這不是名字。" in said[1][1]
    # An editorial note is kept in the text but not spoken.
    assert "Note:" not in script.turns[1].spoken_text
    assert "Noted." in script.turns[1].spoken_text


def test_full_width_colon_and_continuation_paragraphs():
    script = parse_text("主持人：歡迎。\n\n來賓：謝謝。\n\n其實我想補充一點。\n\n主持人：請說。\n")
    assert _said(script) == [("主持人", "歡迎。"), ("來賓", "謝謝。\n其實我想補充一點。"), ("主持人", "請說。")]


def test_timestamps_and_bold_labels():
    script = parse_text("[00:00:01] **Ann Lee:** Hi there.\n[00:00:04] **Bo Chen:** Hello.\n"
                        "00:07 Ann Lee: Shall we?\n")
    assert _said(script) == [("Ann Lee", "Hi there."), ("Bo Chen", "Hello."), ("Ann Lee", "Shall we?")]


def test_title_with_a_colon_is_not_a_speaker_but_a_one_time_guest_is():
    text = ("Episode 12: The Library\n\nMia Park: Welcome.\n\nLeo Diaz: Thanks.\n\nMia Park: Questions?\n\n"
            "Audience Member: Is it open on Sundays?\n\nLeo Diaz: From noon.\n")
    script = parse_text(text)
    assert script.title == "Episode 12: The Library"
    assert [s.name for s in script.speakers] == ["Mia Park", "Leo Diaz", "Audience Member"]


def test_speech_verbs_and_clauses_are_not_labels():
    text = ("甲：我昨天去了市場。\n\n乙：然後呢？\n\n甲：老闆說：今天沒有魚。\n\n他說：明天再來。\n\n"
            "我覺得很奇怪：為什麼？\n\n我覺得很奇怪：為什麼？\n\n乙：真的嗎？\n")
    script = parse_text(text)
    assert [s.name for s in script.speakers] == ["甲", "乙"]
    assert _said(script)[2][1] == "老闆說：今天沒有魚。\n他說：明天再來。\n我覺得很奇怪：為什麼？\n我覺得很奇怪：為什麼？"


def test_role_words_give_roles():
    script = parse_text("Host: Welcome.\nGuest: Thanks.\nHost: Bye.\n")
    assert [(s.name, s.role) for s in script.speakers] == [("Host", "host"), ("Guest", "guest")]
    script = parse_text("王小明（主持人）：歡迎。\n李大同：謝謝。\n王小明：再見。\n")
    assert [(s.name, s.label, s.role) for s in script.speakers] == [
        ("王小明", "王小明（主持人）", "host"), ("李大同", "李大同", None)]
    assert [t.speaker for t in script.turns] == ["s1", "s2", "s1"]


def test_forced_plain_reads_everything_with_one_voice():
    script = parse_text("Ann Lee: Hi.\nBo Chen: Hello.\n", "plain")
    assert [s.name for s in script.speakers] == ["Narrator"]
    assert script.turns[0].text == "Ann Lee: Hi.\nBo Chen: Hello."


def test_numbered_speakers_and_a_two_line_exchange():
    otter = "Speaker 1  0:00\nHello and welcome.\n\nSpeaker 2  0:05\nThanks for having me.\n\nSpeaker 1  0:09\nLet's start.\n"
    assert _said(parse_text(otter)) == [("Speaker 1", "Hello and welcome."), ("Speaker 2", "Thanks for having me."),
                                        ("Speaker 1", "Let's start.")]
    assert _said(parse_text("Ann: hi\nBo: hey\n")) == [("Ann", "hi"), ("Bo", "hey")]
    assert parse_text("Note: hi\nWarning: hey\n").source.format == "plain"


def test_a_cast_list_before_the_dialogue_is_metadata():
    zh = parse_text("對話山姆\n\n主持人：萊克斯\n\n嘉賓：山姆\n\n這是一段導言。\n\n主持人：歡迎你。\n\n嘉賓：謝謝。\n\n主持人：開始吧。\n")
    assert zh.description == "主持人：萊克斯\n嘉賓：山姆\n這是一段導言。"
    assert _said(zh) == [("主持人", "歡迎你。"), ("嘉賓", "謝謝。"), ("主持人", "開始吧。")]
    en = parse_text("Host: Jane Doe\nGuest: John Roe\nHost: Welcome, John.\nGuest: Thanks.\n")
    assert (en.title, en.description, en.chapters) == ("Host: Jane Doe", "Guest: John Roe", ())
    assert _said(en) == [("Host", "Welcome, John."), ("Guest", "Thanks.")]
    # Replies that happen to look like names are still dialogue.
    assert _said(parse_text("Ann: Hello\nBob: Hi\nAnn: How are you?\n"))[0] == ("Ann", "Hello")


def test_walk_on_speakers_named_by_what_they_are():
    text = ("Ruth Vance: Welcome to the stacks, everyone.\nAmir Qureshi: Thanks, Ruth. Lovely to be here.\n"
            "Patron: Excuse me, is the catalog still searchable?\nRuth Vance: It is, by hand.\n"
            "Tessa (producer): Sorry, we lost Amir's mic.\nAmir Qureshi: Am I back?\n"
            "Producer Jess: You are, go on.\nRuth Vance: Good.\n")
    assert [who for who, _ in _said(parse_text(text))] == [
        "Ruth Vance", "Amir Qureshi", "Patron", "Ruth Vance", "Tessa", "Amir Qureshi", "Jess", "Ruth Vance"]
    # but a capitalised word before a colon in running speech is no speaker
    prose = "Ann Lee: We met at noon.\nBo Chen: Right.\nAnn Lee: Then this.\nBo Chen: Thanks: really.\n"
    assert [who for who, _ in _said(parse_text(prose))] == ["Ann Lee", "Bo Chen", "Ann Lee", "Bo Chen"]
