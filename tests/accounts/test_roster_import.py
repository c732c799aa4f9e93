"""Applying a roster: the service shared by ``manage.py import_staff`` and the upload page's task."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.accounts import roster_import
from advocacy.accounts.roster import RosterFileError
from advocacy.accounts.roster_import import import_staff_roster
from advocacy.org.models import StaffProfile
from advocacy.org.services import StaffData, upsert_staff
from tests.accounts.conftest import many_rows, roster_csv
from tests.conftest import PASSWORD

User = get_user_model()
GOOD = "R1,anne@bank.test,Anne,Martin,LIL01,Conseiller,fr"
GOOD2 = "R2,bruno@bank.test,Bruno,Petit,NIC01,adviser|branch_manager,en"


def run(*rows, **options):
    return import_staff_roster(data=roster_csv(*rows), filename="roster.csv", **options)


def profile(employee_id):
    return StaffProfile.objects.select_related("user", "branch").prefetch_related("roles").get(
        employee_id=employee_id
    )


def test_valid_rows_are_imported_despite_bad_ones(org):
    outcome = run(GOOD, "R3,not-an-address,C,D,LIL01,adviser,fr", GOOD2, "R4,d@bank.test,D,E,XXX,adviser,fr")
    assert (outcome.created, outcome.rejected, outcome.total_rows) == (2, 2, 4)
    assert [(e.line, e.column) for e in outcome.errors] == [(3, "email"), (5, "branch_code")]
    bruno = profile("R2")
    assert bruno.user.email == "bruno@bank.test"
    assert bruno.branch == org["nice"]
    assert bruno.language == "en"
    assert {r.role for r in bruno.roles.all()} == {"adviser", "branch_manager"}
    assert not StaffProfile.objects.filter(employee_id__in=["R3", "R4"]).exists()


def test_re_importing_updates_people_instead_of_duplicating_them(org):
    run(GOOD, GOOD2)
    outcome = run("R1,anne.martin@bank.test,Anne,Martin-Roux,ARR01,Conseiller+RH,en", GOOD2)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)
    assert StaffProfile.objects.count() == 2
    assert User.objects.filter(email__startswith="anne").count() == 1
    anne = profile("R1")
    # Everything changes at once but the address, which waits for an administrator (tests/org/test_identity).
    assert (anne.user.email, anne.user.last_name, anne.branch, anne.language) == (
        "anne@bank.test", "Martin-Roux", org["arras"], "en")
    assert anne.email_changes.get().new_email == "anne.martin@bank.test"
    assert {r.role for r in anne.roles.all()} == {"adviser", "hr"}


def test_an_e_mail_already_used_by_another_employee_id_is_a_row_error(adviser):
    outcome = run(f"R9,{adviser.email.upper()},Imposter,X,LIL01,adviser,fr", GOOD)
    assert outcome.created == 1
    [error] = outcome.errors
    assert (error.line, error.column) == (2, "email")
    assert adviser.staff.employee_id in error.message
    assert not StaffProfile.objects.filter(employee_id="R9").exists()


def test_an_account_without_a_staff_profile_is_adopted_by_its_new_employee_id(org):
    root = User.objects.create_superuser(username="root", email="root@bank.test")
    outcome = run("R1,root@bank.test,Root,Admin,,marketing,en")
    assert outcome.created == 1 and outcome.errors == []
    assert profile("R1").user == root
    root.refresh_from_db()  # Django's flags follow the roles: marketing opens no admin site
    assert not root.is_superuser and not root.is_staff


def test_a_file_level_error_writes_nothing(org):
    data = roster_csv(GOOD, header="employee_id,email,first_name,last_name,roles,language")
    with pytest.raises(RosterFileError, match="branch_code"):
        import_staff_roster(data=data, filename="roster.csv")
    assert not StaffProfile.objects.exists()


def test_a_dry_run_counts_and_writes_nothing(adviser):
    outcome = run(GOOD, GOOD2, dry_run=True, deactivate_missing=True)
    assert (outcome.created, outcome.deactivated) == (2, 1)
    assert StaffProfile.objects.count() == 1
    assert User.objects.get(pk=adviser.pk).is_active


def test_deactivate_missing_deactivates_staff_absent_from_the_file_who_then_cannot_sign_in(adviser, adviser2):
    signed_in = Client()
    signed_in.force_login(adviser, backend="django.contrib.auth.backends.ModelBackend")
    keep = f"{adviser2.staff.employee_id},{adviser2.email},Hugo,{adviser2.last_name},NIC01,adviser,fr"

    outcome = run(GOOD, keep, deactivate_missing=True)

    assert outcome.deactivated == 1
    adviser.refresh_from_db()
    adviser2.refresh_from_db()
    assert not adviser.is_active and adviser2.is_active
    response = Client().post(reverse("account_login"), {"login": adviser.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("account_inactive")
    assert not Client().login(username=adviser.username, password=PASSWORD)
    # The session opened before the import ends on its next request.
    assert "/accounts/login/" in signed_in.get(reverse("portal:home"))["Location"]


def test_deactivate_missing_spares_people_whose_row_has_an_error(adviser):
    bad = f"{adviser.staff.employee_id},{adviser.email},Camille,X,NOWHERE,adviser,fr"
    outcome = run(GOOD, bad, deactivate_missing=True)
    assert outcome.deactivated == 0 and outcome.rejected == 1
    adviser.refresh_from_db()
    assert adviser.is_active


def test_deactivate_missing_deactivates_nobody_when_a_row_has_no_employee_id(adviser):
    outcome = run(GOOD, ",someone@bank.test,A,B,LIL01,adviser,fr", deactivate_missing=True)
    assert outcome.deactivated == 0
    assert any(e.line is None and "Nobody was deactivated" in e.message for e in outcome.errors)
    adviser.refresh_from_db()
    assert adviser.is_active


def test_the_person_importing_is_never_deactivated_by_their_own_file(hr, adviser):
    outcome = run(GOOD, actor=hr, deactivate_missing=True)
    assert outcome.deactivated == 1
    hr.refresh_from_db()
    assert hr.is_active
    assert any("nobody can deactivate themselves" in e.message for e in outcome.errors)


def test_invitations_are_sent_to_new_staff_only_with_the_option(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(GOOD)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(GOOD, GOOD2, invite=True)
    assert outcome.invited == 1  # Anne already existed: only Bruno is new
    assert [m.to for m in mail.outbox] == [["bruno@bank.test"]]


def test_the_import_is_archived_with_counts_filename_and_file_hash(org, monkeypatch):
    events = []
    monkeypatch.setattr(roster_import, "record", lambda event, **kw: events.append((event, kw)))
    data = roster_csv(GOOD, "R3,bad,C,D,LIL01,adviser,fr")
    import_staff_roster(data=data, filename="rh-2026.csv")
    [kw] = [kw for event, kw in events if event == "staff.roster_imported"]
    assert kw["payload"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert kw["payload"]["filename"] == "rh-2026.csv"
    assert (kw["payload"]["created"], kw["payload"]["rejected"]) == (1, 1)


def test_progress_is_reported_every_batch(org):
    seen = []
    import_staff_roster(data=roster_csv(*many_rows(25)), filename="r.csv", batch_size=10,
                        progress=lambda o: seen.append(o.processed_rows))
    assert seen == [10, 20, 25]


def test_lookups_are_batched_and_queries_per_row_stay_bounded(org, make_staff):
    make_staff("adviser")

    def queries_for(rows: list[str]) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            import_staff_roster(data=roster_csv(*rows), filename="r.csv")
        lookups = sum(1 for q in captured.captured_queries if 'FROM "org_branch"' in q["sql"])
        return len(captured.captured_queries), lookups

    # What creating one person costs on its own (user, profile, address, roles, archive events).
    with CaptureQueriesContext(connection) as one:
        upsert_staff(data=StaffData(employee_id="ALONE", email="alone@bank.test", first_name="A",
                                    last_name="B", branch=org["lille"], roles=frozenset({"adviser"})))
    small, small_lookups = queries_for(many_rows(10, start=0))
    large, large_lookups = queries_for(many_rows(100, start=1000))
    # Branches, profiles, roles and e-mails are read once per import, whatever the row count...
    assert small_lookups == large_lookups == 1
    # ...so each extra row costs what upsert_staff costs, and nothing more.
    per_row = (large - small) / 90
    assert per_row <= len(one) + 1, (per_row, len(one))
    # Re-importing an unchanged file costs no per-row query at all.
    unchanged, _lookups = queries_for(many_rows(100, start=1000))
    again, _lookups = queries_for(many_rows(100, start=1000))
    assert unchanged == again <= 12


def test_the_command_prints_each_error_and_a_summary(org, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(GOOD, "R3,bad,C,D,LIL01,adviser,fr", encoding="cp1252"))
    out, err = StringIO(), StringIO()
    call_command("import_staff", str(path), stdout=out, stderr=err)
    summary = "2 rows: 1 created, 0 updated, 0 unchanged, 0 deactivated, 0 invited, 1 with errors."
    # One stream, in order: the summary, then the errors (tests/accounts/test_roster_outcome.py).
    assert out.getvalue().splitlines()[0].endswith(summary)
    assert "  line 3, email: “bad” is not a valid e-mail address." in out.getvalue().splitlines()
    assert err.getvalue() == ""
    assert StaffProfile.objects.filter(employee_id="R1").exists()


def test_the_command_dry_run_writes_nothing(org, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(GOOD))
    out = StringIO()
    call_command("import_staff", str(path), "--dry-run", "--invite", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("Dry run, nothing written. 1 rows: 1 created")
    assert not StaffProfile.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_command_deactivates_missing_staff_and_invites_new_ones(adviser, tmp_path):
    """Real commits here: each batch's invitations go out when it commits, before the summary."""
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(GOOD))
    out = StringIO()
    call_command("import_staff", str(path), "--deactivate-missing", "--invite", stdout=out, stderr=StringIO())
    assert "1 created, 0 updated, 0 unchanged, 1 deactivated, 1 invited, 0 with errors." in out.getvalue()
    assert [m.to for m in mail.outbox] == [["anne@bank.test"]]
    adviser.refresh_from_db()
    assert not adviser.is_active


def test_the_command_refuses_a_file_with_a_missing_column(org, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv("R1,a@bank.test", header="matricule,courriel"))
    missing = "Missing columns: first_name, last_name, branch_code, roles, language"
    with pytest.raises(CommandError, match=missing):
        call_command("import_staff", str(path), stdout=StringIO(), stderr=StringIO())


def test_the_command_refuses_a_file_it_cannot_read(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_staff", str(tmp_path / "absent.csv"))
