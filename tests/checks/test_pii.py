"""Client data: IBANs, card numbers, phone numbers and e-mail addresses block; amounts and dates do not."""

from __future__ import annotations

import pytest

from compliance.checks import Severity, find_pii, iban_is_valid, luhn_is_valid


def codes(text: str) -> list[tuple[str, str]]:
    found = find_pii(text)
    for finding in found:
        assert text[finding.start : finding.end] == finding.matched
        assert finding.severity is Severity.BLOCK
    return [(f.code, f.matched) for f in found]


@pytest.mark.parametrize(
    "iban",
    [
        "FR76 3000 6000 0112 3456 7890 189",
        "FR7630006000011234567890189",
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "BE68 5390 0754 7034",
        "NL91 ABNA 0417 1643 00",
        "CH93 0076 2011 6238 5295 7",
        "LU28 0019 4006 4475 0000",
        "ES91 2100 0418 4502 0005 1332",
        "IT60 X054 2811 1010 0000 0123 456",
        "MC58 1122 2000 0101 2345 6789 030",
    ],
)
def test_a_valid_iban_is_found_with_or_without_spaces(iban):
    assert iban_is_valid(iban)
    assert codes(f"Virement sur {iban}, merci.") == [("pii.iban", iban)]


def test_an_iban_with_a_wrong_checksum_is_not_reported():
    assert not iban_is_valid("FR76 3000 6000 0112 3456 7890 188")
    assert codes("FR76 3000 6000 0112 3456 7890 188") == []


def test_an_iban_of_the_wrong_length_for_its_country_is_not_valid():
    assert not iban_is_valid("FR76 3000 6000 0112 3456 7890 18")


def test_an_iban_followed_by_a_word_is_cut_at_its_country_length():
    assert codes("IBAN FR7630006000011234567890189 SVP") == [("pii.iban", "FR7630006000011234567890189")]


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "5555 5555 5555 4444",
        "3782 822463 10005",
    ],
)
def test_a_card_number_passing_luhn_is_found(card):
    assert luhn_is_valid(card)
    assert codes(f"Ma carte : {card}.") == [("pii.card", card)]


def test_a_card_number_failing_luhn_is_not_reported():
    assert not luhn_is_valid("4111 1111 1111 1112")
    assert codes("Ma carte : 4111 1111 1111 1112") == []


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 1 23 45 67 89",
        "+33 (0)1 23 45 67 89",
        "+44 20 7946 0958",
        "+1 (212) 555-1234",
        "+41 22 123 45 67",
    ],
)
def test_phone_numbers_are_found_in_french_and_international_formats(phone):
    assert codes(f"Appelez le {phone} !") == [("pii.phone", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "Le 01.02.2024 à 14h30",
        "Une enveloppe de 1 000 000 €",
        "2 000 000 000 000 €",
        "Un taux de 3,25 %",
        "En 2024, 2025 et 2026",
        "+15 000 € de collecte",
        "+1 500 000 000 $",
        "Réf. 2024-06-12",
        "Hausse de +12,5 %",
        "Code postal 75008 Paris",
        "un prêt de 250 000 euros sur 25 ans",
    ],
)
def test_amounts_dates_percentages_and_years_are_not_personal_data(text):
    assert codes(text) == []


def test_email_addresses_are_found():
    assert codes("Écrivez à jean.dupont+rdv@banque-exemple.fr.") == [
        ("pii.email", "jean.dupont+rdv@banque-exemple.fr")
    ]
    assert codes("Suivez @banque sur X") == []


def test_pii_messages_have_stable_codes_and_no_personal_data_in_params_keys():
    (finding,) = find_pii("06 12 34 56 78")
    assert finding.code == "pii.phone" and finding.params == {"matched": "06 12 34 56 78"}
    assert "phone" in finding.message
