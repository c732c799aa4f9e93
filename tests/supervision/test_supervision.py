"""The supervision queue (FINRA Notice 17-18): every sent reply is sampled at the adviser's rate, a reply
or inbound post raising a lexicon flag always enters, compliance reviews oldest first, and each decision
is archived as the compliance officer's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.relationships.models import Interaction
from advocacy.replies.models import Reply, ReplyStatus
from compliance.archive.models import ArchiveRecord
from compliance.supervision import services
from compliance.supervision.models import SamplingRate, SupervisionItem
from compliance.supervision.sampling import is_sampled

pytestmark = pytest.mark.django_db

PLAIN = "@camille_x Bonjour, merci pour votre publication."
COMPLAINT = "@camille_x Je vais déposer une réclamation, c'est inadmissible."
ADVICE = "@camille_x Should I invest in your new fund?"


def _answer(http, interaction, text, capture) -> Reply:
    url = reverse("replies:new", kwargs={"interaction_id": interaction.pk})
    page = http.get(url).content.decode()
    key = page.split('name="request_key" value="', 1)[1].split('"', 1)[0]
    with capture(execute=True):
        response = http.post(url, {"text": text, "request_key": key})
    assert response.status_code == 302, response.content.decode()[:500]
    reply = Reply.objects.get(request_key=key)
    assert reply.status == ReplyStatus.SENT
    return reply


def test_sampling_is_deterministic_and_honours_the_rate_over_many_replies():
    ids = range(1, 20_001)
    for percent in (5, 10, 25, 50):
        sampled = sum(is_sampled(i, percent) for i in ids)
        # Binomial: n=20,000, standard deviation at most 71 replies; 4 deviations either side.
        assert abs(sampled - percent * 200) < 4 * (20_000 * percent / 100 * (1 - percent / 100)) ** 0.5
    assert [is_sampled(i, 10) for i in range(1, 200)] == [is_sampled(i, 10) for i in range(1, 200)]
    assert not any(is_sampled(i, 0) for i in ids)
    assert all(is_sampled(i, 100) for i in ids)
    at_10 = {i for i in ids if is_sampled(i, 10)}
    assert at_10 <= {i for i in ids if is_sampled(i, 25)}  # a higher rate keeps the lower rate's sample


def test_a_reply_to_a_complaint_always_enters_even_at_a_zero_rate_with_its_flags(
    sandbox, adviser, mention, client_for, settings, django_capture_on_commit_callbacks
):
    settings.SUPERVISION_SAMPLE_PERCENT = 0
    reply = _answer(
        client_for(adviser),
        mention(COMPLAINT),
        "Je suis désolée, je vous appelle aujourd'hui.",
        django_capture_on_commit_callbacks,
    )
    item = SupervisionItem.objects.get(reply=reply)
    assert item.in_queue and item.reason == "flagged" and item.rate_percent == 0
    assert item.flags == ["complaint"]
    assert item.flag_details[0]["where"] == "inbound"
    [queued] = ArchiveRecord.objects.filter(event_type="supervision.queued")
    assert queued.payload["reply"] == reply.pk and queued.payload["reason"] == "flagged"
    assert queued.network_post_id == reply.network_post_id


def test_an_iban_the_client_gave_in_public_flags_personal_data_without_storing_it(
    sandbox, adviser, mention, client_for, compliance_officer, settings, django_capture_on_commit_callbacks
):
    settings.SUPERVISION_SAMPLE_PERCENT = 0
    reply = _answer(
        client_for(adviser),
        mention(),
        "Merci, je vous rappelle en privé.",
        django_capture_on_commit_callbacks,
    )
    item = SupervisionItem.objects.get(reply=reply)
    assert item.personal_data and item.in_queue
    assert item.flag_details == [{"flag": "personal_data", "where": "inbound", "matched": "pii.iban"}]
    assert "3000 6000" not in str(ArchiveRecord.objects.get(event_type="supervision.queued").payload)
    page = client_for(compliance_officer).get(reverse("supervision:queue")).content.decode()
    assert "Personal data in the post answered: an IBAN" in page


def test_an_unflagged_reply_is_sampled_by_the_rate_and_the_advisers_override_wins(
    sandbox, adviser, mention, client_for, compliance_officer, settings, django_capture_on_commit_callbacks
):
    settings.SUPERVISION_SAMPLE_PERCENT = 0
    http = client_for(adviser)
    first = _answer(http, mention(PLAIN), "Merci à vous !", django_capture_on_commit_callbacks)
    entry = SupervisionItem.objects.get(reply=first)
    assert not entry.in_queue and entry.reason == "not_sampled"
    assert not ArchiveRecord.objects.filter(event_type="supervision.queued").exists()

    officer = client_for(compliance_officer)
    response = officer.post(reverse("supervision:rates"), {"adviser_email": adviser.email, "percent": "100"})
    assert response.status_code == 302
    assert SamplingRate.objects.get(adviser=adviser).percent == 100
    [changed] = ArchiveRecord.objects.filter(event_type="supervision.rate_changed")
    assert changed.actor_id == compliance_officer.pk
    assert (changed.payload["before"], changed.payload["after"], changed.payload["default"]) == (None, 100, 0)
    assert adviser.email in officer.get(reverse("supervision:rates")).content.decode()

    second = _answer(
        http,
        mention("@camille_x Bonne journée", author="client_marc"),
        "Bonne journée !",
        django_capture_on_commit_callbacks,
    )
    entry = SupervisionItem.objects.get(reply=second)
    assert entry.in_queue and entry.reason == "sampled" and entry.rate_percent == 100


def test_compliance_reviews_oldest_first_and_a_decision_leaves_the_queue_archived(
    sandbox, adviser, mention, client_for, compliance_officer, settings, django_capture_on_commit_callbacks
):
    settings.SUPERVISION_SAMPLE_PERCENT = 100
    http = client_for(adviser)
    older = _answer(http, mention(COMPLAINT), "Je vous appelle.", django_capture_on_commit_callbacks)
    newer = _answer(
        http,
        mention(ADVICE, author="client_marc"),
        "Let us talk in branch.",
        django_capture_on_commit_callbacks,
    )
    officer = client_for(compliance_officer)
    page = officer.get(reverse("supervision:queue")).content.decode()
    assert page.index("inadmissible") < page.index("Should I invest")  # oldest first, inbound shown
    assert "Je vous appelle." in page and "Let us talk in branch." in page  # the replies beside them
    assert '<span class="badge badge-warn">Complaint</span>' in page
    assert '<span class="badge badge-warn">Advice request</span>' in page

    only_advice = officer.get(reverse("supervision:queue"), {"flag": "advice_request"}).content.decode()
    assert "Should I invest" in only_advice and "inadmissible" not in only_advice

    item = SupervisionItem.objects.get(reply=older)
    url = reverse("supervision:decide", args=[item.pk])
    response = officer.post(url, {"decision": "escalated", "comment": "Réclamation à traiter."})
    assert response.status_code == 302
    again = officer.post(url, {"decision": "reviewed"})  # a second click decides nothing
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.decision == "escalated" and item.reviewed_by == compliance_officer
    [decided] = ArchiveRecord.objects.filter(event_type="supervision.reviewed")
    assert decided.actor_id == compliance_officer.pk
    assert decided.payload["decision"] == "escalated"
    assert decided.payload["comment"] == "Réclamation à traiter."
    assert decided.payload["reply"] == older.pk

    page = officer.get(reverse("supervision:queue")).content.decode()
    assert "inadmissible" not in page and "Should I invest" in page
    assert SupervisionItem.objects.get(reply=newer).reviewed_at is None


def test_supervision_is_for_compliance_only(client_for, personas):
    for role in ("adviser", "branch_manager", "regional_manager", "marketing", "hr", "admin"):
        http = client_for(personas[role])
        assert http.get(reverse("supervision:queue")).status_code == 403, role
        assert http.post(reverse("supervision:decide", args=[1]), {"decision": "reviewed"}).status_code == 403
        assert (
            http.post(reverse("supervision:rates"), {"adviser_email": "x@y.z", "percent": "5"}).status_code
            == 403
        )


def _sent_replies(adviser, count: int, start: int) -> None:
    """Sent replies as the engine leaves them, each supervised by the real service (all sampled)."""
    for n in range(start, start + count):
        interaction = Interaction.objects.create(
            adviser=adviser,
            kind="mention",
            key=f"post:{700000 + n}",
            actor_id="880001",
            actor_username="client_lea",
            post_id=str(700000 + n),
            text=f"@camille_x question {n}",
            occurred_at=timezone.now(),
            via="poll",
        )
        reply = Reply.objects.create(
            adviser=adviser,
            interaction=interaction,
            in_reply_to_post_id=interaction.post_id,
            text=f"Réponse {n}",
            request_key=f"key-{n}",
            status=ReplyStatus.SENT,
            network_post_id=str(800000 + n),
            sent_at=timezone.now(),
        )
        services.supervise_reply(Reply.objects.select_related("adviser").get(pk=reply.pk))


def test_the_queue_page_costs_the_same_queries_with_3_or_30_entries(
    adviser, compliance_officer, client_for, settings
):
    settings.SUPERVISION_SAMPLE_PERCENT = 100
    officer = client_for(compliance_officer)
    url = reverse("supervision:queue")
    officer.get(url)  # warm the session and the caches
    _sent_replies(adviser, 3, 0)
    with CaptureQueriesContext(connection) as small:
        assert officer.get(url).status_code == 200
    _sent_replies(adviser, 27, 3)
    with CaptureQueriesContext(connection) as large:
        page = officer.get(url).content.decode()
    assert len(large) == len(small)
    assert (
        "Réponse 0" in page and "Réponse 19" in page and "Réponse 20" not in page
    )  # 20 a page, oldest first
    second = officer.get(url, {"after": SupervisionItem.objects.order_by("pk")[19].pk}).content.decode()
    assert "Réponse 20" in second and "Réponse 29" in second and "Réponse 19" not in second


def test_the_sweep_supervises_a_sent_reply_that_has_no_entry(adviser, settings):
    settings.SUPERVISION_SAMPLE_PERCENT = 100
    _sent_replies(adviser, 1, 0)
    SupervisionItem.objects.all().delete()
    assert services.sweep_unsupervised() == 1
    assert services.sweep_unsupervised() == 0
    assert SupervisionItem.objects.get().in_queue


def test_the_service_samples_sent_replies_at_the_rate(adviser, settings):
    settings.SUPERVISION_SAMPLE_PERCENT = 25
    _sent_replies(adviser, 200, 0)
    entries = list(SupervisionItem.objects.all())
    assert len(entries) == 200
    queued = [e for e in entries if e.in_queue]
    assert all(e.reason == "sampled" and e.rate_percent == 25 for e in queued)
    assert len(queued) == sum(is_sampled(e.reply_id, 25) for e in entries)  # the keyed hash decides
    assert abs(len(queued) - 50) < 25  # 4 standard deviations of a 25 % sample of 200
    assert ArchiveRecord.objects.filter(event_type="supervision.queued").count() == len(queued)
