"""``recast serve``: a small threaded HTTP server for the output folder (feed, audio, chapters, transcripts, site).

Stdlib ``http.server`` with what podcast apps and browsers need: the right content types, ``HEAD``, byte ranges
(``bytes=0-99``, open ``bytes=100-``, suffix ``bytes=-500``; ``206`` + ``Content-Range``, ``416`` when nothing
is satisfiable), ``ETag``/``Last-Modified`` with ``If-None-Match``/``If-Modified-Since``/``If-Range``, and
``index.html`` for folders. Several ranges in one request are answered with one ``multipart/byteranges``
``206`` (up to 16 ranges; more than that, or overlapping abuse, gets the whole file with ``200``).

Nothing outside the folder is reachable. The request path is percent-decoded exactly once; a path that still
holds an encoded dot, slash, backslash or NUL after that (``%252e%252e``), a backslash, a NUL, or a ``.``/``..``
segment is refused with 400; hidden names (``.cache``, ``.tmp-*``) and the catalogue (``show.sqlite``) are 404; the joined path is resolved
(symlinks followed) and must stay inside the resolved root, else 403. Listens on 127.0.0.1 by default.
"""

from __future__ import annotations

import email.utils
import errno
import logging
import os
import re
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.edition import AUDIO_FILES, CHAPTERS, SHOWNOTES_HTML, SHOWNOTES_MD, TRANSCRIPTS
from pipeline.errors import BadInput

log = logging.getLogger("recast.serve")

MAX_RANGES = 16
_CHUNK = 64 * 1024
_BY_NAME = {"feed.xml": "application/rss+xml; charset=utf-8", CHAPTERS.name: CHAPTERS.mime}
_TEXT = "; charset=utf-8"
_BY_SUFFIX = {
    **{Path(f.name).suffix: f.http_type for f in AUDIO_FILES.values()},
    **{Path(f.name).suffix: f.http_type + ("" if f.http_type.endswith("json") else _TEXT)
       for f in (*TRANSCRIPTS, SHOWNOTES_HTML, SHOWNOTES_MD)},
    ".xml": "application/xml; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".toml": "application/toml; charset=utf-8", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".svg": "image/svg+xml",
}
_ENCODED_DANGER = re.compile(r"%(2e|2f|5c|00)", re.IGNORECASE)
_PRIVATE = re.compile(r"\.sqlite(-wal|-shm|-journal)?$", re.IGNORECASE)  # the catalogue is not published
_RANGE_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def content_type(path: Path) -> str:
    """Content-Type for a served file."""
    return _BY_NAME.get(path.name) or _BY_SUFFIX.get(path.suffix.lower(), "application/octet-stream")


def parse_range(header: str, size: int) -> list[tuple[int, int]] | None:
    """Satisfiable (first, last) byte ranges of a Range header; None = ignore the header; [] = 416."""
    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    ranges = []
    for spec in specs.split(","):
        m = _RANGE_SPEC.match(spec)
        if not m or (not m.group(1) and not m.group(2)):
            return None  # syntactically invalid: ignore the header (RFC 9110 §14.2)
        first, last = m.group(1), m.group(2)
        if first:
            a = int(first)
            b = int(last) if last else size - 1
            if last and b < a:
                return None
            if a < size:
                ranges.append((a, min(b, size - 1)))
        else:
            n = int(last)
            if n > 0 and size > 0:
                ranges.append((max(0, size - n), size - 1))
    return ranges


