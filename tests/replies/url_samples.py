"""URL arguments for the reply routes (read by tests/portal/test_access_matrix.py): an inbound post and a
reply of the persona adviser, so that the adviser gets the page and every other role the refusal."""

from __future__ import annotations


def _interaction(personas):
    from django.utils import timezone

    from advocacy.relationships.models import Interaction

    row, _created = Interaction.objects.get_or_create(
        adviser=personas["adviser"],
        key="post:990001",
        defaults={
            "kind": "mention",
            "actor_id": "880001",
            "actor_username": "client_sample",
            "post_id": "990001",
            "text": "@camille_x bonjour",
            "conversation_id": "990001",
            "occurred_at": timezone.now(),
            "via": "poll",
        },
    )
    return row


def _new(personas):
    return {"interaction_id": _interaction(personas).pk}


def _reply(personas):
    from advocacy.replies.models import Reply

    interaction = _interaction(personas)
    reply, _created = Reply.objects.get_or_create(
        request_key="sample-reply",
        defaults={
            "adviser": personas["adviser"],
            "interaction": interaction,
            "in_reply_to_post_id": interaction.post_id,
            "text": "Bonjour, je vous rappelle.",
        },
    )
    return {"pk": reply.pk}


SAMPLES: dict = {"replies:new": _new, "replies:detail": _reply}
