"""Content fixtures: rule rows for the automatic checks, and helpers that write and approve content.

The checks run through ``compliance.review.checking`` against real rule-pack rows. While the pure engine
(``compliance.checks``) has not landed, ``checking``'s two entry points are replaced by a small stand-in
with the same interface (block on "garanti"/"guaranteed", warn on "meilleur taux"/"best rate"), so these
tests exercise the workflow either way; once the engine exists they run against it unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.content import services
from advocacy.content.models import Origin
from compliance.review import workflow

ALLOWED_DOMAIN = "banque-exemple.fr"


def _engine_ready() -> bool:
    try:
        from compliance import checks
    except ImportError:
        return False
    return hasattr(checks, "run_checks")


@dataclass
class _Finding:
    check: str
    severity: str
    start: int
    end: int
    matched: str
    message: str
    suggestion: str = ""
    rule_id: str | None = None
    code: str = ""
    params: dict = field(default_factory=dict)


@dataclass
class _Report:
    findings: list

    @property
    def blocking(self):
        return [f for f in self.findings if f.severity == "block"]

    @property
    def warnings(self):
        return [f for f in self.findings if f.severity != "block"]

    @property
    def ok(self):
        return not self.blocking


_STAND_IN_RULES = [
    ("garanti", "block"),
    ("guaranteed", "block"),
    ("meilleur taux", "warn"),
    ("best rate", "warn"),
]


def _stand_in_check(text: str, *, item=None) -> _Report:
    findings = []
    for phrase, severity in _STAND_IN_RULES:
        for m in re.finditer(re.escape(phrase), text, re.IGNORECASE):
            findings.append(
                _Finding(
                    "lexicon",
                    severity,
                    m.start(),
                    m.end(),
                    m.group(0),
                    f"“{phrase}” is not allowed.",
                    "",
                    phrase,
                    f"lexicon.{severity}",
                )
            )
    for m in re.finditer(r"https?://([^/\s]+)\S*", text):
        host = m.group(1).lower()
        if not (host == ALLOWED_DOMAIN or host.endswith("." + ALLOWED_DOMAIN)):
            findings.append(
                _Finding(
                    "links",
                    "block",
                    m.start(),
                    m.end(),
                    m.group(0),
                    "Domain not allowed.",
                    code="link.domain",
                )
            )
    return _Report(findings)


def _stand_in_check_version(version) -> dict:
    from advocacy.content.selectors import publishable_texts

    return {t.fingerprint: _stand_in_check(str(t), item=version.item) for t in publishable_texts(version)}


@pytest.fixture(autouse=True)
def rules(db, monkeypatch):
    """A rule pack blocking promises of return and warning on superlatives; links only to the bank's site."""
    from compliance.review import checking, rulepacks
    from compliance.review.models import CategoryRequirement, ComplianceSettings, RulePack

    # Only this pack and no category requirement: what blocks in these tests is written here.
    RulePack.objects.update(active=False)
    CategoryRequirement.objects.all().delete()
    ComplianceSettings.objects.update_or_create(
        pk=1, defaults={"allowed_domains": [ALLOWED_DOMAIN], "max_weighted_length": 280}
    )
    pack = rulepacks.create_pack(actor=None, name="Test pack", language="*", jurisdiction="", active=True)
    for phrase, severity in _STAND_IN_RULES:
        rulepacks.save_rule(
            pack=pack,
            actor=None,
            phrase=phrase,
            language="*",
            severity=severity,
            explanation=f"“{phrase}” is not allowed.",
            active=True,
        )
    if _engine_ready():
        checking.clear_cache()
    else:
        monkeypatch.setattr(checking, "check_publishable_text", _stand_in_check)
        monkeypatch.setattr(checking, "check_version", _stand_in_check_version)
    return pack


@pytest.fixture
def write_library_item(marketer):
    def write(actor=None, **fields):
        defaults = {
            "title": "Taux immobiliers",
            "category": "market_news",
            "language": "fr",
            "text": "Les taux immobiliers baissent ce mois-ci : parlons de votre projet.",
            "variants": [],
        }
        return services.create_item(actor=actor or marketer, origin=Origin.LIBRARY, **{**defaults, **fields})

    return write


@pytest.fixture
def write_draft(adviser):
    def write(actor=None, **fields):
        defaults = {
            "title": "Mon conseil",
            "category": "market_news",
            "language": "fr",
            "text": "Un point sur l'épargne de précaution cette semaine.",
        }
        return services.create_item(
            actor=actor or adviser, origin=Origin.ADVISER_DRAFT, **{**defaults, **fields}
        )

    return write


@pytest.fixture
def approve(compliance_officer, compliance_officer2):
    """Submit (as the author) and approve an item with whatever approvals its category needs."""

    def run(item, *, submitter=None):
        version = workflow.submit_for_review(version=item.current_version, actor=submitter or item.author)
        for reviewer in (compliance_officer, compliance_officer2):
            acks = [f["id"] for f in workflow.findings_to_acknowledge(version.findings)]
            decision = workflow.approve_version(
                version=version, reviewer=reviewer, acknowledged_finding_ids=acks
            )
            if decision.final:
                break
        item.refresh_from_db()
        return item

    return run


@pytest.fixture
def tomorrow():
    return timezone.now() + timedelta(days=1)
