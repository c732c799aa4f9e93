"""English is complete too: no French in the English interface, and nothing stored in French.

The French catalogue's own words (msgstr words that no msgid uses: "partage", "conseiller", "brouillon"…)
must not appear on any page of any role's menu rendered in English. Reasons and labels that are stored (a
share's reason, the archive's payloads) are English source strings, translated when shown: text written
in the language of whoever happened to cause it reads wrong to everyone else.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from advocacy.org.models import Role
from tests.publishing.conftest import make_item  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
# Text marked as French on purpose (the language switch names each language in itself: lang="fr").
MARKED_FRENCH = re.compile(r"<(\w+)\b[^>]*\blang=\"fr\"[^>]*>.*?</\1>", re.S)
ROLES = [Role.ADVISER, Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.COMPLIANCE, Role.MARKETING, Role.HR]
ROLES += [Role.ADMIN]


# A language named in itself, as language choices and the French rule pack's name do, is not a mistake.
ENDONYMS = {"français"}


@cache
def french_only_words() -> frozenset[str]:
    """Words of the catalogue's translations that no source string uses (so never English)."""
    po = polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    english, french = set(), set()
    for entry in po:
        english.update(w.lower() for w in WORD.findall(entry.msgid + " " + (entry.msgid_plural or "")))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            french.update(w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)\w|\{[^}]*\}", " ", text)))
    words = {w for w in french - english if len(w) >= 4 or re.search(r"[à-ÿ]", w)}
    return frozenset(words - ENDONYMS)


def french_in(page: str) -> set[str]:
    text = html.unescape(TAGS.sub(" ", MARKED_FRENCH.sub(" ", page)))
    return {w.lower() for w in WORD.findall(text)} & french_only_words()


def pages_of(user) -> list[str]:
    from advocacy.portal.navigation import menu_for

    return [
        "/",
        *(link.url for link in menu_for(user)),
        reverse("accounts:preferences"),
        reverse("mfa_index"),
    ]


def test_the_check_knows_french_when_it_sees_it():
    assert {"brouillons", "partages"} <= french_in("<p>Mes brouillons et mes partages</p>")
    assert not french_in("<p>My drafts and my shares</p>")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_roles_menu_in_english_has_no_french_word(role, make_staff, client_for):
    user = make_staff(role, branch="lille" if role == Role.ADVISER else None, language="en")
    client = client_for(user)
    found = {}
    for path in pages_of(user):
        response = client.get(path, follow=True, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, path
        words = french_in(response.content.decode())
        if words:
            found[path] = sorted(words)
    assert not found, f"French words on English pages: {found}"


@pytest.mark.django_db
def test_a_reason_is_stored_as_the_english_source_and_shown_in_the_readers_language(
    adviser,
    make_item,  # noqa: F811 - the fixture imported above
    client_for,
):
    from advocacy.networks.x.models import XAccount
    from advocacy.shares.models import Share
    from advocacy.shares.scheduling import schedule_share
    from compliance.archive.models import ArchiveRecord

    XAccount.objects.create(
        user=adviser, x_user_id="770001", username="alex_x", status="connected", connected_at=timezone.now()
    )
    share = schedule_share(
        adviser=adviser, item=make_item(), when=timezone.now() + dt.timedelta(hours=3), actor=adviser
    )
    client = client_for(adviser)
    adviser.staff.language = "fr"
    adviser.staff.save(update_fields=["language"])
    with translation.override("fr"):
        client.post(reverse("shares:cancel", args=[share.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    share = Share.objects.get(pk=share.pk)
    assert share.status == Share.Status.CANCELLED
    assert share.last_error == "Cancelled by the adviser."
    cancelled = ArchiveRecord.objects.filter(event_type="share.cancelled").latest("seq")
    assert "Cancelled by the adviser." in cancelled.payload_json
    with translation.override("fr"):
        assert share.reason == "Annulé par le conseiller."
    with translation.override("en"):
        assert share.reason == "Cancelled by the adviser."


@pytest.mark.django_db
def test_a_roster_import_made_in_french_reads_in_english_for_an_english_reader(
    make_staff, client_for, django_capture_on_commit_callbacks, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from advocacy.accounts.models import RosterImport

    settings.CELERY_TASK_ALWAYS_EAGER = True
    hr = make_staff(Role.HR, language="fr")
    client = client_for(hr)
    rows = (
        "employee_id,email,first_name,last_name,branch_code,roles,language\n"
        "R1,not-an-address,Bruno,Petit,NOPE,unknown-role,xx\n"
    )
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:roster"),
            {"file": SimpleUploadedFile("r.csv", rows.encode(), content_type="text/csv")},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    roster_import = RosterImport.objects.get()
    assert roster_import.error_count == 1 and len(roster_import.errors) >= 3
    url = reverse("accounts:roster_import", args=[roster_import.pk])
    assert "Code agence inconnu" in html.unescape(client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    hr.staff.language = "en"
    hr.staff.save(update_fields=["language"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Unknown branch code “NOPE”." in page
    assert not french_in(page)
