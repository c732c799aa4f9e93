from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AudienceConfig(AppConfig):
    """Who a set of X accounts could reach: the raw sum of their followers and the people behind it counted
    once (an exact union of the follower ids the inbound capture read, or a HyperLogLog estimate of it)."""

    name = "advocacy.audience"
    label = "audience"
    verbose_name = _("Audience")

    def ready(self):
        from advocacy.audience.services import followers_erased
        from advocacy.relationships.erasure import provide_followers_erased

        provide_followers_erased(followers_erased)
