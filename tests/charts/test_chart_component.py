"""The chart component: a figure with a caption that says what it shows, a canvas for charts.js (hidden until
the script draws), its data as JSON (never as script), and a table of the same figures, localised."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from advocacy.web.charts import Chart, Series

ROOT = Path(__file__).resolve().parents[2]


def _chart(**overrides) -> Chart:
    values = {
        "id": "spend",
        "title": "Spend by month",
        "label_heading": "Month",
        "labels": ["October", "November"],
        "series": [
            Series("Cost", [Decimal("1234.5"), Decimal("0.25")]),
            Series("Calls", [12, 3], table_only=True, currency="", decimals=0),
        ],
        "currency": "USD",
    }
    return Chart(**{**values, **overrides})


def test_the_chart_has_a_caption_a_canvas_json_data_and_a_table_of_the_same_figures():
    with translation.override("en"):
        html = render_to_string("charts/_chart.html", {"chart": _chart()})
    assert '<figure class="chart" id="spend" aria-labelledby="spend-caption">' in html
    summary = "Cost: highest October (1,234.50\xa0USD), total 1,234.75\xa0USD."
    assert f'<span class="chart-summary">{summary}</span>' in html
    assert f'<canvas role="img" aria-label="Spend by month. {summary}">' in html
    assert '<div class="chart-canvas" data-chart="spend-data" hidden>' in html  # shown by charts.js
    data = json.loads(
        re.search(r'<script id="spend-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["labels"] == ["October", "November"]
    assert data["series"] == [{"label": "Cost", "values": [1234.5, 0.25], "style": "bar", "dashed": False}]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', html)
    assert rows == [
        ("October", '<td class="num">1,234.50\xa0USD</td><td class="num">12</td>'),
        ("November", '<td class="num">0.25\xa0USD</td><td class="num">3</td>'),
    ]


def test_a_summary_never_adds_up_figures_whose_sum_means_nothing():
    medians = _chart(
        series=[Series("Median", [Decimal("2.5"), Decimal("4")], summable=False)], currency="", decimals=1
    )
    with translation.override("en"):
        assert medians.text_summary == "Median: highest November (4.0)."
    with translation.override("fr"):
        assert medians.text_summary == "Median : maximum pour November (4,0)."


def test_a_summary_of_zeros_names_no_highest():
    zeros = _chart(series=[Series("Impressions", [0, 0], decimals=0)], currency="")
    with translation.override("en"):
        assert zeros.text_summary == "Impressions: zero throughout."
    with translation.override("fr"):
        assert zeros.text_summary == "Impressions : zéro partout."


def test_the_table_and_summary_read_in_french():
    with translation.override("fr"):
        html = render_to_string("charts/_chart.html", {"chart": _chart()})
    from django.utils.formats import get_format

    thousands = get_format("THOUSAND_SEPARATOR", "fr")
    assert f'<td class="num">1{thousands}234,50\xa0USD</td>' in html
    assert "Coût" not in html  # labels come translated from the view; the component adds only its own words
    assert (
        f"Cost : maximum pour October (1{thousands}234,50\xa0USD), total 1{thousands}234,75\xa0USD." in html
    )


def test_figures_round_half_up_as_the_rest_of_the_page_does():
    chart = _chart(labels=["December"], series=[Series("Cost", [Decimal("0.2350")])], decimals=2)
    with translation.override("en"):
        assert chart.rows == [("December", ["0.24\xa0USD"])]


def test_an_empty_chart_says_so_and_draws_nothing():
    with translation.override("en"):
        html = render_to_string(
            "charts/_chart.html", {"chart": _chart(labels=[], series=[Series("Cost", [])])}
        )
    assert "No figures yet." in html
    assert "<canvas" not in html and "<table" not in html


def test_a_long_table_folds_and_a_forecast_is_drawn_dashed():
    chart = _chart(
        series=[
            Series("Spent", [1, 2], style="line"),
            Series("Forecast", [None, 3], style="line", dashed=True),
        ],
        kind="line",
        table_folded=True,
    )
    with translation.override("en"):
        html = render_to_string("charts/_chart.html", {"chart": chart})
    assert '<details class="chart-details"><summary>Figures as a table</summary>' in html
    assert chart.data["series"][1] == {
        "label": "Forecast",
        "values": [None, 3.0],
        "style": "line",
        "dashed": True,
    }
    assert '<td class="num">—</td>' in html


def test_chart_js_is_vendored_with_its_licence_and_version():
    folder = ROOT / "static" / "vendor" / "chartjs"
    script = (folder / "chart.umd.min.js").read_text()
    assert script.startswith("/*!\n * Chart.js v4.6.1")
    assert "sourceMappingURL" not in script  # the map is not shipped (collectstatic's manifest would fail)
    assert "MIT License" in (folder / "LICENSE.md").read_text()
    assert "4.6.1" in (folder / "README.md").read_text()


# What templates/charts/_chart.html's <tbody> was before the chart wrote its rows itself (Chart.table_body).
_OLD_TBODY = (
    '{% for label, cells in chart.rows %}<tr><th scope="row">{{ label }}</th>{% for cell in cells %}'
    '<td class="num">{{ cell }}</td>{% endfor %}</tr>{% endfor %}'
)


def test_the_table_rows_are_what_the_template_loop_wrote_escaped_and_localised():
    from django.template import engines
    from django.utils.safestring import mark_safe

    chart = _chart(
        labels=["<b>Tom & Jerry</b>", mark_safe("<i>safe</i>"), "Q\"3'", "short"],
        series=[
            Series("Cost", [Decimal("1234567.125"), None, Decimal("-0.5"), Decimal("2")]),
            Series("Calls", [1234567, 0, None], table_only=True, currency="", decimals=0),
            Series("Rate", [12.25, 3, 0.05], table_only=True, currency="", decimals=1),
        ],
    )
    old = engines["django"].from_string(_OLD_TBODY)
    for language in ("en", "fr"):
        with translation.override(language):
            assert str(chart.table_body) == old.render({"chart": chart})
    with translation.override("fr"):
        body = str(chart.table_body)
    assert '<th scope="row">&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</th>' in body
    assert '<th scope="row"><i>safe</i></th>' in body
    assert '<td class="num">1\xa0234\xa0567,13\xa0USD</td><td class="num">1\xa0234\xa0567</td>' in body
    assert body.endswith('<td class="num">2,00\xa0USD</td><td class="num">—</td><td class="num">—</td></tr>')
