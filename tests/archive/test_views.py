"""The compliance function's archive pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance.archive.models import ArchiveExport, ArchiveRecord, LegalHold
from compliance.archive.services import record


@pytest.fixture
def officer(client_for, compliance_officer):
    return client_for(compliance_officer)


@pytest.mark.parametrize(
    "name,kwargs", [("archive:search", {}), ("archive:exports", {}), ("archive:legal_holds", {})]
)
def test_archive_pages_are_for_compliance_officers_only(personas, client_for, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    for role, user in personas.items():
        status = client_for(user).get(url).status_code
        assert status == (200 if role == "compliance" else 403), role


def test_a_record_page_is_refused_to_an_administrator(administrator, client_for):
    entry = record("test.secret", payload={})
    assert client_for(administrator).get(reverse("archive:record", args=[entry.seq])).status_code == 403


def test_search_by_adviser_finds_events_by_them_and_about_them(officer, adviser, adviser2):
    by = record("test.by", actor=adviser)
    about = record("test.about", subject=adviser)
    other = record("test.other", actor=adviser2)
    page = officer.get(reverse("archive:search"), {"adviser": adviser.email}).content.decode()
    assert f'href="/compliance/archive/records/{by.seq}/"' in page
    assert f'href="/compliance/archive/records/{about.seq}/"' in page
    assert f'href="/compliance/archive/records/{other.seq}/"' not in page


def test_search_by_event_type_text_post_id_and_dates(officer):
    published = record("test.published", payload={"network_post_id": "42", "text": "Crédit immobilier"})
    record("test.deleted", payload={"network_post_id": "43"})
    url = reverse("archive:search")

    def seqs(**params):
        page = officer.get(url, params).context["page"]
        return [r.seq for r in page.object_list]

    assert seqs(event_type="test.published") == [published.seq]
    assert published.seq in seqs(event_type="test.")
    assert seqs(text="crédit IMMOBILIER") == [published.seq]  # whole words (PostgreSQL's full-text index)
    assert seqs(network_post_id="42") == [published.seq]
    today = timezone.localdate()
    assert published.seq in seqs(date_from=today.isoformat(), date_to=today.isoformat())
    assert seqs(date_from=(today + timedelta(days=1)).isoformat(), event_type="test.published") == []


def test_search_results_are_paged_newest_first_by_seq_without_a_count(officer):
    made = [record("test.many", payload={"i": i}).seq for i in range(60)]
    url = reverse("archive:search")
    page = officer.get(url, {"event_type": "test.many"}).context["page"]
    assert [r.seq for r in page.object_list] == made[::-1][:50]
    assert page.newer is None and page.older == made[10]
    response = officer.get(url, {"event_type": "test.many", "before": page.older})
    second = response.context["page"]
    assert [r.seq for r in second.object_list] == made[::-1][50:]
    assert second.older is None and second.newer == made[9]
    assert f"event_type=test.many&amp;after={made[9]}" in response.content.decode()
    back = officer.get(url, {"event_type": "test.many", "after": second.newer}).context["page"]
    assert [r.seq for r in back.object_list] == made[::-1][:50]
    assert back.newer is None and back.older == made[10]


def test_a_record_page_shows_the_payload_hash_and_neighbours_with_markup_escaped(officer):
    before = record("test.before")
    entry = record("test.mention", payload={"text": "<script>alert('x')</script>", "n": 1})
    after = record("test.after")
    html = officer.get(reverse("archive:record", args=[entry.seq])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert entry.hash in html and entry.prev_hash in html
    assert f'href="/compliance/archive/records/{before.seq}/"' in html
    assert f'href="/compliance/archive/records/{after.seq}/"' in html
    assert "recomputes" in html


def test_an_unknown_record_is_not_found(officer):
    assert officer.get(reverse("archive:record", args=[999999])).status_code == 404


# The communication record is tested through the real flow (draft, two approvals, share through tweepy to
# the X sandbox, recall): tests/publishing/test_communication_record.py.


def test_an_export_is_built_polled_and_downloaded_by_compliance_only(
    officer, adviser, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    record("test.exported", payload={"x": 1})
    today = timezone.localdate().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("archive:exports"), {"date_from": today, "date_to": today})
    export = ArchiveExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "archive:export_status", args=[export.pk]
    )
    partial = officer.get(reverse("archive:export_status", args=[export.pk]), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert reverse("archive:export_download", args=[export.pk]).encode() in partial.content
    assert client_for(adviser).get(reverse("archive:export_download", args=[export.pk])).status_code == 403
    download = officer.get(reverse("archive:export_download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert ArchiveRecord.objects.filter(event_type="archive.export_downloaded").exists()


def test_a_pending_export_polls_and_cannot_be_downloaded_yet(officer):
    export = ArchiveExport.objects.create(date_from="2026-01-01", date_to="2026-01-02")
    partial = officer.get(reverse("archive:export_status", args=[export.pk]), HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 2s"' in partial.content
    assert officer.get(reverse("archive:export_download", args=[export.pk])).status_code == 404


def test_compliance_places_and_releases_a_legal_hold_and_both_are_archived(officer, adviser):
    officer.post(reverse("archive:legal_holds"), {"adviser_email": adviser.email, "reason": "Complaint"})
    hold = LegalHold.objects.get()
    assert hold.user_id == adviser.pk and hold.active
    officer.post(reverse("archive:release_legal_hold", args=[hold.pk]))
    hold.refresh_from_db()
    assert not hold.active
    assert list(
        ArchiveRecord.objects.filter(event_type__startswith="archive.legal_hold")
        .order_by("seq")
        .values_list("event_type", flat=True)
    ) == ["archive.legal_hold_placed", "archive.legal_hold_released"]


def test_the_archive_link_is_in_the_navigation_of_compliance_officers_only(officer, client_for, adviser):
    assert b'href="/compliance/archive/"' in officer.get("/").content
    assert b'href="/compliance/archive/"' not in client_for(adviser).get("/").content


def test_active_legal_holds_are_paged_newest_first(officer, compliance_officer):
    from compliance.archive.legal_holds import place_legal_hold

    made = [
        place_legal_hold(actor=compliance_officer, reason=f"Case {i}", user=None, subject_ref=f"x.y:{i}").pk
        for i in range(52)
    ]
    page = officer.get(reverse("archive:legal_holds")).context["holds"]
    assert [h.pk for h in page.object_list] == made[::-1][:50] and page.older == made[2]
    older = officer.get(reverse("archive:legal_holds"), {"before": page.older}).context["holds"]
    assert [h.pk for h in older.object_list] == made[1::-1] and older.older is None


def test_exports_are_paged_newest_first(officer):
    from datetime import date
    from datetime import timedelta as td

    from compliance.archive.models import ArchiveExport

    start = timezone.now()
    made = []
    for i in range(23):
        export = ArchiveExport.objects.create(date_from=date(2026, 1, 1), date_to=date(2026, 1, 2))
        ArchiveExport.objects.filter(pk=export.pk).update(created_at=start - td(minutes=i))
        made.append(export.pk)
    response = officer.get(reverse("archive:exports"))
    page = response.context["exports"]
    assert [e.pk for e in page.object_list] == made[:20] and page.newer is None
    older = officer.get(reverse("archive:exports"), {"before": page.older}).context["exports"]
    assert [e.pk for e in older.object_list] == made[20:] and older.older is None
    newer = officer.get(reverse("archive:exports"), {"after": older.newer}).context["exports"]
    assert [e.pk for e in newer.object_list] == made[:20]
