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


def _import(personas):
    """An upload of the persona branch manager (theirs to read, an administrator's too)."""
    from advocacy.clients.models import ClientImport
    from advocacy.org.models import Role

    manager = personas[Role.BRANCH_MANAGER]
    upload = ClientImport.objects.filter(uploaded_by=manager).first() or ClientImport.objects.create(
        uploaded_by=manager, original_filename="sample.csv", status=ClientImport.Status.DONE
    )
    return {"pk": upload.pk}


SAMPLES: dict = dict.fromkeys(
    (
        "clients:edit",
        "clients:consent",
        "clients:withdraw",
        "clients:delete",
        "clients:erase",
        "clients:timeline",
    ),
    _client,
) | dict.fromkeys(("clients:import", "clients:import_errors"), _import)
