"""Findings and diffs as people read them, built safely: every piece of text goes through
``escape``/``format_html``, and only the tags written here are trusted.

Shared by the author's screens (draft editor, live counter), the review page and the try-a-text page, so an
author reads every finding in the reviewer's words. It lives in content, the lower of the two apps, because
both show findings; it needs only the checks engine's vocabulary (``compliance.checks``), not its rules.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable
from types import SimpleNamespace

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from advocacy import texts
from advocacy.content import compliance_checks as checks
from advocacy.content.validation import longest_text
from compliance.checks import Finding
from compliance.checks.messages import MESSAGES

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


def highlight_slots(text: str) -> SafeString:
    """The text with each known slot (``{first_name}``, ``{branch_city}``) in ``<mark class="slot">``: a
    template read as a template, where a filled preview would show someone's name as if it were the text."""
    parts: list[str] = []
    last = 0
    for match in texts.SLOT_RE.finditer(text):
        if match.group(1) not in texts.SLOTS:
            continue
        parts.append(escape(text[last : match.start()]))
        parts.append(format_html('<mark class="slot">{}</mark>', match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part above is escaped


_WORDS = re.compile(r"(\S+)(\s*)")


def _words(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Leading whitespace, then (word, the whitespace after it) for each word."""
    lead = text[: len(text) - len(text.lstrip())]
    return lead, _WORDS.findall(text[len(lead) :])


def _run(tokens: list[tuple[str, str]]) -> tuple[str, str]:
    """A run of words as one string, and the whitespace after its last word (kept outside the mark)."""
    joined = "".join(word + space for word, space in tokens)
    trimmed = joined.rstrip()
    return trimmed, joined[len(trimmed) :]


def word_diff(old: str, new: str) -> SafeString:
    """Word-level diff of two versions, inline: each run of removed words in one ``<del>``, followed by the
    run that replaced it in one ``<ins>``.

    Words are compared without the spaces between them: when spaces were tokens too, the matcher matched
    the spaces between changed words and cut "Un taux garanti" -> "Une offre attractive" into
    del/ins/del/ins pairs, which read as interleaved letters. A line break still counts (it changes the
    post), a trailing space does not."""
    _lead, a = _words(old or "")
    lead_b, b = _words(new or "")
    keys_a = [(word, "\n" in space) for word, space in a]
    keys_b = [(word, "\n" in space) for word, space in b]
    out: list[str] = [escape(lead_b)]
    matcher = difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(word + space for word, space in b[j1:j2])))
            continue
        removed, removed_gap = _run(a[i1:i2])
        added, added_gap = _run(b[j1:j2])
        if removed:
            out.append(format_html("<del>{}</del>", removed))
        if removed and added:
            out.append(" ")
        if added:
            out.append(format_html("<ins>{}</ins>", added))
        out.append(escape(added_gap if added else removed_gap))
    return mark_safe("".join(str(p) for p in out))  # noqa: S308 - every part above is escaped


def _message(finding) -> str:
    """The finding's sentence in the reader's language: the engine keeps an English template per ``code``
    (``compliance.checks.messages``), translated here with gettext and filled from ``params``."""
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


_FINDING_FIELDS = ("check", "severity", "matched", "message", "suggestion", "rule_id", "code", "params")


def readable(findings: Iterable) -> list[dict]:
    """``finding_rows`` for ``Finding`` objects or their stored dicts (a refused submission lists dicts)."""
    return finding_rows(
        f if not isinstance(f, dict) else SimpleNamespace(**{k: f.get(k) for k in _FINDING_FIELDS})
        for f in findings
    )


def checked_texts(checked: dict[str, dict]) -> list[dict]:
    """Each publishable text of a checked version (``checks.run_checks``), highlighted and with its
    findings in the reader's language: what the review page shows, and the author's page too, so that an
    author reads every finding, warnings included, in the reviewer's words."""
    entries = []
    for index, (fingerprint, entry) in enumerate(checked.items()):
        findings = [Finding.from_dict(data) for data in entry["findings"]]
        entries.append(
            {
                "label": _("Text") if index == 0 else _("Variant %(number)s") % {"number": index},
                "fingerprint": fingerprint,
                "highlighted": highlight(entry["text"], findings),
                "findings": finding_rows(findings),
                "weighted": texts.weighted_length(entry["text"]),
            }
        )
    return entries


def checks_for_author(version) -> dict:
    """The automatic checks of ``version`` as its author sees them: per text, the blocking findings to fix
    before submitting and the other findings (warnings, disclosure notes), which do not block but which a
    reviewer must confirm one by one. Checked now, with the current rules, as the review page does."""
    entries = []
    for entry in checked_texts(checks.run_checks(version)):
        rows = entry["findings"]
        entries.append(
            {
                **entry,
                "blocking": [row for row in rows if row["severity"] == "block"],
                "warnings": [row for row in rows if row["severity"] != "block"],
            }
        )
    return {
        "texts": entries,
        "several": len(entries) > 1,
        "blocked": any(entry["blocking"] for entry in entries),
        "warned": any(entry["warnings"] for entry in entries),
    }


def live_counter(
    *, text: str, disclosure: str, label: str, link_url: str, category: str | None, language: str, limit: int
) -> dict:
    """What the editor's live counter shows for the post as it would be published: its weighted count
    (a template filled with the longest slot values: the longest text it can produce), what would block it
    and what a reviewer would have to confirm, worded as on the review page."""
    text = texts.normalise(text)
    post = texts.to_post(
        longest_text(text, disclosure=disclosure, label=label, link_url=link_url.strip()), limit=limit
    )
    findings = []
    if text:
        findings = readable(checks.check_text(post.text, category=category, language=language).findings)
    length = post.length if text else 0
    return {
        "length": length,
        "limit": limit,
        "over": length > limit,
        "findings": findings,
        "blocked": any(f["severity"] == "block" for f in findings),
        "html": texts.contains_tags(text),
        "empty": not text,
    }
