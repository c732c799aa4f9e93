import time

import pytest
from django.utils import timezone

from advocacy.portal.models import WorkerHeartbeat


@pytest.mark.django_db
def test_health_reports_database_broker_and_workers_as_json(client):
    response = client.get("/health/")
    body = response.json()
    assert set(body) == {"database", "broker", "workers"}
    assert body["database"]["ok"] is True
    assert response.status_code == (200 if body["broker"]["ok"] else 503)


@pytest.mark.django_db
def test_health_counts_only_workers_seen_recently(client):
    WorkerHeartbeat.objects.create(
        hostname="stale@host", seen_at=timezone.now() - timezone.timedelta(hours=1)
    )
    assert client.get("/health/").json()["workers"] == {"ok": False, "detail": "0 alive"}
    WorkerHeartbeat.objects.create(hostname="fresh@host", seen_at=timezone.now())
    assert client.get("/health/").json()["workers"] == {"ok": True, "detail": "1 alive"}


@pytest.mark.django_db
def test_health_page_renders_for_a_browser(client):
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert b"database" in response.content


@pytest.mark.services
def test_a_real_worker_on_redis_runs_the_heartbeat_and_health_sees_it(celery_worker_for_tests, client):
    from advocacy.portal.tasks import record_worker_heartbeat

    record_worker_heartbeat.delay()
    deadline = time.monotonic() + 20
    while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert WorkerHeartbeat.objects.exists(), "the worker never ran the heartbeat task"
    body = client.get("/health/").json()
    assert body["broker"] == {"ok": True, "detail": "redis"}
    assert body["workers"]["ok"] is True


@pytest.mark.django_db
def test_an_advisers_home_shows_their_x_connection_and_sharing_figures(adviser, client_for):
    response = client_for(adviser).get("/")
    assert response.status_code == 200
    assert b"No X account connected yet." in response.content
    assert response.context["sharing"]["by_status"] == {}
    assert response.context["sharing"]["clicks"] == 0


@pytest.mark.django_db
def test_a_managers_home_lists_their_team_with_its_recent_posts_in_constant_queries(
    branch_manager, make_staff, client_for, django_assert_max_num_queries
):
    for _ in range(5):
        make_staff("adviser", branch="lille")
    make_staff("adviser", branch="nice")  # another branch: not in the team
    client = client_for(branch_manager)
    client.get("/")  # warm sessions and caches
    with django_assert_max_num_queries(15):
        response = client.get("/")
    assert len(response.context["team"]) == 5
    assert all(member.published_30d == 0 for member in response.context["team"])
