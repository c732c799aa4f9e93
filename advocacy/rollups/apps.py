from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    """The event tables at bank scale: link clicks and metric snapshots kept in monthly partitions on
    PostgreSQL (created ahead by a task), and daily figures per post rolled up from them for the dashboards
    (docs/scale.md). Reads shares and metrics; nothing below depends on it."""

    name = "advocacy.rollups"
    label = "rollups"
    verbose_name = _("Daily figures")
