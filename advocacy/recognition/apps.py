from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    """Monthly recognition for advisers who opt in, within their branch, for quality (engagement per post,
    clients engaged, mentions answered), never for volume. Reads shares, metrics, relationships, replies."""

    name = "advocacy.recognition"
    label = "recognition"
    verbose_name = _("Recognition")
