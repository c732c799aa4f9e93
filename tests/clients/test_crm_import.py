"""The CRM file: encodings, delimiters, dates, consent words, handles; import by client_ref, scope, errors."""

import pytest
from django.core.management import call_command
from django.utils import translation

from advocacy.clients import crm_file, crm_import
from advocacy.clients.models import Client, HandleStatus

HEADER = "client_ref;first_name;last_name;adviser_email;x_handle;consent;consent_date\n"


def test_semicolon_cp1252_dates_consent_and_handles():
    text = HEADER + (
        "CR-1;Hélène;Dupré;a@bank.test;https://x.com/helene_d;oui;30/11/2026\n"
        "CR-2; Paul ;Roy;a@bank.test;;non;\n"
        "CR-3;Ana;Li;a@bank.test;twitter.com/ana_li;1;2026-11-29\n"
    )
    rows, errors = crm_file.parse(text.encode("cp1252"))
    assert errors == []
    assert [(r.client_ref, r.first_name, r.x_handle, r.consent) for r in rows] == [
        ("CR-1", "Hélène", "helene_d", True),
        ("CR-2", "Paul", "", False),
        ("CR-3", "Ana", "ana_li", True),
    ]
    assert str(rows[0].consent_date) == "2026-11-30" and str(rows[2].consent_date) == "2026-11-29"


def test_comma_utf8_with_bom():
    text = "client_ref,last_name,adviser_email,x_handle,consent\nCR-1,Émile,a@bank.test,@emile,yes\n"
    rows, errors = crm_file.parse(b"\xef\xbb\xbf" + text.encode())
    assert errors == [] and rows[0].last_name == "Émile" and rows[0].x_handle == "emile"


def test_bad_input_is_refused_by_line_and_column_as_codes():
    text = HEADER + (
        "CR-1;A;B;a@bank.test;not a handle!;oui;\n"
        "CR-2;A;B;a@bank.test;;peut-être;\n"
        "CR-3;A;B;a@bank.test;;oui;31/02/2026\n"
        "CR-4;A;B;a@bank.test;@ok;non;\n"
        "CR-5;A;B;;;non;\n"
        "CR-6;A;B;a@bank.test;;non;\n"
        "CR-6;A;B;a@bank.test;;non;\n"
    )
    rows, errors = crm_file.parse(text.encode())
    assert [r.client_ref for r in rows] == ["CR-6"]
    assert [(e.line, e.column, e.code) for e in errors] == [
        (2, "x_handle", "bad_handle"),
        (3, "consent", "bad_consent"),
        (4, "consent_date", "bad_date"),
        (5, "x_handle", "handle_without_consent"),
        (6, "adviser_email", "required"),
        (8, "client_ref", "duplicate_ref"),
    ]
    assert errors[-1].params == {"value": "CR-6", "first_line": 7}
    with translation.override("en"):
        assert "line 7" in crm_file.message_for(errors[-1].code, errors[-1].params)


def test_a_missing_column_refuses_the_file():
    rows, errors = crm_file.parse(b"client_ref;last_name\nCR-1;A\n")
    assert rows == [] and [(e.code, e.column) for e in errors] == [("missing_column", "adviser_email")]


@pytest.mark.django_db
def test_reimport_updates_by_ref_and_never_duplicates(adviser, tmp_path):
    email = adviser.email
    path = tmp_path / "crm.csv"
    path.write_text(
        HEADER + f"CR-1;Jeanne;Durand;{email};@jeanne;oui;01/12/2026\nCR-2;Paul;Roy;{email};;non;\n"
    )
    call_command("import_clients", str(path))
    path.write_text(
        HEADER + f"CR-1;Jeanne;Martin;{email};@jeanne;oui;01/12/2026\nCR-2;Paul;Roy;{email};;non;\n"
    )
    call_command("import_clients", str(path))
    assert Client.objects.count() == 2
    jeanne = Client.objects.get(client_ref="CR-1")
    assert jeanne.last_name == "Martin" and jeanne.x_handle == "jeanne"
    assert jeanne.handle_status == HandleStatus.PENDING and jeanne.consent_given
    assert jeanne.consents.count() == 1
    path.write_text(HEADER + f"CR-1;Jeanne;Martin;{email};;non;\n")
    call_command("import_clients", str(path))
    jeanne.refresh_from_db()
    assert not jeanne.consent_given and jeanne.x_handle == ""


@pytest.mark.django_db
def test_a_manager_imports_only_for_their_branch(adviser, adviser2, branch_manager):
    text = (
        HEADER
        + f"CR-1;A;B;{adviser.email};;non;\nCR-2;A;B;{adviser2.email};;non;\nCR-3;A;B;nobody@x.test;;non;\n"
    )
    rows, errors = crm_file.parse(text.encode())
    assert errors == []
    result = crm_import.apply_rows(rows, adviser_column="adviser_email", by=branch_manager)
    assert (result.created, result.updated) == (1, 0)
    assert [(e.line, e.code) for e in result.errors] == [(3, "adviser_out_of_scope"), (4, "unknown_adviser")]
    assert list(Client.objects.values_list("client_ref", flat=True)) == ["CR-1"]


@pytest.mark.django_db
def test_the_advisers_address_matches_whatever_its_case_or_spaces(adviser):
    adviser.email = "Camille.Durand@Bank.test"
    adviser.save(update_fields=["email"])
    text = HEADER + "CR-1;A;B; CAMILLE.durand@bank.TEST ;;non;\n"
    rows, _errors = crm_file.parse(text.encode())
    result = crm_import.apply_rows(rows, adviser_column="adviser_email")
    assert (result.created, result.errors) == (1, [])
    assert Client.objects.get().adviser == adviser


