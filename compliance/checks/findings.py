"""What every check returns: a ``Finding`` with a span into the ORIGINAL text.

Spans are offsets into the text exactly as the author typed it (not the folded, NFC or stemmed text the
checks work on), because the review screen highlights them in that text and the archive stores that text.

Messages are English sentences built in one place (``messages.py``) from a stable ``code`` and a ``params``
dict, so the Django layer can render the same finding in French with gettext without parsing English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How a finding affects the workflow; the values are stored as text by the Django layer."""

    BLOCK = "block"
    WARN = "warn"
    NEEDS_DISCLOSURE = "needs_disclosure"


@dataclass(frozen=True, slots=True)
class Finding:
    """One automatic finding.

    ``start``/``end`` are offsets into the original text (``text[start:end] == matched``); a finding about
    something absent (a missing label) has ``start == end == 0`` and an empty ``matched``.
    ``code`` is stable across releases and languages (e.g. ``"pii.iban"``); ``params`` holds the values the
    message is built from. ``params`` is excluded from hashing (dicts are unhashable) but not from equality.
    """

    check: str
    severity: Severity
    start: int
    end: int
    matched: str
    message: str
    suggestion: str = ""
    rule_id: str | None = None
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.severity, Severity):
            object.__setattr__(self, "severity", Severity(self.severity))
        if not self.code:
            object.__setattr__(self, "code", self.check)

    @property
    def has_span(self) -> bool:
        return self.end > self.start

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data, for the archive (findings are recorded with every version)."""
        return {
            "check": self.check,
            "code": self.code,
            "severity": self.severity.value,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "message": self.message,
            "suggestion": self.suggestion,
            "rule_id": self.rule_id,
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            check=data["check"],
            severity=Severity(data["severity"]),
            start=int(data["start"]),
            end=int(data["end"]),
            matched=data.get("matched", ""),
            message=data.get("message", ""),
            suggestion=data.get("suggestion", "") or "",
            rule_id=data.get("rule_id"),
            code=data.get("code", ""),
            params=dict(data.get("params") or {}),
        )
