from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Campaigns: targeting, fan-out of shares, advisers' auto-share opt-in."""

    name = "advocacy.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")
