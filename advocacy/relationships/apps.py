from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipsConfig(AppConfig):
    """What clients and the public do to an adviser's account on a network, captured once and archived."""

    name = "advocacy.relationships"
    label = "relationships"
    verbose_name = _("Client relationships")

    def ready(self):
        from advocacy.clients.erasure import provide_relationship_eraser
        from advocacy.clients.timeline import provide_timeline_reader
        from advocacy.relationships.erasure import erase_relationships
        from advocacy.relationships.selectors import timeline_of_client

        provide_relationship_eraser(erase_relationships)
        provide_timeline_reader(timeline_of_client)
