"""The automatic checks, fed from the database: the bridge between rule packs and ``compliance.checks``.

Compiling a lexicon is the expensive part (normalisation, pattern building over hundreds of phrases), and
the same compiled lexicon serves every check until a compliance officer changes a pack. So it is built once
per process per set of pack versions: one cheap query reads ``(id, version, updated_at)`` of the active
packs, and the cached lexicon is reused while that key is unchanged. Any pack or rule change goes through
``compliance.review.rulepacks``, which moves the version (and ``updated_at``) on, so the next check anywhere
rebuilds. The share engine and content's workflow call ``run_checks`` and ``check_text`` through
``advocacy.content.compliance_checks`` (provided at start-up by ``compliance.review.apps``: neither imports
this app).

``policy_for`` reads everything else a policy needs (the settings row, the category's requirement rows) in
the SAME query as the pack versions, so a policy costs one query, always read fresh: no invalidation to get
wrong, and a changed setting, requirement or pack applies to the very next check in every process. The rows
themselves (not a version column) form the key of a small per-process memo of reports, so the same text
checked again under unchanged rows (a campaign: one approved text, many advisers) is not re-run.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import threading
import unicodedata
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.db import connection

from advocacy.content.models import ComplianceSettings
from advocacy.content.selectors import publishable_texts as content_texts
from compliance import checks
from compliance.checks.lexicon import ANY
from compliance.review.models import CategoryRequirement, LexiconRule, RuleLanguage, RulePack

if TYPE_CHECKING:
    from advocacy.content.models import ContentVersion
    from compliance.checks import CheckReport

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "lexicon": None}
_reports: OrderedDict[tuple, CheckReport] = OrderedDict()
REPORTS_KEPT = 256


def _packs_sql() -> str:
    return (
        f"SELECT 'p', CAST(id AS TEXT), CAST(version AS TEXT), CAST(updated_at AS TEXT) "  # noqa: S608
        f"FROM {connection.ops.quote_name(RulePack._meta.db_table)} WHERE active = %s"
    )


def _pack_key(rows) -> tuple:
    """``(id, version, updated_at)`` of every active pack, ordered by id: the lexicon's cache key."""
    return tuple(sorted((int(pk), int(version), updated) for _tag, pk, version, updated in rows))


def _pack_versions() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_packs_sql(), [True])
        return _pack_key(cursor.fetchall())


def _policy_rows(category: str | None, language: str) -> tuple[tuple, tuple | None, tuple]:
    """One query: the active packs' versions, the settings row and the category's requirement rows (for
    ``language`` and "*"). Returns (pack key, settings row or None, requirement rows)."""
    q = connection.ops.quote_name
    sql = [
        _packs_sql(),
        "SELECT 's', CAST(allowed_domains AS TEXT), CAST(max_weighted_length AS TEXT), "  # noqa: S608
        f"CAST(updated_at AS TEXT) FROM {q(ComplianceSettings._meta.db_table)} WHERE id = 1",
    ]
    params: list[Any] = [True]
    if category:
        sql.append(
            "SELECT 'r', language, required_label, required_warning "  # noqa: S608
            f"FROM {q(CategoryRequirement._meta.db_table)} WHERE category = %s AND language IN (%s, %s)"
        )
        params += [category, language, RuleLanguage.ANY]
    with connection.cursor() as cursor:  # read on every send: psycopg prepares it on PostgreSQL (settings)
        cursor.execute(" UNION ALL ".join(sql), params)
        rows = cursor.fetchall()
    packs = _pack_key(r for r in rows if r[0] == "p")
    settings_row = next((r[1:] for r in rows if r[0] == "s"), None)
    requirements = tuple(sorted(r[1:] for r in rows if r[0] == "r"))
    return packs, settings_row, requirements


def _lexicon_for(key: tuple) -> checks.CompiledLexicon:
    lexicon = _cache["lexicon"]
    if _cache["key"] == key and lexicon is not None:
        return lexicon
    with _lock:
        if _cache["key"] != key or _cache["lexicon"] is None:
            _cache["lexicon"] = checks.CompiledLexicon.build(_entries_for([pk for pk, _v, _u in key]))
            _cache["key"] = key
        return _cache["lexicon"]


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
    return _lexicon_for(_pack_versions())


