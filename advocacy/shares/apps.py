from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharesConfig(AppConfig):
    """Shares and the publishing engine: schedule, claim, send, retry, recall deletions."""

    name = "advocacy.shares"
    label = "shares"
    verbose_name = _("Shares")

    def ready(self):
        from advocacy.content.signals import item_recalled

        item_recalled.connect(_recall_shares, dispatch_uid="shares_recall_item")


def _recall_shares(sender, *, item_id: int, **kwargs) -> None:
    """On commit of a recall: cancel the item's pending shares and delete its live posts, on a worker now
    (not at the next beat sweep, which remains the safety net)."""
    from advocacy.shares.tasks import recall_item_shares

    recall_item_shares.delay(item_id)
