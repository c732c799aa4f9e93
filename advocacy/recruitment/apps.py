from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    """Job offers' reach into the bank's applicant-tracking system: the apply link's source parameters,
    applications received by signed webhook or CSV, each attributed to the share it came from."""

    name = "advocacy.recruitment"
    label = "recruitment"
    verbose_name = _("Recruitment")

    def ready(self) -> None:
        # links sits below recruitment: it learns about the ATS parameters through this registration only.
        from advocacy.links.destinations import add_destination_shaper
        from advocacy.recruitment.destinations import apply_destination

        add_destination_shaper(apply_destination)
