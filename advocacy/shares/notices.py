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
