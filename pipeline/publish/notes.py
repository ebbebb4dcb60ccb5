"""Show notes HTML: the body of an edition's ``shownotes.html`` as a safe fragment for the feed and the site.

``shownotes.html`` may be a whole document or a fragment. What goes into ``content:encoded`` and the episode
page is only the body's content, with anything active removed (scripts, styles, frames, forms, event
handler attributes, ``javascript:`` links): podcast apps render this HTML, and so does our site.
"""

from __future__ import annotations

import html

from lxml import html as lhtml

_DROP = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
         "button", "select", "textarea", "link", "meta", "base", "title", "head", "noscript", "template",
         "h1"}  # h1: the episode title, which the feed item and the episode page already show
_URL_ATTRS = {"href", "src", "action", "formaction", "poster", "xlink:href", "srcset"}


def notes_fragment(text: str) -> str:
    """Sanitized inner HTML of the show notes body ("" when there are none)."""
    text = xml_safe(text or "")
    if not text.strip():
        return ""
    doc = lhtml.document_fromstring(text)
    body = doc.find("body")
    if body is None:
        body = doc
    for el in list(body.iter()):
        if not isinstance(el.tag, str):  # comments and processing instructions
            el.drop_tree()
            continue
        if el.tag.lower() in _DROP:
            el.drop_tree()
            continue
        for name in list(el.attrib):
            value = el.attrib[name].strip().lower().replace("\x00", "")
            if name.lower().startswith("on") or (name.lower() in _URL_ATTRS and value.startswith(
                    ("javascript:", "vbscript:", "data:text"))) or name.lower() == "style":
                del el.attrib[name]
    head = html.escape(body.text or "", quote=False)
    return (head + "".join(lhtml.tostring(child, encoding="unicode") for child in body)).strip()


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (controls other than tab/LF/CR, surrogates)."""
    return "".join(c for c in text if c in "\t\n\r" or (ord(c) >= 32 and c not in "\ufffe\uffff"
                                                          and not 0xD800 <= ord(c) <= 0xDFFF))

