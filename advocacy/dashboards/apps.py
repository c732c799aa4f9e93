from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Figures drawn for each role: what their work on X gives, measured (impressions read from X, clicks
    counted on tracked links), never estimated from follower counts."""

    name = "advocacy.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")
