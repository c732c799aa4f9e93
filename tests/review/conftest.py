"""Fixtures of the compliance review tests: a rule pack of our own (independent of the default packs), and
a recorder for archive events."""

from __future__ import annotations

import pytest

from compliance.review import checking, rulepacks
from compliance.review.models import RulePack


@pytest.fixture(autouse=True)
def _fresh_lexicon_cache():
    checking.clear_cache()
    yield
    checking.clear_cache()


@pytest.fixture
def archived(monkeypatch):
    """Archive events recorded by the rule-pack writes, as (event_type, payload) pairs."""
    events: list[tuple[str, dict]] = []

    def fake_record(event_type, *, subject=None, actor=None, payload=None):
        events.append((event_type, payload or {}))

    monkeypatch.setattr(rulepacks, "record", fake_record)
    return events


@pytest.fixture
def test_pack(db, compliance_officer) -> RulePack:
    """A pack of our own, the only active one: the default packs (loaded by a migration) are switched off so
    that each test knows exactly which rules apply."""
    RulePack.objects.update(active=False)
    pack = rulepacks.create_pack(actor=compliance_officer, name="Test pack", language="fr", jurisdiction="FR")
    rulepacks.save_rule(
        pack=pack,
        actor=compliance_officer,
        phrase="rendement mirobolant",
        language="fr",
        severity="block",
        explanation="Promesse de rendement interdite.",
        suggestion="rendement potentiel",
    )
    rulepacks.save_rule(
        pack=pack,
        actor=compliance_officer,
        phrase="dernière chance",
        language="fr",
        severity="warn",
        explanation="Urgence artificielle.",
        suggestion="offre valable jusqu'au …",
    )
    pack.refresh_from_db()
    return pack
