from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "advocacy.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from advocacy.publishing import checks  # noqa: F401  (registers the system checks)
