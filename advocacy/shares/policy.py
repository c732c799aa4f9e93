"""What an adviser may share, exactly what would be posted, and the send-time re-check.

One place for the rules both ends apply: the share page and scheduling ask ``can_share`` and
``preview_share``; the sending worker asks ``send_time_refusal`` again just before the call, because the
item, its approval, the adviser's role or the rule packs may have changed since the share was scheduled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_noop

from advocacy import texts
from advocacy.content import compliance_checks as checks
from advocacy.content.models import ContentItem, ItemStatus, VersionStatus
from advocacy.content.policies import EVERYONE_SHARES_CATEGORIES
from advocacy.org.models import Role
from advocacy.org.selectors import roles_of
from advocacy.shares.models import Share


class ShareRefused(Exception):
    """A share that cannot be scheduled; ``str(exc)`` is a translated sentence for the adviser."""


# --- what an adviser may share --------------------------------------------------------------------
def tracked_url(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('link_follow', args=[code])}"


def text_to_send(share: Share) -> str:
    """The approved text with its destination link swapped for the share's tracked link."""
    link = share.version.link_url
    if not link:
        return share.text
    return texts.with_tracked_link(share.text, link_url=link, tracked_url=tracked_url(share.link_code))


@dataclass(frozen=True)
class SharePreview:
    approved_text_id: int
    text: str  # exactly what will be posted (tracked link included)
    length: int
    limit: int
    tracked: bool = False  # the item has a destination link, replaced by the adviser's tracked link

    @property
    def over(self) -> bool:
        return self.length > self.limit


def preview_share(*, adviser, item: ContentItem) -> SharePreview | None:
    """What ``adviser`` would post for ``item``: their variant, disclosure, label and a tracked link."""
    from advocacy.content.selectors import text_for_adviser

    approved = text_for_adviser(item.current_version, adviser)
    if approved is None:
        return None
    link = item.current_version.link_url
    placeholder = tracked_url("x" * 11) if link else ""  # a tracked link's length; the real code comes later
    post = texts.to_post(approved.text, limit=280, link_url=link, tracked_url=placeholder)
    return SharePreview(approved.pk, post.text, post.length, post.limit, tracked=bool(link))


def send_time_refusal(share: Share, now: dt.datetime) -> tuple[str, str] | None:
    """The send-time re-check. Returns (action, reason) when the share must not go out, None when it may.

    The reason is stored (``Share.last_error``, the archive), so it is the English source string, translated
    when shown (``Share.reason``) in the reader's language, not in the worker's."""
    item, version, approved = share.item, share.version, share.approved_text
    if item.status == ItemStatus.RECALLED:
        return "cancel", gettext_noop("The content was recalled by compliance.")
    if share.campaign_id and share.campaign.is_cancelled:
        # A share of a cancelled campaign that was mid-retry when the campaign was cancelled.
        return "cancel", gettext_noop("The campaign was cancelled.")
    if item.status == ItemStatus.EXPIRED or (item.expires_at is not None and item.expires_at <= now):
        return "cancel", gettext_noop("The content expired before the scheduled time.")
    if item.valid_from is not None and item.valid_from > now:
        return "retry", gettext_noop("The content may not be published yet.")
    if item.status != ItemStatus.APPROVED or version.status != VersionStatus.APPROVED:
        return "fail", gettext_noop(
            "The content was changed after you scheduled it and the new wording is not approved yet. "
            "Once it is approved, schedule it again."
        )
    if (
        approved.fingerprint != share.fingerprint
        or approved.version_id != share.version_id
        or texts.fingerprint(share.text) != share.fingerprint
    ):
        return "fail", gettext_noop("The text no longer matches its approval: it was not published.")
    adviser = share.adviser
    is_adviser = getattr(share, "adviser_is_adviser", None)  # read with the share by ``_load``
    if is_adviser is None:
        is_adviser = Role.ADVISER in roles_of(adviser)
    is_adviser = bool(is_adviser)  # SQLite answers 0/1
    if not adviser.is_active or not (is_adviser or item.category in EVERYONE_SHARES_CATEGORIES):
        return "fail", gettext_noop("The adviser's access has ended.")
    blocking = _blocking_findings(share.text, item)
    if blocking:
        return "fail", gettext_noop("The current compliance rules refuse this text: %(why)s") % {
            "why": "; ".join(blocking)
        }
    return None


def _blocking_findings(text: str, item: ContentItem) -> list[str]:
    """Rule packs as they are NOW (they may have changed since approval): the checks content runs
    (``advocacy.content.compliance_checks``, provided by the compliance review app)."""
    report = checks.check_text(text, category=item.category, language=item.language)
    return [finding.message for finding in report.blocking]
