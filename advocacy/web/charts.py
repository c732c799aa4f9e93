"""A chart as data: what ``templates/charts/_chart.html`` draws (with the vendored Chart.js, through
``static/js/charts.js``) and, always, shows as a table with a sentence that sums it up.

The table is the chart's text alternative and its no-JavaScript view: it holds exactly the figures the
chart draws, so nothing is visible only to those who can see the canvas. Labels come translated from the
view (they are ordinary strings of the active language); numbers are localised by the template (the
table) and by ``Intl.NumberFormat`` in the browser (the axes and tooltips).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext


def rounded(value, decimals: int) -> Decimal:
    """Half up, as the ``floatformat`` filter rounds (``number_format`` alone cuts the digits off)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | int | float | None]
    style: str = "bar"  # "bar" or "line" (a chart may mix them)
    dashed: bool = False  # an estimate (a forecast) is drawn dashed, and its label says it is one
    table_only: bool = False  # a column of the table that is not drawn (counts beside amounts)
    currency: str | None = None  # None: the chart's; "" for a plain number (a count)
    decimals: int | None = None  # None: the chart's
    summable: bool = True  # False for figures whose sum means nothing (medians, rates): no total said


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page: the canvas, the data element and the caption derive their ids from it
    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    label_heading: str  # the table's first column (what each label is: "Endpoint", "Month")
    kind: str = "bar"  # "bar" or "line"
    horizontal: bool = False
    currency: str = ""  # an ISO code ("USD"): values are amounts in it
    decimals: int = 2
    summary: str = ""  # the sentence that says what the chart shows; empty: said from the first series
    notes: Sequence[str] = field(
        default_factory=tuple
    )  # shown under the caption (e.g. how a forecast is made)
    table_folded: bool = False  # a long table (one row a day) folds under "Figures as a table"

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"

    @property
    def data(self) -> dict:
        """What ``charts.js`` reads (through ``json_script``): plain numbers, no markup."""
        return {
            "kind": self.kind,
            "horizontal": self.horizontal,
            "currency": self.currency,
            "decimals": self.decimals,
            "labels": [str(label) for label in self.labels],
            "series": [
                {
                    "label": str(s.label),
                    "values": [None if v is None else float(v) for v in s.values],
                    "style": s.style,
                    "dashed": s.dashed,
                }
                for s in self.drawn
            ],
        }

    @property
    def drawn(self) -> list[Series]:
        return [s for s in self.series if not s.table_only]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The table: one row per label, one localised cell per series ("—" where a series has no value)."""
        spell = self._speller()
        return [
            (str(label), [spell(s.values[i], s) if i < len(s.values) else "—" for s in self.series])
            for i, label in enumerate(self.labels)
        ]

    @property
    def table_body(self) -> SafeString:
        """The table's rows as markup, what ``{% for label, cells in chart.rows %}`` wrote: each text through
        ``conditional_escape`` as ``{{ }}`` did (a campaigns page's table is 20 rows of 9 cells: ~200
        variable lookups and loop iterations through the template engine)."""
        return mark_safe(  # noqa: S308 - every label and cell is escaped
            "".join(
                f'<tr><th scope="row">{conditional_escape(label)}</th>'
                + "".join(f'<td class="num">{conditional_escape(cell)}</td>' for cell in cells)
                + "</tr>"
                for label, cells in self.rows
            )
        )

    @property
    def is_empty(self) -> bool:
        return not self.labels

    @property
    def text_summary(self) -> str:
        if self.summary:
            return self.summary
        if self.is_empty or not self.drawn:
            return gettext("No figures yet.")
        first = self.drawn[0]
        values = [v for v in first.values if v is not None]
        if not values:
            return gettext("No figures yet.")
        if not any(values):
            # "highest October (0)" would name a winner out of zeros
            return gettext("%(series)s: zero throughout.") % {"series": first.label}
        top = max(range(len(first.values)), key=lambda i: first.values[i] or 0)
        if not first.summable:
            return gettext("%(series)s: highest %(label)s (%(value)s).") % {
                "series": first.label,
                "label": self.labels[top],
                "value": self._spell(first.values[top], first),
            }
        return gettext("%(series)s: highest %(label)s (%(value)s), total %(total)s.") % {
            "series": first.label,
            "label": self.labels[top],
            "value": self._spell(first.values[top], first),
            "total": self._spell(sum(values), first),
        }

    def _spell(self, value, series: Series) -> str:
        return self._speller()(value, series)

    def _speller(self):
        """``_spell`` for many cells: the active language's separators and grouping looked up once, then
        what ``number_format(value, decimal_pos=…, use_l10n=True, force_grouping=True)`` does with them."""
        lang = get_language()
        decimal_sep = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
        grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
        thousand_sep = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

        def spell(value, series: Series) -> str:
            if value is None:
                return "—"
            decimals = self.decimals if series.decimals is None else series.decimals
            currency = self.currency if series.currency is None else series.currency
            text = numberformat.format(
                rounded(value, decimals),
                decimal_sep,
                decimals,
                grouping,
                thousand_sep,
                force_grouping=True,
                use_l10n=True,
            )
            return f"{text}\u00a0{currency}" if currency else text

        return spell
