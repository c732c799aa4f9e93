"""The upload page, the progress page and its htmx partial, the errors CSV."""

from __future__ import annotations

import csv
import html
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advocacy.accounts.models import RosterImport
from advocacy.accounts.roster_uploads import run_roster_import
from advocacy.org.models import StaffProfile
from tests.accounts.conftest import roster_csv

GOOD = "R1,anne@bank.test,Anne,Martin,LIL01,Conseiller,fr"
BAD = "R2,not-an-address,Bruno,Petit,LIL01,adviser,fr"
HELENE = "R3,helene@bank.test,Hélène,Dupré,NIC01,Marketing et communication,en"


def upload(client, data: bytes, *, name="roster.csv", HTTP_ACCEPT_LANGUAGE="en", **options):
    payload = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    payload.update({key: "on" for key, value in options.items() if value})
    return client.post(reverse("accounts:roster"), payload, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)


def stored_import(uploaded_by, **fields) -> RosterImport:
    fields = {"original_filename": "r.csv", "content": b"", "sha256": "", **fields}
    return RosterImport.objects.create(uploaded_by=uploaded_by, **fields)


@pytest.fixture
def hr_client(hr, client_for, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return client_for(hr)


def test_hr_uploads_a_roster_and_sees_the_summary_and_the_errors(hr, hr_client,
                                                                 django_capture_on_commit_callbacks):
    data = roster_csv(GOOD, BAD, HELENE, encoding="cp1252", delimiter=";").replace(b",", b";")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(hr_client, data, name="RH export.CSV")
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:roster_import", args=[roster_import.pk])
    assert roster_import.status == RosterImport.Status.DONE
    assert (roster_import.total_rows, roster_import.processed_rows) == (3, 3)
    assert (roster_import.created_count, roster_import.error_count) == (2, 1)
    assert roster_import.uploaded_by == hr
    assert roster_import.original_filename == "RH export.CSV"
    assert bytes(roster_import.content) == data
    assert roster_import.errors == [{"line": 3, "column": "email",
                                     "message": "“not-an-address” is not a valid e-mail address.",
                                     "msgid": "“%(value)s” is not a valid e-mail address.",
                                     "params": {"value": "not-an-address"}}]
    assert StaffProfile.objects.get(employee_id="R3").user.first_name == "Hélène"

    page = hr_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200
    assert "hx-trigger" not in body  # finished: no more polling
    assert "not-an-address" in body
    assert reverse("accounts:roster_import_errors", args=[roster_import.pk]) in body


def test_an_administrator_may_see_an_import_uploaded_by_hr(hr, administrator, client_for):
    roster_import = stored_import(hr)
    response = client_for(administrator).get(reverse("accounts:roster_import", args=[roster_import.pk]))
    assert response.status_code == 200


def test_advisers_cannot_reach_the_roster_pages(adviser, hr, client_for):
    roster_import = stored_import(hr)
    client = client_for(adviser)
    assert client.get(reverse("accounts:roster")).status_code == 403
    assert client.get(reverse("accounts:roster_import_errors", args=[roster_import.pk])).status_code == 403


def test_the_progress_partial_polls_while_the_import_runs(hr, hr_client):
    roster_import = RosterImport.objects.create(
        uploaded_by=hr, original_filename="r.csv", content=b"", sha256="",
        status=RosterImport.Status.RUNNING, total_rows=400, processed_rows=100,
    )
    url = reverse("accounts:roster_import", args=[roster_import.pk])
    response = hr_client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert not body.lstrip().startswith("<!DOCTYPE")  # the partial alone, not the page
    assert f'hx-get="{url}"' in body and 'hx-trigger="every 1s"' in body
    assert 'value="25"' in body
    assert "100 of 400 rows processed" in body

    RosterImport.objects.filter(pk=roster_import.pk).update(status="done", processed_rows=400)
    body = hr_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in body


def test_the_full_page_embeds_the_polling_partial(hr, hr_client):
    roster_import = stored_import(hr)
    body = hr_client.get(reverse("accounts:roster_import", args=[roster_import.pk])).content.decode()
    assert body.lstrip().startswith("<!DOCTYPE")
    assert 'hx-trigger="every 1s"' in body


def test_errors_download_as_csv(hr, hr_client):
    roster_import = RosterImport.objects.create(
        uploaded_by=hr, original_filename="r.csv", content=b"", sha256="", status=RosterImport.Status.DONE,
        errors=[{"line": 3, "column": "courriel", "message": "« x » invalide"},
                {"line": None, "column": "", "message": "Nobody was deactivated"}],
    )
    response = hr_client.get(reverse("accounts:roster_import_errors", args=[roster_import.pk]),
                             HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["line", "column", "message"], ["3", "courriel", "« x » invalide"],
                    ["", "", "Nobody was deactivated"]]


def test_a_file_with_a_missing_column_fails_the_import_with_the_reason(hr_client,
                                                                         django_capture_on_commit_callbacks):
    data = roster_csv("R1,a@bank.test", header="matricule,courriel")
    with django_capture_on_commit_callbacks(execute=True):
        upload(hr_client, data)
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.FAILED
    [error] = roster_import.errors
    assert error["line"] is None
    assert "first_name, last_name, branch_code, roles, language" in error["message"]
    assert not StaffProfile.objects.filter(employee_id="R1").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("invite", [False, True], ids=["without the checkbox", "with the checkbox"])
def test_invitations_are_sent_only_when_the_checkbox_is_ticked(hr_client, invite):
    """Real commits: the task runs when the upload commits, each batch's invitations when it commits."""
    upload(hr_client, roster_csv(GOOD), send_invitations=invite)
    assert [m.to for m in mail.outbox] == ([["anne@bank.test"]] if invite else [])
    assert RosterImport.objects.get().invited_count == int(invite)


def test_the_deactivate_checkbox_deactivates_staff_missing_from_the_file(hr, adviser, hr_client,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(hr_client, roster_csv(GOOD), deactivate_missing=True)
    adviser.refresh_from_db()
    hr.refresh_from_db()
    assert not adviser.is_active
    assert hr.is_active  # the uploader is never deactivated by their own file
    assert RosterImport.objects.get().deactivated_count == 1


def test_the_upload_form_warns_about_deactivation(hr_client):
    body = hr_client.get(reverse("accounts:roster"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "can no longer sign in" in body
    assert 'enctype="multipart/form-data"' in body


def test_a_file_over_5_mb_is_refused_with_a_message(hr_client):
    response = upload(hr_client, roster_csv(GOOD) + b"x" * (6 * 1024 * 1024), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The file is too large (6.0" in response.content.decode()
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [("staff.xlsx", b"employee_id,email\r\n"), ("staff.csv", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100)],
    ids=["wrong extension", "workbook renamed to csv"],
)
def test_a_file_that_is_not_csv_is_refused_with_a_message(hr_client, name, data):
    response = hr_client.post(reverse("accounts:roster"), {"file": SimpleUploadedFile(name, data)},
                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "CSV UTF-8" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_the_roster_page_lists_recent_imports_page_by_page(hr, hr_client):
    for n in range(25):
        stored_import(hr, original_filename=f"file-{n:02d}.csv")
    first = hr_client.get(reverse("accounts:roster")).content.decode()
    assert "file-24.csv" in first and "file-05.csv" in first and "file-04.csv" not in first
    second = hr_client.get(reverse("accounts:roster") + "?page=2").content.decode()
    assert "file-04.csv" in second and "file-24.csv" not in second


def test_running_an_import_twice_only_processes_it_once(hr, org):
    roster_import = RosterImport.objects.create(uploaded_by=hr, original_filename="r.csv",
                                                content=roster_csv(GOOD), sha256="")
    assert run_roster_import(import_id=roster_import.pk) is True
    assert run_roster_import(import_id=roster_import.pk) is False
    roster_import.refresh_from_db()
    assert roster_import.created_count == 1


def test_row_errors_are_shown_in_the_readers_language_whoever_imported_the_file(
    hr, hr_client, django_capture_on_commit_callbacks
):
    hr_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(hr_client, roster_csv(GOOD, BAD), HTTP_ACCEPT_LANGUAGE="fr")
    location = response["Location"]
    french = html.unescape(hr_client.get(location, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "not-an-address\u202f» n'est pas une adresse e-mail valide." in french.replace("\xa0", "\u202f")
    hr_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = html.unescape(hr_client.get(location, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "“not-an-address” is not a valid e-mail address." in english
    errors_csv = hr_client.get(reverse("accounts:roster_import_errors", args=[RosterImport.objects.get().pk]))
    assert "“not-an-address” is not a valid e-mail address." in errors_csv.content.decode("utf-8-sig")


def test_errors_stored_before_they_were_kept_as_codes_show_as_they_were(hr, hr_client):
    error = {"line": 2, "column": "email", "message": "Adresse refusée (ancien import)."}
    old = stored_import(hr, status=RosterImport.Status.DONE, error_count=1, errors=[error])
    page = hr_client.get(reverse("accounts:roster_import", args=[old.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Adresse refusée (ancien import)." in page.content.decode()
