"""X's weighted length (twitter-text configuration v3), and the check that a post fits.

Why our own count: a post that X refuses at publish time is a post the adviser thought was approved and
scheduled. So the count that approval relies on must be X's: NFC first; every URL X links counts 23 (t.co;
``urls.extract_urls``); code points in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 count
1, every other one 2 ("€", "…", CJK, emoji). Like twitter-text with emoji parsing on, an emoji sequence (skin
tone, ZWJ family, flag, keycap, variation selector) counts 2 as a whole, not per code point. A disclosure
appended to the post counts too: check the text exactly as it will be sent. Checked against twitter-text's
conformance cases (``tests/checks/test_twitter_text_conformance.py``).
"""

from __future__ import annotations

import re
import unicodedata

from compliance.checks.findings import Finding, Severity
from compliance.checks.messages import render_message
from compliance.checks.urls import extract_urls

__all__ = ["MAX_WEIGHTED_LENGTH", "URL_WEIGHT", "check_length", "weighted_length"]

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23

_HEAVY = re.compile(r"[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
_EMOJI_BASE = (
    r"\U0001F000-\U0001FAFF\u2300-\u23FF\u2600-\u27BF\u2B00-\u2BFF\u2934\u2935\u3030\u303D\u3297\u3299"
    r"\u203C\u2049\u2122\u2139\u2194-\u2199\u21A9\u21AA\u24C2\u25AA\u25AB\u25B6\u25C0\u25FB-\u25FE"
)
_EXTEND = r"[\uFE0E\uFE0F\u20E3\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]"
_EMOJI = re.compile(
    r"[\U0001F1E6-\U0001F1FF]{2}"  # a flag: two regional indicators
    r"|(?:[" + _EMOJI_BASE + r"]|[^\s](?=[\uFE0F\u20E3]))" + _EXTEND + r"*"
    r"(?:\u200D[" + _EMOJI_BASE + r"\U00010000-\U0010FFFF]" + _EXTEND + r"*)*"
)


def _plain_weight(text: str) -> int:
    """Weight of text without URLs: emoji sequences count 2 each, then 1 or 2 per code point."""
    clusters = 0
    if _HEAVY.search(text):  # every emoji contains a heavy code point; pure Latin text skips this
        stripped, clusters = _EMOJI.subn("", text)
        text = stripped
    return len(text) + len(_HEAVY.findall(text)) + 2 * clusters


def weighted_length(text: str) -> int:
    """The length X counts against its 280 limit."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for start, end, _url in extract_urls(text):
        total += _plain_weight(text[position:start]) + URL_WEIGHT
        position = end
    return total + _plain_weight(text[position:])


def _overflow_start(text: str, limit: int) -> int:
    """Offset of the first character past ``limit`` (so the UI can highlight what does not fit); 0 when the
    text is not NFC (offsets of the NFC form would not fit the original)."""
    if unicodedata.normalize("NFC", text) != text:
        return 0
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits; weights grow with the prefix (but inside a URL)
        middle = (low + high + 1) // 2
        if weighted_length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    for start, end, _url in extract_urls(text):
        if start < low < end:
            return start  # a URL counts 23 as a whole: it fits whole or not at all (as in twitter-text)
    return low


def check_length(
    text: str, max_length: int = MAX_WEIGHTED_LENGTH, length: int | None = None
) -> list[Finding]:
    """A blocking finding when ``text`` is over ``max_length`` weighted characters, spanning the overflow.
    ``length`` may be passed when the caller already computed ``weighted_length(text)``."""
    if length is None:
        length = weighted_length(text)
    if length <= max_length:
        return []
    start = _overflow_start(text, max_length)
    params = {"length": length, "max": max_length, "over": length - max_length}
    return [
        Finding(
            check="length",
            severity=Severity.BLOCK,
            start=start,
            end=len(text),
            matched=text[start:],
            message=render_message("length.over", params),
            code="length.over",
            params=params,
        )
    ]
