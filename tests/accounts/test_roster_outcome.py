"""What an import came to, told truthfully: a file whose every row was refused is not a green "Done", the
counts HR acts on are coloured, and ``manage.py import_staff`` prints its summary and errors line by line."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from advocacy.accounts.models import RosterImport
from tests.accounts.conftest import roster_csv

pytestmark = pytest.mark.django_db

GOOD = "R1,anne@bank.test,Anne,Martin,LIL01,Conseiller,fr"
BAD = "R2,not-an-address,Bruno,Petit,LIL01,adviser,fr"
WORSE = "R3,also-not-an-address,Chloé,Roux,NOPE,adviser,fr"
BADGE = re.compile(r'<span class="badge([^"]*)">([^<]*)</span>')


@pytest.fixture
def hr_client(hr, client_for, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return client_for(hr)


def _import(client, data, django_capture_on_commit_callbacks):
    """Upload through the page; the import task runs (eagerly) on commit. Returns the import's page."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:roster"),
            {"file": SimpleUploadedFile("roster.csv", data, content_type="text/csv")},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    return client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_import_whose_every_row_was_refused_is_not_shown_as_done(
    hr_client, django_capture_on_commit_callbacks
):
    page = _import(hr_client, roster_csv(BAD, WORSE), django_capture_on_commit_callbacks)

    assert RosterImport.objects.get().status == RosterImport.Status.DONE  # the run itself did finish
    assert BADGE.search(page).groups() == (" badge-bad", "Nothing imported: every row refused")
    assert "Nothing was imported: all 2 rows were refused." in page
    assert '<div class="stat-bad"><dt>Rows with errors</dt><dd>2</dd></div>' in page
    assert '<div class="stat-ok"><dt>Created</dt><dd>0</dd></div>' in page
    list_page = hr_client.get(reverse("accounts:roster"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing imported: every row refused" in list_page
    assert ">Done<" not in list_page


def test_an_import_with_some_rows_refused_says_how_many_went_in(
    hr_client, django_capture_on_commit_callbacks
):
    page = _import(hr_client, roster_csv(GOOD, BAD), django_capture_on_commit_callbacks)

    assert BADGE.search(page).groups() == (" badge-warn", "Imported, some rows refused")
    assert "1 rows imported, 1 with errors" in page
    assert '<div class="stat-ok"><dt>Created</dt><dd>1</dd></div>' in page
    assert '<div class="stat-bad"><dt>Rows with errors</dt><dd>1</dd></div>' in page


def test_a_clean_import_is_green(hr_client, django_capture_on_commit_callbacks):
    page = _import(hr_client, roster_csv(GOOD), django_capture_on_commit_callbacks)

    assert BADGE.search(page).groups() == (" badge-ok", "Imported")
    assert "<div><dt>Rows with errors</dt><dd>0</dd></div>" in page
    assert "No errors." in page


def test_the_command_prints_its_summary_and_each_error_on_lines_of_their_own(tmp_path, org):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(roster_csv(GOOD, BAD))
    out = io.StringIO()

    call_command("import_staff", str(roster), stdout=out, stderr=out, no_color=True)

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "2 rows: 1 created, 0 updated, 0 unchanged, 0 deactivated, 0 invited, 1 with errors."
    )
    assert lines[1:3] == ["", "Errors (1):"]
    assert lines[3].startswith("  line 3, email: ")
    assert "not-an-address" in lines[3]


def test_the_command_fails_when_nothing_was_imported(tmp_path, org):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(roster_csv(BAD))
    out = io.StringIO()

    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_staff", str(roster), stdout=out, stderr=out, no_color=True)

    assert out.getvalue().splitlines()[0].startswith("1 rows: 0 created")


def test_every_outcome_badge_names_a_value_of_its_outcome_enum():
    from advocacy.portal.templatetags.status_badges import OUTCOME_BADGES

    for enum, classes in OUTCOME_BADGES.items():
        assert set(classes) <= set(enum.values), enum
        assert set(classes.values()) <= {"badge-ok", "badge-warn", "badge-bad"}
