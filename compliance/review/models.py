"""Rule packs, lexicon rules and category requirements: the rows that the automatic checks read.

The rule engine itself (``compliance.checks``) knows nothing about Django; these rows are what a compliance
officer edits, and ``compliance.review.checking`` turns them into the engine's policy. Every change goes
through ``compliance.review.rulepacks`` so that the pack's version moves on (which is what the compiled
lexicon cache watches) and the change is archived.

CONTENT's models (items, versions, decisions) live in ``advocacy.content``, and so does
``ComplianceSettings`` (allowed link domains, maximum length): content's own field validation reads it, and
``advocacy.content`` never imports this app. This module holds the lexicon configuration.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

# Moved to ``advocacy.content.models``; still importable here for callers outside content and review (the
# publishing tests and the benchmarks, being moved by others at the moment). New code imports it from content.
from advocacy.content.models import ComplianceSettings  # noqa: F401


class RuleLanguage(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    ANY = "*", _("Any language")


class RuleSeverity(models.TextChoices):
    """Same values as ``compliance.checks.Severity``: the engine's vocabulary, stored as text."""

    BLOCK = "block", _("Block")
    WARN = "warn", _("Warn")
    NEEDS_DISCLOSURE = "needs_disclosure", _("Needs a disclosure")


class RulePack(models.Model):
    """A named set of lexicon rules for one language and jurisdiction (e.g. "AMF/ACPR — French").

    ``version`` goes up by one on every change to the pack or to one of its rules; the compiled lexicon is
    cached per (pack, version), so a stale cache is impossible once the change is committed.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=RuleLanguage.choices, default=RuleLanguage.ANY
    )
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=20,
        blank=True,
        help_text=_("For example FR, UK, US, EU; empty for any."),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rule pack")
        verbose_name_plural = _("rule packs")

    def __str__(self) -> str:
        return self.name


class LexiconRule(models.Model):
    """One phrase to look for, with what to tell the author when it is found."""

    pack = models.ForeignKey(
        RulePack, on_delete=models.CASCADE, related_name="rules", verbose_name=_("rule pack")
    )
    phrase = models.CharField(_("phrase"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=RuleLanguage.choices, default=RuleLanguage.ANY
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=20, blank=True)
    severity = models.CharField(
        _("severity"), max_length=20, choices=RuleSeverity.choices, default=RuleSeverity.WARN
    )
    explanation = models.TextField(_("explanation"))
    suggestion = models.CharField(_("suggested wording"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["pack", "phrase"]
        constraints = [
            models.UniqueConstraint(Lower("phrase"), "pack", name="unique_rule_phrase_per_pack"),
        ]
        verbose_name = _("lexicon rule")
        verbose_name_plural = _("lexicon rules")

    def __str__(self) -> str:
        return f"{self.phrase} ({self.get_severity_display()})"


class CategoryRequirement(models.Model):
    """What a post of one content category must carry, per language: a promotional label such as ``#PUB``
    (AMF/ACPR) or ``#MarketingCommunication`` (ESMA), and a risk warning for product content (FCA FG24/1:
    visible without a click). ``language`` "*" applies when no row for the exact language exists."""

    category = models.CharField(_("content category"), max_length=40)
    language = models.CharField(
        _("language"), max_length=2, choices=RuleLanguage.choices, default=RuleLanguage.ANY
    )
    required_label = models.CharField(_("required label"), max_length=60, blank=True)
    required_warning = models.TextField(_("required risk warning"), blank=True)

    class Meta:
        ordering = ["category", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "language"], name="unique_requirement_per_category_language"
            ),
        ]
        verbose_name = _("category requirement")
        verbose_name_plural = _("category requirements")

    def __str__(self) -> str:
        return f"{self.category} / {self.language}"
