from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    """Counts X gives for each published post (impressions, likes, reposts...), read on a thinning
    schedule."""

    name = "advocacy.metrics"
    label = "metrics"
    verbose_name = _("Post metrics")
