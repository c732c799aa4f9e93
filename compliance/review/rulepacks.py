"""Writes to rule packs: every change bumps the pack's version and is archived.

The version bump is a conditional ``UPDATE ... SET version = version + 1`` so that two officers editing
the same pack at once both move it on; the compiled lexicon cache (``checking``) reads only these
versions, so whichever process serves the next check rebuilds it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from compliance.archive.services import record
from compliance.review.models import LexiconRule, RulePack

RULE_FIELDS = ("phrase", "language", "jurisdiction", "severity", "explanation", "suggestion", "active")
PACK_FIELDS = ("name", "language", "jurisdiction", "description", "active")


def _bump(pack: RulePack) -> int:
    # updated_at moves too: the cache key holds it, so a version number reused after a rolled-back
    # transaction can never be mistaken for the one a cached lexicon was built from.
    RulePack.objects.filter(pk=pack.pk).update(version=F("version") + 1, updated_at=timezone.now())
    pack.refresh_from_db(fields=["version", "updated_at"])
    return pack.version


def _rule_payload(rule: LexiconRule) -> dict[str, Any]:
    return {"rule_id": rule.pk, **{name: getattr(rule, name) for name in RULE_FIELDS}}


@transaction.atomic
def create_pack(*, actor, **fields: Any) -> RulePack:
    pack = RulePack.objects.create(**{k: v for k, v in fields.items() if k in PACK_FIELDS})
    record(
        "rulepack.changed",
        subject=pack,
        actor=actor,
        payload={
            "change": "pack_created",
            "pack_id": pack.pk,
            "version": pack.version,
            **{name: getattr(pack, name) for name in PACK_FIELDS},
        },
    )
    return pack


@transaction.atomic
def update_pack(*, pack: RulePack, actor, **fields: Any) -> RulePack:
    before = {name: getattr(pack, name) for name in PACK_FIELDS}
    for name, value in fields.items():
        if name in PACK_FIELDS:
            setattr(pack, name, value)
    after = {name: getattr(pack, name) for name in PACK_FIELDS}
    if before == after:
        return pack
    pack.save(update_fields=[*PACK_FIELDS, "updated_at"])
    version = _bump(pack)
    record(
        "rulepack.changed",
        subject=pack,
        actor=actor,
        payload={
            "change": "pack_updated",
            "pack_id": pack.pk,
            "version": version,
            "before": before,
            "after": after,
        },
    )
    return pack


@transaction.atomic
def save_rule(*, pack: RulePack, actor, rule: LexiconRule | None = None, **fields: Any) -> LexiconRule:
    """Add a rule to ``pack`` (``rule`` None) or change an existing one of that pack."""
    created = rule is None
    rule = rule or LexiconRule(pack=pack)
    if rule.pack_id != pack.pk:
        raise ValueError("The rule belongs to another pack.")
    before = None if created else _rule_payload(rule)
    for name, value in fields.items():
        if name in RULE_FIELDS:
            setattr(rule, name, value)
    if not created and _rule_payload(rule) == before:
        return rule
    rule.save()
    version = _bump(pack)
    record(
        "rulepack.changed",
        subject=pack,
        actor=actor,
        payload={
            "change": "rule_created" if created else "rule_updated",
            "pack_id": pack.pk,
            "version": version,
            "before": before,
            "after": _rule_payload(rule),
        },
    )
    return rule


def deactivate_rule(*, rule: LexiconRule, actor) -> LexiconRule:
    """Rules are deactivated, never deleted: the archive keeps pointing at a rule that explains a finding."""
    return save_rule(pack=rule.pack, rule=rule, actor=actor, active=False)
