"""``{% row_date %}`` prints exactly what Django's ``date`` filter prints (it only remembers each distinct
value within one page), in every language and time zone, for the values list rows hold."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone, translation

FILTER = (
    '{% for v in values %}[{{ v|date:"SHORT_DATETIME_FORMAT"|default:"none" }}|{{ v|date:"j F Y" }}]'
    "{% endfor %}"
)
TAG = (
    '{% load row_dates %}{% for v in values %}[{% row_date v "SHORT_DATETIME_FORMAT" as s %}'
    '{{ s|default:"none" }}|{% row_date v "j F Y" %}]{% endfor %}'
)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "UTC"])
def test_row_date_prints_what_the_date_filter_prints(language, zone):
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    instant = dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC)  # the night the clocks go forward in Paris
    values = [
        instant,
        instant + dt.timedelta(hours=1),
        instant,  # repeated: remembered
        dt.datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=paris),  # the two 02:30 of the night they go back
        dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=paris),
        dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC),
        None,
        "",
    ]
    engine = engines["django"]
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        expected = engine.from_string(FILTER).render({"values": values})
        assert engine.from_string(TAG).render({"values": values}) == expected
    assert "none" in expected and expected.count("[") == len(values)


def test_markup_in_a_format_is_escaped_as_by_the_filter():
    engine = engines["django"]
    value = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
    expected = engine.from_string('{{ v|date:"<\\b>Y" }}').render({"v": value})
    assert (
        engine.from_string('{% load row_dates %}{% row_date v "<\\b>Y" %}').render({"v": value}) == expected
    )
    assert "&lt;" in expected
