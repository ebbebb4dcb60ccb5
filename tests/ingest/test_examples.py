"""The bundled examples (examples/) parse into what examples/README.md promises."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.ingest import load_script


def test_ai_classroom_interview(root):
    script = load_script(root / "examples" / "ai-classroom-interview.txt")
    assert script.source.format == "article"
    assert script.language == "zh-TW"
    assert script.title == "高中老師林芳儀:AI 不會取代老師,但會改變我們提問的方式"
    assert script.published == dt.date(2025, 3, 14)
    assert [(s.name, s.label) for s in script.speakers] == [("許家瑋", "許家瑋(Hsu Chia-wei)"),
                                                              ("林芳儀", "林芳儀(Lin Fang-yi)")]
    assert len(script.turns) == 26
    assert [c.title for c in script.chapters] == ["從禁止到引導", "作業的意義正在改變", "老師也需要學習"]
    assert len(script.key_points) == 3
    assert script.description.count("\n") == 1
    han = sum(len(re.findall(r"[\u4e00-\u9fff]", t.text)) for t in script.turns)
    assert 2500 <= han <= 3500
    assert [sp.text for t in script.turns for sp in t.spans if not sp.spoken] == ["（笑）"]
    assert sum(1 for t in script.turns if "\n" not in t.text and len(t.text) <= 12) >= 3
    for t in script.turns:
        assert "29:18" not in t.text and "Hsu Chia-wei" not in t.text and "核心觀點" not in t.text


def test_climate_newsroom(root):
    script = load_script(root / "examples" / "climate-newsroom.txt")
    assert script.source.format == "inline"
    assert script.language == "en"
    assert script.published == dt.date(2024, 6, 3)
    assert [s.name for s in script.speakers] == ["Nora Quinn", "Sam Okafor", "Lena Fischer"]
    assert len(script.turns) == 17
    assert script.description.startswith("Three journalists")
    assert [sp.text for t in script.turns for sp in t.spans if not sp.spoken] == ["(laughs)"]
