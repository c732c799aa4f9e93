"""Values that fill template slots (first name, branch city) obey the plain-text rule of posts: refused where
they come in, and never expanded into a text, even when stored before the rule existed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from advocacy.accounts.services import import_staff_roster
from advocacy.content.models import ApprovedText
from advocacy.content.selectors import preview_for, publishable_texts, text_for_adviser
from advocacy.org.models import Branch, Role, StaffProfile
from advocacy.org.policies import NotAllowed
from advocacy.org.services import StaffData, upsert_staff
from advocacy.texts import compose
from tests.accounts.conftest import roster_csv

pytestmark = pytest.mark.django_db
User = get_user_model()
TEMPLATE = "Bonjour, ici {first_name} de votre agence de {branch_city}."


@pytest.mark.parametrize(
    ("first_name", "why"),
    [
        ("<b>Anne</b>", "plain text: remove the HTML tags"),
        ("Anne evil.example.com", "cannot hold a web address"),
        ("Anne https://evil.example/x", "cannot hold a web address"),
        ("@elonmusk", "cannot hold @, # or $"),
        ("Anne $TSLA", "cannot hold @, # or $"),
        ("{branch_city}", "cannot hold slots"),
        ("A" * 51, "at most 50 characters"),
    ],
)
def test_a_roster_first_name_that_could_not_fill_a_slot_is_refused_with_a_row_error(hr, first_name, why):
    outcome = import_staff_roster(
        data=roster_csv(
            f'N1,anne@bank.test,"{first_name}",Roy,LIL01,adviser,fr', "N2,bo@bank.test,Bo,Li,LIL01,adviser,fr"
        ),
        filename="r.csv",
        actor=hr,
    )
    assert (outcome.created, outcome.rejected) == (1, 1)
    [error] = outcome.errors
    assert (error.line, error.column) == (2, "first_name")
    assert why in error.message
    assert not StaffProfile.objects.filter(employee_id="N1").exists()


def test_the_service_refuses_it_too(org):
    with pytest.raises(NotAllowed, match="HTML tags"):
        upsert_staff(
            data=StaffData(
                employee_id="X",
                email="x@bank.test",
                first_name="<i>X</i>",
                last_name="Y",
                branch=None,
                roles=frozenset({Role.ADVISER}),
            )
        )


def test_a_template_never_expands_to_values_stored_before_the_rule(
    write_library_item, approve, adviser, adviser2, make_staff
):
    legacy = make_staff(Role.ADVISER, branch="arras", first_name="Paul")
    User.objects.filter(pk=legacy.pk).update(first_name='<a href="https://evil.example">Paul</a>')
    Branch.objects.filter(code="NIC01").update(city="Nice www.evil.com")  # adviser2's branch
    legacy.refresh_from_db()

    item = write_library_item(text=TEMPLATE, variants=["Parlons de votre projet immobilier cette semaine."])
    version = item.current_version
    texts = [str(t) for t in publishable_texts(version)]
    assert compose("Bonjour, ici Camille de votre agence de Lille.") in texts
    assert not any("evil" in t or "<a" in t for t in texts), texts

    item = approve(item)
    assert not ApprovedText.objects.filter(version=version, text__contains="evil").exists()
    assert "Camille" in text_for_adviser(version, adviser).text
    for person in (legacy, adviser2):  # their own values cannot fill the template: the plain variant
        chosen = text_for_adviser(version, person)
        assert chosen is not None and not chosen.slots and "evil" not in chosen.text
    assert "evil" not in preview_for(version, legacy).text


def test_an_approved_text_filled_with_such_a_value_is_never_handed_out(write_library_item, approve, adviser):
    item = approve(write_library_item(text="Bonjour, ici {first_name}."))
    version = item.current_version
    User.objects.filter(pk=adviser.pk).update(first_name="<b>Camille</b>")
    adviser.refresh_from_db()
    # A text approved before the rule, filled with the value as it then stood.
    ApprovedText.objects.create(
        version=version,
        text=compose("Bonjour, ici <b>Camille</b>."),
        fingerprint="f" * 64,
        slots={"first_name": "<b>Camille</b>"},
    )
    assert text_for_adviser(version, adviser) is None
