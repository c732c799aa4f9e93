from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "advocacy.accounts"
    label = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self) -> None:
        # Sign-ins come from django-allauth and sign-outs from Django: third-party signals, the one place we
        # hook into them (our own flows call services directly). The receivers archive privileged ones.
        from allauth.account.signals import user_logged_in
        from django.contrib.auth.signals import user_logged_in as django_logged_in
        from django.contrib.auth.signals import user_logged_out

        from advocacy.accounts import sign_ins

        user_logged_in.connect(sign_ins.privileged_sign_in, dispatch_uid="archive_privileged_sign_in")
        # Django's own sign-in signal: every sign-in (allauth's too) goes through django.contrib.auth.login.
        django_logged_in.connect(sign_ins.start_idle_clock, dispatch_uid="start_session_idle_clock")
        user_logged_out.connect(sign_ins.privileged_sign_out, dispatch_uid="archive_privileged_sign_out")
