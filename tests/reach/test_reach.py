"""HR's recruitment reach (issue 15 items 5 and 6), through the real flow: employees connected to the X
sandbox through tweepy, their followers read by the inbound capture's polling round, sketched, their shares
of a job offer published by the share engine, clicks through /l/, applications imported from an ATS file
with each share's reference; then the pages as HR, managers and others see them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.audience import services as audience_services
from advocacy.audience.selectors import audience_of
from advocacy.content.models import JobOffer
from advocacy.links import clicks
from advocacy.org.models import Role
from advocacy.recruitment.csv_import import import_applications
from advocacy.recruitment.models import ATSProfile
from advocacy.recruitment.references import reference_for
from advocacy.relationships.polling import poll_round
from advocacy.shares import services as share_services
from advocacy.shares.models import Share
from tests.relationships.helpers import LONG_TOKEN, control

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.X_RETRY_BASE_SECONDS = 0
    settings.PUBLIC_BASE_URL = "https://relais.banque-test.fr"
    settings.REACH_MIN_GROUP = 5


@pytest.fixture
def job_offer(make_item, org):
    item = make_item(
        title="Conseiller clientèle à Lille",
        text="Nous recrutons un conseiller clientèle à Lille : postulez !",
        link="https://www.banque-test.fr/carrieres/REQ-101",
        category="recruitment",
        label="",
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    return JobOffer.objects.create(
        item=item,
        job_reference="REQ-101",
        place="Lille",
        branch=org["lille"],
        contract_type=JobOffer.ContractType.PERMANENT,
        closes_on=timezone.localdate() + dt.timedelta(days=29),
    )


def _followed_by(sandbox, username: str, followers: list[str]) -> None:
    for name in followers:
        control(sandbox, "follow", {"target": username, "follower": name})


def _share(person, offer: JobOffer) -> Share:
    share = share_services.schedule_share(adviser=person, item=offer.item, when=None, actor=person)
    share_services.publish_share(share_id=share.pk)  # already done when the commit ran the queued task
    share = Share.objects.get(pk=share.pk)
    assert share.status == Share.Status.PUBLISHED
    return share


def _click(share: Share, times: int, *, agent: str = BROWSER) -> None:
    for n in range(times):
        client = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert client.get(f"/l/{share.link_code}", HTTP_USER_AGENT=agent).status_code == 302


def _applications(offer: JobOffer, rows: list[tuple[str, Share | None, str]]) -> None:
    profile = ATSProfile.objects.create(name="ATS", slug="ats", vendor="generic")
    today = timezone.now().astimezone(dt.UTC).date().isoformat()
    lines = ["application_id;job_reference;applied_at;source_reference;stage;hired_at"]
    for external_id, share, stage in rows:
        ref = reference_for(share.pk) if share else ""
        lines.append(
            f"{external_id};{offer.job_reference};{today};{ref};{stage};{today if stage == 'hired' else ''}"
        )
    result = import_applications(profile=profile, data="\n".join(lines).encode())
    assert not result.errors, [str(e) for e in result.errors]


@pytest.fixture
def relayed(sandbox, connect, make_staff, adviser, adviser2, job_offer):
    """Three employees in two branches share the offer; their followers overlap:

    - camille (Lille): lea, marc, paul, zoe; hugo (Nice): lea, marc, ines; rose (Lille): lea, noah.
      Raw sum 9, each person once 6 (lea three times, marc twice).
    - 3 clicks on camille's link (visitors 1, 2, 3), 2 on hugo's (visitors 1 and 2
      again); applications: 2 from camille's share (one hired), 1 from hugo's, 1 with no reference.
    """
    rose = make_staff(Role.ADVISER, branch="lille", first_name="Rose")
    people = {"camille_x": adviser, "hugo_x": adviser2, "rose_x": rose}
    for username, person in people.items():
        connect(person, username, expires_in=LONG_TOKEN)
    _followed_by(sandbox, "camille_x", ["lea", "marc", "paul", "zoe"])
    _followed_by(sandbox, "hugo_x", ["lea", "marc", "ines"])
    _followed_by(sandbox, "rose_x", ["lea", "noah"])
    assert poll_round().followers_read == 9
    assert audience_services.refresh_sketches() == 3
    assert audience_services.refresh_sketches() == 0  # nothing new read: nothing rebuilt
    shares = {username: _share(person, job_offer) for username, person in people.items()}
    _click(shares["camille_x"], 3)
    _click(shares["hugo_x"], 2)
    _click(shares["hugo_x"], 1, agent="Twitterbot/1.0")  # a bot: not counted
    clicks.flush()
    _applications(
        job_offer,
        [
            ("A-1", shares["camille_x"], "hired"),
            ("A-2", shares["camille_x"], "interview"),
            ("A-3", shares["hugo_x"], "applied"),
            ("A-4", None, "applied"),
        ],
    )
    return {"offer": job_offer, "shares": shares, "people": people}


def _page(client, offer) -> str:
    response = client.get(reverse("reach:offer", args=[offer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_hr_sees_the_funnel_the_deduplicated_audience_and_each_employees_attribution(relayed, hr, client_for):
    offer = relayed["offer"]
    page = _page(client_for(hr), offer)
    report_numbers = {
        "Sharers": "3",
        "Shares": "3",
        "Followers (raw sum)": "9",
        "Audience, each person once": "6",
        # distinct visitors per link and day: 3 on camille's, 2 on hugo's (the bot not counted)
        "Unique clicks": "5",
        "Applications": "4",
        "Hires": "1",
    }
    for label, value in report_numbers.items():
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page, label
    assert "Counted exactly from the follower ids" in page
    assert "1 application carries no share reference" in page
    assert "Per employee (HR only)" in page
    employees = _csv(client_for(hr), offer, "employees")
    by_name = {row[0].split()[0]: row for row in employees[1:]}
    assert by_name["Camille"][-2:] == ["2", "1"] and by_name["Hugo"][-2:] == ["1", "0"]
    assert by_name["Rose"][-2:] == ["0", "0"]


def _csv(client, offer, table: str) -> list[list[str]]:
    response = client.get(reverse("reach:offer_csv", args=[offer.pk, table]))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_estimate_is_used_beyond_the_exact_limit_and_shown_with_its_error(
    relayed, hr, client_for, settings
):
    accounts = [p.x_account.pk for p in relayed["people"].values()]
    exact = audience_of(accounts)
    assert (exact.raw, exact.unique, exact.exact) == (9, 6, True)
    settings.AUDIENCE_EXACT_MAX_FOLLOWERS = 5
    estimate = audience_of(accounts)
    assert (estimate.raw, estimate.unique, estimate.exact) == (9, 6, False)  # HLL is exact on tiny sets
    assert 0.5 < estimate.error_percent < 1.0
    page = _page(client_for(hr), relayed["offer"])
    # The error may go to its own line in a narrow card (a space before it), never inside itself.
    assert '≈&nbsp;6 <span class="stat-error">±&nbsp;0.81&nbsp;%</span>' in page


def test_the_estimate_is_kept_until_the_sharers_or_their_sketches_change(relayed, settings):
    """The union of the sharers' sketches is cached under the sharer set's version: asked again, it is not
    merged again (one query, no sketch read); a sketch rebuilt or another set of accounts is a new union."""
    from advocacy.audience.models import FollowerSketch

    settings.AUDIENCE_EXACT_MAX_FOLLOWERS = 5
    people = relayed["people"]
    accounts = [p.x_account.pk for p in people.values()]
    assert audience_of(accounts).unique == 6
    with CaptureQueriesContext(connection) as again:
        assert audience_of(accounts).unique == 6
    assert len(again) == 1, [q["sql"][:120] for q in again.captured_queries]  # the sketches' sums only
    sketch = FollowerSketch.objects.get(account=people["rose_x"].x_account)
    audience_services.refresh_sketch(sketch.account_id, sketch.read_at)  # rebuilt: built_at moves on
    with CaptureQueriesContext(connection) as rebuilt:
        assert audience_of(accounts).unique == 6
    assert len(rebuilt) == 2  # merged again from the sketches
    # camille (lea, marc, paul, zoe) and hugo (lea, marc, ines): 5 people, not the cached 6 of three
    two = [people["camille_x"].x_account.pk, people["hugo_x"].x_account.pk]
    assert (audience_of(two).raw, audience_of(two).unique) == (7, 5)


def test_follower_ids_enter_the_sketch_only_hashed_with_the_secret_key(relayed, settings):
    from advocacy.audience.models import FollowerSketch

    account = relayed["people"]["camille_x"].x_account
    before = FollowerSketch.objects.get(account=account)
    settings.AUDIENCE_HASH_KEY = "another-key"
    assert audience_services.refresh_sketches() == 3  # a new key: every sketch rebuilt under it
    after = FollowerSketch.objects.get(account=account)
    assert after.key_fingerprint != before.key_fingerprint
    if after.sketch:  # embedded: the serialised sketch differs with the key, and holds no id
        assert bytes(after.sketch) != bytes(before.sketch)
        assert b"lea" not in bytes(after.sketch)


def test_a_manager_sees_only_their_scopes_totals_and_small_groups_as_fewer_than_five(
    relayed, branch_manager, regional_manager, client_for
):
    offer = relayed["offer"]
    lille = _page(client_for(branch_manager), offer)  # Lille: camille and rose
    assert "<dt>Sharers</dt><dd>2</dd>" in lille and "<dt>Followers (raw sum)</dt><dd>6</dd>" in lille
    assert "<dt>Audience, each person once</dt><dd>5</dd>" in lille
    assert '<dt>Applications</dt><dd><span class="withheld">fewer than 5</span></dd>' in lille
    assert "Hugo" not in lille and "Camille" not in lille and "Per employee" not in lille
    assert "Nice Port" not in lille
    south = _page(client_for(regional_manager), offer)  # the south: hugo only
    assert "<dt>Sharers</dt><dd>1</dd>" in south and "Lille Centre" not in south
    branches = _csv(client_for(branch_manager), offer, "branches")
    assert branches[1][0] == "Lille Centre" and branches[1][-2:] == ["fewer than 5", "fewer than 5"]
    response = client_for(branch_manager).get(reverse("reach:offer_csv", args=[offer.pk, "employees"]))
    assert response.status_code == 404


def test_hr_sees_recruitment_never_clients_and_other_roles_are_refused(relayed, personas, client_for):
    offer = relayed["offer"]
    urls = [reverse("reach:offers"), reverse("reach:offers_csv"), reverse("reach:offer", args=[offer.pk])]
    for role, person in personas.items():
        client = client_for(person)
        for url in urls:
            expected = 200 if role in (Role.HR, Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER) else 403
            assert client.get(url).status_code == expected, (role, url)
    assert client_for(personas[Role.HR]).get(reverse("clients:scope")).status_code == 403


def test_an_item_that_is_not_a_job_offer_is_not_found(relayed, make_item, hr, client_for):
    other = make_item(title="Livret")
    assert client_for(hr).get(reverse("reach:offer", args=[other.pk + 1000])).status_code == 404
    assert (
        client_for(hr).get(reverse("reach:offer_csv", args=[relayed["offer"].pk, "secret"])).status_code
        == 404
    )


def test_the_offer_page_makes_the_same_number_of_queries_with_more_sharers(
    relayed, make_staff, connect, sandbox, hr, client_for
):
    offer = relayed["offer"]
    client = client_for(hr)
    _page(client, offer)
    with CaptureQueriesContext(connection) as fewer:
        _page(client, offer)
    for n in range(3):
        person = make_staff(Role.ADVISER, branch="arras", first_name=f"Extra{n}")
        connect(person, f"extra_{n}", expires_in=LONG_TOKEN)
        _followed_by(sandbox, f"extra_{n}", ["lea", f"fan_{n}"])
        share = _share(person, offer)
        _click(share, 2)
    poll_round()
    audience_services.refresh_sketches()
    clicks.flush()
    with CaptureQueriesContext(connection) as more:
        page = _page(client, offer)
    assert "<dt>Sharers</dt><dd>6</dd>" in page
    assert len(more) == len(fewer), [q["sql"][:120] for q in more.captured_queries]


def test_the_offers_list_and_its_csv_carry_every_offer(relayed, hr, client_for):
    client = client_for(hr)
    page = client.get(reverse("reach:offers")).content.decode()
    assert (
        "Conseiller clientèle à Lille" in page and reverse("reach:offer", args=[relayed["offer"].pk]) in page
    )
    response = client.get(reverse("reach:offers_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "REQ-101" and rows[1][4:] == ["3", "3", "5", "4", "1"]


def test_the_figures_are_the_same_read_from_the_daily_roll_up(relayed, hr, client_for):
    """Complete days are read from the roll-up, the rest from the clicks: moved to yesterday and rolled up,
    the clicks give the page the same figures, in the same number of queries."""
    from advocacy.rollups.services import rollup_day
    from advocacy.shares.models import ShareClick

    offer, client = relayed["offer"], client_for(hr)
    with CaptureQueriesContext(connection) as raw:
        before = _csv(client, offer, "employees")
    ShareClick.objects.update(clicked_at=timezone.now() - dt.timedelta(days=1))
    rollup_day((timezone.now() - dt.timedelta(days=1)).astimezone(dt.UTC).date())
    with CaptureQueriesContext(connection) as rolled:
        after = _csv(client, offer, "employees")
    assert after == before
    assert len(rolled) == len(raw) + 2  # the roll-up's two reads, the clicks' read narrowed to the tail

    def rollup_reads(queries) -> int:
        return sum("rollups_dailypostfigures" in q["sql"] for q in queries.captured_queries)

    assert rollup_reads(rolled) == 2
    with CaptureQueriesContext(connection) as cached:  # complete days do not change: kept, not summed again
        assert _csv(client, offer, "employees") == before
    assert rollup_reads(cached) == 0 and len(cached) == len(raw)
    rollup_day((timezone.now() - dt.timedelta(days=1)).astimezone(dt.UTC).date())  # a re-run: read again
    with CaptureQueriesContext(connection) as rerun:
        assert _csv(client, offer, "employees") == before
    assert rollup_reads(rerun) == 2
    page = _page(client, offer)
    assert "<dt>Unique clicks</dt><dd>5</dd>" in page


def test_a_day_rolled_up_again_after_a_later_day_is_read_again(relayed, hr, client_for, monkeypatch):
    """A re-run of an older day that commits after a later day's run (a backfill overlapping the beat, its
    finished_at taken before the later run's) changes neither the latest run nor the number of runs: the
    cached sums are named by each summed day's finished_at, so the page still counts the late click."""
    from advocacy.rollups.models import RollupRun
    from advocacy.rollups.services import rollup_day
    from advocacy.shares.models import ShareClick

    offer, client = relayed["offer"], client_for(hr)
    now = timezone.now()
    yesterday = (now - dt.timedelta(days=1)).astimezone(dt.UTC).date()
    before = yesterday - dt.timedelta(days=1)
    ShareClick.objects.update(clicked_at=dt.datetime.combine(before, dt.time(12), tzinfo=dt.UTC))
    rollup_day(before)
    rollup_day(yesterday)
    assert "<dt>Unique clicks</dt><dd>5</dd>" in _page(client, offer)  # summed from the roll-up, cached

    _click(relayed["shares"]["rose_x"], 1)  # a late click, filed on the day before yesterday
    clicks.flush()
    ShareClick.objects.filter(clicked_at__gte=now).update(
        clicked_at=dt.datetime.combine(before, dt.time(13), tzinfo=dt.UTC)
    )
    latest = RollupRun.objects.get(day=yesterday).finished_at
    monkeypatch.setattr(timezone, "now", lambda: latest - dt.timedelta(seconds=1))  # the clock it read
    rollup_day(before)
    monkeypatch.undo()
    assert RollupRun.objects.get(day=before).finished_at < latest  # the latest run did not change
    assert "<dt>Unique clicks</dt><dd>6</dd>" in _page(client, offer)
    rows = {row[0]: row for row in _csv(client, offer, "employees")}
    assert rows["Rose " + relayed["people"]["rose_x"].last_name][5] == "1"
