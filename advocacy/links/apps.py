from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinksConfig(AppConfig):
    """Tracked links: the public redirect, click intake and the dead-link markers of recalled items."""

    name = "advocacy.links"
    label = "links"
    verbose_name = _("Tracked links")

    def ready(self):
        from advocacy.content.signals import item_recalled
        from advocacy.shares.signals import item_shares_recalled

        item_recalled.connect(_stop_recalled_links, dispatch_uid="links_stop_recalled_item")
        item_shares_recalled.connect(_stop_recalled_links, dispatch_uid="links_stop_recalled_shares")


def _stop_recalled_links(sender, *, item_id: int, **kwargs) -> None:
    """On commit of a recall, in the recalling process: the item's links die in every web process now."""
    from advocacy.links.destinations import stop_item

    stop_item(item_id)
