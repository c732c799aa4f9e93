"""The send-time re-check reads the CURRENT compliance rows (settings, category requirements, rule packs,
roles) for every send, even though the policy's inputs are read in one query and reports are memoised: a
change applies to the very next send. Plus the per-thread X client and the redirect's 1-second memo."""

from __future__ import annotations

import threading

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.content.models import ComplianceSettings
from advocacy.links import destinations as links
from advocacy.networks.crypto import Secret
from advocacy.networks.x import client as xclient
from advocacy.org.models import Role, StaffRole
from advocacy.shares import services
from advocacy.shares.models import Share
from compliance.review import checking, rulepacks
from compliance.review.models import CategoryRequirement
from compliance.review.recall import recall_content

from .conftest import live_posts

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.X_RETRY_BASE_SECONDS = 0
    settings.PUBLIC_BASE_URL = "https://relais.banque-test.fr"
    checking.clear_cache()
    yield
    checking.clear_cache()


@pytest.fixture
def two_shares(sandbox, adviser, adviser2, connect, make_item):
    """The same item (so the same approved text) shared by two advisers, the first one already published
    (which leaves the text's report in the memo)."""
    connect(adviser, "camille_x")
    connect(adviser2, "hugo_x")
    item = make_item()
    first = services.schedule_share(adviser=adviser, item=item, when=timezone.now(), actor=adviser)
    second = services.schedule_share(adviser=adviser2, item=item, when=timezone.now(), actor=adviser2)
    assert services.publish_share(share_id=first.pk) == Share.Status.PUBLISHED
    return first, second


def _refused(share: Share) -> str:
    assert services.publish_share(share_id=share.pk) == Share.Status.FAILED
    return Share.objects.get(pk=share.pk).last_error


def test_a_settings_change_applies_to_the_next_send(two_shares, sandbox):
    _first, second = two_shares
    row = ComplianceSettings.current()
    row.allowed_domains = ["autre-banque.fr"]
    row.save()
    assert "current compliance rules" in _refused(second)
    assert len(live_posts(sandbox)) == 1


def test_a_category_requirement_replaced_applies_to_the_next_send(two_shares):
    _first, second = two_shares
    CategoryRequirement.objects.filter(category="market_news").delete()
    CategoryRequirement.objects.create(category="market_news", language="*", required_label="#NouveauLabel")
    assert "current compliance rules" in _refused(second)


def test_a_category_requirement_edited_applies_to_the_next_send(two_shares):
    _first, second = two_shares
    assert CategoryRequirement.objects.filter(category="market_news", language="fr").update(
        required_label="#NouveauLabel"
    )
    assert "current compliance rules" in _refused(second)


def test_a_blocking_rule_added_to_a_pack_applies_to_the_next_send(two_shares, compliance_officer):
    _first, second = two_shares
    pack = rulepacks.create_pack(actor=compliance_officer, name="Nouveau", language="fr", jurisdiction="FR")
    rulepacks.save_rule(
        pack=pack,
        actor=compliance_officer,
        phrase="disponible en agence",
        severity="block",
        explanation="Interdit désormais.",
    )
    assert "current compliance rules" in _refused(second)


def test_an_adviser_who_lost_the_role_is_refused_at_send_time(two_shares, adviser2):
    _first, second = two_shares
    StaffRole.objects.filter(profile__user=adviser2, role=Role.ADVISER).delete()
    assert "access has ended" in _refused(second)


def test_the_policy_costs_one_query_and_the_same_text_is_checked_once(make_item, django_assert_num_queries):
    item = make_item()
    text = item.current_version.text
    checking.check_publishable_text(text, item=item)  # builds the lexicon
    calls = []
    original = checking.checks.run_checks
    checking.checks.run_checks = lambda *a, **k: calls.append(1) or original(*a, **k)
    try:
        with django_assert_num_queries(1):
            first = checking.check_publishable_text(text, item=item)
        with django_assert_num_queries(1):
            assert checking.check_publishable_text(text, item=item) is first
    finally:
        checking.checks.run_checks = original
    assert calls == []


def test_the_x_client_is_reused_per_thread_with_the_token_of_each_call(settings):
    one = xclient._client(Secret("token-a"))
    assert one.bearer_token == "token-a"
    assert xclient._client(Secret("token-b")) is one and one.bearer_token == "token-b"
    other = []
    thread = threading.Thread(target=lambda: other.append(xclient._client(Secret("token-c"))))
    thread.start()
    thread.join()
    assert other[0] is not one and one.bearer_token == "token-b"
    settings.X_TIMEOUT_SECONDS = 3.5
    assert xclient._client(Secret("token-d")) is not one  # routing settings changed: a new client


def test_a_redirect_reads_the_share_once_then_the_shared_cache_and_a_recall_stops_it_there(
    sandbox, adviser, connect, make_item, monkeypatch, compliance_officer, django_capture_on_commit_callbacks
):
    connect(adviser, "camille_x")
    share = services.schedule_share(adviser=adviser, item=make_item(), when=None, actor=adviser)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    code = Share.objects.get(pk=share.pk).link_code
    lookups = []
    original = links.with_utm
    monkeypatch.setattr(links, "with_utm", lambda url, **kw: lookups.append(code) or original(url, **kw))
    client = Client()
    assert client.get(f"/l/{code}", HTTP_USER_AGENT=BROWSER).status_code == 302
    assert client.get(f"/l/{code}", HTTP_USER_AGENT=BROWSER).status_code == 302
    assert lookups == [code]  # the second answer came from the shared cache
    with django_capture_on_commit_callbacks(execute=True):
        recall_content(item=share.item, actor=compliance_officer, reason="Taux erroné")
    assert client.get(f"/l/{code}", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert lookups == [code]  # the dead marker answered, not the share tables
