"""One status -> badge mapping (advocacy/portal/templatetags/status_badges.py), and templates that ask it
instead of testing statuses or roles themselves."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.template import Context, Template

from advocacy.content.models import ContentItem, ItemStatus
from advocacy.portal.templatetags.status_badges import BADGES, badge_class

TEMPLATES = pathlib.Path(__file__).resolve().parents[2] / "templates"
# A status, decision kind or role tested in a template: the flag belongs to a policy function.
# (Listing a person's roles, as the staff pages do, is showing data, not testing it.)
STATUS_TEST = re.compile(
    r"\.(status|kind)\s*(==|!=|in\b)|\bRole\.|user_roles|is_compliance|\{%\s*(?:el)?if\b[^%]*\broles\b"
)


def test_every_value_of_every_mapped_enum_is_a_value_of_its_field():
    for (model, field), classes in BADGES.items():
        values = {value for value, _label in model._meta.get_field(field).choices}
        assert set(classes) <= values, (model.__name__, set(classes) - values)
        assert set(classes.values()) <= {"badge-ok", "badge-warn", "badge-bad"}


def test_the_tag_renders_the_label_with_the_mapped_class():
    html = Template("{% load status_badges %}{% status_badge item %}").render(
        Context({"item": ContentItem(status=ItemStatus.REJECTED)})
    )
    assert html == '<span class="badge badge-bad">Rejected</span>'
    assert badge_class(ContentItem(status=ItemStatus.DRAFT)) == ""
    assert (
        Template("{% load status_badges %}{% status_badge item %}").render(
            Context({"item": ContentItem(status=ItemStatus.DRAFT)})
        )
        == '<span class="badge">Draft</span>'
    )


def test_an_unmapped_model_is_refused_rather_than_shown_plain():
    with pytest.raises(LookupError):
        badge_class(object())


def test_no_template_tests_a_status_a_decision_kind_or_a_role():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if STATUS_TEST.search(line)
    ]
    assert not found, "Pass a flag from a policy function instead:\n" + "\n".join(found)


def test_no_template_picks_a_badge_colour_for_a_status():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"get_(status|kind)_display", line) and "badge" in line
    ]
    assert not found, "Use {% status_badge obj %}:\n" + "\n".join(found)