def clear_cache() -> None:
    """For tests and the shell; production never needs it, versions invalidate the cache."""
    with _lock:
        _cache["key"] = _cache["lexicon"] = None
        _reports.clear()


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


def _policy_and_key(*, category: str | None, language: str) -> tuple[checks.CheckPolicy, tuple]:
    """The policy from the current rows (one query), and the rows it was built from (a hashable key)."""
    packs, settings_row, requirements = _policy_rows(category, language)
    if settings_row is None:  # no settings row yet: ``current()`` creates it with the defaults
        ComplianceSettings.current()
        packs, settings_row, requirements = _policy_rows(category, language)
    domains, max_length, _updated = settings_row
    by_language = {r[0]: r for r in requirements}
    requirement = by_language.get(language) or by_language.get(RuleLanguage.ANY)
    policy = checks.CheckPolicy(
        lexicon=_lexicon_for(packs),
        allowed_domains=tuple(json.loads(domains) if isinstance(domains, str) else domains or ()),
        required_label=(requirement[1] or None) if requirement else None,
        required_warning=(requirement[2] or None) if requirement else None,
        max_weighted_length=int(max_length),
        language=language,
    )
    return policy, (packs, settings_row, requirements, category, language)


def policy_for(*, category: str | None, language: str) -> checks.CheckPolicy:
    """The engine's policy for a text of this category and language, from the current rows."""
    return _policy_and_key(category=category, language=language)[0]


def check_text(text: str, *, category: str | None, language: str) -> CheckReport:
    """Every automatic check on one text, as it would run for content of this category and language.

    One query (the rows the policy is made of); the report is reused while those rows and the text are the
    same (``run_checks`` depends on nothing else, and a report is immutable)."""
    policy, key = _policy_and_key(category=category, language=language)
    key = (key, text)
    with _lock:
        report = _reports.get(key)
        if report is not None:
            _reports.move_to_end(key)
            return report
    report = checks.run_checks(text, policy)
    with _lock:
        _reports[key] = report
        while len(_reports) > REPORTS_KEPT:
            _reports.popitem(last=False)
    return report


def check_publishable_text(text: str, *, item) -> CheckReport:
    """Every automatic check on one text that would be published for ``item`` (its category and language
    pick the required label, the risk warning and the lexicon language)."""
    return check_text(text, category=item.category, language=item.language)


def fingerprint(text: str) -> str:
    """SHA-256 of the NFC-normalised text: what an approval binds to."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def publishable_texts(version) -> dict[str, str]:
    """Every text sharing ``version`` could publish, keyed by fingerprint (content's selector decides)."""
    return {fingerprint(text): text for text in content_texts(version)}


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


# --- A version's check, in the form content stores (``compliance_checks.run_checks``) --------------------
def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def finding_id(fp: str, finding: dict) -> str:
    """Stable across re-checks of the same text under the same rules, so an acknowledgement given on the
    review page still matches when the approval re-runs the checks."""
    rule = finding.get("rule_id") or ""
    return f"{fp[:12]}:{finding.get('code')}:{rule}:{finding.get('start')}-{finding.get('end')}"


def run_checks(version: ContentVersion) -> dict[str, dict]:
    """Check every publishable text of ``version``. Returns {fingerprint: {text, variant, slots, findings}},
    each finding a dict with its ``id`` and whether it ``blocks``. Runs the database-backed checks of
    this module (no network). What content's workflow stores on a submitted version."""
    candidates = content_texts(version)
    reports = check_version(version)
    result: dict[str, dict] = {}
    for text in candidates:
        report = reports.get(text.fingerprint)
        if report is None:  # the checker saw another text set (audience changed in between): check this one
            report = check_publishable_text(str(text), item=version.item)
        blocking = list(report.blocking)
        findings = []
        for finding in report.findings:
            data = _plain(finding.to_dict() if hasattr(finding, "to_dict") else dataclasses.asdict(finding))
            data["blocks"] = any(finding is b or finding == b for b in blocking)
            data["id"] = finding_id(text.fingerprint, data)
            findings.append(data)
        result[text.fingerprint] = {
            "text": str(text),
            "variant": text.variant_id,
            "slots": text.slots,
            "findings": findings,
        }
    return result
