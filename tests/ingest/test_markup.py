"""Markdown, WebVTT and SRT specifics, and stage directions."""

from __future__ import annotations

import pytest

from pipeline.ingest import parse_text, script_from_dict, script_to_dict
from pipeline.ingest.directions import spans_for


def _said(script) -> list[tuple[str, str]]:
    names = {s.id: s.name for s in script.speakers}
    return [(names[t.speaker], t.text) for t in script.turns]


@pytest.mark.parametrize("text", ["（笑）", "(laughs)", "(laughter)", "[inaudible]", "[laughs]", "（眾人大笑）",
                                  "（電子白板： https://example.org/x ）", "（會後補充：已改寫。）", "[crosstalk]",
                                  "(applause)", "[00:12:03]", "（瞭解貌）", "[Editor's note: recorded remotely]",
                                  "(DOOR OPENS)", "♪ la la la ♪"])
def test_stage_directions_are_kept_but_not_spoken(text):
    spans = spans_for(f"Before {text} after.")
    assert "".join(s.text for s in spans) == f"Before {text} after."
    assert [s.text for s in spans if not s.spoken] == [text]


@pytest.mark.parametrize("text", ["（問卷）", "(David LePage)", "(NASA)", "【星際迷航】", "（Open World）", "(CSA)", "[the company]",
                                  "(which is why we laughed about it later, honestly, for hours)"])
def test_glosses_and_titles_are_speech(text):
    assert all(s.spoken for s in spans_for(f"Before {text} after."))


def test_markdown_escapes_entities_links_and_notes():
    md = ("# 2020-01-02 A Talk\n\n## Start\n\n### Ann Lee:\nIt is \\[laughs\\] &quot;fine&quot;, see "
          "[the site](https://example.org).\n\n> She leaves the room.\n\n### Bo Chen:\n**Really**?\n\n"
          "### Bo Chen:\nYes.\n")
    script = parse_text(md)
    assert (script.title, script.published.isoformat()) == ("A Talk", "2020-01-02")
    assert _said(script) == [("Ann Lee", 'It is [laughs] "fine", see the site.\nShe leaves the room.'),
                             ("Bo Chen", "Really?\nYes.")]
    assert script.turns[0].spoken_text == 'It is  "fine", see the site.\n'
    data = script_to_dict(script)
    assert "spans" in data["turns"][0]  # the blockquote note cannot be re-detected from text alone
    assert script_from_dict(data).turns == script.turns


def test_markdown_without_speaker_headings_learns_inline_labels():
    md = "# Title\n\n## Part A\n\n**Ann Lee:** Hi.\n\n**Bo Chen:** Hello.\n\n## Part B\n\nAnn Lee: Bye.\n"
    script = parse_text(md)
    assert script.source.format == "markdown"
    assert [c.title for c in script.chapters] == ["Part A", "Part B"]
    assert _said(script) == [("Ann Lee", "Hi."), ("Bo Chen", "Hello."), ("Ann Lee", "Bye.")]


def test_vtt_voices_merge_and_continue():
    vtt = ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v.loud Ann Lee>Hello <b>there</b>.\n\n"
           "00:00:01.000 --> 00:00:02.000\nStill me.\n\n00:00:02.000 --> 00:00:03.000\n<v Bo>Hi <ruby>漢<rt>han</rt></ruby>.\n"
           "<v Ann Lee>Interrupting!\n")
    script = parse_text(vtt)
    assert _said(script) == [("Ann Lee", "Hello there. Still me."), ("Bo", "Hi 漢."), ("Ann Lee", "Interrupting!")]


def test_vtt_without_voice_tags_uses_name_prefixes():
    vtt = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nAnn: Hello.\n\n2\n00:00:01.000 --> 00:00:02.000\nBo: Hi.\n"
    assert _said(parse_text(vtt)) == [("Ann", "Hello."), ("Bo", "Hi.")]


def test_subtitles_without_names_are_narrated():
    srt = "1\n00:00:01,000 --> 00:00:02,000\n今天天氣很好，\n\n2\n00:00:02,000 --> 00:00:03,000\n我們去公園。\n"
    script = parse_text(srt)
    assert script.source.format == "srt"
    assert [s.name for s in script.speakers] == ["旁白"]
    assert script.turns[0].text == "今天天氣很好，我們去公園。"


def test_rolling_captions_do_not_repeat():
    srt = ("1\n00:00:01,000 --> 00:00:02,000\nAnn: the river rose\n\n2\n00:00:02,000 --> 00:00:03,000\n"
           "the river rose\novernight\n\n3\n00:00:03,000 --> 00:00:04,000\nBo: wow\n")
    assert _said(parse_text(srt)) == [("Ann", "the river rose overnight"), ("Bo", "wow")]


def test_long_unnamed_captions_become_sentence_bounded_narrator_turns():
    cues = [f"{i + 1}\n00:{i // 60:02d}:{i % 60:02d},000 --> 00:{i // 60:02d}:{i % 60:02d},900\n"
            f"Caption {i} of a long talk{'.' if i % 3 == 2 else ''}\n" for i in range(300)]
    script = parse_text("\n".join(cues), source_path="talk.srt")
    assert script.title == "talk"  # no title in the captions: the name the user gave the file
    assert [s.name for s in script.speakers] == ["Narrator"]
    assert len(script.turns) > 5
    assert all(t.text.endswith(".") for t in script.turns[:-1])
    assert all(len(t.text) < 2000 for t in script.turns)


def test_markdown_without_speakers_is_narrated_with_chapters():
    script = parse_text("# 2020-02-02 My Essay\n\nIntro.\n\n## One\n\nFirst *para*.\n\n> a note\n\n## Two\n\nSecond.\n")
    assert (script.title, script.published.isoformat(), script.source.format) == ("My Essay", "2020-02-02", "plain")
    assert [(c.title, c.start_turn) for c in script.chapters] == [("One", 1), ("Two", 2)]
    assert [(t.text, t.chapter) for t in script.turns] == [("Intro.", None), ("First para.", 0), ("Second.", 1)]


def test_bracketed_timestamps_are_not_mistaken_for_json():
    script = parse_text("[00:00:01] Ann Lee: Hello.\n[00:00:03] Bo Chen: Hi.\n[00:00:05] Ann Lee: Bye. [END]")
    assert script.source.format == "inline"


def test_quoted_direction_lines_in_plain_text_are_notes():
    script = parse_text("Ann Lee: Hi.\n> (laughter)\nBo Chen: Ho.\nAnn Lee: Bye.")
    assert script.turns[0].text == "Hi.\n(laughter)"
    assert script.turns[0].spoken_text == "Hi.\n"
