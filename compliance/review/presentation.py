"""HTML for findings and diffs, built safely: every piece of text goes through ``escape``/``format_html``,
and only the tags written here are trusted. Shared by the review page and the try-a-text page."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# Most severe first: where two findings overlap, the segment shows the worse one.
SEVERITY_ORDER = ("block", "needs_disclosure", "warn")


def _severity(finding) -> str:
    value = getattr(finding.severity, "value", finding.severity)
    return str(value)


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def highlight(text: str, findings: Iterable) -> SafeString:
    """The text with each finding's span in ``<mark class="finding-<severity>">``, numbered like the list of
    findings beside it (``data-finding``). Overlapping spans are cut into segments; findings without a span
    (a missing label, say) are listed but not marked."""
    spans = [
        (index, finding.start, finding.end, _severity(finding))
        for index, finding in enumerate(findings, start=1)
        if finding.start is not None
        and finding.end is not None
        and 0 <= finding.start < finding.end <= len(text)
    ]
    cuts = sorted({0, len(text), *(s for _i, s, _e, _v in spans), *(e for _i, _s, e, _v in spans)})
    parts: list[str] = []
    for left, right in itertools.pairwise(cuts):
        segment = text[left:right]
        covering = [span for span in spans if span[1] <= left and right <= span[2]]
        if not covering:
            parts.append(escape(segment))
            continue
        worst = min(covering, key=lambda span: _rank(span[3]))
        numbers = " ".join(str(span[0]) for span in covering)
        parts.append(
            format_html('<mark class="finding-{}" data-finding="{}">{}</mark>', worst[3], numbers, segment)
        )
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part above is escaped


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> SafeString:
    """Word-level diff of two versions: removed words in ``<del>``, added words in ``<ins>``."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    out: list[SafeString] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return mark_safe("".join(str(p) for p in out))  # noqa: S308 - every part above is escaped


def _message(finding) -> str:
    """The finding's sentence in the reader's language: the engine keeps an English template per ``code``
    (``compliance.checks.messages``), translated here with gettext and filled from ``params``."""
    from compliance.checks.messages import MESSAGES

    template = MESSAGES.get(finding.code) or MESSAGES.get(finding.check)
    if template is None:
        return finding.message
    try:
        return gettext(template) % dict(finding.params or {})
    except (KeyError, TypeError, ValueError):
        return finding.message


def finding_rows(findings: Iterable) -> list[dict]:
    """Findings as plain dicts for templates, numbered like the marks in ``highlight``."""
    return [
        {
            "number": index,
            "severity": _severity(finding),
            "code": finding.code,
            "check": finding.check,
            "matched": finding.matched,
            "message": _message(finding),
            "suggestion": finding.suggestion,
            "rule_id": finding.rule_id,
        }
        for index, finding in enumerate(findings, start=1)
    ]
