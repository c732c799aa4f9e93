from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    """Tracked links: the public redirect, click intake and the dead-link markers of recalled items."""

    name = "advocacy.links"
    label = "links"
    verbose_name = _("Tracked links")

