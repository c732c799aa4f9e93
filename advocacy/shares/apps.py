from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharesConfig(AppConfig):
    """Shares and the publishing engine: schedule, claim, send, retry, recall deletions."""

    name = "advocacy.shares"
    label = "shares"
    verbose_name = _("Shares")

