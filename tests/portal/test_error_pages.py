"""Error pages as people meet them with DEBUG off: 403, 404 and 500 in the portal's look and the person's
language, saying what happened and offering the way back; the 500 page renders with no request and no
database. The dead-link page a client sees names the bank and links to its public site."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TAGLINE = "every post approved, every step archived"


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def _in(language: str, client: Client) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_a_missing_page_says_so_in_the_portal_with_the_menu_and_a_way_home(adviser, client_for):
    response = client_for(adviser).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()

    assert response.status_code == 404
    assert "<h1>This page does not exist</h1>" in html
    assert '<nav class="mainnav"' in html  # the portal's layout, with the person's menu
    assert f'<a class="btn" href="{reverse("portal:home")}">Back to the home page</a>' in html
    assert "/no-such-page/" in html


def test_a_missing_page_speaks_the_persons_language(adviser, client_for):
    html = _in("fr", client_for(adviser)).get("/no-such-page/").content.decode()
    assert '<html lang="fr">' in html
    assert "<h1>Cette page n'existe pas</h1>" in html
    assert "Retour à l'accueil" in html


def test_a_visitor_who_is_not_signed_in_is_offered_to_sign_in_on_a_missing_page(client):
    html = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("account_login") in html


def test_a_refused_page_says_the_role_does_not_reach_it_and_offers_the_way_home(adviser, client_for):
    for language, title in (
        ("en", "You may not open this page"),
        ("fr", "Vous ne pouvez pas ouvrir cette page"),
    ):
        response = _in(language, client_for(adviser)).get(reverse("review:queue"))
        html = response.content.decode()
        assert response.status_code == 403
        assert f"<h1>{title}</h1>" in html, language
        assert '<nav class="mainnav"' in html
        assert f'href="{reverse("portal:home")}"' in html


def test_a_server_error_shows_the_static_error_page_in_the_persons_language(
    adviser, monkeypatch, django_user_model
):
    def broken():
        raise RuntimeError("the database is on fire")

    monkeypatch.setattr("advocacy.portal.views.health_report", broken)
    client = Client(raise_request_exception=False)
    for language, title in (
        ("en", "Something went wrong on our side"),
        ("fr", "Un problème est survenu de notre côté"),
    ):
        response = client.get(reverse("health"), HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        assert response.status_code == 500
        assert f"<h1>{title}</h1>" in html, language
        assert f'<a class="btn" href="{reverse("portal:home")}">' in html
        assert "the database is on fire" not in html


def test_the_server_error_page_needs_no_request_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")  # exactly what Django's server_error does
    assert "<h1>Something went wrong on our side</h1>" in html
    assert 'href="/static/css/relais.css"' in html


def test_a_dead_link_shows_the_banks_name_and_its_public_site_not_relais(client, settings):
    settings.RELAIS_BANK_NAME = "Banque Exemple"
    settings.RELAIS_BANK_PUBLIC_URL = "https://www.banque-exemple.fr/"

    response = client.get(reverse("link_follow", args=["nosuchcode"]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()

    assert response.status_code == 404
    assert "<h1>This link is no longer available</h1>" in html
    assert "<title>Link unavailable · Banque Exemple</title>" in html
    assert '<a class="btn" href="https://www.banque-exemple.fr/">Go to the Banque Exemple website</a>' in html
    assert TAGLINE not in html
    assert f'href="{reverse("portal:home")}"' not in html  # no way into the staff portal


def test_a_dead_link_in_french_without_a_public_site_still_names_the_bank(client, settings):
    settings.RELAIS_BANK_NAME = "Banque Exemple"
    settings.RELAIS_BANK_PUBLIC_URL = ""
    html = client.get(reverse("link_follow", args=["nosuchcode"]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Ce lien n'est plus disponible</h1>" in html
    assert '<span class="brand">Banque Exemple</span>' in html
    assert TAGLINE not in html
