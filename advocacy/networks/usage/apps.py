from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkUsageConfig(AppConfig):
    """What Relais spends on X: the ledger of every call, the monthly budget, what the plan allows."""

    name = "advocacy.networks.usage"
    label = "network_usage"
    verbose_name = _("Network usage")
