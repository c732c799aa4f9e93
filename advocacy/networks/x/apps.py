from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class XNetworkConfig(AppConfig):
    """The X integration: OAuth connection, encrypted tokens and their refresh, the tweepy client."""

    name = "advocacy.networks.x"
    label = "xnetwork"
    verbose_name = _("X connection")

    def ready(self):
        from advocacy.networks.x import system_checks  # noqa: F401  (registers the system checks)
