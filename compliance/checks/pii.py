"""Client data that must never appear in a post: IBANs, card numbers, phone numbers, e-mail addresses.

Every candidate found by a pattern is confirmed before it is reported (IBAN mod-97 and country length, card
Luhn and issuer prefix, phone number shape), because a check that blocks on every long number (amounts,
dates, years, reference codes) trains people to ignore it. All findings block: there is no acceptable amount
of client data in a public post.
"""

from __future__ import annotations

import re

from compliance.checks.findings import Finding, Severity
from compliance.checks.messages import render_message

__all__ = ["IBAN_LENGTHS", "find_pii", "iban_is_valid", "luhn_is_valid"]

# ISO 13616 registry: country -> IBAN length. Unknown countries fall back to the generic 15..34 range.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SC": 31,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
}

_SEP = r"[ \u00a0\u202f.\-]"
_IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \u00a0\u202f\-]?[A-Za-z0-9]){11,32}")
_CARD_CANDIDATE = re.compile(
    r"(?<![\w.,])(?<!\d[ \-])\d(?:[ \-\u00a0\u202f]?\d){12,18}(?![ \-]?\d)(?![.,]\d)"
)
_FR_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33[ \u00a0.\-]?(?:\(0\)[ \u00a0.\-]?)?[1-9]|\(?0[1-9]\)?)"
    r"(?P<sep>[ \u00a0.\-]?)\d{2}(?:(?P=sep)\d{2}){3}(?!\w)(?![.,]\d)"
)
_INTL_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ \u00a0.\-]?(?:\(\d{1,4}\)|\d{1,5})){2,7}(?!\w)(?![.,]\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
# A number followed by a currency or a percent sign (or a unit word) is an amount, not an identifier.
_AMOUNT_AFTER = re.compile(
    r"\s?(?:[€$£¥%‰]|eur\b|euros?\b|usd\b|gbp\b|chf\b|k€|m€|md€|millions?\b|milliards?\b|bn\b|pts?\b|points?\b)",
    re.IGNORECASE,
)
_CARD_PREFIXES = "23456"  # Mastercard 2/5, Amex/Diners/JCB 3, Visa 4, Discover/UnionPay/Maestro 6


def _iban_value(char: str) -> str:
    return char if char.isdigit() else str(ord(char) - 55)


def iban_is_valid(iban: str) -> bool:
    """ISO 13616 check: known country length (or 15..34 otherwise) and mod-97 == 1."""
    compact = re.sub(r"[\s\-]", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(_iban_value(c) for c in rearranged)) % 97 == 1


def luhn_is_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    if not digits:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _finding(code: str, text: str, start: int, end: int) -> Finding:
    matched = text[start:end]
    params = {"matched": matched}
    return Finding(
        check="pii",
        severity=Severity.BLOCK,
        start=start,
        end=end,
        matched=matched,
        message=render_message(code, params),
        code=code,
        params=params,
    )


def _ibans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _IBAN_CANDIDATE.finditer(text):
        country = match.group()[:2].upper()
        # positions of the alphanumeric characters of the candidate, to cut it at the country length
        positions = [match.start() + i for i, c in enumerate(match.group()) if c.isalnum()]
        lengths = [IBAN_LENGTHS[country]] if country in IBAN_LENGTHS else [len(positions)]
        for length in lengths:
            if length > len(positions) or not 15 <= length <= 34:
                continue
            end = positions[length - 1] + 1
            if end < len(text) and text[end].isalnum():
                continue  # the IBAN must end on a group boundary, not in the middle of a word
            if iban_is_valid(text[match.start() : end]):
                spans.append((match.start(), end))
                break
    return spans


def _is_amount(text: str, match: re.Match[str]) -> bool:
    if _AMOUNT_AFTER.match(text, match.end()):
        return True
    before = text[max(0, match.start() - 2) : match.start()]
    return any(symbol in before for symbol in "€$£")


def _cards(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _CARD_CANDIDATE.finditer(text):
        raw = match.group()
        digits = re.sub(r"\D", "", raw)
        if not 13 <= len(digits) <= 19 or digits[0] not in _CARD_PREFIXES or not luhn_is_valid(digits):
            continue
        groups = re.split(r"[ \-\u00a0\u202f]", raw)
        if len(groups) > 2 and all(len(g) == 3 for g in groups[1:]):
            continue  # "2 000 000 000 000": thousands separators, an amount
        if _is_amount(text, match):
            continue
        spans.append(match.span())
    return spans


def _phones(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _FR_PHONE.finditer(text) if not _is_amount(text, m)]
    for match in _INTL_PHONE.finditer(text):
        digits = sum(c.isdigit() for c in match.group())
        if match.group().startswith("00"):
            digits -= 2
        if not 8 <= digits <= 15 or _is_amount(text, match):
            continue
        if any(s < match.end() and match.start() < e for s, e in spans):
            continue  # already reported as a French number
        spans.append(match.span())
    return spans


def find_pii(text: str) -> list[Finding]:
    """Blocking findings for every IBAN, card number, phone number and e-mail address in ``text``."""
    findings = [_finding("pii.iban", text, s, e) for s, e in _ibans(text)]
    taken = [(f.start, f.end) for f in findings]

    def free(span: tuple[int, int]) -> bool:
        return not any(s < span[1] and span[0] < e for s, e in taken)

    for code, spans in (("pii.card", _cards(text)), ("pii.phone", _phones(text))):
        for span in spans:
            if free(span):
                findings.append(_finding(code, text, *span))
                taken.append(span)
    findings.extend(_finding("pii.email", text, *m.span()) for m in _EMAIL.finditer(text))
    findings.sort(key=lambda f: (f.start, f.end))
    return findings
