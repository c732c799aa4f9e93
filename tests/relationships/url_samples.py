"""URL arguments for the relationship routes (read by tests/portal/test_access_matrix.py): a signal of the
persona adviser and the persona adviser themselves, so that the allowed roles get an answer (a page, 405 on
a POST-only route, or 404 outside a manager's scope) and every other role the refusal."""

from __future__ import annotations


def _signal(personas):
    from advocacy.relationships.models import Signal

    signal, _ = Signal.objects.get_or_create(
        adviser=personas["adviser"], key="sample", defaults={"kind": Signal.Kind.NEW_PEOPLE, "count": 1}
    )
    return {"pk": signal.pk}


def _adviser(personas):
    return {"user_id": personas["adviser"].pk}


SAMPLES: dict = {"relationships:signal_read": _signal, "relationships:team_adviser": _adviser}
