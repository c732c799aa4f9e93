"""The CSV import of applications: any export, row errors named, good rows in, re-import moves stages."""

from __future__ import annotations

import datetime as dt
import html
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from advocacy.recruitment.csv_import import import_applications
from advocacy.recruitment.models import Application
from advocacy.recruitment.references import reference_for
from advocacy.shares.models import Share
from compliance.archive.models import ArchiveRecord

pytestmark = pytest.mark.django_db

HEADER = "application_id;job_reference;applied_at;source_reference;stage;hired_at\r\n"


@pytest.fixture
def profile(make_profile, make_offer):
    make_offer()
    return make_profile("generic", slug="ats")


def _share(adviser, item) -> Share:
    from advocacy.content.models import ApprovedText

    approved = ApprovedText.objects.filter(version=item.current_version).first()
    return Share.objects.create(
        adviser=adviser,
        item=item,
        version=item.current_version,
        approved_text=approved,
        text=approved.text,
        fingerprint=approved.fingerprint,
        scheduled_for=timezone.now(),
        link_code="csvlink1",
        status=Share.Status.PUBLISHED,
    )


def test_a_french_excel_export_is_read_and_attributed(profile, adviser, org):
    from advocacy.content.models import ContentItem

    share = _share(adviser, ContentItem.objects.get(job_offer__job_reference="REQ-101"))
    text = (
        HEADER
        + f"A-1;REQ-101;28/11/2026;{reference_for(share.pk)};Entretien;\r\n"
        + "A-2;REQ-101;29/11/2026;;Candidature reçue;\r\n"
    )
    result = import_applications(profile=profile, data=b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert (result.created, result.errors) == (2, [])
    credited = Application.objects.get(external_id="A-1")
    assert (credited.stage, credited.employee_id, credited.branch, credited.region) == (
        "interview",
        adviser.pk,
        org["lille"],
        org["north"],
    )
    assert credited.applied_at == timezone.make_aware(dt.datetime(2026, 11, 28))
    assert Application.objects.get(external_id="A-2").share_id is None
    assert ArchiveRecord.objects.filter(event_type="recruitment.application_received").count() == 2


def test_windows_1252_with_commas_is_read(profile):
    data = (
        "application_id,job_reference,applied_at,source_reference,stage,hired_at\n"
        "B-1,REQ-101,2026-11-01,,Présélection,\n"
    )
    result = import_applications(profile=profile, data=data.encode("cp1252"))
    assert result.created == 1 and Application.objects.get().stage == "screening"


def test_bad_rows_are_named_and_the_good_ones_imported(profile):
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    data = (
        HEADER
        + "C-1;REQ-101;01/11/2026;;Applied;\r\n"
        + "C-2;REQ-101;01/11/2026;;Coffee with the CEO;\r\n"
        + f"C-3;REQ-101;{future};;Applied;\r\n"
        + "C-4;REQ-999;01/11/2026;;Applied;\r\n"
        + "C-5;REQ-101;31/02/2026;;Applied;\r\n"
        + "C-6;REQ-101;01/11/2026;;Hired;\r\n"
        + "C-1;REQ-101;01/11/2026;;Applied;\r\n"
    ).encode()
    result = import_applications(profile=profile, data=data)
    assert result.created == 1 and Application.objects.get().external_id == "C-1"
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (3, "stage", "unknown_stage"),
        (4, "applied_at", "future_date"),
        (5, "job_reference", "unknown_job"),
        (6, "applied_at", "bad_date"),
        (7, "hired_at", "hired_without_date"),
        (8, "application_id", "duplicate"),
    ]
    assert str(result.errors[2]) == "line 5: No job offer has the reference REQ-999."
    assert (
        str(result.errors[0])
        == "line 3: “Coffee with the CEO” is not a stage Relais knows (applied, interview, hired…)."
    )


def test_a_re_import_moves_stages_and_archives_only_the_changes(profile):
    first = (HEADER + "D-1;REQ-101;01/11/2026;;Applied;\r\nD-2;REQ-101;01/11/2026;;Applied;\r\n").encode()
    assert import_applications(profile=profile, data=first).created == 2
    again = import_applications(profile=profile, data=first)
    assert (again.created, again.moved, again.unchanged) == (0, 0, 2)
    later = (
        HEADER + "D-1;REQ-101;01/11/2026;;Hired;20/11/2026\r\nD-2;REQ-101;01/11/2026;;Rejected;\r\n"
    ).encode()
    result = import_applications(profile=profile, data=later)
    assert (result.created, result.moved) == (0, 2)
    assert dict(Application.objects.values_list("external_id", "stage")) == {
        "D-1": "hired",
        "D-2": "rejected",
    }
    assert ArchiveRecord.objects.filter(event_type="recruitment.stage_changed").count() == 2


def test_a_file_that_is_not_an_export_is_refused_whole(profile):
    assert [e.code for e in import_applications(profile=profile, data=b"").errors] == ["empty"]
    assert [e.column for e in import_applications(profile=profile, data=b"id;stage\n1;x\n").errors] == [
        "application_id",
        "applied_at",
        "job_reference",
    ]
    assert not Application.objects.exists()


def test_the_command_imports_a_file(profile, tmp_path):
    path = tmp_path / "applications.csv"
    path.write_bytes((HEADER + "E-1;REQ-101;01/11/2026;;Applied;\r\n").encode())
    out = io.StringIO()
    call_command("import_applications", str(path), stdout=out)
    assert "1 new" in out.getvalue() and Application.objects.count() == 1


def test_hr_uploads_a_file_and_reads_the_refused_rows(profile, hr, client_for, django_assert_max_num_queries):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (HEADER + "F-1;REQ-101;01/11/2026;;Applied;\r\nF-2;REQ-404;01/11/2026;;Applied;\r\n").encode()
    client = client_for(hr)
    assert client.get("/recruitment/applications/upload/").status_code == 200
    response = client.post(
        "/recruitment/applications/upload/",
        {"profile": profile.pk, "file": SimpleUploadedFile("a.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 new applications, 0 stage changes, 0 unchanged." in page
    assert "No job offer has the reference REQ-404." in page
    assert Application.objects.count() == 1


def test_advisers_and_managers_may_not_upload(profile, adviser, branch_manager, client_for):
    for person in (adviser, branch_manager):
        assert client_for(person).get("/recruitment/applications/upload/").status_code == 403


def test_the_import_page_and_its_errors_speak_french(profile, make_staff, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from advocacy.org.models import Role

    client = client_for(make_staff(Role.HR, branch=None, language="fr"))
    page = client.get("/recruitment/applications/upload/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Importer des candidatures" in page
    data = (HEADER + "G-1;REQ-404;01/11/2026;;Entretien;\r\nG-2;REQ-101;01/11/2026;;Café;\r\n").encode()
    page = client.post(
        "/recruitment/applications/upload/",
        {"profile": profile.pk, "file": SimpleUploadedFile("a.csv", data, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    page = html.unescape(page)
    assert "0 nouvelles candidatures, 0 changements d'étape, 0 inchangées." in page
    assert "Aucune offre d'emploi n'a la référence REQ-404." in page
    assert "« Café » n'est pas une étape que Relais connaît" in page
