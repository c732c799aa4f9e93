from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "compliance.review"
    label = "review"
    verbose_name = _("Compliance review")

    def ready(self) -> None:
        """Hand content the automatic checks: its workflow runs them, but content never imports this app
        (see ``advocacy.content.compliance_checks``)."""
        from advocacy.content import compliance_checks as checks
        from compliance.review import checking

        checks.provide(run_checks=checking.run_checks, check_text=checking.check_text)
