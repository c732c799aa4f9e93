"""Safe HTML for the guidance shown to advisers. The only module that imports nh3.

The allowlist is deliberately small: paragraphs, line breaks, emphasis, lists, quotes and links. Links keep
only ``href`` (http, https, mailto) and always get ``rel="noopener noreferrer"``; everything else (scripts,
styles, event handlers, images, iframes) is removed, and the content of ``script``/``style`` goes with it.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_guidance(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    ).strip()
