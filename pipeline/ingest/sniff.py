"""Cheap looks at a text's shape, before any parser is loaded."""

from __future__ import annotations

import re

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?(?:p|div|span|cite|time|br|a|em|strong|b|i|h[1-6]|li|ul|section|article|main)\b[^>]*>",
                  re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """A saved web page (``<!DOCTYPE html>``, ``<html>``) or an HTML fragment made mostly of tags, such as a
    Podcasting 2.0 HTML transcript (``<cite>``, ``<time>``, ``<p>``)."""
    head = text[:4000]
    if _HTML_START.match(head):
        return True
    lines = [ln for ln in head.splitlines() if ln.strip()]
    tagged = sum(1 for ln in lines if _TAG.search(ln))
    return len(lines) >= 3 and tagged * 2 >= len(lines) and head.lstrip().startswith("<")
