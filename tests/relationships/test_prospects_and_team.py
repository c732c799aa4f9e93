"""Prospects (people who engage and are not clients) and turning one into a client through the consent
flow; the managers' view of their advisers' relationships, within their scope only, in a constant number of
queries; compliance's list of relationship capture gaps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.clients.models import Client
from advocacy.clients.resolution import resolve_pending
from advocacy.networks.interface import Activity, Person, Post
from advocacy.org.models import Role
from advocacy.relationships.answers import mark_answered
from advocacy.relationships.ingest import ingest
from advocacy.relationships.models import CaptureGap, Interaction
from advocacy.relationships.polling import poll_round
from tests.relationships.helpers import consented_client, control

pytestmark = pytest.mark.django_db


def _activity(account, kind: str, actor_id: str, who: str, n: int, *, at=None, text: str = "") -> Activity:
    at = at or timezone.now()
    post = Post(id=f"9{n}", text=text, created_at=at, author_id=actor_id, author_username=who)
    return Activity(
        kind=kind,
        account_user_id=account.x_user_id,
        actor=Person(id=actor_id, username=who, name=who.title()),
        key=f"{actor_id}:{n}" if kind == "like" else f"9{n}",
        occurred_at=at,
        post=post if kind in ("mention", "reply") else None,
        target_post_id=str(n),
    )


def _prospects(client, **params) -> str:
    return client.get(reverse("relationships:prospects"), params).content.decode()


def test_prospects_rank_people_who_engage_and_making_one_a_client_goes_through_consent(
    sandbox, adviser, adviser2, connect, client_for
):
    account = connect(adviser, "camille_x")
    consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    for name in ("client_marc", "client_paul"):
        sandbox.state.add_user(name)
    control(sandbox, "mention", {"from": "client_marc", "to": "camille_x", "text": "@camille_x une question"})
    control(sandbox, "mention", {"from": "client_marc", "to": "camille_x", "text": "@camille_x et une autre"})
    control(sandbox, "mention", {"from": "client_paul", "to": "camille_x", "text": "@camille_x bonjour"})
    control(sandbox, "mention", {"from": "client_lea", "to": "camille_x", "text": "@camille_x merci"})
    poll_round()

    me = client_for(adviser)
    page = _prospects(me)
    assert "@client_lea" not in page  # a client, not a prospect
    assert page.index("@client_marc") < page.index("@client_paul")  # two engagements before one
    assert "@client_paul" not in _prospects(me, q="marc")
    other = client_for(adviser2)
    assert "@client_marc" not in _prospects(other) and "@client_marc" not in _prospects(other, q="marc")

    add = reverse("clients:add") + "?x_handle=client_marc"
    assert add in page
    response = me.post(add, {"client_ref": "CRM-002", "first_name": "Marc", "last_name": "Petit"})
    marc = Client.objects.get(client_ref="CRM-002")
    assert response.status_code == 302 and "x_handle=client_marc" in response["Location"]
    assert marc.x_handle == "" and not marc.consent_given  # no consent yet: no handle stored
    consent_page = me.get(response["Location"]).content.decode()
    assert 'value="client_marc"' in consent_page
    me.post(
        response["Location"],
        {"method": "form", "consent_date": timezone.localdate().isoformat(), "x_handle": "client_marc"},
    )
    resolve_pending()
    marc.refresh_from_db()
    assert marc.consent_given and marc.x_user_id
    assert "@client_marc" not in _prospects(me)  # now a client
    assert "@client_paul" in _prospects(me)
    assert Interaction.objects.filter(adviser=adviser).count() == 4
    assert account.user == adviser


def test_the_prospects_page_reads_in_a_constant_number_of_queries(adviser, connect, client_for):
    account = connect(adviser, "camille_x")
    me = client_for(adviser)
    ingest([_activity(account, "like", f"50{n}", f"fan_{n}", n) for n in range(3)], via=Interaction.Via.POLL)
    with CaptureQueriesContext(connection) as few:
        assert "@fan_2" in _prospects(me)
    ingest(
        [_activity(account, "like", f"50{n}", f"fan_{n}", n) for n in range(3, 30)], via=Interaction.Via.POLL
    )
    with CaptureQueriesContext(connection) as many:
        assert "@fan_29" in _prospects(me)
    assert len(many) == len(few)


def _team(client, **params):
    return client.get(reverse("relationships:team"), params)


def test_managers_see_their_advisers_figures_and_nobody_elses(
    sandbox,
    adviser,
    adviser2,
    connect,
    branch_manager,
    regional_manager,
    administrator,
    client_for,
):
    account = connect(adviser, "camille_x")
    lea = consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    asked = timezone.now() - dt.timedelta(hours=5)
    ingest(
        [
            _activity(account, "reply", lea.x_user_id, "client_lea", 1, at=asked, text="Une question ?"),
            _activity(account, "mention", lea.x_user_id, "client_lea", 2, at=asked, text="Et une autre"),
            _activity(account, "like", "801", "prospect_one", 3),
        ],
        via=Interaction.Via.POLL,
    )
    first, second = Interaction.objects.filter(client=lea).order_by("pk")
    mark_answered(first.pk, asked + dt.timedelta(hours=1))
    mark_answered(second.pk, asked + dt.timedelta(hours=3))  # median of 1 h and 3 h: 2 h
    mark_answered(second.pk, asked + dt.timedelta(hours=4))  # a second answer does not move the first

    page = _team(client_for(branch_manager)).content.decode()
    assert "Camille" in page and "Hugo" not in page  # Lille's manager: Lille's adviser only
    assert "2 h 00 min" in page
    row = _team(client_for(branch_manager)).context["rows"][0]
    assert (row.linked_clients, row.engaged_clients, row.new_prospects) == (1, 1, 1)

    regional = _team(client_for(regional_manager)).content.decode()
    assert "Hugo" in regional and "Camille" not in regional  # the south region only
    everyone = _team(client_for(administrator)).content.decode()
    assert "Camille" in everyone and "Hugo" in everyone

    detail = reverse("relationships:team_adviser", args=[adviser.pk])
    assert client_for(branch_manager).get(detail).status_code == 200
    assert "Léa Martin" in client_for(branch_manager).get(detail).content.decode()
    assert client_for(regional_manager).get(detail).status_code == 404  # another region's adviser by id
    other = reverse("relationships:team_adviser", args=[adviser2.pk])
    assert client_for(branch_manager).get(other).status_code == 404
    assert client_for(adviser).get(detail).status_code == 403


def test_the_team_view_is_sortable_and_reads_in_a_constant_number_of_queries(
    make_staff, branch_manager, client_for
):
    manager = client_for(branch_manager)
    for n in range(3):
        make_staff(Role.ADVISER, branch="lille", last_name=f"Nom{n:02d}", email=f"c{n}@bank.test")
    with CaptureQueriesContext(connection) as few:
        assert len(_team(manager).context["rows"]) == 3
    for n in range(3, 30):
        make_staff(Role.ADVISER, branch="lille", last_name=f"Nom{n:02d}", email=f"c{n}@bank.test")
    with CaptureQueriesContext(connection) as many:
        rows = _team(manager, sort="-name").context["rows"]
    assert len(rows) == 30 and len(many) == len(few)
    names = [r.name for r in rows]
    assert names == sorted(names, reverse=True)


def test_compliance_reads_relationship_capture_gaps_paged_in_constant_queries(
    adviser, connect, compliance_officer, client_for
):
    account = connect(adviser, "camille_x")
    officer = client_for(compliance_officer)
    url = reverse("relationships:capture_gaps")
    for n in range(3):
        CaptureGap.objects.create(account=account, after_id=f"10{n}", before_id=f"20{n}")
    with CaptureQueriesContext(connection) as few:
        assert "202" in officer.get(url).content.decode()
    for n in range(3, 60):
        CaptureGap.objects.create(account=account, after_id=f"10{n}", before_id=f"20{n}")
    with CaptureQueriesContext(connection) as many:
        page = officer.get(url).content.decode()
    assert "2059" in page and "2005" not in page  # 50 a page, newest first
    assert len(many) == len(few)
