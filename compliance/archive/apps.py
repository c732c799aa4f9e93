from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "compliance.archive"
    label = "archive"
    verbose_name = _("Archive")

    def ready(self) -> None:
        # Sign-ins come from django-allauth and sign-outs from Django: third-party signals, the one place we
        # hook into them (our own flows call services directly).
        from allauth.account.signals import user_logged_in
        from django.contrib.auth.signals import user_logged_out

        from compliance.archive import signals

        user_logged_in.connect(signals.privileged_sign_in, dispatch_uid="archive_privileged_sign_in")
        user_logged_out.connect(signals.privileged_sign_out, dispatch_uid="archive_privileged_sign_out")