class _Handler(BaseHTTPRequestHandler):
    server_version = "Recast"
    protocol_version = "HTTP/1.1"
    root: Path  # set on the per-server subclass

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)

    # ---------------------------------------------------------------------------------------- routing

    def _serve(self, *, send_body: bool) -> None:
        status, target = self._locate()
        if status == HTTPStatus.MOVED_PERMANENTLY:
            self._plain(status, "", send_body, location=target)
            return
        if status != HTTPStatus.OK:
            self._plain(status, f"{status.value} {status.phrase}\n", send_body)
            return
        path = Path(target)
        try:
            fh = open(path, "rb")
        except OSError:
            self._plain(HTTPStatus.NOT_FOUND, "404 Not Found\n", send_body)
            return
        with fh:
            st = os.fstat(fh.fileno())
            self._send_file(fh, path, st.st_size, st.st_mtime, send_body)

    def _locate(self) -> tuple[HTTPStatus, str]:
        """(status, file path or redirect location) for the request target."""
        raw = self.path
        if "://" in raw.split("?", 1)[0]:
            raw = urlsplit(raw).path or "/"
        raw = raw.split("?", 1)[0].split("#", 1)[0]
        if not raw.startswith("/") or "\\" in raw:
            return HTTPStatus.BAD_REQUEST, ""
        try:
            decoded = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return HTTPStatus.BAD_REQUEST, ""
        if "\x00" in decoded or "\\" in decoded or _ENCODED_DANGER.search(decoded):
            return HTTPStatus.BAD_REQUEST, ""
        parts = [p for p in decoded.split("/") if p]
        if any(p in (".", "..") for p in parts):
            return HTTPStatus.BAD_REQUEST, ""
        if any(p.startswith(".") for p in parts) or (parts and _PRIVATE.search(parts[-1])):
            return HTTPStatus.NOT_FOUND, ""
        root = self.root
        candidate = root.joinpath(*parts)
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return HTTPStatus.NOT_FOUND, ""
        if real != root and not real.is_relative_to(root):
            return HTTPStatus.FORBIDDEN, ""
        if real.is_dir():
            if not raw.endswith("/"):
                return HTTPStatus.MOVED_PERMANENTLY, raw + "/"
            index = candidate / "index.html"
            try:
                real = index.resolve(strict=True)
            except (OSError, RuntimeError):
                return HTTPStatus.NOT_FOUND, ""
            if not real.is_relative_to(root):
                return HTTPStatus.FORBIDDEN, ""
        if not real.is_file():
            return HTTPStatus.NOT_FOUND, ""
        return HTTPStatus.OK, str(real)

    # ---------------------------------------------------------------------------------------- replies

    def _send_file(self, fh, path: Path, size: int, mtime: float, send_body: bool) -> None:
        etag = f'"{size:x}-{int(mtime * 1_000_000):x}"'
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        common = {"ETag": etag, "Last-Modified": last_modified, "Accept-Ranges": "bytes",
                  "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if self._not_modified(etag, mtime):
            self._reply(HTTPStatus.NOT_MODIFIED, common)
            return
        ctype = content_type(path)
        header = self.headers.get("Range")
        ranges = None
        if header is not None and self._if_range_ok(etag, last_modified):
            ranges = parse_range(header, size)
        if ranges is not None and not ranges:
            self._plain(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "416 Range Not Satisfiable\n", send_body,
                        extra={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
            return
        if ranges is None or len(ranges) > MAX_RANGES:
            self._reply(HTTPStatus.OK, {**common, "Content-Type": ctype, "Content-Length": str(size)})
            if send_body:
                self._copy(fh, 0, size)
            return
        if len(ranges) == 1:
            a, b = ranges[0]
            self._reply(HTTPStatus.PARTIAL_CONTENT, {**common, "Content-Type": ctype,
                                                     "Content-Range": f"bytes {a}-{b}/{size}",
                                                     "Content-Length": str(b - a + 1)})
            if send_body:
                self._copy(fh, a, b - a + 1)
            return
        boundary = "recast-" + os.urandom(12).hex()
        heads = [(f"\r\n--{boundary}\r\nContent-Type: {ctype}\r\nContent-Range: bytes {a}-{b}/{size}\r\n\r\n"
                  ).encode("ascii") for a, b in ranges]
        tail = f"\r\n--{boundary}--\r\n".encode("ascii")
        length = sum(len(h) for h in heads) + sum(b - a + 1 for a, b in ranges) + len(tail)
        self._reply(HTTPStatus.PARTIAL_CONTENT, {**common, "Content-Length": str(length),
                                                 "Content-Type": f"multipart/byteranges; boundary={boundary}"})
        if send_body:
            for head, (a, b) in zip(heads, ranges, strict=True):
                self.wfile.write(head)
                self._copy(fh, a, b - a + 1)
            self.wfile.write(tail)

    def _not_modified(self, etag: str, mtime: float) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip() for t in inm.split(",")}
            return "*" in tags or etag in tags or f"W/{etag}" in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return int(mtime) <= since
        return False

    def _if_range_ok(self, etag: str, last_modified: str) -> bool:
        cond = self.headers.get("If-Range")
        return cond is None or cond.strip() in (etag, last_modified)

    def _copy(self, fh, offset: int, count: int) -> None:
        fh.seek(offset)
        while count > 0:
            block = fh.read(min(_CHUNK, count))
            if not block:
                break
            self.wfile.write(block)
            count -= len(block)

    def _plain(self, status: HTTPStatus, text: str, send_body: bool, *, location: str | None = None,
               extra: dict[str, str] | None = None) -> None:
        body = text.encode("utf-8")
        headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body)), **(extra or {})}
        if location is not None:
            headers["Location"] = location
        self._reply(status, headers)
        if send_body and body:
            self.wfile.write(body)

    def _reply(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True


class RecastHTTPServer(ThreadingHTTPServer):
    """Threaded server bound to one folder."""

    daemon_threads = True
    block_on_close = False


def _make_server(root: Path, host: str, port: int) -> RecastHTTPServer:
    root = Path(root)
    if not root.is_dir():
        raise BadInput(f"{root} is not a folder; give the output folder that holds feed.xml")
    handler = type("RecastHandler", (_Handler,), {"root": root.resolve()})
    server_class = RecastHTTPServer
    if ":" in host:
        server_class = type("RecastHTTPServer6", (RecastHTTPServer,), {"address_family": socket.AF_INET6})
    try:
        return server_class((host, port), handler)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise BadInput(f"port {port} on {host} is already in use; choose another with --port") from err
        raise BadInput(f"cannot listen on {host}:{port}: {err.strerror or err}") from err


def _url(server: RecastHTTPServer) -> str:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    return f"http://{shown}:{port}/"


def start_server(root: Path, host: str = "127.0.0.1", port: int = 0) -> tuple[RecastHTTPServer, str]:
    """Serve ``root`` from a background thread (for tests and embedding); returns (server, base URL).

    Stop it with ``server.shutdown(); server.server_close()``.
    """
    server = _make_server(root, host, port)
    threading.Thread(target=server.serve_forever, name="recast-serve", daemon=True).start()
    return server, _url(server)


def serve_folder(root: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 announce: Callable[[str], None] = lambda _msg: None) -> None:
    """Serve ``root`` until Ctrl-C; ``announce`` receives the one line telling where."""
    server = _make_server(root, host, port)
    url = _url(server)
    announce(f"Serving {Path(root)} at {url} (feed: {url}feed.xml); Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
