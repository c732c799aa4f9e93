"""The adviser's "My results": figures that match what was measured (X's counts read by the metrics rounds
from the sandbox, clicks on tracked links through /l/), day by day, best posts, clients engaged, CSV;
only their own figures; constant queries; every other role refused."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import requests
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.links import clicks
from advocacy.metrics.models import MetricSnapshot
from advocacy.metrics.reading import read_due_metrics
from advocacy.org.models import Role
from advocacy.shares import services
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db

URL, CSV_URL = "/results/me/", "/results/me/daily.csv"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
REAL_NOW = timezone.now


def _metrics(sandbox, share: Share, **counts) -> None:
    response = requests.post(
        f"{sandbox.url}/_sandbox/metrics", json={"tweet_id": share.network_post_id, **counts}, timeout=5
    )
    response.raise_for_status()


def _click(share: Share, times: int = 1) -> None:
    for _n in range(times):
        assert Client().get(f"/l/{share.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 302


@pytest.fixture
def clock(monkeypatch):
    """Move Django's clock (``timezone.now``) so that posts can be published and read on earlier days; the
    sandbox and the click intake keep real time."""

    def set_to(when: dt.datetime | None):
        monkeypatch.setattr(timezone, "now", (lambda: when) if when else REAL_NOW)

    return set_to


def _publish(adviser, make_item, n: int) -> Share:
    item = make_item(title=f"Livret {n}", text=f"Notre livret numéro {n} est disponible en agence.")
    share = services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    return Share.objects.get(pk=share.pk)


@pytest.fixture
def history(sandbox, adviser, connect, make_item, clock):
    """Three posts of one adviser, published and read through the real flow:

    - C, published 10 days ago and read then (1,000 impressions), read again today (1,100);
    - A and B, published yesterday at 10:00 UTC and read an hour later (A 100 impressions, 5 likes,
      2 reposts; B 40 impressions, 1 like), read again today (A 250 impressions, 9 likes; B unchanged);
    - today, 2 clicks on A's tracked link and 1 on B's.
    """
    connect(adviser, "camille_x")  # at real time: the tokens are valid for the sandbox
    today = REAL_NOW().astimezone(dt.UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    if REAL_NOW() < today + dt.timedelta(minutes=5):
        today -= dt.timedelta(days=1)  # before 10:05 UTC: "today" is yesterday (reads below stay in the past)
    earlier, yesterday = today - dt.timedelta(days=10), today - dt.timedelta(days=1)
    hour = dt.timedelta(hours=1, minutes=1)

    clock(earlier)
    c = _publish(adviser, make_item, 0)
    _metrics(sandbox, c, impression_count=1000, like_count=30)
    read_due_metrics(now=earlier)
    clock(earlier + hour)
    assert read_due_metrics(now=earlier + hour).read == 1

    clock(yesterday)
    a, b = _publish(adviser, make_item, 1), _publish(adviser, make_item, 2)
    _metrics(sandbox, a, impression_count=100, like_count=5, retweet_count=2)
    _metrics(sandbox, b, impression_count=40, like_count=1)
    clock(yesterday + hour)
    assert read_due_metrics(now=yesterday + hour).read == 3  # A and B for the first time, C (due) unchanged

    clock(None)
    _metrics(sandbox, a, impression_count=250, like_count=9, retweet_count=2)
    _metrics(sandbox, c, impression_count=1100, like_count=31)
    assert read_due_metrics(now=REAL_NOW()).read == 3
    _click(a, 2)
    _click(b)
    clicks.flush()
    return {"a": a, "b": b, "c": c, "read_day": yesterday.date()}


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_figures_match_the_snapshots_and_clicks_day_by_day(history, adviser, client_for):
    assert MetricSnapshot.objects.count() == 1 + 3 + 3
    client = client_for(adviser)
    results = client.get(URL, {"days": 7}).context["results"]
    days = {d.day: d for d in results.days}
    today = REAL_NOW().astimezone(dt.UTC).date()
    assert len(results.days) == 7 and results.days[-1].day == today
    yesterday = history["read_day"]  # A's and B's first reads (two days ago before 10:05 UTC)
    # C's 1,000 impressions of 10 days ago are before the range: only what it gained since counts.
    assert (days[yesterday].impressions, days[yesterday].engagements) == (140, 8)
    assert (days[today].impressions, days[today].engagements, days[today].clicks) == (150 + 100, 4 + 1, 3)
    assert (results.impressions, results.engagements, results.clicks) == (390, 13, 3)
    best = results.best
    assert [p.share_id for p in best] == [history["a"].pk, history["b"].pk, history["c"].pk]
    assert (best[0].impressions, best[0].engagements, best[0].clicks) == (250, 11, 2)
    assert best[0].text.startswith("Notre livret numéro 1") and best[0].url == history["a"].post_url

    # Over 30 days C's first read is in the range: its 1,000 first impressions count too.
    wide = client.get(URL).context["results"]
    assert wide.range.days == 30
    assert (wide.impressions, wide.engagements) == (390 + 1000, 13 + 30)
    assert "<dd>1,390</dd>" in client.get(URL).content.decode()  # grouped as the language writes numbers

    page = client.get(URL, {"days": 7}).content.decode()
    assert "Notre livret numéro 1" in page and history["a"].post_url in page
    assert 'id="results-impressions-data"' in page and "<table" in page


def test_the_csv_is_the_daily_table(history, adviser, client_for):
    response = client_for(adviser).get(CSV_URL, {"days": 7})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0] == ["day (UTC)", "impressions", "engagements", "link clicks"]
    today = REAL_NOW().astimezone(dt.UTC).date()
    assert len(rows) == 1 + 7
    assert [history["read_day"].isoformat(), "140", "8", "0"] in rows
    assert rows[-1] == [today.isoformat(), "250", "5", "3"]


def test_the_csv_headings_are_french_for_a_french_reader(history, adviser, client_for):
    adviser.staff.language = "fr"
    adviser.staff.save(update_fields=["language"])
    client = client_for(adviser)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    rows = _rows(client.get(CSV_URL, {"days": 7}, HTTP_ACCEPT_LANGUAGE="fr"))
    assert rows[0] == ["jour (UTC)", "impressions", "engagements", "clics sur le lien"]
    page = client.get(URL, {"days": 7}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mes résultats" in page and "Taux d\u2019engagement" in page


def test_a_period_other_than_7_30_or_90_days_is_refused(adviser, client_for):
    client = client_for(adviser)
    for bad in ("12", "0", "-7", "abc", "100000"):
        assert client.get(URL, {"days": bad}).status_code == 400, bad
        assert client.get(CSV_URL, {"days": bad}).status_code == 400, bad
    for good in ("7", "30", "90"):
        assert client.get(URL, {"days": good}).context["results"].range.days == int(good)


def test_an_adviser_sees_only_their_own_figures(history, adviser2, client_for, make_staff):
    from advocacy.clients.models import Client as BankClient
    from advocacy.relationships.models import Interaction

    results = client_for(adviser2).get(URL, {"days": 7}).context["results"]
    assert (results.impressions, results.engagements, results.clicks, results.best) == (0, 0, 0, [])
    rows = _rows(client_for(adviser2).get(CSV_URL, {"days": 7}))
    assert {tuple(r[1:]) for r in rows[1:]} == {("0", "0", "0")}
    # Another adviser's client interactions do not count for this one either.
    owner = history["a"].adviser
    client = BankClient.objects.create(
        adviser=owner, branch=owner.staff.branch, client_ref="C-1", x_user_id="777"
    )
    Interaction.objects.create(
        adviser=owner, client=client, kind="like", key="like:1", actor_id="777", occurred_at=timezone.now(),
        via="poll",
    )  # fmt: skip
    assert client_for(adviser2).get(URL).context["results"].client_interactions == 0
    assert client_for(owner).get(URL).context["results"].client_interactions == 1


def test_client_interactions_in_the_range_are_counted(adviser, client_for):
    from advocacy.clients.models import Client as BankClient
    from advocacy.relationships.models import Interaction

    now = timezone.now()
    one = BankClient.objects.create(adviser=adviser, branch=adviser.staff.branch, client_ref="C-1")
    two = BankClient.objects.create(adviser=adviser, branch=adviser.staff.branch, client_ref="C-2")
    for n, (who, ago) in enumerate([(one, 1), (one, 2), (two, 5), (two, 20), (None, 1)]):
        Interaction.objects.create(
            adviser=adviser, client=who, kind="like", key=f"like:{n}", actor_id=str(n),
            occurred_at=now - dt.timedelta(days=ago), via="poll",
        )  # fmt: skip
    client = client_for(adviser)
    week = client.get(URL, {"days": 7}).context["results"]
    assert (week.client_interactions, week.clients_engaged) == (
        3,
        2,
    )  # not the one of 20 days, nor a stranger
    month = client.get(URL).context["results"]
    assert (month.client_interactions, month.clients_engaged) == (4, 2)


def _published_with_metrics(sandbox, adviser, make_item, count: int, start: int) -> None:
    for n in range(start, start + count):
        share = _publish(adviser, make_item, n)
        _metrics(sandbox, share, impression_count=10 + n, like_count=1)
        _click(share)
    clicks.flush()


def test_the_page_and_the_csv_make_the_same_queries_for_3_and_30_posts(
    sandbox, adviser, connect, make_item, client_for, clock
):
    connect(adviser, "camille_x")
    client = client_for(adviser)
    base = REAL_NOW() - dt.timedelta(days=2)
    counts = []
    published = 0
    for day, total in enumerate((3, 30)):
        clock(base + dt.timedelta(days=day))
        _published_with_metrics(sandbox, adviser, make_item, total - published, published)
        published = total
        read_due_metrics(now=timezone.now() + dt.timedelta(hours=1, minutes=1))
        clock(None)
        client.get(URL)  # warm the session alike for both sizes
        with CaptureQueriesContext(connection) as page:
            response = client.get(URL)
        with CaptureQueriesContext(connection) as export:
            client.get(CSV_URL)
        assert len(response.context["results"].best) == min(total, 5)
        counts.append((len(page), len(export)))
    assert MetricSnapshot.objects.count() == 3 + 30  # the first 3 read again the next day
    assert response.context["results"].clicks == 30
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    "role", [Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.COMPLIANCE, Role.MARKETING, Role.HR, Role.ADMIN]
)
def test_other_roles_are_refused(role, make_staff, client_for):
    client = client_for(make_staff(role, managed_region="north" if role == Role.REGIONAL_MANAGER else None))
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_signed_out_visitors_go_to_sign_in(client):
    assert client.get(URL).status_code == 302
    assert "/login/" in client.get(CSV_URL)["Location"]
