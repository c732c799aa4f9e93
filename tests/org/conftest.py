"""A second administrator (four eyes need two), and HR's roster upload as HR does it: through the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advocacy.accounts.models import RosterImport
from advocacy.org.models import Role
from compliance.archive.models import ArchiveRecord
from tests.accounts.conftest import roster_csv


@pytest.fixture
def administrator2(make_staff):
    return make_staff(Role.ADMIN, branch=None, first_name="Inès")


@pytest.fixture
def upload_roster(client_for, settings, django_capture_on_commit_callbacks):
    """Upload rows on the Staff roster page as ``user``; the import runs (eagerly) once the upload commits.
    Returns the finished RosterImport."""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def upload(user, *rows: str, **options) -> RosterImport:
        payload = {"file": SimpleUploadedFile("roster.csv", roster_csv(*rows), content_type="text/csv")}
        payload.update({key: "on" for key, value in options.items() if value})
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).post(reverse("accounts:roster"), payload)
        assert response.status_code == 302, response.content[:500]
        return RosterImport.objects.order_by("-pk").first()

    return upload


def archived(event_type: str, **subject) -> list[ArchiveRecord]:
    """What the services wrote to the archive, oldest first."""
    return list(ArchiveRecord.objects.filter(event_type=event_type, **subject).order_by("seq"))
