from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "advocacy.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from advocacy.org.policies import check_privileged_roles_setting

        check_privileged_roles_setting()
