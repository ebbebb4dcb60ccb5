"""recast serve over real HTTP (http.client / urllib): types, HEAD, byte ranges, caching, containment."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import BadInput
from pipeline.publish.serve import parse_range, start_server

SECRET = b"TOP-SECRET-OUTSIDE-THE-FOLDER"


@pytest.fixture(scope="module")
def served(shared_show_dir: Path, tmp_path_factory):
    """(output folder, host, port) served from a background thread; a secret file sits beside the folder."""
    show_dir = shared_show_dir
    tmp_path = tmp_path_factory.mktemp("outside")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (show_dir / "link-out").symlink_to(tmp_path)  # a symlink inside pointing outside
    (show_dir / "secret-link.txt").symlink_to(tmp_path / "secret.txt")
    (show_dir / ".cache").mkdir()
    (show_dir / ".cache" / "clip.mp3").write_bytes(b"cached")
    server, url = start_server(show_dir, "127.0.0.1", 0)
    host, port = server.server_address[:2]
    yield show_dir, host, port
    server.shutdown()
    server.server_close()


def _get(host, port, path, method="GET", headers=None) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


@pytest.mark.parametrize("path, ctype", [
    ("/feed.xml", "application/rss+xml; charset=utf-8"),
    ("/2024-10-22-trains/episode.mp3", "audio/mpeg"),
    ("/2024-10-22-trains/episode.m4a", "audio/mp4"),
    ("/2024-10-22-trains/chapters.json", "application/json+chapters"),
    ("/2024-10-22-trains/transcript.vtt", "text/vtt; charset=utf-8"),
    ("/2024-10-22-trains/transcript.srt", "application/x-subrip; charset=utf-8"),
    ("/2024-10-22-trains/transcript.json", "application/json"),
    ("/2024-10-22-trains/episode.json", "application/json"),
    ("/episodes/2024-10-22-trains.html", "text/html; charset=utf-8"),
    ("/cover.png", "image/png"),
])
def test_content_types_and_bodies(served, path, ctype):
    root, host, port = served
    resp, body = _get(host, port, path)
    assert resp.status == 200
    assert resp.getheader("Content-Type") == ctype
    assert body == (root / path.lstrip("/")).read_bytes()
    assert resp.getheader("Accept-Ranges") == "bytes"
    assert int(resp.getheader("Content-Length")) == len(body)


def test_directory_serves_index_and_redirects_without_slash(served):
    root, host, port = served
    resp, body = _get(host, port, "/")
    assert resp.status == 200 and body == (root / "index.html").read_bytes()
    resp, _ = _get(host, port, "/episodes")
    assert resp.status == 301 and resp.getheader("Location") == "/episodes/"
    resp, _ = _get(host, port, "/episodes/")  # no index.html there, and no listing
    assert resp.status == 404
    with urllib.request.urlopen(f"http://{host}:{port}/?utm=1") as r:  # query strings are ignored
        assert r.read() == (root / "index.html").read_bytes()


def test_head_has_headers_and_no_body(served):
    root, host, port = served
    resp, body = _get(host, port, "/2024-10-22-trains/episode.mp3", "HEAD")
    assert resp.status == 200 and body == b""
    assert int(resp.getheader("Content-Length")) == (root / "2024-10-22-trains" / "episode.mp3").stat().st_size
    assert resp.getheader("ETag") and resp.getheader("Last-Modified")
    resp, body = _get(host, port, "/2024-10-22-trains/episode.mp3", "HEAD", {"Range": "bytes=10-19"})
    assert resp.status == 206 and body == b"" and resp.getheader("Content-Length") == "10"


@pytest.mark.parametrize("header, first, last", [
    ("bytes=0-0", 0, 0), ("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-500", -500, None),
    ("bytes=1000-1999", 1000, 1999), ("bytes=5-999999999", 5, None),
])
def test_single_ranges_are_byte_exact(served, header, first, last):
    root, host, port = served
    data = (root / "2024-10-22-trains" / "episode.mp3").read_bytes()
    size = len(data)
    expected = data[first:] if last is None else data[first:last + 1]
    start = first if first >= 0 else size + first
    resp, body = _get(host, port, "/2024-10-22-trains/episode.mp3", headers={"Range": header})
    assert resp.status == 206
    assert body == expected
    assert resp.getheader("Content-Range") == f"bytes {start}-{start + len(expected) - 1}/{size}"
    assert int(resp.getheader("Content-Length")) == len(expected)


def test_unsatisfiable_and_ignored_ranges(served):
    root, host, port = served
    size = (root / "2024-10-22-trains" / "episode.mp3").stat().st_size
    for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        resp, _ = _get(host, port, "/2024-10-22-trains/episode.mp3", headers={"Range": header})
        assert resp.status == 416, header
        assert resp.getheader("Content-Range") == f"bytes */{size}"
    for header in ("bytes=9-3", "items=0-5", "bytes=abc"):  # invalid: ignored, whole file
        resp, body = _get(host, port, "/2024-10-22-trains/episode.mp3", headers={"Range": header})
        assert resp.status == 200 and len(body) == size, header


def test_multiple_ranges_are_multipart(served):
    root, host, port = served
    data = (root / "feed.xml").read_bytes()
    resp, body = _get(host, port, "/feed.xml", headers={"Range": "bytes=0-9,20-29,-5"})
    assert resp.status == 206
    ctype = resp.getheader("Content-Type")
    assert ctype.startswith("multipart/byteranges; boundary=")
    boundary = ctype.split("boundary=")[1].encode()
    parts = body.split(b"--" + boundary)
    assert parts[-1].strip() == b"--"
    chunks = [p.split(b"\r\n\r\n", 1)[1][:-2] for p in parts[1:-1]]
    assert chunks == [data[0:10], data[20:30], data[-5:]]
    assert len(body) == int(resp.getheader("Content-Length"))


def test_conditional_requests(served):
    _, host, port = served
    resp, _ = _get(host, port, "/feed.xml")
    etag, modified = resp.getheader("ETag"), resp.getheader("Last-Modified")
    assert _get(host, port, "/feed.xml", headers={"If-None-Match": etag})[0].status == 304
    assert _get(host, port, "/feed.xml", headers={"If-Modified-Since": modified})[0].status == 304
    resp, body = _get(host, port, "/feed.xml", headers={"Range": "bytes=0-4", "If-Range": '"stale"'})
    assert resp.status == 200  # If-Range mismatch: the whole, current file
    resp, body = _get(host, port, "/feed.xml", headers={"Range": "bytes=0-4", "If-Range": etag})
    assert resp.status == 206 and body == b"<?xml"


TRAVERSALS = [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/%252e%252e/secret.txt", "/..%2fsecret.txt",
    "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/episodes/../../secret.txt", "/..\\secret.txt",
    "/%5c..%5csecret.txt", "/.%2e/secret.txt", "/link-out/secret.txt", "/secret-link.txt", "/link-out/",
    "//etc/passwd", "/etc/passwd", "/feed.xml%00.txt", "/%00", "http://evil.example/../secret.txt",
    "/.cache/clip.mp3", "/show.sqlite", "/%c0%ae%c0%ae/secret.txt", "/" + "%2e%2e/" * 20 + "etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_folder_is_reachable(served, path):
    _, host, port = served
    for method in ("GET", "HEAD"):
        resp, body = _get(host, port, path, method)
        assert resp.status in (400, 403, 404), (path, resp.status)
        assert SECRET not in body and b"root:" not in body


def test_raw_socket_traversal(served):
    """Bytes no client library would send: absolute paths, backslashes, a raw NUL."""
    _, host, port = served
    for target in (b"/../../../../etc/passwd", b"/..\\..\\secret.txt", b"/a\x00b", b"secret.txt", b"*"):
        with socket.create_connection((host, port), timeout=10) as s:
            s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
        status = int(reply.split(b" ", 2)[1])
        assert status in (400, 403, 404), (target, reply[:80])
        assert SECRET not in reply and b"root:" not in reply


def test_parse_range_unit():
    assert parse_range("bytes=0-4", 10) == [(0, 4)]
    assert parse_range("bytes=-3", 10) == [(7, 9)]
    assert parse_range("bytes=-30", 10) == [(0, 9)]
    assert parse_range("bytes=8-", 10) == [(8, 9)]
    assert parse_range("bytes=10-", 10) == []
    assert parse_range("bytes=0-1, 4-5", 10) == [(0, 1), (4, 5)]
    assert parse_range("bytes=5-2", 10) is None
    assert parse_range("lines=1-2", 10) is None


def test_start_server_rejects_missing_folder(tmp_path: Path):
    with pytest.raises(BadInput, match="is not a folder"):
        start_server(tmp_path / "missing")


def test_busy_port_is_bad_input(show_dir: Path):
    server, _ = start_server(show_dir, "127.0.0.1", 0)
    try:
        with pytest.raises(BadInput, match="already in use"):
            start_server(show_dir, "127.0.0.1", server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_recast_serve_cli_announces_and_stops_on_ctrl_c(show_dir: Path, root: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", str(show_dir), "--port", str(port)],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.xml", timeout=2) as r:
                    assert r.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
                    assert r.read() == (show_dir / "feed.xml").read_bytes()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "recast serve did not start"
                time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = (out + err).decode()
    assert f"http://127.0.0.1:{port}/" in text and "feed.xml" in text and "Ctrl-C" in text
    assert proc.returncode == 0, text
    assert "Traceback" not in text
    assert os.path.exists(show_dir / "feed.xml")


_PIECES = ["..", ".", "%2e", "%2E", "%252e", "%2f", "%2F", "%5c", "\\", "%00", "/", "//", "secret.txt", "link-out",
           "secret-link.txt", "episodes", "%25", "%", "etc", "passwd", ".cache", "~", ";", "?", "#", "%c0%ae"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10))
def test_no_combination_of_path_pieces_escapes(served, pieces):
    root, host, port = served
    path = "/" + "".join(pieces)
    resp, body = _get(host, port, path)
    assert SECRET not in body and b"root:" not in body
    if resp.status == 200:  # whatever is served is a published file inside the folder
        inside = {p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()
                  and p.resolve().is_relative_to(root.resolve()) and ".cache" not in p.parts}
        assert body in inside, path
