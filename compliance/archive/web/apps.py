from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveWebConfig(AppConfig):
    name = "compliance.archive.web"
    label = "archive_web"
    verbose_name = _("Archive pages")
