"""X ("Twitter") weighted post length, standard library only.

Implements the counting rules of twitter-text configuration v3, which is what X applies to ``POST /2/tweets``:

* The text is NFC-normalised first.
* Every URL counts as ``URL_LENGTH`` (23), whatever its real length (X wraps it in t.co).
  Recognised: ``http://`` / ``https://`` URLs (up to a space, quote, angle bracket or directional mark, and
  only if IDNA accepts the host: labels of 1-63 characters once punycoded) and bare domains such as
  ``example.com/path``.
* Code points in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 weigh 1
  (Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, ..., typographic spaces, dashes, quotes, primes).
* Every other code point weighs 2 (CJK, "€", "…", emoji, ...).
* Emoji (twitter-text's ``emojiParsingEnabled``): one emoji weighs 2 however many code points it is made of.
  A cluster is an emoji code point followed by any variation selectors (U+FE0E/U+FE0F), skin-tone modifiers,
  keycap U+20E3, tag characters, and ``U+200D`` (ZWJ) joins to further emoji; a pair of regional indicators
  (a flag) is one cluster; any code point followed by U+FE0F or U+20E3 starts a cluster
  (e.g. keycap "1\ufe0f\u20e3").
  So "👍" = 2, "👍🏽" = 2, "👨‍👩‍👧" = 2, "🇫🇷" = 2.

Approximations (documented, deliberate): emoji detection uses code-point blocks rather than the full Unicode
emoji list, and bare-domain detection uses a fixed list of generic TLDs plus two-letter country-code TLDs
(a one- or two-letter domain on a country-code TLD without a path, like "hi.it", is not a URL here, as in
twitter-text before 2018; X links it now). Both err in ways that matter only for unusual text. This copy is
the sandbox's own (it stands in for X; Relais counts with ``compliance/checks/length.py``); both must pass
twitter-text's weighted-length conformance cases (``tests/checks/test_twitter_text_conformance.py``).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_WEIGHTED_LENGTH", "URL_LENGTH", "find_urls", "fits", "weighted_length"]

MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23


def _words(text: str) -> list[str]:
    return text.split()


_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

_GENERIC_TLDS = _words(
    "academy agency app art asia bank bargains biz blog build business cafe capital cash cat center city "
    "click cloud club codes com community company consulting coop credit date design dev digital direct "
    "directory edu email energy engineering events exchange expert finance financial fund gallery global "
    "gmbh gov group guide guru health help host info ink insure int investments io jobs legal life link "
    "live loan london ltd management market media mil mobi money museum name net network news nyc one "
    "online org page paris partners photo plus press pro reviews sale school services shop site social "
    "software solutions space store studio support swiss systems tax team tech tel today tools top travel "
    "tv ventures website wiki work works world xxx xyz zone"
)

_CC_TLDS = _words(
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by "
    "bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi "
    "fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in "
    "iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me "
    "mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf "
    "pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su "
    "sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws "
    "ye yt za zm zw"
)

_CC_TLD_SET = frozenset(_CC_TLDS)
_ALL_TLDS = sorted(set(_GENERIC_TLDS) | _CC_TLD_SET, key=lambda t: (-len(t), t))

_URL_RE = re.compile(
    r"""
    (?:
        (?<![A-Za-z0-9@$#\uff20\uff03])
        (?P<scheme>https?://[^\s<>"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]+)
    |
        (?<![A-Za-z0-9@$#\uff20\uff03\-_./])
        (?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?P<tld>TLDS))
        (?![a-z0-9-])
        (?P<rest>(?::\d{1,5})?(?:/[^\s<>"]*)?)
    )
    """.replace("TLDS", "|".join(_ALL_TLDS)),
    re.IGNORECASE | re.VERBOSE,
)

_TRAILING_PUNCT = ".,;:!?'\"]}>*"


def _trim_url(url: str) -> str:
    """Drop trailing punctuation that twitter-text leaves out of a URL (keeps balanced parentheses)."""
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCT or (last == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        else:
            break
    return url


def _valid_host(url: str) -> bool:
    """The host of a ``http(s)://`` URL survives IDNA: every label 1-63 characters once punycoded."""
    host = re.split(r"[/?#:]", url.split("://", 1)[1], maxsplit=1)[0]
    try:
        return bool(host.encode("idna"))
    except UnicodeError:
        return False


def find_urls(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` code-point offsets of the URLs X would shorten in ``text`` (NFC applied)."""
    text = unicodedata.normalize("NFC", text)
    spans = []
    for m in _URL_RE.finditer(text):
        if m.group("scheme"):
            url = _trim_url(m.group("scheme"))
            if len(url) <= len("https://") or not _valid_host(url):
                continue
        else:
            domain, tld, rest = m.group("domain"), m.group("tld").lower(), m.group("rest")
            labels = domain.lower().split(".")
            short = len(labels) == 2 and len(labels[0]) <= 2
            if short and tld in _CC_TLD_SET and tld not in _GENERIC_TLDS and not rest:
                continue  # "hi.it", "a.de": twitter-text's invalid short domain rule
            url = _trim_url(domain + rest)
        spans.append((m.start(), m.start() + len(url)))
    return spans


def _light(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _LIGHT_RANGES)


def _is_emoji_base(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or cp in (0x3030, 0x303D, 0x3297, 0x3299)
    )


def _is_regional_indicator(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


def _is_emoji_extender(cp: int) -> bool:
    return cp in (0xFE0E, 0xFE0F, 0x20E3) or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F


def _emoji_cluster_end(cps: list[int], i: int) -> int:
    """If an emoji cluster starts at ``i``, return the index just past it; otherwise return ``i``."""
    n = len(cps)
    cp = cps[i]
    if _is_regional_indicator(cp):
        if i + 1 < n and _is_regional_indicator(cps[i + 1]):
            return i + 2
        return i + 1
    starts = _is_emoji_base(cp) or (i + 1 < n and cps[i + 1] in (0xFE0F, 0x20E3))
    if not starts:
        return i
    j = i + 1
    while j < n:
        if _is_emoji_extender(cps[j]):
            j += 1
        elif cps[j] == 0x200D and j + 1 < n and (_is_emoji_base(cps[j + 1]) or cps[j + 1] > 0xFFFF):
            j += 2
        else:
            break
    return j


def _weight_plain(cps: list[int]) -> int:
    total = 0
    i = 0
    n = len(cps)
    while i < n:
        end = _emoji_cluster_end(cps, i)
        if end > i:
            total += 2
            i = end
            continue
        total += 1 if _light(cps[i]) else 2
        i += 1
    return total


def weighted_length(text: str) -> int:
    """Length of ``text`` as X counts it against the 280 limit (see module docstring)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for start, end in find_urls(text):
        total += _weight_plain([ord(c) for c in text[pos:start]]) + URL_LENGTH
        pos = end
    total += _weight_plain([ord(c) for c in text[pos:]])
    return total


def fits(text: str, limit: int = MAX_WEIGHTED_LENGTH) -> bool:
    """True when ``text`` is non-empty and within ``limit`` weighted characters."""
    return 0 < weighted_length(text) <= limit
