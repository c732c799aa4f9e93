"""The review page of a template shared by many advisers: each wording once, its expansions summarised and
folded, who posts each one, the decision within reach, and a cost that does not grow with the audience."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.content import services
from advocacy.content.models import ContentVersion, Origin
from advocacy.content.workflow import submit_for_review
from advocacy.org.models import Role
from compliance.review import rulepacks

pytestmark = pytest.mark.django_db

TEMPLATE = "Bonjour, je suis {first_name}, votre conseiller à {branch_city}. Parlons de vos projets."
VARIANTS = [
    "Ici {first_name}, à l'agence de {branch_city} : passez nous voir.",
    "Nos agences vous accueillent aussi le samedi matin.",
]
NAMES = ["Anne", "Bruno", "Chloé", "David", "Emma", "Farid"]
NAMES += ["Gaël", "Hélène", "Inès", "Jules", "Karim", "Lou"]
BRANCHES = ["lille", "arras", "nice", "toulon"]


def _advisers(make_staff, count):
    return [
        make_staff(Role.ADVISER, branch=BRANCHES[i % 4], first_name=NAMES[i], last_name=f"Nom{i}")
        for i in range(count)
    ]


def _submitted_template(marketer, *, text=TEMPLATE, variants=VARIANTS) -> ContentVersion:
    item = services.create_item(
        actor=marketer,
        origin=Origin.LIBRARY,
        title="Votre conseiller près de chez vous",
        category="corporate",
        language="fr",
        text=text,
        variants=list(variants),
    )
    submit_for_review(version=item.current_version, actor=marketer)
    return ContentVersion.objects.get(pk=item.current_version_id)


def _page(client, version) -> str:
    response = client.get(reverse("review:review", kwargs={"pk": version.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_each_wording_is_shown_once_with_its_slots_marked_and_its_expansions_folded(
    test_pack, make_staff, marketer, compliance_officer, client_for
):
    _advisers(make_staff, 12)
    version = _submitted_template(marketer)
    html = _page(client_for(compliance_officer), version)
    assert html.count("data-highlighted-text") == 3  # three wordings, not one box per adviser
    assert "Variant 3" not in html
    assert '<mark class="slot">{first_name}</mark>' in html
    assert '<mark class="slot">{branch_city}</mark>' in html
    assert "12 expansions: one per first name and branch city in the audience." in html
    assert html.count('<details class="expansions"') == 2  # the plain variant has nothing to expand
    # Each expansion names who posts it, and the filter box (shown by the script) searches names and cities.
    assert "Bonjour, je suis Farid, votre conseiller à Arras." in html
    assert re.search(r'data-filter-text="[^"]*farid nom5[^"]*arras', html)
    assert 'data-filter-list="expansions-0"' in html
    assert "Every expansion passes the blocking checks" in html


def test_the_summary_says_which_expansion_fails_and_for_whom(
    test_pack, make_staff, marketer, compliance_officer, client_for
):
    _advisers(make_staff, 4)
    version = _submitted_template(marketer)
    # A rule added after submission blocks one adviser's first name: only their expansions fail.
    make_staff(Role.ADVISER, branch="nice", first_name="Mirobolant", last_name="Dupont")
    rulepacks.save_rule(
        pack=test_pack, actor=compliance_officer, phrase="Mirobolant", severity="block", explanation="Non."
    )
    html = _page(client_for(compliance_officer), version)
    assert html.count("1 expansion fails the checks") == 2  # the template and the templated variant
    assert re.search(r"fails the checks</span>\s*for Mirobolant Dupont", html)
    assert "5 expansions: one per first name and branch city in the audience." in html
    assert "disabled" in html.split('class="decision-bar"')[1].split("</div>")[0]  # approval refused


def test_the_decision_buttons_come_before_the_wordings(
    test_pack, make_staff, marketer, compliance_officer, client_for
):
    _advisers(make_staff, 12)
    html = _page(client_for(compliance_officer), _submitted_template(marketer))
    bar = html.index('class="decision-bar"')
    assert bar < html.index("data-highlighted-text")
    for accesskey, label in (("a", "Approve"), ("r", "Request changes"), ("x", "Reject")):
        assert re.search(rf'form="decision-form"[^>]*accesskey="{accesskey}"[^>]*>{label}</button>', html)


def test_a_warning_found_in_every_expansion_is_confirmed_once_and_approval_goes_through(
    test_pack, make_staff, marketer, compliance_officer, client_for
):
    _advisers(make_staff, 6)
    version = _submitted_template(
        marketer, text="Dernière chance, {first_name} vous attend à {branch_city}.", variants=[]
    )
    client = client_for(compliance_officer)
    refused = client.post(reverse("review:decide", kwargs={"pk": version.pk}), {"decision": "approve"})
    assert refused.status_code == 400
    choices = refused.context["warn_choices"]
    assert len(choices) == 1  # one warning, six expansions: one checkbox
    assert "in 6 of 6 expansions" in choices[0][1]
    assert len(choices[0][0].split()) == 6
    done = client.post(
        reverse("review:decide", kwargs={"pk": version.pk}),
        {"decision": "approve", "acknowledged": [choices[0][0]]},
    )
    assert done.status_code == 302
    version.refresh_from_db()
    assert version.status == "approved"
    assert version.approved_texts.count() == 6


def _queries_for_page(client, version) -> int:
    with CaptureQueriesContext(connection) as queries:
        _page(client, version)
    return len(queries)


def test_the_page_costs_the_same_queries_for_3_or_12_advisers(
    test_pack, make_staff, marketer, compliance_officer, client_for
):
    client = client_for(compliance_officer)
    small = _submitted_template(marketer)  # measured against the same audience grown later
    _advisers(make_staff, 3)
    _page(client, small)  # warm the per-process caches (lexicon, session)
    few = _queries_for_page(client, small)
    assert "3 expansions:" in _page(client, small)
    _advisers(make_staff, 12)  # the first three pairs again, and nine new ones
    many = _queries_for_page(client, small)
    assert "12 expansions:" in _page(client, small)
    assert few == many
