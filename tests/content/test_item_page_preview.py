"""The item page previews a template as a real adviser would post it, never with the viewer's empty slots."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.org.models import Role

pytestmark = pytest.mark.django_db

TEMPLATE = "Bonjour, ici {first_name} de l'agence de {branch_city}."


def _item_page(client, item) -> str:
    response = client.get(reverse("content:item_detail", kwargs={"pk": item.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_head_office_sees_a_template_filled_by_a_real_adviser(
    write_library_item, make_staff, compliance_officer, client_for
):
    make_staff(Role.ADVISER, branch="arras", first_name="Zoé", last_name="Martin")
    item = write_library_item(text=TEMPLATE)
    html = _item_page(client_for(compliance_officer), item)
    assert "Bonjour, ici Zoé de l&#x27;agence de Arras." in html
    assert "As Zoé Martin would post it" in html
    assert "agence de ." not in html


def test_without_an_adviser_to_fill_it_the_slots_stay_marked(
    write_library_item, compliance_officer, client_for
):
    item = write_library_item(text=TEMPLATE)
    html = _item_page(client_for(compliance_officer), item)
    assert '<mark class="slot">{first_name}</mark>' in html
    assert "agence de ." not in html


def test_the_link_explanation_shows_only_when_the_item_has_a_link(
    write_library_item, compliance_officer, client_for
):
    explanation = "The link is replaced by your tracked link"
    plain = write_library_item(text="Une semaine calme sur les marchés.")
    linked = write_library_item(
        text="Une semaine calme sur les marchés.", link_url="https://www.banque-exemple.fr/marches"
    )
    client = client_for(compliance_officer)
    assert explanation not in _item_page(client, plain)
    assert explanation in _item_page(client, linked)
