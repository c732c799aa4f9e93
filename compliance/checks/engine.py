"""``run_checks``: every automatic check on one text, as one pure function.

Pure on purpose: the same text and policy always give the same report, so it can run when a draft is
submitted, again just before publication (the policy may have changed since approval), and in tests,
without a database. The Django layer builds the ``CheckPolicy`` from rule packs and settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from compliance.checks.cashtags import find_cashtags
from compliance.checks.findings import Finding, Severity
from compliance.checks.labels import check_label, check_warning, find_label_spans, find_warning_spans
from compliance.checks.length import MAX_WEIGHTED_LENGTH, check_length, weighted_length
from compliance.checks.lexicon import CompiledLexicon
from compliance.checks.links import find_disallowed_links
from compliance.checks.pii import find_pii

__all__ = ["CheckPolicy", "CheckReport", "run_checks"]


@dataclass(frozen=True)
class CheckPolicy:
    """What to check a text against.

    ``allowed_domains``: None turns the link check off; an empty tuple allows no link at all (a bank's
    safe default). ``max_weighted_length``: None turns the length check off. ``jurisdictions``: None applies
    every lexicon entry of the language. ``cashtag_severity``: None turns the cashtag check off.
    """

    lexicon: CompiledLexicon | None = None
    allowed_domains: tuple[str, ...] | None = ()
    required_label: str | None = None
    required_warning: str | None = None
    max_weighted_length: int | None = MAX_WEIGHTED_LENGTH
    language: str | None = None
    jurisdictions: tuple[str, ...] | None = None
    link_severity: Severity = Severity.BLOCK
    cashtag_severity: Severity | None = Severity.NEEDS_DISCLOSURE
    check_pii: bool = True

    def __post_init__(self) -> None:
        if self.allowed_domains is not None and not isinstance(self.allowed_domains, tuple):
            object.__setattr__(self, "allowed_domains", tuple(self.allowed_domains))
        if self.jurisdictions is not None and not isinstance(self.jurisdictions, tuple):
            object.__setattr__(self, "jurisdictions", tuple(self.jurisdictions))


@dataclass(frozen=True)
class CheckReport:
    """Findings sorted by position. ``blocking``: must be fixed; ``warnings``: every non-blocking finding
    (``warn`` and ``needs_disclosure``), which a reviewer must acknowledge; ``ok``: nothing blocks."""

    text: str
    findings: tuple[Finding, ...]
    weighted_length: int
    max_weighted_length: int | None = MAX_WEIGHTED_LENGTH
    codes: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.BLOCK]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is not Severity.BLOCK]

    @property
    def needs_disclosure(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.NEEDS_DISCLOSURE]

    @property
    def ok(self) -> bool:
        return not self.blocking

    def __bool__(self) -> bool:  # a report is truthy when the text may go on
        return self.ok

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, for the archive."""
        return {
            "ok": self.ok,
            "weighted_length": self.weighted_length,
            "max_weighted_length": self.max_weighted_length,
            "findings": [f.to_dict() for f in self.findings],
        }


def _inside(finding: Finding, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= finding.start and finding.end <= end for start, end in spans)


def run_checks(text: str, policy: CheckPolicy) -> CheckReport:
    """Every check of ``policy`` on ``text`` (the exact text that would be published, disclosure included)."""
    text = text or ""
    findings: list[Finding] = []
    if policy.lexicon is not None:
        lexicon_findings = policy.lexicon.scan(
            text, language=policy.language, jurisdictions=policy.jurisdictions
        )
        # The mandated warning ("le capital n'est pas garanti") must not be flagged for saying "garanti".
        mandated = []
        if policy.required_warning:
            mandated += find_warning_spans(text, policy.required_warning)
        if policy.required_label:
            mandated += find_label_spans(text, policy.required_label)
        findings += [f for f in lexicon_findings if not _inside(f, mandated)]
    if policy.check_pii:
        findings += find_pii(text)
    if policy.allowed_domains is not None:
        findings += find_disallowed_links(text, policy.allowed_domains, severity=policy.link_severity)
    if policy.cashtag_severity is not None:
        findings += find_cashtags(text, severity=policy.cashtag_severity)
    length = weighted_length(text)
    if policy.max_weighted_length is not None:
        findings += check_length(text, policy.max_weighted_length, length=length)
    findings += check_label(text, policy.required_label)
    findings += check_warning(text, policy.required_warning)
    findings.sort(key=lambda f: (f.start, f.end, f.code, f.rule_id or ""))
    return CheckReport(
        text=text,
        findings=tuple(findings),
        weighted_length=length,
        max_weighted_length=policy.max_weighted_length,
        codes=frozenset(f.code for f in findings),
    )
