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

        # The webhook remembers profiles per process (intake.webhook_profile): a profile saved or deleted
        # here is read again at its next delivery. A cache being dropped, not a state change of ours.
        from django.db.models.signals import post_delete, post_save

        from advocacy.recruitment.intake import forget_webhook_profiles
        from advocacy.recruitment.models import ATSProfile

        post_save.connect(
            forget_webhook_profiles, sender=ATSProfile, dispatch_uid="recruitment-profiles-saved"
        )
        post_delete.connect(
            forget_webhook_profiles, sender=ATSProfile, dispatch_uid="recruitment-profiles-gone"
        )
