from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    """The event tables at bank scale: link clicks and metric snapshots kept in monthly partitions on
    PostgreSQL (created ahead by a task), and daily figures per post rolled up from them for the dashboards
    (docs/scale.md). Reads shares and metrics; nothing below depends on it."""

    name = "advocacy.rollups"
    label = "rollups"
    verbose_name = _("Daily figures")

    def ready(self) -> None:
        # ``__any`` (one array parameter for a list of ids), which the dashboards' reads filter by.
        from advocacy.web import lookups  # noqa: F401
