"""E-mails to the share's adviser when a share failed or could not be confirmed, in their language.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from advocacy.org.models import StaffProfile
from advocacy.shares.models import Share


def tell_adviser_unconfirmed(share_id: int) -> None:
    _tell_adviser(
        share_id,
        subject=gettext_lazy("We could not confirm whether a share was published"),
        template="shares/email/share_unconfirmed.txt",
    )


def tell_adviser_failed(share_id: int) -> None:
    _tell_adviser(
        share_id,
        subject=gettext_lazy("A share could not be published"),
        template="shares/email/share_failed.txt",
    )


def _tell_adviser(share_id: int, *, subject, template: str) -> None:
    """E-mail the share's adviser in their language (``subject`` is a lazy or plain translatable string,
    translated once their language is active)."""
    share = Share.objects.select_related("adviser", "item").get(pk=share_id)
    user = share.adviser
    if not user.email:
        return
    language = StaffProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + str(subject)
        body = render_to_string(
            template,
            {
                "user": user,
                "share": share,
                "my_shares_url": settings.PUBLIC_BASE_URL + reverse("shares:my_shares"),
            },
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def tell_advisers_of_recall(*, item_id: int, cancelled: list[int], deleting: list[int]) -> int:
    """E-mail every adviser whose share a recall stopped, once each, in their own language: their live post
    is deleted from X (``deleting``) and/or their scheduled share is cancelled (``cancelled``). Called by the
    share engine's recall once the moves are committed, never inside a transaction. Returns how many were
    told. My shares and the home page show the same notice (``selectors.recall_notices_for``)."""
    ids = set(cancelled) | set(deleting)
    if not ids:
        return 0
    shares = Share.objects.filter(pk__in=ids, item_id=item_id).select_related("adviser", "item")
    by_adviser: dict[int, dict] = {}
    for share in shares:
        entry = by_adviser.setdefault(share.adviser_id, {"user": share.adviser, "item": share.item})
        entry["deleted" if share.pk in deleting else "cancelled"] = True
    languages = dict(
        StaffProfile.objects.filter(user_id__in=list(by_adviser)).values_list("user_id", "language")
    )
    told = 0
    for user_id, entry in by_adviser.items():
        user = entry["user"]
        if not user.email:
            continue
        with translation.override(languages.get(user_id) or settings.LANGUAGE_CODE):
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + str(
                gettext_lazy("Compliance recalled content you shared")
            )
            body = render_to_string(
                "shares/email/share_recalled.txt",
                {
                    "user": user,
                    "item": entry["item"],
                    "deleted": entry.get("deleted", False),
                    "cancelled": entry.get("cancelled", False),
                    "my_shares_url": settings.PUBLIC_BASE_URL + reverse("shares:my_shares"),
                },
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        told += 1
    return told
