# ruff: noqa: RUF001 - typographic look-alikes are this module's subject matter
"""Required label ("#PUB", "#MarketingCommunication") and required risk warning.

Why: AMF DOC-2013-13 / ACPR 2016-R-01 want promotional posts identifiable (a label), and FCA FG24/1 wants the
risk information visible in the post itself, without a click. Both are compared after folding, so "#pub",
"#Publicité" for "#PUBLICITE", or a warning typed with other apostrophes, quotes or spacing still count;
a warning must appear as a whole, in order.
"""

from __future__ import annotations

import re

from compliance.checks.findings import Finding, Severity
from compliance.checks.messages import render_message
from compliance.checks.normalise import fold, normalise

__all__ = ["check_label", "check_warning", "find_label_spans", "find_warning_spans"]

_HASHTAG = re.compile(r"(?<![\w#＃])[#＃](\w+)")


def _folded_word(text: str) -> str:
    return "".join(fold(text).split())


def find_label_spans(text: str, label: str) -> list[tuple[int, int]]:
    """Where ``label`` occurs: as a whole hashtag for "#..." labels, as a whole phrase otherwise."""
    label = label.strip()
    if label[:1] in "#＃" and len(label) > 1:
        wanted = _folded_word(label[1:])
        return [m.span() for m in _HASHTAG.finditer(text) if _folded_word(m.group(1)) == wanted]
    return find_warning_spans(text, label)


def find_warning_spans(text: str, warning: str) -> list[tuple[int, int]]:
    """Spans of every occurrence of ``warning`` in ``text``, compared token by token after normalisation."""
    wanted = normalise(warning)
    if not wanted.tokens:
        return []
    norm = normalise(text)
    key, needle = norm.key, wanted.key
    spans = []
    position = key.find(needle)
    while position >= 0:
        first = key.count(" ", 0, position)
        last = first + len(wanted.tokens) - 1
        spans.append((norm.spans[first][0], norm.spans[last][1]))
        position = key.find(needle, position + 1)
    return spans


def check_label(text: str, label: str | None) -> list[Finding]:
    if not label or not label.strip() or find_label_spans(text, label):
        return []
    params = {"label": label.strip()}
    return [
        Finding(
            check="label",
            severity=Severity.BLOCK,
            start=0,
            end=0,
            matched="",
            message=render_message("label.missing", params),
            suggestion=label.strip(),
            code="label.missing",
            params=params,
        )
    ]


def check_warning(text: str, warning: str | None) -> list[Finding]:
    if not warning or not warning.strip() or find_warning_spans(text, warning):
        return []
    params = {"warning": warning.strip()}
    return [
        Finding(
            check="warning",
            severity=Severity.BLOCK,
            start=0,
            end=0,
            matched="",
            message=render_message("warning.missing", params),
            suggestion=warning.strip(),
            code="warning.missing",
            params=params,
        )
    ]
