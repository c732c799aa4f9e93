"""A record's subject as a person reads it: the adviser's name, the item's title, the post id.

Each record keeps the subject's reference (``app_label.model:pk``), the label the subject had when it was
written (``subject_repr``, part of the hashed record, so never rewritten) and the person it concerns
(``subject_user_id``). Labels written by older code can be unreadable: ``@?`` for an X account whose name
was not known yet, an object label with its status in brackets, a share's English "(share 12)". The reader
composes the label from what the record holds instead, in the reader's language, and never shows a bare
reference or a status (the record's event says the status).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

# The states of the state machines (docs/architecture.md): a label ending in one of them in brackets had
# the subject's status appended.
_STATUSES = (
    "draft|submitted|approved|changes_requested|rejected|expired|recalled|scheduled|publishing|published|"
    "outcome_unknown|unconfirmed|failed|cancelled|deleted|planned|fanning_out|pending|running|done|"
    "connected|revoked|disconnected|active|inactive"
)
_STATUS_SUFFIX = re.compile(rf"\s*[(\[](?:{_STATUSES})[)\]]\s*$", re.I)
_SHARE = re.compile(r"^(?P<title>.*?)(?: → @(?P<account>[^\s()]*))?\s*\(share (?P<id>\d+)\)$")
_UNREADABLE = re.compile(r"^[@?#\s]*$|^\S+\.\S+:\d+$")  # "", "@", "@?", or a bare "app.model:12"
_PEOPLE = {"auth.user", "org.staffprofile"}


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    users = get_user_model().objects.filter(pk__in=user_ids).only("first_name", "last_name", "email")
    return {user.pk: user.get_full_name() or user.email for user in users}


def _kind(model_label: str) -> str:
    try:
        return str(apps.get_model(model_label)._meta.verbose_name)
    except (LookupError, ValueError):
        return model_label


def label(record, names: dict[int, str]) -> str:
    """The subject of ``record`` in a sentence; ``names`` maps person ids to names (``labels`` fills it)."""
    ref, shown = record.subject_ref or "", (record.subject_repr or "").strip()
    if not ref and not shown:
        return ""
    model_label, _sep, pk = ref.partition(":")
    person = names.get(record.subject_user_id) if record.subject_user_id else None
    if model_label in _PEOPLE:
        return person or (shown if not _UNREADABLE.match(shown) else _("person %(id)s") % {"id": pk})
    shown = _STATUS_SUFFIX.sub("", shown)
    share = _SHARE.match(shown) if model_label == "shares.share" else None
    if share:
        parts = [share["title"].strip()]
        if person:
            parts.append(person)
        if share["account"] and share["account"] != "?":
            parts.append(f"@{share['account']}")
        parts.append(_("share %(id)s") % {"id": share["id"]})
        shown = " · ".join(part for part in parts if part)
    elif _UNREADABLE.match(shown):
        shown = f"{_kind(model_label)} {pk}".strip() if model_label else ""
        if person:
            shown = f"{shown} · {person}" if shown else person
    if record.network_post_id and record.network_post_id not in shown:
        shown = f"{shown} · " + _("post %(id)s") % {"id": record.network_post_id}
    return shown


def labels(records: Iterable) -> list:
    """``records`` with ``subject_label`` set on each, the people's names read in one query."""
    records = list(records)
    names = _names({r.subject_user_id for r in records if r.subject_user_id})
    for record in records:
        record.subject_label = label(record, names)
    return records
