"""The show site in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), over
``recast serve`` and from file://: chapters seek the player, the transcript follows playback, no console errors.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.publish.serve import start_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SLUG = "2024-10-22-trains"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site_url(shared_show_dir: Path):
    server, url = start_server(shared_show_dir, "127.0.0.1", 0)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    pg.problems = problems
    yield pg
    context.close()


def _roots(shared_show_dir: Path, site_url: str) -> dict[str, str]:
    return {"served": site_url, "file": shared_show_dir.as_uri() + "/"}


def _manifest(shared_show_dir: Path) -> dict:
    return json.loads((shared_show_dir / SLUG / "episode.json").read_text("utf-8"))


def _wait_metadata(page) -> None:
    page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=15000)


@pytest.mark.parametrize("where", ["served", "file"])
def test_index_lists_newest_first_and_links_work(page, shared_show_dir, site_url, where):
    page.goto(_roots(shared_show_dir, site_url)[where] + ("" if where == "served" else "index.html"))
    titles = page.locator("ol.episodes h3 a").all_inner_texts()
    assert titles == ["An undated talk", "人工智慧的「未來」", "Trains & <Railways>"]
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("ol.episodes h3 a", has_text="Trains").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Trains & <Railways>"
    _wait_metadata(page)
    duration = page.evaluate("document.getElementById('player').duration")
    assert duration == pytest.approx(_manifest(shared_show_dir)["duration_ms"] / 1000, abs=0.2)
    assert page.problems == []


@pytest.mark.parametrize("where", ["served", "file"])
def test_chapter_click_seeks_the_player(page, shared_show_dir, site_url, where):
    page.goto(_roots(shared_show_dir, site_url)[where] + f"episodes/{SLUG}.html")
    _wait_metadata(page)
    chapters = _manifest(shared_show_dir)["chapters"]
    # Record the position the moment the seek starts (what the click set) and where the seek landed.
    page.evaluate("""() => {
        const a = document.getElementById('player');
        window.seeks = [];
        a.addEventListener('seeking', () => window.seeks.push(['seeking', a.currentTime]));
        a.addEventListener('seeked', () => window.seeks.push(['seeked', a.currentTime]));
    }""")
    for index in (1, 0, 1):
        expected = chapters[index]["start_ms"] / 1000
        page.evaluate("window.seeks = []")
        page.locator("#chapters li").nth(index).locator("button").click()
        page.wait_for_function("window.seeks.some(s => s[0] === 'seeked')", timeout=15000)
        seeks = page.evaluate("window.seeks")
        assert seeks[0][0] == "seeking" and seeks[0][1] == pytest.approx(expected, abs=0.05)
        # The seek really landed there (the media is seekable); playback may already have moved on a little.
        seeked = next(t for kind, t in seeks if kind == "seeked")
        assert expected - 0.05 <= seeked <= expected + 0.5
        assert page.evaluate("document.getElementById('player').paused") is False  # the click also plays
        current = page.locator("#chapters li.current button span:last-child").inner_text()
        assert current == chapters[index]["title"]
    page.evaluate("document.getElementById('player').pause()")
    assert page.evaluate("document.getElementById('player').seekable.end(0)") > chapters[1]["start_ms"] / 1000
    assert page.problems == []


@pytest.mark.parametrize("where", ["served", "file"])
def test_transcript_follows_current_time(page, shared_show_dir, site_url, where):
    page.goto(_roots(shared_show_dir, site_url)[where] + f"episodes/{SLUG}.html")
    _wait_metadata(page)
    turns = _manifest(shared_show_dir)["turns"]
    names = {"s1": "Ann Host", "s2": "Bob Guest"}
    for i in (2, 0, 1):
        t = turns[i]["start_ms"] / 1000 + 0.2
        page.evaluate("""(t) => new Promise(done => {
            const a = document.getElementById('player');
            a.pause();
            a.addEventListener('seeked', () => done(), {once: true});
            a.currentTime = t;
        })""", t)
        current = page.locator("#transcript li.current")
        assert current.count() == 1
        assert float(current.get_attribute("data-start")) == pytest.approx(turns[i]["start_ms"] / 1000, abs=0.001)
        assert current.get_attribute("aria-current") == "true"
        assert page.locator("#now").inner_text() == names[turns[i]["speaker"]]
    assert page.problems == []


def test_highlight_moves_during_playback(page, shared_show_dir, site_url):
    """Real playback (at 4× speed): the highlight passes from the first turn to the second on its own."""
    page.goto(site_url + f"episodes/{SLUG}.html")
    _wait_metadata(page)
    turns = _manifest(shared_show_dir)["turns"]
    page.locator("#chapters li").nth(0).locator("button").click()  # a user gesture starts playback
    page.evaluate("document.getElementById('player').playbackRate = 4")
    page.wait_for_function("document.getElementById('player').currentTime > %f" % (turns[1]["start_ms"] / 1000
                                                                                     + 0.3), timeout=20000)
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_timeout(100)
    t = page.evaluate("document.getElementById('player').currentTime")
    expected = max(i for i, turn in enumerate(turns) if turn["start_ms"] / 1000 <= t)
    current = page.locator("#transcript li.current")
    assert float(current.get_attribute("data-start")) == pytest.approx(turns[expected]["start_ms"] / 1000,
                                                                       abs=0.001)
    assert page.locator("#chapters li.current").count() == 1
    assert page.problems == []


def test_server_answers_the_browser_with_ranges(page, site_url):
    """Chromium fetches audio with Range requests; the server answers 206 so the player can seek."""
    statuses = []
    page.on("response", lambda r: statuses.append((r.url, r.status, r.request.headers.get("range")))
            if r.url.endswith(".mp3") else None)
    page.goto(site_url + f"episodes/{SLUG}.html")
    _wait_metadata(page)
    page.locator("#chapters li").nth(1).locator("button").click()
    page.wait_for_timeout(300)
    assert statuses and all(status in (200, 206) for _, status, _ in statuses)
    assert any(status == 206 and rng for _, status, rng in statuses)
    assert page.problems == []
