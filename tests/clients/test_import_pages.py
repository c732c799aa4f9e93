"""The CRM upload page for managers and administrators: the file refused at once when it cannot be read, else
imported by the worker task with its progress, counts and row errors (paged, and as CSV), in the uploader's
scope as it stands when the task runs; the file itself kept only until it is imported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from advocacy.clients import crm_file
from advocacy.clients.models import Client, ClientImport
from advocacy.clients.uploads import run_client_import
from advocacy.org.models import Role, StaffRole
from compliance.archive.models import ArchiveRecord

pytestmark = pytest.mark.django_db

HEADER = "client_ref;first_name;last_name;adviser_email;x_handle;consent;consent_date\n"


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def upload(browser, data: bytes, *, name="export crm.csv", column="adviser_email", lang="en"):
    payload = {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "adviser_column": column}
    return browser.post(reverse("clients:imports"), payload, HTTP_ACCEPT_LANGUAGE=lang)


def test_a_manager_imports_a_french_crm_file_good_rows_in_bad_rows_reported(
    adviser, branch_manager, client_for, django_capture_on_commit_callbacks, caplog
):
    """The issue's bad input: Windows-1252 with ';', dd/mm/yyyy, an unknown adviser, handles with spaces or
    as URLs, consent "peut-être", a duplicated client_ref; the adviser's address in another case."""
    shouting = adviser.email.upper()
    text = HEADER + (
        f"CR-1;Hélène;Dupré;{shouting};  https://x.com/helene_d ;oui;30/11/2026\n"
        f"CR-2;Paul;Roy;{adviser.email};;non;\n"
        f"CR-3;Ana;Li;inconnu@bank.test;@ana_li;oui;01/12/2026\n"
        f"CR-4;Zoé;Blanc;{adviser.email};zoe blanc;oui;01/12/2026\n"
        f"CR-5;Marc;Noir;{adviser.email};;peut-être;\n"
        f"CR-2;Paul;Roy;{adviser.email};;non;\n"
        f"CR-6;Inès;Vert;{adviser.email};twitter.com/ines_v;1;02/12/2026\n"
    )
    browser = client_for(branch_manager)
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(browser, text.encode("cp1252"))
    client_import = ClientImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:import", args=[client_import.pk])
    assert client_import.status == ClientImport.Status.DONE
    assert (client_import.total_rows, client_import.processed_rows) == (7, 7)
    assert (client_import.created_count, client_import.updated_count, client_import.error_count) == (3, 0, 4)
    assert client_import.uploaded_by == branch_manager
    assert bytes(client_import.content) == b""  # personal data: gone once imported
    assert client_import.size_bytes == len(text.encode("cp1252"))
    assert "Hélène" not in caplog.text and "CR-1" not in caplog.text

    helene = Client.objects.get(client_ref="CR-1")
    assert (helene.first_name, helene.x_handle, helene.adviser_id) == ("Hélène", "helene_d", adviser.pk)
    assert helene.consent_given and str(helene.current_consent.consent_date) == "2026-11-30"
    assert helene.current_consent.recorded_by == branch_manager
    assert Client.objects.get(client_ref="CR-6").x_handle == "ines_v"
    assert sorted(Client.objects.values_list("client_ref", flat=True)) == ["CR-1", "CR-2", "CR-6"]
    consents = ArchiveRecord.objects.filter(event_type="client.consent_recorded")
    assert consents.count() == 2 and {r.actor_id for r in consents} == {branch_manager.pk}

    stored = list(
        client_import.row_errors.order_by("pk").values_list("line", "column", "code", "msgid", "params")
    )
    assert [(line, column, code) for line, column, code, _m, _p in stored] == [
        (4, "adviser_email", "unknown_adviser"),
        (5, "x_handle", "bad_handle"),
        (6, "consent", "bad_consent"),
        (7, "client_ref", "duplicate_ref"),
    ]
    assert stored[2][3] == "“%(value)s” is not a consent answer (yes/no, oui/non, 1/0, vrai/faux)."
    assert stored[2][4] == {"value": "peut-être"}

    english = browser.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "hx-trigger" not in english and 'http-equiv="refresh"' not in english  # finished: no polling
    assert "“peut-être” is not a consent answer" in english
    assert "No adviser inconnu@bank.test." in english
    french = browser.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "« peut-être » n&#x27;est pas une réponse de consentement" in french

    listing = browser.get(reverse("clients:imports"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "export crm.csv" in listing and "Imported, some rows refused" in listing

    download = browser.get(
        reverse("clients:import_errors", args=[client_import.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["ligne", "colonne", "message"]
    assert rows[1][:2] == ["4", "adviser_email"]
    assert rows[1][2] == "Aucun conseiller ne correspond à inconnu@bank.test."
    assert len(rows) == 5


def test_a_utf8_file_with_a_bom_and_commas_is_read(
    adviser, administrator, client_for, django_capture_on_commit_callbacks
):
    text = f"client_ref,last_name,adviser_email,x_handle,consent\nCR-9,Émile,{adviser.email},@emile,yes\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(administrator), b"\xef\xbb\xbf" + text.encode())
    assert ClientImport.objects.get().outcome == ClientImport.Outcome.IMPORTED
    assert Client.objects.get(client_ref="CR-9").last_name == "Émile"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("clients.xlsx", b"client_ref;adviser_email\n", "Only .csv files are accepted"),
        ("clients.csv", b"PK\x03\x04 workbook", "This is a spreadsheet workbook, not a CSV file"),
        ("clients.csv", b"", "The submitted file is empty."),
        ("clients.csv", b"\xef\xbb\xbf \r\n\r\n", "The file is empty."),
        ("clients.csv", b"client_ref;adviser_email\n\n", "The file has a header line but no client."),
        ("clients.csv", b"ref;name\nCR-1;Dupont\n", "client_ref, adviser_email is missing"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_at_once(branch_manager, client_for, name, data, message):
    response = upload(client_for(branch_manager), data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ClientImport.objects.exists()


def test_a_file_over_the_limit_is_refused(branch_manager, client_for, monkeypatch):
    monkeypatch.setattr(crm_file, "MAX_FILE_BYTES", 1024)
    response = upload(client_for(branch_manager), HEADER.encode() + b"x" * 2000)
    assert "The file is too large (2.0\xa0KB); the limit is 1.0\xa0KB." in response.content.decode()
    assert not ClientImport.objects.exists()


def test_a_regional_managers_import_reaches_their_regions_advisers_and_no_other(
    adviser, adviser2, regional_manager, client_for, django_capture_on_commit_callbacks
):
    """Marc manages the south: Hugo (Nice) is his, Camille (Lille, north) is not."""
    text = HEADER + f"S-1;A;Sud;{adviser2.email};;non;\nN-1;B;Nord;{adviser.email};;non;\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(regional_manager), text.encode())
    client_import = ClientImport.objects.get()
    assert list(Client.objects.values_list("client_ref", "adviser_id")) == [("S-1", adviser2.pk)]
    assert list(client_import.row_errors.values_list("line", "code")) == [(3, "adviser_out_of_scope")]


def test_the_scope_is_the_uploaders_when_the_task_runs(
    adviser, branch_manager, client_for, django_capture_on_commit_callbacks
):
    """The upload was allowed, but by the time the worker runs Claire is no longer a branch manager."""
    text = HEADER + f"CR-1;A;B;{adviser.email};;non;\n"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(client_for(branch_manager), text.encode())
    StaffRole.objects.filter(profile__user=branch_manager, role=Role.BRANCH_MANAGER).delete()
    for callback in callbacks:
        callback()
    client_import = ClientImport.objects.get()
    assert not Client.objects.exists()
    assert list(client_import.row_errors.values_list("code", flat=True)) == ["adviser_out_of_scope"]


def test_each_manager_sees_their_own_imports_an_administrator_all(
    adviser, branch_manager, regional_manager, administrator, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client_for(branch_manager),
            (HEADER + f"CR-1;A;B;{adviser.email};;non;\n").encode(),
            name="claire.csv",
        )
    mine = ClientImport.objects.get()
    page = reverse("clients:import", args=[mine.pk])
    assert client_for(regional_manager).get(page).status_code == 404
    assert (
        client_for(regional_manager).get(reverse("clients:import_errors", args=[mine.pk])).status_code == 404
    )
    assert "claire.csv" not in client_for(regional_manager).get(reverse("clients:imports")).content.decode()
    assert "claire.csv" in client_for(administrator).get(reverse("clients:imports")).content.decode()
    assert client_for(administrator).get(page).status_code == 200
    assert client_for(adviser).get(reverse("clients:imports")).status_code == 403


def test_the_imports_list_is_paged_by_keyset_in_constant_queries(branch_manager, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = client_for(branch_manager)
    browser.get(reverse("clients:imports"))
    counts = []
    for n in (3, 27):
        ClientImport.objects.bulk_create(
            ClientImport(uploaded_by=branch_manager, original_filename=f"f{i}.csv") for i in range(n)
        )
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(reverse("clients:imports"))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    newest_first = list(ClientImport.objects.order_by("-pk"))
    body = response.content.decode()
    assert body.count('href="/clients/imports/') == 20
    assert f"before={newest_first[19].pk}" in body
    older = browser.get(reverse("clients:imports"), {"before": newest_first[19].pk}).content.decode()
    assert older.count('href="/clients/imports/') == 10


def test_the_page_polls_while_the_import_waits_and_without_javascript_refreshes_itself(
    branch_manager, client_for
):
    queued = ClientImport.objects.create(uploaded_by=branch_manager, original_filename="q.csv", content=b"x")
    browser = client_for(branch_manager)
    page = browser.get(
        reverse("clients:import", args=[queued.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in page and '<meta http-equiv="refresh" content="3">' in page
    assert "Waiting for a worker" in page
    fragment = browser.get(reverse("clients:import", args=[queued.pk]), HTTP_HX_REQUEST="true")
    assert fragment.content.decode().startswith('<section class="card" id="client-import-status"')


def test_row_errors_are_paged_in_line_order(
    adviser, branch_manager, client_for, django_capture_on_commit_callbacks
):
    text = HEADER + "".join(f"CR-{i};A;B;nobody{i}@bank.test;;non;\n" for i in range(130))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(branch_manager), text.encode())
    client_import = ClientImport.objects.get()
    assert client_import.outcome == ClientImport.Outcome.NOTHING_IMPORTED
    browser = client_for(branch_manager)
    url = reverse("clients:import", args=[client_import.pk])
    first = browser.get(url).content.decode()
    assert first.count("nobody") == 100 and "nobody0@" in first and "nobody100@" not in first
    cursor = client_import.row_errors.order_by("pk")[99].pk
    assert f"?after={cursor}#errors" in first
    second = browser.get(url, {"after": cursor}).content.decode()
    assert second.count("nobody") == 30 and "nobody100@" in second and "Next errors" not in second


def test_a_run_whose_worker_died_is_claimed_again_and_finds_its_rows_unchanged(adviser, branch_manager):
    data = (HEADER + f"CR-1;A;B;{adviser.email};@cr_one;oui;01/12/2026\n").encode()
    orphan = ClientImport.objects.create(uploaded_by=branch_manager, original_filename="o.csv", content=data)
    assert run_client_import(import_id=orphan.pk)
    assert not run_client_import(import_id=orphan.pk)  # finished: nobody claims it again
    stale = timezone.now() - dt.timedelta(minutes=30)
    ClientImport.objects.filter(pk=orphan.pk).update(status="running", heartbeat_at=stale, content=data)
    assert run_client_import(import_id=orphan.pk)
    orphan.refresh_from_db()
    assert (orphan.created_count, orphan.unchanged_count, orphan.error_count) == (0, 1, 0)
    assert Client.objects.get().consents.count() == 1
    assert ArchiveRecord.objects.filter(event_type="client.consent_recorded").count() == 1
