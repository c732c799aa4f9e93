"""The reach tables' rows written by ``{% group_row %}`` (advocacy/reach/templatetags/reach_rows.py) are the
markup the template wrote before, character for character: ranked or not, HR's exact table or a manager's
withheld counts, labels and names with HTML in them, in English and French."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.utils import translation

from advocacy.reach.selectors import Row

# reach/_groups.html as it was before the rows were written by the tag (only ``grouped`` for floatformat).
BEFORE = Template(
    '{% load i18n reach_numbers %}{% translate "Sharers" as l_sharers %}{% translate "Shares" a'
    's l_shares %}{% translate "Impressions" as l_impressions %}{% translate "Unique clicks" as'
    ' l_unique %}{% translate "Applications" as l_applications %}{% translate "Hires" as l_hire'
    's %}{% translate "Branch" as l_branch %}\n'
    "{% if rows %}\n"
    '<div class="table-wrap" tabindex="0" role="region" aria-label="{{ caption }}">\n'
    '<table class="table stack">\n'
    '  <caption class="visually-hidden">{{ caption }}</caption>\n'
    '  <thead><tr>{% if ranked %}<th scope="col" class="num">#</th>{% endif %}<th scope="col">{'
    '{ heading }}</th>{% if exact %}<th scope="col">{{ l_branch }}</th>{% endif %}<th scope="co'
    'l" class="num">{{ l_sharers }}</th><th scope="col" class="num">{{ l_shares }}</th><th scop'
    'e="col" class="num">{{ l_impressions }}</th><th scope="col" class="num">{{ l_unique }}</th'
    '><th scope="col" class="num">{{ l_applications }}</th><th scope="col" class="num">{{ l_hir'
    "es }}</th></tr></thead>\n"
    "  <tbody>{% for row in rows %}<tr>\n"
    '    {% if ranked %}<td data-label="#" class="num">{{ forloop.counter }}</td>{% endif %}\n'
    '    <th scope="row" data-label="{{ heading }}">{{ row.label }}</th>\n'
    '    {% if exact %}<td data-label="{{ l_branch }}">{{ row.branch }}</td>{% endif %}\n'
    '    <td data-label="{{ l_sharers }}" class="num">{{ row.sharer_count|grouped }}</td>\n'
    '    <td data-label="{{ l_shares }}" class="num">{{ row.shares|grouped }}</td>\n'
    '    <td data-label="{{ l_impressions }}" class="num">{{ row.impressions|grouped }}</td>\n'
    '    <td data-label="{{ l_unique }}" class="num">{{ row.unique_clicks|grouped }}</td>\n'
    '    {% if exact %}<td data-label="{{ l_applications }}" class="num">{{ row.applications|gr'
    'ouped }}</td><td data-label="{{ l_hires }}" class="num">{{ row.hires|grouped }}</td>\n'
    '    {% else %}<td data-label="{{ l_applications }}" class="num">{% include "reach/_count.h'
    'tml" with count=row.shown_applications %}</td><td data-label="{{ l_hires }}" class="num">{'
    '% include "reach/_count.html" with count=row.shown_hires %}</td>{% endif %}\n'
    "  </tr>{% endfor %}</tbody>\n"
    "</table>\n"
    "</div>\n"
    '<p><a class="btn btn-secondary btn-small" href="{% url \'reach:offer_csv\' report.offer.pk t'
    'able %}" download>{% translate "Download this table (CSV)" %}</a></p>\n'
    '{% else %}<p class="empty">{% translate "Nobody has shared this job offer yet." %}</p>{% e'
    "ndif %}\n"
)


class _Offer:
    pk = 7


class _Report:
    offer = _Offer()


ROWS = [
    Row(1, "Lyon <Bellecour> & Cie", 12, 14, 1_595_695, 12_400, 9_999, 3, 0, region="Sud", branch="L&B"),
    Row(2, 'Équipe "Nord"', 1, 1, 0, 0, 0, 0, 0, region="", branch="Head office"),
    Row(None, "Siège", 2_000, 2_001, 5_072_331, 200_000, 5_000, 500, 4, region="R", branch="Siège"),
]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("flags", [{}, {"ranked": True}, {"exact": True}, {"ranked": True, "exact": True}])
def test_the_rows_are_the_markup_the_template_wrote(language, flags, settings):
    settings.REACH_MIN_GROUP = 5  # 3, 1, 0, 4 and 500 above: some withheld, some not
    context = {"rows": ROWS, "heading": "Agence <b>", "caption": "Par agence", "table": "branches"}
    context |= {"report": _Report(), **flags}
    with translation.override(language):
        before = BEFORE.render(Context(context))
        after = get_template("reach/_groups.html").render(context)
    assert after == before
    assert "&lt;Bellecour&gt; &amp; Cie" in after
    if not flags.get("exact"):
        assert ("fewer than 5" if language == "en" else "moins de 5") in after


def test_no_rows_is_the_empty_message():
    with translation.override("en"):
        page = get_template("reach/_groups.html").render({"rows": [], "report": _Report()})
    assert "Nobody has shared this job offer yet." in page
