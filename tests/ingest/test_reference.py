"""The reference input (../shared/examples/ray-summit-2024-kevin-weil.txt) must parse exactly right.

Our own fixture of the same shape (data/article-rooftop-farm.txt) covers the same behaviour when
../shared is absent; see test_golden.py and test_article.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time

from pipeline.ingest import load_script, script_to_dict

CHAPTERS = ["在探索中前行", "O1 和一般推理能力將變得更加重要", "模型的響應需要更具多樣性", "OpenAI 的漸進式部署"]


def test_reference_parses_exactly(reference_input):
    script = load_script(reference_input)
    assert script.source.format == "article"
    assert script.title == "OpenAI CPO 凱文·威爾:我們正過渡到 AI 為我們完成任務的時代"
    assert script.published == dt.date(2024, 10, 22)
    assert script.language == "zh-TW"
    assert [(s.id, s.name, s.label) for s in script.speakers] == [
        ("s1", "勞勃·西原", "勞勃·西原(Robert Nishihara)"), ("s2", "凱文·威爾", "凱文·威爾(Kevin Weil)")]
    assert script.speakers[0].aliases == ("Robert Nishihara",)
    assert len(script.turns) == 58
    assert [c.title for c in script.chapters] == CHAPTERS
    assert len(script.key_points) == 4
    assert script.key_points[0].startswith("技術的不斷演變要求產品管理適應力的轉變")
    assert not any("以下是本期播客內容" in k for k in script.key_points)
    assert script.description.startswith("在 Ray Summit 2024 大會上")
    # Speakers alternate: the two consecutive-label places were merged.
    assert all(a.speaker != b.speaker for a, b in zip(script.turns, script.turns[1:], strict=False)
               if a.chapter == b.chapter)
    for turn in script.turns:
        for bad in ("36:07", "當前位置", "(Robert Nishihara)", "(Kevin Weil)", "核心觀點", "以下是本期播客內容"):
            assert bad not in turn.text
        for line in turn.text.split("\n"):
            assert line not in CHAPTERS
    short = {t.text for t in script.turns}
    assert {"恭喜你!", "已經存在很長時間了。", "好的,沒問題。", "對幾乎所有人來說,都是如此。"} <= short
    starts = [c.start_turn for c in script.chapters]
    assert starts[0] == 0 and starts == sorted(starts)
    assert script.turns[starts[1]].text.startswith("我對 O1 推理模型的釋出印象深刻")


def test_reference_inspect_json_cold_under_two_seconds(reference_input, root):
    """Cold start of the real CLI. CPU time is asserted (wall time on a loaded CI box is noise)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    cpu, wall = [], []
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pipeline", "inspect", str(reference_input), "--json"],
                              cwd=root, env=env, capture_output=True, timeout=60)
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert data == {**script_to_dict(load_script(reference_input)), "warnings": []}
    assert len(data["turns"]) == 58
    assert min(cpu) < 2.0, f"inspect --json used {min(cpu):.2f}s of CPU"
    assert min(wall) < 10.0, f"inspect --json took {min(wall):.2f}s"
