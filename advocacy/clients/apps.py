from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    """The client book: an adviser's clients, their consent and (with consent only) their X handle."""

    name = "advocacy.clients"
    label = "clients"
    verbose_name = _("Clients")
    default_auto_field = "django.db.models.BigAutoField"
