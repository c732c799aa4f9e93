"""Content fixtures: rule rows for the automatic checks, and helpers that write and approve content.

The checks run for real: ``compliance.review.checking`` and the ``compliance.checks`` engine, fed by one
rule pack written here (block "garanti"/"guaranteed", warn "meilleur taux"/"best rate"); the default packs
and category requirements are switched off so that each test says what blocks it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.content import services, workflow
from advocacy.content.models import Origin

ALLOWED_DOMAIN = "banque-exemple.fr"


RULES = [
    ("garanti", "block"),
    ("guaranteed", "block"),
    ("meilleur taux", "warn"),
    ("best rate", "warn"),
]


@pytest.fixture(autouse=True)
def rules(db):
    """A rule pack blocking promises of return and warning on superlatives; links only to the bank's site."""
    from advocacy.content.models import ComplianceSettings
    from compliance.review import checking, rulepacks
    from compliance.review.models import CategoryRequirement, RulePack

    # Only this pack and no category requirement: what blocks in these tests is written here.
    RulePack.objects.update(active=False)
    CategoryRequirement.objects.all().delete()
    ComplianceSettings.objects.update_or_create(
        pk=1, defaults={"allowed_domains": [ALLOWED_DOMAIN], "max_weighted_length": 280}
    )
    pack = rulepacks.create_pack(actor=None, name="Test pack", language="*", jurisdiction="", active=True)
    for phrase, severity in RULES:
        rulepacks.save_rule(
            pack=pack,
            actor=None,
            phrase=phrase,
            language="*",
            severity=severity,
            explanation=f"“{phrase}” is not allowed.",
            active=True,
        )
    checking.clear_cache()
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
