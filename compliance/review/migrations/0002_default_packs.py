"""Default rule packs (from ``compliance.checks.default_packs``) and compliance settings (a content model:
``advocacy.content`` reads them without importing this app).

Runs once; afterwards compliance officers own the packs through the rule-pack editor (every change bumps the
pack version and is archived). Re-running is harmless: existing packs, rules and settings are left alone.
"""

from django.conf import settings
from django.db import migrations

BANK_DOMAINS = ["banque-exemple.fr", "relais.test"]

# Category -> language -> (label, risk warning). Product content carries its risk warning in the post itself
# (FCA FG24/1: visible without a click); promotions are labelled (AMF/ACPR #PUB; ESMA #MarketingCommunication).
REQUIREMENTS = {
    "product": {
        "fr": ("#PUB", "Investir comporte un risque de perte en capital."),
        "en": (
            "#MarketingCommunication",
            "Capital at risk: the value of investments can fall as well as rise.",
        ),
    },
    "market_news": {
        "fr": ("#PUB", ""),
        "en": ("#MarketingCommunication", ""),
    },
}


PACK_NAMES = {"fr": "AMF / ACPR (français)", "en": "FCA / FINRA / SEC (English)"}


def _pack_definitions():
    """(name, language, jurisdiction, entries) for each default pack; each entry keeps its own jurisdiction."""
    from compliance.checks.default_packs import DEFAULT_PACKS

    return [
        (PACK_NAMES.get(language, language), language, "", entries)
        for language, entries in DEFAULT_PACKS.items()
    ]


def load_defaults(apps, schema_editor):
    RulePack = apps.get_model("review", "RulePack")
    LexiconRule = apps.get_model("review", "LexiconRule")
    ComplianceSettings = apps.get_model("content", "ComplianceSettings")
    CategoryRequirement = apps.get_model("review", "CategoryRequirement")

    for name, language, jurisdiction, entries in _pack_definitions():
        pack, created = RulePack.objects.get_or_create(
            name=name,
            defaults={
                "language": language,
                "jurisdiction": jurisdiction,
                "active": True,
                "description": "Relais default pack.",
            },
        )
        if not created:
            continue
        seen = set()
        for entry in entries:
            if entry.phrase.casefold() in seen:
                continue
            seen.add(entry.phrase.casefold())
            entry_language = entry.language if entry.language in ("fr", "en") else "*"
            LexiconRule.objects.create(
                pack=pack,
                phrase=entry.phrase,
                language=entry_language,
                jurisdiction="" if entry.jurisdiction in (None, "*") else entry.jurisdiction,
                severity=getattr(entry.severity, "value", entry.severity),
                explanation=entry.explanation,
                suggestion=entry.suggestion or "",
                active=True,
            )

    domains = list(dict.fromkeys([*BANK_DOMAINS, *getattr(settings, "LINK_ALLOWED_DOMAINS", [])]))
    ComplianceSettings.objects.get_or_create(
        pk=1, defaults={"allowed_domains": domains, "max_weighted_length": 280}
    )
    for category, by_language in REQUIREMENTS.items():
        for language, (label, warning) in by_language.items():
            CategoryRequirement.objects.get_or_create(
                category=category,
                language=language,
                defaults={"required_label": label, "required_warning": warning},
            )


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial"), ("content", "0002_compliancesettings")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
