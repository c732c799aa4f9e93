"""Finding URLs the way X does: ``http(s)://`` links and bare domains ("bank.fr/offre").

Shared by the link allowlist and the weighted length, because both must agree with what X turns into a
t.co link: a bare "relais.bank" counts 23 characters on X and points somewhere, so it is a link for both.
"""

from __future__ import annotations

import re

__all__ = ["UrlMatch", "find_urls", "url_host"]


def _words(text: str) -> list[str]:
    return text.split()


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
_COUNTRY_TLDS = _words(
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw "
    "by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et "
    "eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie "
    "il im in iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly "
    "ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu "
    "nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm "
    "sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tz ua ug uk us uy uz va vc ve "
    "vg vi vn vu wf ws ye yt za zm zw"
)
_COUNTRY_TLD_SET = frozenset(_COUNTRY_TLDS)
_GENERIC_TLD_SET = frozenset(_GENERIC_TLDS)
_TLDS = "|".join(sorted(set(_GENERIC_TLDS) | _COUNTRY_TLD_SET, key=lambda t: (-len(t), t)))

# Like twitter-text: the character before a URL is checked against ASCII only ("éhttps://x.com" is a link),
# and a URL stops at whitespace, quotes, angle brackets and emoji/symbols (an emoji glued to a link is not
# part of it).
# Scoped case-sensitive: with IGNORECASE, the range U+2000-U+2BFF would also exclude "k" (KELVIN SIGN).
_URL_CHAR = r"(?-i:[^\s<>\"\u2000-\u2bff\u3000-\u303f\ufe0f\U0001f000-\U0001faff])"
_URL = re.compile(
    r"(?P<scheme>(?<![A-Za-z0-9@$#\uff20\uff03])https?://" + _URL_CHAR + r"+)"
    r"|(?<![A-Za-z0-9@$#\uff20\uff03\-_./])"
    r"(?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?P<tld>" + _TLDS + r"))"
    r"(?![a-z0-9-])(?P<rest>(?::\d{1,5})?(?:/" + _URL_CHAR + r"*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"]}>*»…"


class UrlMatch(tuple):
    """``(start, end, url)``: offsets into the searched text and the URL as written."""

    __slots__ = ()

    def __new__(cls, start: int, end: int, url: str) -> UrlMatch:
        return super().__new__(cls, (start, end, url))

    start = property(lambda self: self[0])
    end = property(lambda self: self[1])
    url = property(lambda self: self[2])


def _trim(url: str) -> str:
    """Drop the punctuation that ends a sentence, not the URL (a closing parenthesis only if unbalanced)."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        else:
            break
    return url


def find_urls(text: str) -> list[UrlMatch]:
    """Every URL X would link in ``text`` (offsets into ``text`` as given)."""
    found = []
    for match in _URL.finditer(text):
        if match.group("scheme"):
            url = _trim(match.group("scheme"))
            if len(url) <= len("https://"):
                continue
        else:
            labels = match.group("domain").lower().split(".")
            tld = match.group("tld").lower()
            rest = match.group("rest")
            if len(labels) == 2 and len(labels[0]) <= 2 and tld not in _GENERIC_TLD_SET and not rest:
                continue  # "hi.it", "p.ex": twitter-text does not link a short name on a country TLD
            url = _trim(match.group("domain") + rest)
        found.append(UrlMatch(match.start(), match.start() + len(url), url))
    return found


def url_host(url: str) -> str | None:
    """The lower-case host of a URL (userinfo, port and trailing dot removed; IDN as punycode), or None."""
    rest = re.sub(r"^https?://", "", url, flags=re.IGNORECASE)
    authority = re.split(r"[/?#\\]", rest, maxsplit=1)[0]
    host = authority.rsplit("@", 1)[-1]  # "https://bank.fr@evil.com" goes to evil.com
    if host.startswith("["):
        return None  # IPv6 literal: never on an allowlist of domains
    host = host.split(":", 1)[0].rstrip(".").lower()
    if not host:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return host
