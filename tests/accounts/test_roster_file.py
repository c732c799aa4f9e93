"""Reading a roster file: encodings, delimiters, headers, and every row-level error located by line and
column. These are the pure functions of advocacy/accounts/roster.py: no database."""

from __future__ import annotations

import pytest

from advocacy.accounts.roster import RosterFileError, parse_roles, read_roster
from tests.accounts.conftest import HEADER, roster_csv

BRANCHES = {"LIL01", "NIC01"}
HELENE = "E1,helene@bank.test,Hélène,Dupré,LIL01,Conseiller,fr"


def rows_and_errors(data: bytes):
    roster = read_roster(data, branch_codes=BRANCHES)
    rows, errors = [], []
    for row, row_errors in roster.rows():
        if row is not None:
            rows.append(row)
        errors.extend(row_errors)
    return rows, errors


@pytest.mark.parametrize("bom", [False, True], ids=["without BOM", "with BOM"])
def test_utf8_files_are_read_with_or_without_a_byte_order_mark(bom):
    rows, errors = rows_and_errors(roster_csv(HELENE, bom=bom))
    assert errors == []
    assert rows[0].employee_id == "E1"
    assert rows[0].first_name == "Hélène"


def test_windows_1252_files_keep_their_accents():
    data = roster_csv(HELENE, encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows, errors = rows_and_errors(data)
    assert errors == []
    assert (rows[0].first_name, rows[0].last_name) == ("Hélène", "Dupré")


def test_bytes_that_are_not_even_windows_1252_are_a_file_level_error():
    data = roster_csv(HELENE) + b"E2,x@bank.test,A\x81,B,LIL01,adviser,fr\r\n" + "é".encode("cp1252")
    with pytest.raises(RosterFileError, match="neither UTF-8 nor Windows-1252"):
        read_roster(data, branch_codes=BRANCHES)


@pytest.mark.parametrize("delimiter", [",", ";"], ids=["comma", "semicolon"])
def test_comma_and_semicolon_files_are_both_understood(delimiter):
    row = HELENE.replace(",", delimiter)
    roster = read_roster(roster_csv(row, delimiter=delimiter), branch_codes=BRANCHES)
    assert roster.delimiter == delimiter
    rows, errors = rows_and_errors(roster_csv(row, delimiter=delimiter))
    assert errors == []
    assert rows[0].email == "helene@bank.test"


def test_a_semicolon_file_may_list_several_roles_separated_by_commas():
    data = roster_csv("E1;a@bank.test;A;B;LIL01;adviser,branch_manager;en", delimiter=";")
    rows, errors = rows_and_errors(data)
    assert errors == []
    assert rows[0].roles == {"adviser", "branch_manager"}


def test_french_headers_in_any_case_with_accents_and_spaces_are_recognised():
    header = " Matricule ;COURRIEL; Prénom ;Nom;Code agence;Rôle(s);Langue;Téléphone"
    row = "E1;a@bank.test;Zoé;Roux;lil01;Conformité | RH;EN;0102030405"
    data = roster_csv(row, header=header, delimiter=";")
    rows, errors = rows_and_errors(data)
    assert errors == []
    row = rows[0]
    assert (row.employee_id, row.email, row.first_name, row.last_name) == ("E1", "a@bank.test", "Zoé", "Roux")
    assert row.branch_code == "LIL01"
    assert row.roles == {"compliance", "hr"}
    assert row.language == "en"


def test_e_mail_and_agence_aliases_are_accepted():
    header = "matricule,e-mail,prenom,nom,agence,role,langue"
    rows, errors = rows_and_errors(roster_csv(HELENE, header=header))
    assert errors == [] and len(rows) == 1


def test_a_missing_column_is_a_file_level_error_naming_it():
    header = "employee_id,email,first_name,branch_code,language"
    with pytest.raises(RosterFileError) as caught:
        read_roster(roster_csv("E1,a@bank.test,A,LIL01,fr", header=header), branch_codes=BRANCHES)
    assert "last_name, roles" in caught.value.message
    assert caught.value.column == "last_name, roles"


def test_a_header_without_rows_is_refused():
    with pytest.raises(RosterFileError, match="no rows"):
        read_roster(roster_csv(), branch_codes=BRANCHES)


def test_a_workbook_renamed_to_csv_is_refused_as_not_text():
    with pytest.raises(RosterFileError):
        read_roster(b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)), branch_codes=BRANCHES)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("adviser", {"adviser"}),
        ("Conseiller", {"adviser"}),
        ("conseillère", {"adviser"}),
        ("Directeur d\u2019agence", {"branch_manager"}),
        ("Branch Manager+Regional manager", {"branch_manager", "regional_manager"}),
        ("CONFORMITÉ|rh", {"compliance", "hr"}),
        ("Marketing, Administrateur", {"marketing", "admin"}),
        ("Compliance officer", {"compliance"}),
    ],
)
def test_roles_are_codes_or_french_and_english_labels_in_any_case(cell, expected):
    roles, unknown = parse_roles(cell)
    assert set(roles) == expected
    assert unknown == []


