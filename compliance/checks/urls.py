"""Finding URLs the way X does: ``http(s)://`` links and bare domains ("bank.fr/offre").

``extract_urls`` is twitter-text's URL extractor (``Extractor.extractURLsWithIndices`` and ``Regex.VALID_URL``
of its Java library, ported as they are, with its list of TLDs in ``tlds.py``): exactly what X turns into a
t.co link, each counting 23 in the weighted length (``length.py``). ``find_urls`` is what the link allowlist
and the word reader look at: the same links with two deliberate differences (see its docstring). Both are
checked against twitter-text's conformance cases (``tests/checks/test_twitter_text_conformance.py``).
"""

from __future__ import annotations

import re

from compliance.checks.tlds import COUNTRY_TLDS, GENERIC_TLDS

__all__ = ["UrlMatch", "extract_urls", "find_urls", "url_host"]


_INVALID_CHARS = "\ufffe\ufeff\uffff"
_DIRECTIONAL_CHARS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268"
    "\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"


def _tlds(tlds: tuple[str, ...]) -> str:
    alternation = "|".join(re.escape(t) for t in sorted(tlds, key=lambda t: (-len(t), t)))
    return rf"(?:(?:{alternation})(?=[^a-z0-9@+-]|$))"


_GTLD = _tlds(GENERIC_TLDS)
_CCTLD = _tlds(COUNTRY_TLDS)
_PRECEDING = rf"(?:[^a-z0-9@\uff20$#\uff03{_INVALID_CHARS}]|[{_DIRECTIONAL_CHARS}]|^)"
_CHARS = "a-z0-9" + _LATIN_ACCENTS  # a class body: letters, digits, accented Latin
_SUBDOMAIN = rf"(?>(?:[{_CHARS}][{_CHARS}\-_]*)?[{_CHARS}]\.)"
_DOMAIN_NAME = rf"(?:(?:[{_CHARS}][{_CHARS}\-]*)?[{_CHARS}]\.)"
# Java's \p{Z} and \p{InGeneralPunctuation}, and its ASCII \s (the pattern is compiled with re.ASCII).
_SEPARATORS = r"\s\u00a0\u1680\u2000-\u206f\u3000"
_PUNCTUATION = r"_!\"#$%&'()*+,./:;<=>?@\[\]^`{|}~"
_UNICODE_CHAR = rf"[^\-{_PUNCTUATION}{_SEPARATORS}]"
_UNICODE_CHAR_OR_DASH = rf"[^{_PUNCTUATION}{_SEPARATORS}]"
_UNICODE_DOMAIN_NAME = rf"(?:(?:{_UNICODE_CHAR}{_UNICODE_CHAR_OR_DASH}*)?{_UNICODE_CHAR}\.)"
_PUNYCODE = r"(?:xn--[-0-9a-z]+)"
_DOMAIN = (
    rf"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}|{_PUNYCODE}))"  # twitter.com, foo.co.jp
    rf"|(?:(?:(?<=http://)|(?<=https://))"  # with a scheme: also a bare ccTLD name or a Unicode name
    rf"(?:(?:{_DOMAIN_NAME}{_CCTLD})|(?:{_UNICODE_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}))))"
    rf"|(?:{_DOMAIN_NAME}{_CCTLD}(?=/))"  # t.co/
)
_PATH_CHAR = rf"[a-z0-9!*';:=+,.$/%#\[\]\-\u2013_~|&@{_LATIN_ACCENTS}{_CYRILLIC}]"
_BALANCED_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH_ENDING = rf"[a-z0-9=_#/\-+{_LATIN_ACCENTS}{_CYRILLIC}]|(?:{_BALANCED_PARENS})"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_ENDING})|(?:@{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@]"
_QUERY_ENDING = r"[a-z0-9\-_&=#/]"
_URL = re.compile(
    rf"(?P<before>{_PRECEDING})"
    rf"(?P<url>(?P<scheme>https?://)?(?P<domain>{_DOMAIN})(?::[0-9]++)?"
    rf"(?:/{_PATH}*+)?(?:\?{_QUERY_CHAR}*{_QUERY_ENDING})?)",
    re.IGNORECASE | re.ASCII,  # like Java's CASE_INSENSITIVE: "K" (KELVIN SIGN) is not "k"
)
_TCO = re.compile(
    rf"https?://t\.co/([a-z0-9]+)(?:\?{_QUERY_CHAR}*{_QUERY_ENDING})?", re.IGNORECASE | re.ASCII
)
# Relais' earlier reading of "http(s)://" (see find_urls): up to whitespace, quotes, angle brackets or an
# emoji/symbol, less the punctuation that ends a sentence. Scoped case-sensitive: with IGNORECASE, the range
# U+2000-U+2BFF would also exclude "k" (KELVIN SIGN).
_RUN_CHAR = r"(?-i:[^\s<>\"\u2000-\u2bff\u3000-\u303f\ufe0f\U0001f000-\U0001faff])"
_SCHEME_RUN = re.compile(r"(?<![A-Za-z0-9@$#\uff20\uff03])https?://" + _RUN_CHAR + "+", re.IGNORECASE)
_RUN_TRAILING = ".,;:!?'\"]}>*»…"
_COUNTRY_TLD_SET = frozenset(COUNTRY_TLDS)
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40


class UrlMatch(tuple):
    """``(start, end, url)``: offsets into the searched text and the URL as written."""

    __slots__ = ()

    def __new__(cls, start: int, end: int, url: str) -> UrlMatch:
        return super().__new__(cls, (start, end, url))

    start = property(lambda self: self[0])
    end = property(lambda self: self[1])
    url = property(lambda self: self[2])


def _valid_host_and_length(url: str, scheme: str | None, host: str) -> bool:
    """twitter-text's ``isValidHostAndLength``: the host must survive IDNA (every label 1-63 characters once
    punycoded, no "xn--" label with non-ASCII in it) and the URL, punycoded, with a scheme, fit 4096."""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    if not ascii_host:
        return False
    length = len(url) + len(ascii_host) - len(host) + (0 if scheme else len("https://"))
    return length <= _MAX_URL_LENGTH


def extract_urls(text: str) -> list[UrlMatch]:
    """Exactly the URLs X links in ``text`` (offsets into ``text`` as given), as twitter-text's
    ``Extractor.extractURLsWithIndices`` (Java) finds them: each one counts 23 in the weighted length."""
    if "." not in text:
        return []
    found = []
    for match in _URL.finditer(text):
        scheme = match.group("scheme")
        if not scheme and match.group("before")[-1:] in ("-", "_", ".", "/"):
            continue  # "-evil.com", "_x.com", "a/b.com": not a link without a scheme
        url, start = match.group("url"), match.start("url")
        tco = _TCO.match(url)
        if tco:
            if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                continue
            url = tco.group(0)  # nothing after a t.co slug belongs to it
        if _valid_host_and_length(url, scheme, match.group("domain")):
            found.append(UrlMatch(start, start + len(url), url))
    return found


def _short_name(match: UrlMatch) -> bool:
    """A bare name (no scheme, port or path) of 1-2 character labels, on a country TLD or a generic one of
    more than 3 letters: "hi.it", "g.ar.an", "M.Dupont" (but not "x.com")."""
    if any(char in match.url for char in "/:?#"):
        return False
    *labels, tld = match.url.lower().split(".")
    if not labels or any(len(label) > 2 for label in labels):
        return False
    return tld in _COUNTRY_TLD_SET or len(tld) > 3


def _scheme_runs(text: str) -> list[UrlMatch]:
    found = []
    for match in _SCHEME_RUN.finditer(text):
        url = match.group()
        while url and (url[-1] in _RUN_TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]  # a closing parenthesis only if unbalanced
        if len(url) > len("https://"):
            found.append(UrlMatch(match.start(), match.start() + len(url), url))
    return found


def find_urls(text: str) -> list[UrlMatch]:
    """The links the allowlist checks (and that words are not read through): X's links (``extract_urls``),
    with two differences kept from Relais' earlier rules.

    * Any "http(s)://" run that X does not link is a link here too: an unknown TLD
      ("https://evil.example/x"), a TLD glued to "@" ("https://bank.fr@evil.com/login", where a browser goes
      to evil.com, see ``url_host``). A reader sees a link; the allowlist had rather see one too many.
    * A bare name of 1-2 character labels on a country TLD or a long generic one ("hi.it", "g.ar.an",
      "M.Dupont": abbreviations, words spelt with dots) is not a link here, though X links it (twitter-text
      has done so since 2018) and counts it 23 (``length.weighted_length`` uses ``extract_urls``).
    """
    if "." not in text:
        return []
    x_links = extract_urls(text)
    found = [match for match in x_links if not _short_name(match)]
    for run in _scheme_runs(text):
        if not any(link.start < run.end and run.start < link.end for link in x_links):
            found.append(run)
    return sorted(found)


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
