"""The voice catalogue, presets and espeak-ng voices (voices/, pipeline/cast/voices.py and presets.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.cast import presets as P
from pipeline.cast import voices as V
from pipeline.errors import RecastError, SynthesisError

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _fresh_caches():
    V._load_catalogue.cache_clear()
    V._load_espeak.cache_clear()
    P.load_preset.cache_clear()
    yield
    V._load_catalogue.cache_clear()
    V._load_espeak.cache_clear()
    P.load_preset.cache_clear()


@pytest.fixture
def voices_copy(tmp_path: Path) -> Path:
    """A copy of the project's voices/ folder to break or refresh."""
    target = tmp_path / "voices"
    shutil.copytree(V.VOICES_DIR, target, ignore=shutil.ignore_patterns("tools"))
    return target


# ------------------------------------------------------------------------------------------ catalogue


def test_catalogue_has_the_edge_voices():
    cat = V.load_catalogue()
    edge = cat.find(engine="edge")
    assert len(edge) == 322
    assert [v.name for v in cat.find("zh-TW", "edge")] == [
        "zh-TW-HsiaoChenNeural", "zh-TW-HsiaoYuNeural", "zh-TW-YunJheNeural"]
    assert {v.gender for v in cat.find("zh-TW", "edge")} == {"female", "male"}
    assert [v.name for v in edge] == sorted(v.name for v in edge)
    ava = cat.get("en-US-AvaNeural", "edge")
    assert ava is not None and ava.gender == "female" and "Conversation" in ava.categories
    assert cat.edge_retrieved and cat.edge_source


def test_catalogue_file_is_our_schema_not_the_raw_list():
    doc = json.loads((V.VOICES_DIR / V.EDGE_FILE).read_text("utf-8"))
    assert doc["format"] == V.EDGE_FORMAT and doc["count"] == len(doc["voices"]) == 322
    assert set(doc["voices"][0]) == {"name", "locale", "gender", "categories", "personalities"}


def test_catalogue_matches_the_shared_snapshot(shared_dir: Path):
    raw = json.loads((shared_dir / "data" / "edge-voices.json").read_text("utf-8"))
    ours = json.loads((V.VOICES_DIR / V.EDGE_FILE).read_text("utf-8"))["voices"]
    assert V.normalize_edge_voices(raw) == ours


def test_find_language_semantics():
    cat = V.load_catalogue()
    zh = cat.find("zh", "edge")
    assert {v.locale for v in zh} >= {"zh-TW", "zh-CN", "zh-HK", "zh-CN-liaoning"}
    assert all(v.locale.startswith("zh-") for v in zh)
    assert cat.find("ZH-tw", "edge") == cat.find("zh-TW", "edge")  # case-insensitive
    en = cat.find("en", "edge")
    assert {v.locale for v in en} >= {"en-US", "en-GB", "en-AU"} and all(v.locale.startswith("en-") for v in en)
    assert {v.locale for v in cat.find("en-GB", "edge")} == {"en-GB"}
    espeak_zh = cat.find("zh-TW", "espeak")
    assert espeak_zh and all(v.name.startswith("cmn-latn-pinyin+") for v in espeak_zh)
    assert {v.name.split("+")[0] for v in cat.find("zh-HK", "espeak")} == {"yue", "cmn-latn-pinyin"}
    assert cat.find("xx-YY") == []
    both = cat.find("zh-TW")
    assert {v.engine for v in both} == {"edge", "espeak"}


def test_get_is_case_insensitive_and_engine_specific():
    cat = V.load_catalogue()
    assert cat.get("zh-tw-yunjheneural", "edge").name == "zh-TW-YunJheNeural"
    assert cat.get("zh-TW-YunJheNeural", "espeak") is None
    assert cat.get("cmn-latn-pinyin+m3", "espeak").gender == "male"
    assert cat.get("cmn-latn-pinyin+m3").engine == "espeak"
    assert cat.get("nobody") is None


def test_nearest_suggests_real_names():
    cat = V.load_catalogue()
    assert cat.nearest("zh-TW-YunJeNeural", "edge")[0] == "zh-TW-YunJheNeural"
    assert cat.nearest("en-US-Jeny", "edge")[0] == "en-US-JennyNeural"
    assert set(cat.nearest("zh-TW-Nobody", "edge")) == {v.name for v in cat.find("zh-TW", "edge")}
    assert cat.nearest("cmn+f3", "espeak")[0] == "cmn-latn-pinyin+f3"
    assert len(cat.nearest("zh-CN-X", "edge", n=2)) == 2
    assert cat.nearest("qqqqqqqq", "edge") == []


def test_voice_to_dict():
    v = V.load_catalogue().get("zh-TW-HsiaoYuNeural", "edge")
    assert V.voice_to_dict(v) == {"name": "zh-TW-HsiaoYuNeural", "engine": "edge", "locale": "zh-TW",
                                  "gender": "female", "categories": ["General"],
                                  "personalities": ["Friendly", "Positive"]}


