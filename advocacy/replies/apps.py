from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    """An adviser answering, from Relais, a post someone addressed to them on X: checked, sent once,
    archived."""

    name = "advocacy.replies"
    label = "replies"
    verbose_name = _("Replies")