@pytest.mark.django_db
def test_an_empty_consent_cell_keeps_a_consent_recorded_by_hand(adviser):
    import datetime as dt

    from advocacy.clients import services

    client = services.add_client(adviser=adviser, client_ref="CR-1", last_name="Durand")
    services.record_consent(
        client, by=adviser, method="signed_document", consent_date=dt.date(2026, 11, 2), x_handle="@jd"
    )
    rows, _errors = crm_file.parse((HEADER + f"CR-1;Jeanne;Durand;{adviser.email};;;\n").encode())
    result = crm_import.apply_rows(rows, adviser_column="adviser_email")
    client.refresh_from_db()
    assert result.updated == 1 and client.first_name == "Jeanne"
    assert client.consent_given and client.x_handle == "jd"
    assert client.current_consent.method == "signed_document"


@pytest.mark.django_db
def test_a_chunk_the_database_refuses_is_applied_row_by_row_and_nothing_is_half_applied(adviser):
    """Two rows for one new reference in the same chunk (parse() refuses that, a caller may not): the
    chunk's insert fails, each row is then applied in its own transaction, the second finding the first."""
    from compliance.archive.models import ArchiveRecord

    text = HEADER + (f"CR-1;A;B;{adviser.email};@first;oui;01/12/2026\nCR-2;C;D;{adviser.email};;non;\n")
    rows, _errors = crm_file.parse(text.encode())
    twice = [rows[0], rows[1], crm_file.ClientRow(**{**rows[0].__dict__, "line": 4, "last_name": "Again"})]
    result = crm_import.apply_rows(twice, adviser_column="adviser_email")
    assert (result.created, result.updated, result.errors) == (2, 1, [])
    client = Client.objects.get(client_ref="CR-1")
    assert client.last_name == "Again" and client.consents.count() == 1 and client.x_handle == "first"
    assert ArchiveRecord.objects.filter(event_type="client.consent_recorded").count() == 1


@pytest.mark.django_db
def test_importing_20_or_120_rows_costs_the_same_queries(adviser, adviser2, branch_manager):
    """Within a chunk the queries do not grow with the rows (up to SQLite's 999 parameters per INSERT, past
    which Django splits a bulk insert: 71 clients a statement there, the whole chunk on PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advocacy.org.selectors import roles_of

    roles_of(branch_manager)  # cached on the user after the first call
    counts = []
    for n in (20, 120):
        text = HEADER + "".join(
            f"N{n}-{i};A;B;{(adviser, adviser2)[i % 2].email};@h{n}_{i};oui;01/12/2026\n" for i in range(n)
        )
        rows, _errors = crm_file.parse(text.encode())
        with CaptureQueriesContext(connection) as queries:
            result = crm_import.apply_rows(rows, adviser_column="adviser_email", by=branch_manager)
        assert result.created == n // 2 and len(result.errors) == n // 2  # Hugo is in Nice
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_a_new_client_is_written_with_its_consent_and_its_archive_record(adviser, branch_manager):
    """New clients go in by COPY on PostgreSQL (ids taken first, current_consent set on insert) and through
    the ORM elsewhere: what a reader of the client, the consent and the archive sees is the same."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from advocacy.clients import services
    from advocacy.clients.privacy import client_key
    from compliance.archive.models import ArchiveRecord

    by_hand = services.add_client(adviser=adviser, client_ref="CR-0", last_name="Avant")
    text = HEADER + (
        f"CR-1;Jeanne;Durand;{adviser.email};https://x.com/jeanne_d;oui;02/11/2026\n"
        f"CR-2;Paul;Roy;{adviser.email};;non;\nCR-3;Léa;Blanc;{adviser.email};;oui;\n"
    )
    rows, _errors = crm_file.parse(text.encode())
    result = crm_import.apply_rows(rows, adviser_column="adviser_email", by=branch_manager)
    assert (result.created, result.errors) == (3, [])
    jeanne, paul, lea = (Client.objects.get(client_ref=ref) for ref in ("CR-1", "CR-2", "CR-3"))
    assert by_hand.pk < jeanne.pk < paul.pk < lea.pk
    assert (jeanne.adviser, jeanne.branch_id, jeanne.first_name, jeanne.last_name) == (
        adviser,
        adviser.staff.branch_id,
        "Jeanne",
        "Durand",
    )
    assert (jeanne.x_handle, jeanne.handle_status, jeanne.consent_given) == ("jeanne_d", "pending", True)
    assert jeanne.created_at and abs(jeanne.updated_at - jeanne.created_at) < dt.timedelta(seconds=1)
    consent = jeanne.current_consent
    assert (consent.client, consent.given, consent.recorded_by, consent.method) == (
        jeanne,
        True,
        branch_manager,
        "import",
    )
    assert (consent.wording_version, consent.consent_date) == (
        settings.CLIENT_CONSENT_WORDING_VERSION,
        dt.date(2026, 11, 2),
    )
    assert consent.recorded_at and consent.withdrawn_at is None
    assert (paul.current_consent, paul.x_handle, paul.handle_status) == (None, "", "none")
    assert lea.consent_given and (lea.x_handle, lea.handle_status) == ("", "none")
    assert lea.current_consent.consent_date == timezone.localdate()
    records = ArchiveRecord.objects.filter(event_type="client.consent_recorded").order_by("seq")
    assert [(r.subject_user_id, r.actor_id) for r in records] == [(adviser.pk, branch_manager.pk)] * 2
    keys = [client_key(ref) for ref in ("CR-1", "CR-3")]
    assert [k in r.payload_json for r, k in zip(records, keys, strict=True)] == [True, True]
