"""The X usage page shows what the ledger holds after real calls to X (tweepy over HTTP to the sandbox): this
month against the budget, by endpoint, by month, a forecast, the recent calls (keyset-paged) and CSV of the
tables, for compliance and administrators only, in a constant number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.networks.usage import selectors
from advocacy.networks.usage.models import ApiCall, UsageBudget
from advocacy.networks.x.network import X
from advocacy.org.models import Role

pytestmark = pytest.mark.django_db


def _chart_data(page: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, f"no data for {chart_id}"
    return json.loads(found.group(1))


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))


def _budget(amount: str) -> None:
    UsageBudget.objects.update_or_create(singleton=True, defaults={"monthly_amount": Decimal(amount)})


@pytest.fixture
def account(sandbox, adviser, connect):
    return connect(adviser, "camille_x")


def test_the_page_shows_this_months_spend_against_the_budget_by_endpoint(
    account, sandbox, client_for, compliance_officer
):
    _budget("1.00")
    X.publish(account, "Nos conseils épargne de la semaine.")  # 0.015
    X.publish(account, "Le livret en agence : https://www.banque-test.fr/livret")  # 0.200
    sandbox.state.add_user("client_lea")
    X.users_by_usernames(account, ["client_lea", "camille_x"])  # 2 users x 0.010
    assert ApiCall.objects.count() == 3

    page = client_for(compliance_officer).get(reverse("usage:overview")).content.decode()

    assert "<dd>0.24&nbsp;USD</dd>" in page  # 0.235 spent
    # budget, and left as the budget less the spend shown: 0.76, not 0.765 rounded up (0.24 + 0.77 ≠ 1.00)
    assert "<dd>1.00&nbsp;USD</dd>" in page and "<dd>0.76&nbsp;USD</dd>" in page
    assert "23 % of the monthly budget used" in page
    assert 'max="1.00" value="0.2350"' in page
    endpoints = _chart_data(page, "usage-by-endpoint")
    assert endpoints["labels"] == ["POST /2/tweets", "GET /2/users/by"]
    assert [s["label"] for s in endpoints["series"]] == ["Cost"]  # calls and resources are table columns
    assert endpoints["series"][0]["values"] == [0.215, 0.02]
    assert endpoints["currency"] == "USD"
    table = re.search(r'id="usage-by-endpoint".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    assert re.findall(r"<th scope=\"row\">([^<]+)</th>", table) == ["POST /2/tweets", "GET /2/users/by"]
    assert '<td class="num">0.2150\xa0USD</td><td class="num">2</td><td class="num">2</td>' in table
    # the text alternative says the same, in a sentence
    assert "Cost: highest POST /2/tweets (0.2150\xa0USD), total 0.2350\xa0USD." in page
    months = _chart_data(page, "usage-by-month")
    assert len(months["labels"]) == 12 and months["series"][0]["values"][-1] == 0.235
    assert '<td class="num">0.24\xa0USD</td>' in page  # this month in the month table: rounded as above
    assert 'data-label="Purpose">publishing<' in page and 'data-label="Purpose">handle lookup<' in page
    assert "@camille_x" in page


def test_spend_reaching_the_budget_says_polling_is_paused(account, client_for, administrator):
    _budget("0.10")
    X.publish(account, "Le livret en agence : https://www.banque-test.fr/livret")  # 0.20 > 0.10
    page = client_for(administrator).get(reverse("usage:overview")).content.decode()
    assert "The budget is reached: reading mentions, followers and engagement is paused" in page
    assert "200 % of the monthly budget used" in page
    assert 'max="0.10" value="0.10"' in page  # the bar is full, not past its end
    assert 'class="budget-progress over"' in page


def test_the_forecast_is_a_straight_line_from_the_months_pace():
    ten_days_in = dt.datetime(2026, 12, 11, tzinfo=dt.UTC)
    assert selectors.forecast_to_month_end(Decimal("10"), now=ten_days_in) == Decimal("31.00")
    february = dt.datetime(2027, 2, 15, tzinfo=dt.UTC)  # 14 of 28 days
    assert selectors.forecast_to_month_end(Decimal("7.5"), now=february) == Decimal("15.00")
    # under a day of the month, no pace yet
    assert (
        selectors.forecast_to_month_end(Decimal("3"), now=dt.datetime(2026, 12, 1, 20, tzinfo=dt.UTC)) is None
    )


def test_the_day_the_budget_is_reached_at_this_pace(account):
    _budget("0.40")
    X.publish(account, "Le livret en agence : https://www.banque-test.fr/livret")  # 0.20
    now = timezone.now()
    start = selectors.month_start(now)
    # seen from the 11th, 0.20 in 10 days is 0.02 a day: 0.40 on the 21st
    ApiCall.objects.update(at=start + dt.timedelta(days=3))
    figures = selectors.month_figures(now=start + dt.timedelta(days=10))
    assert figures.forecast == (Decimal("0.20") * (selectors.next_month(start) - start).days / 10).quantize(
        Decimal("0.01")
    )
    assert figures.reaches_budget_on == (start + dt.timedelta(days=20)).date()
    assert selectors.month_figures(now=start + dt.timedelta(hours=5)).forecast is None


def test_last_months_calls_count_in_their_month_and_the_tables_export_as_csv(
    account, client_for, compliance_officer
):
    X.publish(account, "Nos conseils épargne de la semaine.")
    X.publish(account, "Nos conseils retraite de la semaine.")
    X.mentions(account)
    this_month = selectors.month_start(timezone.now())
    last_month = selectors.month_start(this_month - dt.timedelta(days=1))
    earlier = ApiCall.objects.order_by("pk").first()
    ApiCall.objects.filter(pk=earlier.pk).update(at=last_month + dt.timedelta(days=4))
    client = client_for(compliance_officer)

    months = _csv(client.get(reverse("usage:months_csv")))
    assert months[0] == ["month", "calls", "cost (USD)"]
    assert len(months) == 13
    assert months[-2] == [f"{last_month:%Y-%m}", "1", "0.0150"]
    assert months[-1] == [f"{this_month:%Y-%m}", "2", "0.0150"]  # the mentions read returned nothing

    endpoints = _csv(client.get(reverse("usage:endpoints_csv")))
    assert endpoints == [
        ["month", "endpoint", "calls", "resources billed", "cost (USD)"],
        [f"{this_month:%Y-%m}", "POST /2/tweets", "1", "1", "0.0150"],
        [f"{this_month:%Y-%m}", "GET /2/users/:id/mentions", "1", "0", "0.0000"],
    ]

    response = client.get(reverse("usage:calls_csv"))
    assert response["Content-Disposition"] == f'attachment; filename="x-usage-calls-{this_month:%Y-%m}.csv"'
    calls = _csv(response)
    assert calls[0][:3] == ["time (UTC)", "endpoint", "purpose"]
    assert [row[1:5] for row in calls[1:]] == [
        ["POST /2/tweets", "publish", "@camille_x", "1"],
        ["GET /2/users/:id/mentions", "mentions", "@camille_x", "0"],
    ]


def test_the_page_makes_as_many_queries_with_30_calls_as_with_3(account, sandbox, client_for, administrator):
    client = client_for(administrator)
    sandbox.state.add_user("client_lea")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("usage:overview")).status_code == 200
        return len(queries)

    X.publish(account, "Nos conseils épargne de la semaine.")
    X.mentions(account)
    X.users_by_usernames(account, ["client_lea"])
    client.get(reverse("usage:overview"))  # the budget row exists from here on
    few = count()
    for _ in range(27):
        X.users_by_usernames(account, ["client_lea"])
    assert ApiCall.objects.count() == 30
    assert count() == few
    assert few <= 12


def test_recent_calls_are_paged_newest_first_by_keyset(
    account, sandbox, client_for, compliance_officer, monkeypatch
):
    from advocacy.networks.usage import views

    monkeypatch.setattr(views, "CALLS_PAGE_SIZE", 2)
    X.publish(account, "Nos conseils épargne de la semaine.")
    for _ in range(3):
        X.mentions(account)
    X.publish(account, "Nos conseils retraite de la semaine.")
    ids = list(ApiCall.objects.order_by("-pk").values_list("pk", flat=True))
    client = client_for(compliance_officer)

    def shown(page: str) -> list[str]:
        calls = re.search(r'id="calls-title".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
        return re.findall(r"<code>([^<]+)</code>", calls)

    first = client.get(reverse("usage:overview")).content.decode()
    assert shown(first) == ["POST /2/tweets", "GET /2/users/:id/mentions"]
    assert f'rel="next" href="?before={ids[1]}"' in first and 'rel="prev"' not in first
    second = client.get(reverse("usage:overview"), {"before": ids[1]}).content.decode()
    assert shown(second) == ["GET /2/users/:id/mentions", "GET /2/users/:id/mentions"]
    last = client.get(reverse("usage:overview"), {"before": ids[3]}).content.decode()
    assert shown(last) == ["POST /2/tweets"] and 'rel="next"' not in last and 'rel="prev"' in last


@pytest.mark.parametrize("role", [Role.ADVISER, Role.BRANCH_MANAGER, Role.MARKETING, Role.HR])
def test_only_compliance_and_administrators_see_the_usage(role, make_staff, client_for):
    client = client_for(make_staff(role))
    for name in ("usage:overview", "usage:endpoints_csv", "usage:months_csv", "usage:calls_csv"):
        assert client.get(reverse(name)).status_code == 403


def test_the_page_reads_in_french(account, make_staff, client_for):
    officer = make_staff(Role.COMPLIANCE, branch=None, language="fr")
    X.publish(account, "Nos conseils épargne de la semaine.")
    client = client_for(officer)
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("usage:overview"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Consommation X" in page and "Par point d\u2019accès" in page
    assert "<dd>0,02&nbsp;USD</dd>" in page
    assert "0,0150\xa0USD" in page
