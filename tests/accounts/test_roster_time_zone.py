"""The roster's optional time_zone column: HR may set where staff work from; a blank cell or no column at all
leaves each person's own choice (Preferences) alone."""

from __future__ import annotations

import pytest

from advocacy.accounts.roster_import import import_staff_roster
from advocacy.org.models import StaffProfile
from tests.accounts.conftest import HEADER, roster_csv

pytestmark = pytest.mark.django_db

WITH_ZONE = HEADER + ",fuseau horaire"


def run(*rows, header=WITH_ZONE):
    return import_staff_roster(data=roster_csv(*rows, header=header), filename="roster.csv")


def zone(employee_id: str) -> str:
    return StaffProfile.objects.get(employee_id=employee_id).time_zone


def test_a_time_zone_column_sets_each_persons_zone_whatever_its_case(org):
    outcome = run(
        "Z1,kenji@bank.test,Kenji,Sato,LIL01,adviser,en,asia/tokyo",
        "Z2,anne@bank.test,Anne,Martin,LIL01,adviser,fr,",
    )
    assert (outcome.created, outcome.errors) == (2, [])
    assert (zone("Z1"), zone("Z2")) == ("Asia/Tokyo", "")


def test_an_unknown_time_zone_is_a_row_error_and_the_row_is_not_imported(org):
    outcome = run(
        "Z1,kenji@bank.test,Kenji,Sato,LIL01,adviser,en,Tokyo",
        "Z2,anne@bank.test,Anne,Martin,LIL01,adviser,fr,Europe/Paris",
    )
    assert (outcome.created, outcome.rejected) == (1, 1)
    [error] = outcome.errors
    assert (error.line, error.column) == (2, "fuseau horaire")
    assert error.message == "Unknown time zone “Tokyo”: use an IANA name such as Europe/Paris."
    assert not StaffProfile.objects.filter(employee_id="Z1").exists()


def test_a_blank_cell_or_a_file_without_the_column_keeps_the_zone_a_person_chose(org):
    run("Z1,kenji@bank.test,Kenji,Sato,LIL01,adviser,en,Asia/Tokyo")

    assert run("Z1,kenji@bank.test,Kenji,Sato,LIL01,adviser,en,").unchanged == 1
    assert run("Z1,kenji@bank.test,Kenji,Sato,LIL01,adviser,en", header=HEADER).unchanged == 1
    assert zone("Z1") == "Asia/Tokyo"

    moved = run("Z1,kenji@bank.test,Kenji,Sato,LIL01,adviser,en,America/New_York")
    assert moved.updated == 1 and zone("Z1") == "America/New_York"
