from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Compliance's after-the-fact review of interactive content (FINRA Notice 17-18): a sample of the
    replies advisers send from Relais, and every one that raises a lexicon flag."""

    name = "compliance.supervision"
    label = "supervision"
    verbose_name = _("Supervision of replies")

    def ready(self):
        from advocacy.replies.after_sending import provide
        from compliance.supervision.services import supervise_reply

        provide(reply_sent=supervise_reply)