@pytest.mark.parametrize("content, fragment", [
    ("{not json", "unreadable"),
    ('{"format": "other", "voices": []}', "not a recast-edge-voices/1 file"),
    ('{"format": "recast-edge-voices/1", "voices": [{"name": "x", "locale": "zh-TW", "gender": "robot"}]}',
     "entry 0 is malformed"),
])
def test_malformed_catalogue_names_the_file(voices_copy: Path, content: str, fragment: str):
    (voices_copy / V.EDGE_FILE).write_text(content, "utf-8")
    with pytest.raises(RecastError, match=re.escape(str(voices_copy / V.EDGE_FILE))) as err:
        V.load_catalogue(voices_copy)
    assert fragment in str(err.value)


def test_missing_catalogue_says_how_to_fix(voices_copy: Path):
    (voices_copy / V.EDGE_FILE).unlink()
    with pytest.raises(RecastError, match="recast voices --refresh"):
        V.load_catalogue(voices_copy)


# -------------------------------------------------------------------------------------------- refresh


def test_normalize_keeps_usable_voices_only():
    raw = json.loads((DATA / "edge-list-sample.json").read_text("utf-8"))
    out = V.normalize_edge_voices(raw)
    assert [v["name"] for v in out] == ["en-US-AndrewNeural", "en-US-AvaNeural", "fr-FR-DeniseNeural",
                                        "zh-TW-HsiaoChenNeural", "zh-TW-YunJheNeural"]
    assert out[2] == {"name": "fr-FR-DeniseNeural", "locale": "fr-FR", "gender": "female", "categories": [],
                      "personalities": []}
    with pytest.raises(RecastError, match="malformed"):
        V.normalize_edge_voices({"voices": []})


def test_refresh_writes_the_same_schema(voices_copy: Path, monkeypatch):
    import pipeline.synth.engines.edge as edge

    raw = json.loads((DATA / "edge-list-sample.json").read_text("utf-8"))
    monkeypatch.setattr(edge, "fetch_voice_list", lambda *a, **k: raw)
    before = V.load_catalogue(voices_copy)
    assert len(before.find(engine="edge")) == 322
    assert V.refresh_edge_voices(voices_copy) == 5
    doc = json.loads((voices_copy / V.EDGE_FILE).read_text("utf-8"))
    assert doc["format"] == V.EDGE_FORMAT and doc["count"] == 5
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["retrieved"])
    after = V.load_catalogue(voices_copy)  # the cache was cleared
    assert [v.name for v in after.find(engine="edge")][:2] == ["en-US-AndrewNeural", "en-US-AvaNeural"]
    assert not list(voices_copy.glob(".tmp-*"))


def test_refresh_failure_leaves_the_file(voices_copy: Path, monkeypatch):
    import pipeline.synth.engines.edge as edge

    def unreachable(*a, **k):
        raise SynthesisError("cannot fetch the Edge voice list")

    before = (voices_copy / V.EDGE_FILE).read_bytes()
    monkeypatch.setattr(edge, "fetch_voice_list", unreachable)
    with pytest.raises(SynthesisError):
        V.refresh_edge_voices(voices_copy)
    monkeypatch.setattr(edge, "fetch_voice_list", lambda *a, **k: [])
    with pytest.raises(RecastError, match="no usable voices"):
        V.refresh_edge_voices(voices_copy)
    assert (voices_copy / V.EDGE_FILE).read_bytes() == before


# -------------------------------------------------------------------------------------------- presets


@pytest.mark.parametrize("path", sorted((V.VOICES_DIR / "presets").glob("*.toml")), ids=lambda p: p.stem)
def test_every_preset_voice_is_in_the_catalogue(path: Path):
    cat = V.load_catalogue()
    preset = P.load_preset(path.stem, "edge")
    assert preset.source == str(path) and not preset.fallback
    names = set(preset.pool) | {v for r in V.ROLES for v in preset.role(r).voices}
    missing = [n for n in names if cat.get(n, "edge") is None]
    assert not missing
    genders = {cat.get(n, "edge").gender for n in preset.pool}
    assert genders == {"female", "male"}
    assert {cat.get(preset.host.voices[0], "edge").gender, cat.get(preset.guest.voices[0], "edge").gender} \
        == {"female", "male"}, "host and first guest should contrast"


def test_traditional_chinese_preset_prefers_taiwan_voices():
    p = P.load_preset("zh-TW", "edge")
    assert p.pool[:3] == ("zh-TW-HsiaoChenNeural", "zh-TW-YunJheNeural", "zh-TW-HsiaoYuNeural")
    assert all(v.startswith("zh-CN-") for v in p.pool[3:])
    assert not any("liaoning" in v or "shaanxi" in v for v in p.pool)
    assert p.narrator.voices[0] not in (p.host.voices[0], p.guest.voices[0])
    assert p.narrator.rate < 0
    assert p.candidates("guest")[0] == "zh-TW-YunJheNeural" and len(p.candidates("guest")) == len(p.pool)


