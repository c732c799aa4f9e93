"""The CRM export the demo offers (docs/demo/crm-clients.csv: Windows-1252, ';', dd/mm/yyyy, handles as
@name, URL or with spaces, a "peut-être" consent, an unknown adviser, a duplicated reference) imports as
the README says: good rows in, each bad one named, and the consented handles resolve in the sandbox."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from advocacy.clients.demo import seed_clients
from advocacy.clients.models import Client
from advocacy.clients.resolution import resolve_pending
from advocacy.networks.x.demo import seed_publishing

pytestmark = pytest.mark.django_db
DEMO_FILE = Path(__file__).resolve().parents[2] / "docs" / "demo" / "crm-clients.csv"


def test_the_demo_crm_file_imports_its_good_rows_and_names_each_bad_one(sandbox, make_staff):
    make_staff("adviser", email="adviser@demo.relais.test")
    seed_publishing()  # the demo adviser connected to the sandbox: handles can be resolved
    seed_clients()
    out, err = io.StringIO(), io.StringIO()
    call_command("import_clients", str(DEMO_FILE), stdout=out, stderr=err)

    assert "3 created, 0 updated, 0 unchanged, 3 error(s)." in out.getvalue()
    problems = err.getvalue().splitlines()
    assert [line.split(",")[0] for line in problems] == ["line 5", "line 6", "line 7"]
    assert "peut-être" in problems[0] and "inconnu@demo.relais.test" in problems[1]
    assert "CRM-10021" in problems[2]
    noel = Client.objects.get(client_ref="CRM-10023")
    assert noel.x_handle == ""  # consent "non": the handle is stored nowhere

    resolve_pending()
    linked = {
        c.client_ref: c.x_handle for c in Client.objects.filter(client_ref__startswith="CRM-") if c.linked
    }
    assert linked == {"CRM-10021": "antoine_demo", "CRM-10022": "emilie_demo"}
