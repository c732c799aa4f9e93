"""Who may answer what, and what a reply is checked against: the functions views, tasks and tests share.

Object-level access is the query itself: an adviser reaches only their own interactions and replies, so
another adviser's id answers 404 (``answerable_by`` / ``replies_of``), never 403, which would confirm that
the id exists.
"""

from __future__ import annotations

from django.db.models import QuerySet

from advocacy.content import compliance_checks
from advocacy.org.models import Role
from advocacy.org.selectors import roles_of
from advocacy.relationships.models import Interaction
from advocacy.replies.models import Reply


def answerable_by(adviser) -> QuerySet[Interaction]:
    """The adviser's own inbound posts that a reply can answer (mentions, replies, quotes with a post)."""
    return Interaction.objects.filter(adviser=adviser, kind__in=ANSWERABLE_KINDS).exclude(post_id="")


ANSWERABLE_KINDS = Interaction.ANSWERABLE_KINDS


def replies_of(adviser) -> QuerySet[Reply]:
    return Reply.objects.filter(adviser=adviser)


def may_reply(user) -> bool:
    """Checked again at send time: somebody who lost the adviser role since writing sends nothing."""
    return Role.ADVISER in roles_of(user)


def language_of(user) -> str:
    """The lexicon language a reply is checked in: the adviser's preferred language."""
    profile = getattr(user, "staff", None)
    return getattr(profile, "language", "") or "fr"


def check_reply(text: str, *, adviser):
    """Every automatic check on a reply, as on a post of no particular category: personal data (an IBAN a
    client gave in public, echoed back), links, the lexicon, the length. The engine's ``CheckReport``."""
    return compliance_checks.check_text(text, category=None, language=language_of(adviser))
