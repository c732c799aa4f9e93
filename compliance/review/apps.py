from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "compliance.review"
    label = "review"
    verbose_name = _("Compliance review")
