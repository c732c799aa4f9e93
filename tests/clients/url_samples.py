"""URL arguments for the client book's routes (read by tests/portal/test_access_matrix.py): a client of
the persona adviser, so that the adviser gets the page and every other role the refusal."""

from __future__ import annotations


def _client(personas):
    from advocacy.clients import services
    from advocacy.clients.models import Client

    client = Client.objects.filter(client_ref="SAMPLE-1").first() or services.add_client(
        adviser=personas["adviser"], client_ref="SAMPLE-1", first_name="Jeanne", last_name="Durand"
    )
    return {"pk": client.pk}


SAMPLES: dict = dict.fromkeys(
    ("clients:edit", "clients:consent", "clients:withdraw", "clients:delete", "clients:erase"), _client
)