def test_an_empty_language_means_french():
    rows, _errors = rows_and_errors(roster_csv("E1,a@bank.test,A,B,LIL01,adviser,"))
    assert rows[0].language == "fr"


def test_an_empty_branch_means_head_office():
    rows, _errors = rows_and_errors(roster_csv("E1,a@bank.test,A,B,,compliance,fr"))
    assert rows[0].branch_code is None


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("E9,not-an-address,A,B,LIL01,adviser,fr", "email", "not a valid e-mail address"),
        ("E9,z@bank.test,A,B,PAR99,adviser,fr", "branch_code", "Unknown branch code “PAR99”"),
        ("E9,z@bank.test,A,B,LIL01,astronaut,fr", "roles", "Unknown role “astronaut”"),
        ("E9,z@bank.test,A,B,LIL01,,fr", "roles", "At least one role"),
        ("E9,z@bank.test,A,B,LIL01,adviser,de", "language", "Unknown language “de”"),
        (",z@bank.test,A,B,LIL01,adviser,fr", "employee_id", "required"),
        ("E9,z@bank.test,,B,LIL01,adviser,fr", "first_name", "required"),
        ("E9,z@bank.test,A,B,LIL01,adviser,fr,extra", "", "cells but the header has 7 columns"),
    ],
)
def test_each_bad_value_is_reported_with_its_line_and_column(row, column, message):
    data = roster_csv(HELENE, row)
    rows, errors = rows_and_errors(data)
    assert [r.employee_id for r in rows] == ["E1"] if row.startswith("E9,a@") and False else True
    assert len(errors) == 1
    assert errors[0].line == 3
    assert errors[0].column == column
    assert message in errors[0].message


def test_errors_name_the_column_as_the_file_spells_it():
    header = "matricule;courriel;prénom;nom;agence;rôles;langue"
    _rows, errors = rows_and_errors(roster_csv("E1;bad;A;B;LIL01;adviser;fr", header=header, delimiter=";"))
    assert (errors[0].line, errors[0].column) == (2, "courriel")


def test_a_duplicated_employee_id_is_reported_on_both_rows():
    data = roster_csv(HELENE, "E2,b@bank.test,A,B,LIL01,adviser,fr", "E1,c@bank.test,A,B,LIL01,adviser,fr")
    rows, errors = rows_and_errors(data)
    assert [r.employee_id for r in rows] == ["E2"]
    assert [(e.line, e.column) for e in errors] == [(2, "employee_id"), (4, "employee_id")]
    assert "2, 4" in errors[0].message


def test_a_duplicated_email_is_reported_on_both_rows_whatever_its_case():
    data = roster_csv(HELENE, "E2,HELENE@bank.test,A,B,LIL01,adviser,fr",
                      "E3,c@bank.test,A,B,LIL01,adviser,fr")
    rows, errors = rows_and_errors(data)
    assert [r.employee_id for r in rows] == ["E3"]
    assert [(e.line, e.column) for e in errors] == [(2, "email"), (3, "email")]


def test_line_numbers_count_physical_lines_across_quoted_line_breaks_and_blank_lines():
    data = roster_csv('E1,a@bank.test,"Anne\nMarie",B,LIL01,adviser,fr', "", "E2,bad,A,B,LIL01,adviser,fr")
    _rows, errors = rows_and_errors(data)
    assert [(e.line, e.column) for e in errors] == [(5, "email")]


def test_the_pre_scan_counts_rows_and_remembers_every_employee_id_even_of_bad_rows():
    roster = read_roster(roster_csv(HELENE, "E2,bad,A,B,LIL01,adviser,fr"), branch_codes=BRANCHES)
    assert roster.total_rows == 2
    assert roster.employee_ids == {"E1", "E2"}


def test_the_header_constant_lists_the_seven_columns():
    assert HEADER.split(",") == ["employee_id", "email", "first_name", "last_name", "branch_code", "roles",
                                 "language"]
