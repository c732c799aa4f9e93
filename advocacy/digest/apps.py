from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestConfig(AppConfig):
    """The weekly e-mail each person gets (unless they opt out): new library content for them, their
    posts' results, signals waiting. It only reads other apps; nothing depends on it."""

    name = "advocacy.digest"
    label = "digest"
    verbose_name = _("Weekly digest")
