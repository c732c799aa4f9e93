"""URL arguments for the compliance review routes, read by tests/portal/test_access_matrix.py."""

from __future__ import annotations

import itertools

from advocacy.org.models import Role

_numbers = itertools.count(1)


def _version(personas) -> dict:
    from tests.review.factories import submitted_version

    return {"pk": submitted_version(personas[Role.ADVISER]).pk}


def _pack(personas):
    from compliance.review import rulepacks

    pack = rulepacks.create_pack(actor=personas[Role.COMPLIANCE], name=f"Sample pack {next(_numbers)}")
    rule = rulepacks.save_rule(
        pack=pack,
        actor=personas[Role.COMPLIANCE],
        phrase="sample phrase",
        severity="warn",
        explanation="Sample.",
    )
    return pack, rule


def _pack_kwargs(personas) -> dict:
    return {"pk": _pack(personas)[0].pk}


def _rule_kwargs(personas) -> dict:
    pack, rule = _pack(personas)
    return {"pk": pack.pk, "rule_pk": rule.pk}


def _library_item(personas) -> dict:
    from tests.content.url_samples import _library_item as make

    return {"pk": make(personas).pk}


SAMPLES: dict = {
    "review:review": _version,
    "review:decide": _version,
    "review:pack": _pack_kwargs,
    "review:rule_edit": _rule_kwargs,
    "review:rule_deactivate": _rule_kwargs,
    "recall:item": _library_item,
}
