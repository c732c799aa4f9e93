"""The automatic checks, fed from the database: the bridge between rule packs and ``compliance.checks``.

Compiling a lexicon is the expensive part (normalisation, pattern building over hundreds of phrases), and
the same compiled lexicon serves every check until a compliance officer changes a pack. So it is built once
per process per set of pack versions: one cheap query reads ``(id, version, updated_at)`` of the active
packs, and the cached lexicon is reused while that key is unchanged. Any pack or rule change goes through
``compliance.review.rulepacks``, which moves the version (and ``updated_at``) on, so the next check anywhere
rebuilds. The publishing engine calls these functions again just before sending.
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from typing import TYPE_CHECKING, Any

from compliance import checks
from compliance.checks.lexicon import ANY
from compliance.review.models import (
    CategoryRequirement,
    ComplianceSettings,
    LexiconRule,
    RuleLanguage,
    RulePack,
)

if TYPE_CHECKING:
    from compliance.checks import CheckReport

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "lexicon": None}


def _pack_versions() -> tuple:
    return tuple(
        RulePack.objects.filter(active=True).order_by("pk").values_list("pk", "version", "updated_at")
    )


def _entries_for(pack_ids: list[int]) -> list[checks.LexiconEntry]:
    rules = (
        LexiconRule.objects.filter(pack_id__in=pack_ids, active=True)
        .select_related("pack")
        .order_by("pack_id", "pk")
    )
    entries = []
    for rule in rules:
        language = rule.language if rule.language != RuleLanguage.ANY else rule.pack.language
        entries.append(
            checks.LexiconEntry(
                id=str(rule.pk),
                phrase=rule.phrase,
                language=language,
                jurisdiction=rule.jurisdiction or rule.pack.jurisdiction or ANY,
                severity=checks.Severity(rule.severity),
                explanation=rule.explanation,
                suggestion=rule.suggestion,
            )
        )
    return entries


def compiled_lexicon() -> checks.CompiledLexicon:
    """The compiled lexicon of every active rule of every active pack, rebuilt only when a pack changed."""
    key = _pack_versions()
    lexicon = _cache["lexicon"]
    if _cache["key"] == key and lexicon is not None:
        return lexicon
    with _lock:
        if _cache["key"] != key or _cache["lexicon"] is None:
            _cache["lexicon"] = checks.CompiledLexicon.build(_entries_for([pk for pk, _v, _u in key]))
            _cache["key"] = key
        return _cache["lexicon"]


def clear_cache() -> None:
    """For tests and the shell; production never needs it, versions invalidate the cache."""
    with _lock:
        _cache["key"] = _cache["lexicon"] = None


def requirement_for(*, category: str | None, language: str) -> CategoryRequirement | None:
    if not category:
        return None
    rows = {
        r.language: r
        for r in CategoryRequirement.objects.filter(
            category=category, language__in=[language, RuleLanguage.ANY]
        )
    }
    return rows.get(language) or rows.get(RuleLanguage.ANY)


def policy_for(*, category: str | None, language: str) -> checks.CheckPolicy:
    """The engine's policy for a text of this category and language, from the current rows."""
    settings_row = ComplianceSettings.current()
    requirement = requirement_for(category=category, language=language)
    return checks.CheckPolicy(
        lexicon=compiled_lexicon(),
        allowed_domains=tuple(settings_row.allowed_domains or ()),
        required_label=(requirement.required_label or None) if requirement else None,
        required_warning=(requirement.required_warning or None) if requirement else None,
        max_weighted_length=settings_row.max_weighted_length,
        language=language,
    )


def check_text(text: str, *, category: str | None, language: str) -> CheckReport:
    """Every automatic check on one text, as it would run for content of this category and language."""
    return checks.run_checks(text, policy_for(category=category, language=language))


def check_publishable_text(text: str, *, item) -> CheckReport:
    """Every automatic check on one text that would be published for ``item`` (its category and language
    pick the required label, the risk warning and the lexicon language)."""
    return check_text(text, category=item.category, language=item.language)


def fingerprint(text: str) -> str:
    """SHA-256 of the NFC-normalised text: what an approval binds to."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def publishable_texts(version) -> dict[str, str]:
    """Every text sharing ``version`` could publish, keyed by fingerprint."""
    try:
        from advocacy.content.selectors import publishable_texts as content_texts
    except ImportError:  # CONTENT's selector not there yet: the version's own text, disclosure appended
        content_texts = None
    if content_texts is not None:
        texts = content_texts(version)
        if isinstance(texts, dict):
            return dict(texts)
        return {fingerprint(t): t for t in texts}
    text = version.text
    if getattr(version, "disclosure", ""):
        text = f"{text}\n{version.disclosure}"
    return {fingerprint(text): text}


def check_version(version) -> dict[str, CheckReport]:
    """Check every text that sharing ``version`` could publish (its text, each approved variant), keyed by
    the text's fingerprint."""
    item = version.item
    policy = policy_for(category=item.category, language=item.language)
    return {fp: checks.run_checks(text, policy) for fp, text in publishable_texts(version).items()}


def weighted_length(text: str) -> int:
    """X's weighted length of ``text`` (URLs count 23, wide characters 2), as the engine counts it."""
    return checks.weighted_length(text)


def max_weighted_length() -> int:
    return ComplianceSettings.current().max_weighted_length
