from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReachConfig(AppConfig):
    """HR's recruitment reach: for each job offer, who shared it, whom it could reach (deduplicated), the
    clicks, the applications and hires the ATS attributed back; managers see their scope's totals."""

    name = "advocacy.reach"
    label = "reach"
    verbose_name = _("Recruitment reach")
