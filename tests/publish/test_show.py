"""The show file: defaults from the first edition, editing with --set, validation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from lxml import etree

from pipeline.errors import BadInput
from pipeline.publish import edit_show, load_show_for, publish_edition
from pipeline.publish.show import Owner, Show, apple_categories, canonical_category

BASE = "https://example.org/pod/"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def test_defaults_come_from_the_first_edition(tmp_path: Path, make_edition):
    out = tmp_path / "out"
    make_edition(out, "zh-1", lang="zh", title="第一集", show="AI 講堂")
    publish_edition(out / "zh-1", base_url=BASE)
    show = load_show_for(out)
    assert show.title == "AI 講堂"
    assert show.language == "zh-TW"
    assert show.author == "主持人小美"  # the host, not the guest
    assert show.owner.name == "主持人小美" and show.owner.email == ""
    assert show.type == "episodic" and show.explicit is False
    assert show.category in apple_categories()
    # no edition cover: a default 1400×1400 artwork is generated and used
    assert show.cover == "cover.png" and (out / "cover.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    on_disk = tomllib.loads((out / "show.toml").read_text("utf-8"))
    assert on_disk["title"] == "AI 講堂" and on_disk["owner"]["name"] == "主持人小美"
    assert Show.from_dict(on_disk) == show


def test_edition_cover_becomes_show_artwork(tmp_path: Path, make_edition, cover_png):
    out = tmp_path / "out"
    make_edition(out, "ep", cover=cover_png)
    publish_edition(out / "ep", base_url=BASE)
    assert load_show_for(out).cover == "cover.png"
    assert (out / "cover.png").read_bytes() == cover_png.read_bytes()


def test_edit_show_types_fields_and_rewrites_feed(show_dir: Path):
    show = edit_show(show_dir, ["title=Trains Weekly & Co", "explicit=yes", "owner.email=me@example.org",
                                "owner.name=Me", "category=news", "subcategory=tech news", "type=serial",
                                "locked=true"])
    assert show.title == "Trains Weekly & Co" and show.explicit is True
    assert (show.category, show.subcategory) == ("News", "Tech News")
    assert show.owner == Owner(name="Me", email="me@example.org")
    assert load_show_for(show_dir) == show
    ch = etree.parse(str(show_dir / "feed.xml")).getroot().find("channel")
    assert ch.findtext("title") == "Trains Weekly & Co"
    assert ch.findtext(f"{ITUNES}explicit") == "true"
    assert ch.find(f"{ITUNES}owner").findtext(f"{ITUNES}email") == "me@example.org"
    cat = ch.find(f"{ITUNES}category")
    assert cat.get("text") == "News" and cat.find(f"{ITUNES}category").get("text") == "Tech News"
    locked = ch.find("{https://podcastindex.org/namespace/1.0}locked")
    assert (locked.text, locked.get("owner")) == ("yes", "me@example.org")
    assert "Trains Weekly &amp; Co" in (show_dir / "index.html").read_text("utf-8")


@pytest.mark.parametrize("sets, hint", [
    (["explicit=maybe"], "true or false"),
    (["category=Cooking"], "not an Apple Podcasts category"),
    (["subcategory=Football"], "not a subcategory"),
    (["type=daily"], "episodic or serial"),
    (["owner.email=not-an-email"], "not an e-mail"),
    (["titel=x"], "unknown show field 'titel'"),
    (["owner.phone=1"], "unknown show field"),
    (["title"], "key=value"),
    (["title="], "title is empty"),
    (["language=english language"], "language tag"),
    (["link=ftp://x"], "http"),
    (["locked=true"], "needs owner.email"),
    (["cover=missing.png"], "cannot be read"),
])
def test_bad_edits_are_refused_and_nothing_changes(show_dir: Path, sets: list[str], hint: str):
    before = (show_dir / "show.toml").read_bytes()
    feed = (show_dir / "feed.xml").read_bytes()
    with pytest.raises(BadInput) as info:
        edit_show(show_dir, sets)
    assert hint in str(info.value)
    assert (show_dir / "show.toml").read_bytes() == before
    assert (show_dir / "feed.xml").read_bytes() == feed


@pytest.mark.parametrize("text, hint", [
    ('title = "x"\nlanguage = ', "not valid TOML"),
    ('title = "x"\nlanguage = "en"\nexplicit = "no"\n', "true or false"),
    ('title = "x"\nlanguage = "en"\nextra = 1\n', "unknown field 'extra'"),
    ('language = "en"\n', "missing field 'title'"),
    ('title = "x"\nlanguage = "en"\nowner = "me"\n', "owner must be a table"),
])
def test_invalid_show_file_is_bad_input(show_dir: Path, text: str, hint: str):
    (show_dir / "show.toml").write_text(text, "utf-8")
    with pytest.raises(BadInput) as info:
        load_show_for(show_dir)
    assert hint in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(BadInput):
        publish_edition(show_dir / "undated-talk", base_url=BASE)


def test_custom_show_file_is_remembered(tmp_path: Path, make_edition):
    out = tmp_path / "out"
    make_edition(out, "ep")
    custom = tmp_path / "elsewhere" / "my-show.toml"
    custom.parent.mkdir()
    custom.write_text('title = "Custom"\nlanguage = "en-GB"\ncategory = "History"\n', "utf-8")
    publish_edition(out / "ep", base_url=BASE, show_file=custom)
    assert not (out / "show.toml").exists()
    assert load_show_for(out).title == "Custom"
    edit_show(out, ["description=About the past"])
    assert "About the past" in custom.read_text("utf-8")
    ch = etree.parse(str(out / "feed.xml")).getroot().find("channel")
    assert ch.findtext("description") == "About the past" and ch.findtext("language") == "en-GB"


def test_show_without_publish_is_bad_input(tmp_path: Path):
    with pytest.raises(BadInput, match="does not exist"):
        load_show_for(tmp_path)


def test_category_list_and_canonical_spelling():
    cats = apple_categories()
    assert len(cats) == 19 and "Technology" in cats and "Tech News" in cats["News"]
    assert canonical_category("society & culture", "PHILOSOPHY") == ("Society & Culture", "Philosophy")


def test_to_toml_round_trips():
    show = Show(title='Quotes "and" \\ slashes', language="zh-TW", owner=Owner("名", "a@b.org"),
                description="多行\n描述", explicit=True)
    assert Show.from_dict(tomllib.loads(show.to_toml())) == show
    assert show.to_dict()["owner"] == {"name": "名", "email": "a@b.org"}


def test_cover_urls_are_ascii_and_outside_covers_are_copied_in(show_dir: Path, cover_png: Path, tmp_path: Path):
    import shutil
    from urllib.parse import unquote

    from lxml import html

    shutil.copyfile(cover_png, show_dir / "封面 art.png")
    edit_show(show_dir, ["cover=封面 art.png"])
    ch = etree.parse(str(show_dir / "feed.xml")).getroot().find("channel")
    href = ch.find(f"{ITUNES}image").get("href")
    assert href == BASE + "%E5%B0%81%E9%9D%A2%20art.png" and href.isascii()
    src = html.parse(str(show_dir / "index.html")).getroot().xpath("//header//img/@src")[0]
    assert (show_dir / unquote(src)).read_bytes() == cover_png.read_bytes()

    outside = tmp_path / "elsewhere.png"
    shutil.copyfile(cover_png, outside)
    edit_show(show_dir, [f"cover={outside}"])
    href = etree.parse(str(show_dir / "feed.xml")).getroot().find(f"channel/{ITUNES}image").get("href")
    assert href == BASE + "cover.png" and (show_dir / "cover.png").read_bytes() == outside.read_bytes()

    (show_dir / "not-an-image.png").write_text("hello", "utf-8")
    with pytest.raises(BadInput, match="not a JPEG or PNG"):
        edit_show(show_dir, ["cover=not-an-image.png"])
