"""Cashtags ("$TSLA"): a named financial instrument in a post is a recommendation risk and needs a disclosure.

Why a pattern and not a lexicon: tickers are an open set; the lexicon names products, this catches the form.
"""

from __future__ import annotations

import re

from compliance.checks.findings import Finding, Severity
from compliance.checks.messages import render_message

__all__ = ["find_cashtags"]

# "$" then a letter, up to 10 characters (BRK.B); not "$5", not "US$", not inside a word or a URL.
_CASHTAG = re.compile(r"(?<![\w$/])\$[A-Za-z][A-Za-z0-9]{0,5}(?:\.[A-Za-z]{1,2})?(?![\w.]\w)(?!\w)")


def find_cashtags(text: str, severity: Severity = Severity.NEEDS_DISCLOSURE) -> list[Finding]:
    findings = []
    for match in _CASHTAG.finditer(text):
        params = {"matched": match.group(), "symbol": match.group()[1:].upper()}
        findings.append(
            Finding(
                check="cashtag",
                severity=severity,
                start=match.start(),
                end=match.end(),
                matched=match.group(),
                message=render_message("cashtag", params),
                code="cashtag",
                params=params,
            )
        )
    return findings
