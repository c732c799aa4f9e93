import pytest
from django.core.exceptions import ImproperlyConfigured

from advocacy.celery import app
from advocacy.env import env_bool, env_int, env_list, parse_email_url


def test_boolean_settings_refuse_values_they_cannot_read(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")
    monkeypatch.setenv("SOME_FLAG", "Yes")
    assert env_bool("SOME_FLAG") is True


def test_integer_settings_refuse_words_and_values_below_their_minimum(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("SOME_NUMBER", 1)
    monkeypatch.setenv("SOME_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env_int("SOME_NUMBER", 1, minimum=1)


def test_list_settings_split_on_commas_and_drop_blanks(monkeypatch):
    monkeypatch.setenv("SOME_LIST", "a.example, b.example,,")
    assert env_list("SOME_LIST") == ["a.example", "b.example"]


def test_email_url_covers_smtp_with_starttls_and_refuses_unknown_schemes():
    config = parse_email_url("smtp://relais%40bank:s3cret@mail.bank.example:587?tls=1")
    assert config["EMAIL_HOST"] == "mail.bank.example" and config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "relais@bank" and config["EMAIL_USE_TLS"] is True
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url("pigeon://loft")


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("advocacy.shares.tasks.publish_share", "publishing"),
        ("advocacy.relationships.tasks.poll_mentions", "polling"),
        ("advocacy.portal.tasks.record_worker_heartbeat", "default"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue


def test_tasks_are_acknowledged_late_and_never_hoarded():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert {q.name for q in app.conf.task_queues} == {"default", "publishing", "polling"}


def test_each_queue_has_its_own_binding_so_a_message_lands_in_one_queue_only():
    bindings = {(q.exchange.name, q.routing_key) for q in app.conf.task_queues}
    assert len(bindings) == 3
