"""The gender/role name table: confident where names are clearly gendered, silent otherwise."""

from __future__ import annotations

import pytest

from pipeline.cast.names import FEMALE_EN, FEMALE_HAN, MALE_EN, MALE_HAN, guess_gender, role_hint


@pytest.mark.parametrize("names, expected", [
    (("Audrey Tang",), "female"), (("Kevin Weil",), "male"), (("yasmeen serhan",), "female"),
    (("Ms. Lee",), "female"), (("Mr Brown",), "male"), (("Dr. Smith",), None),
    (("Alex Chen",), None), (("Jordan",), None), (("Taylor Swift",), None),  # unisex names: no guess
    (("唐鳳",), "female"), (("陳文剛",), "male"), (("歐陽娜娜",), "female"), (("王先生",), "male"),
    (("林小姐",), "female"), (("汪怡昕",), None), (("林書漾",), None), (("鄧文華",), None),
    (("李麗強",), None),  # characters pointing both ways
    (("凱文·威爾",), "male"), (("勞勃·西原(Robert Nishihara)",), "male"), (("瑪麗·居禮",), "female"),
    (("某人", "Sarah Connor"), "female"),  # the first name that decides wins
    (("",), None), (("主持人",), None),
])
def test_guess_gender(names: tuple[str, ...], expected: str | None):
    assert guess_gender(*names) == expected


def test_tables_do_not_overlap_and_are_substantial():
    assert not FEMALE_EN & MALE_EN and not FEMALE_HAN & MALE_HAN
    assert len(FEMALE_EN) >= 250 and len(MALE_EN) >= 250


@pytest.mark.parametrize("name, expected", [
    ("主持人", "host"), ("Host", "host"), ("Interviewer:", "host"), ("記者", "host"), ("Q", "host"),
    ("來賓", "guest"), ("受訪者", "guest"), ("Guest", "guest"), ("A", None), ("唐鳳", None),
])
def test_role_hint(name: str, expected: str | None):
    assert role_hint(name) == expected
