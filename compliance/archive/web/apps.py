from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveWebConfig(AppConfig):
    name = "compliance.archive.web"
    label = "archive_web"
    verbose_name = _("Archive pages")

    def ready(self) -> None:
        from compliance.archive.signals import verification_failed
        from compliance.archive.web.alerts import mail_failed_verification

        verification_failed.connect(mail_failed_verification, dispatch_uid="archive_mail_failed_verification")