@pytest.mark.parametrize("lang, locale, fallback", [
    ("zh-TW", "zh-TW", False), ("zh-Hant", "zh-TW", False), ("zh-CN", "zh-CN", False), ("zh", "zh-CN", False),
    ("zh-HK", "zh-HK", False), ("en", "en", False), ("en-US", "en", False), ("en-AU", "en", False),
    ("en-GB", "en-GB", False), ("xx", "en", True),
])
def test_preset_fallbacks_edge(lang: str, locale: str, fallback: bool):
    p = P.load_preset(lang, "edge")
    assert (p.locale, p.fallback, p.language) == (locale, fallback, lang)


def test_zh_tw_falls_back_to_zh_cn_when_its_preset_is_missing(voices_copy: Path):
    (voices_copy / "presets" / "zh-TW.toml").unlink()
    p = P.load_preset("zh-TW", "edge", voices_copy)
    assert p.locale == "zh-CN" and p.fallback


def test_language_without_preset_file_uses_its_own_edge_voices():
    p = P.load_preset("fr", "edge")
    assert p.source == "catalogue" and not p.fallback
    assert p.pool[0].startswith("fr-FR-") and all(v.startswith("fr-") for v in p.pool)
    cat = V.load_catalogue()
    assert {cat.get(p.host.voices[0], "edge").gender, cat.get(p.guest.voices[0], "edge").gender} == {"female", "male"}


@pytest.mark.parametrize("lang, base, fallback", [
    ("zh-TW", "cmn-latn-pinyin", False), ("zh-CN", "cmn-latn-pinyin", False), ("zh-HK", "yue", False),
    ("en", "en-us", False), ("en-GB", "en-gb", False), ("fr", "fr-fr", False), ("xx", "en-us", True),
])
def test_preset_espeak(lang: str, base: str, fallback: bool):
    p = P.load_preset(lang, "espeak")
    assert p.engine == "espeak" and p.fallback == fallback
    assert all(v.startswith(base + "+") for v in p.pool)
    cat = V.load_catalogue()
    assert all(cat.get(v, "espeak") is not None for v in p.pool)


@pytest.mark.parametrize("content, fragment", [
    ("language = 'zh-TW'\n[host\n", "malformed"),
    ("language = 'zh-TW'\n[host]\nvoices = []\n", "voices must be a list"),
    ("language = 'zh-TW'\n[host]\nvoices = ['a']\nrate = 500\n", "rate must be an integer"),
    ("language = 'zh-TW'\n[host]\nvoices=['a']\n[guest]\nvoices=['a']\n[narrator]\nvoices=['b']\n"
     "[pool]\nvoices=['a']\n", "not in [pool]"),
])
def test_malformed_preset_names_the_file(voices_copy: Path, content: str, fragment: str):
    path = voices_copy / "presets" / "zh-TW.toml"
    path.write_text(content, "utf-8")
    with pytest.raises(RecastError, match=re.escape(str(path))) as err:
        P.load_preset("zh-TW", "edge", voices_copy)
    assert fragment in str(err.value)


def test_malformed_espeak_file_names_the_file(voices_copy: Path):
    path = voices_copy / V.ESPEAK_FILE
    path.write_text(path.read_text("utf-8").replace('variants = ["f3", "m3"]', 'variants = ["f3", "zz9"]'), "utf-8")
    with pytest.raises(RecastError, match=re.escape(str(path))) as err:
        V.load_catalogue(voices_copy)
    assert "zz9" in str(err.value)


# --------------------------------------------------------------------------------------------- espeak


def _espeak(*args: str) -> str:
    return subprocess.run(["espeak-ng", *args], capture_output=True, text=True, check=True, timeout=60).stdout


def test_espeak_config_voices_exist_in_espeak_ng(media_tools):
    config = V.load_espeak_config()
    listed = _espeak("--voices")
    names = {line.split()[1] for line in listed.splitlines()[1:] if line.split()}
    for lang in config.languages:
        assert lang.voice in names, f"espeak-ng has no voice {lang.voice}"
    variants = {line.split()[-1].removeprefix("!v/") for line in _espeak("--voices=variant").splitlines()[1:]
                if line.split()}
    assert set(config.female) | set(config.male) <= variants


def test_mandarin_espeak_voice_reads_han_characters(media_tools):
    """Debian's plain `cmn` voice reads 你好 via the English voice with tone digits; the chosen one does not."""
    zh = V.load_espeak_config().language("zh-TW")
    ours = _espeak("-v", zh.voice, "-x", "-q", "你好，今天天氣很好。")
    plain = _espeak("-v", "cmn", "-x", "-q", "你好，今天天氣很好。")
    assert "(en)" in plain  # the finding: plain cmn switches to English for Han characters
    assert "(en)" not in ours and re.search(r"[1-5]{2}", ours)  # Mandarin phonemes with tone contours
    yue = V.load_espeak_config().language("zh-HK")
    assert "(en)" not in _espeak("-v", yue.voice, "-x", "-q", "你好，今天天氣很好。")


def test_espeak_voice_in_keeps_the_variant():
    config = V.load_espeak_config()
    assert config.voice_in("cmn-latn-pinyin+f3", config.english) == "en-us+f3"
    assert config.voice_in("en-us+m2", config.mandarin) == "cmn-latn-pinyin+m2"
    assert config.voice_in("yue", "en") == "en-us"
