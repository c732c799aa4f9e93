"""The reach pages' ``grouped`` filter writes every count exactly as ``floatformat:"0g"`` did (it replaced it
there for its cost: advocacy/reach/templatetags/reach_numbers.py), in English and in French."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation

from advocacy.reach.templatetags.reach_numbers import grouped

VALUES = [0, 1, -1, 7, 999, -999, 1000, -1000, 12_400, 99_999, 100_000, 1_595_695, -5_072_331, 10**15]
OTHERS = [None, "", "12400", 1234.5, Decimal("1234.5"), True, "n/a"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_grouped_writes_what_floatformat_0g_wrote(language):
    with translation.override(language):
        for value in VALUES + OTHERS:
            assert grouped(value) == floatformat(value, "0g"), (language, value)


def test_a_french_page_groups_thousands_with_a_space_and_an_english_one_with_a_comma():
    template = Template("{% load reach_numbers %}{{ n|grouped }} / {{ m|grouped }}")
    with translation.override("fr"):
        assert template.render(Context({"n": 12_400, "m": 1_595_695})) == "12\xa0400 / 1\xa0595\xa0695"
    with translation.override("en"):
        assert template.render(Context({"n": 12_400, "m": 1_595_695})) == "12,400 / 1,595,695"
