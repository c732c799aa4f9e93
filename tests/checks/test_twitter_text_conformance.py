"""X's weighted length and URL extraction, checked against twitter-text's own conformance cases.

``twitter_text_conformance.json`` holds the cases, vendored from github.com/twitter/twitter-text (Apache
License 2.0; its ``_source`` and ``_licence`` say which file, which commit and which sections). Relais counts
with ``compliance.checks`` (``weighted_length``, ``extract_urls``); the X sandbox keeps its own copy
(``advocacy.xsandbox.weighted``: it stands in for X), which must give X's numbers too.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from advocacy.xsandbox import weighted as sandbox
from compliance.checks import MAX_WEIGHTED_LENGTH, check_length, extract_urls, find_urls, weighted_length

CASES = json.loads(Path(__file__).with_name("twitter_text_conformance.json").read_text(encoding="utf-8"))


def _cases(group: str, *sections: str) -> list:
    return [
        pytest.param(case, id=f"{section}: {case['description']}")
        for section in sections
        for case in CASES[group][section]
    ]


WEIGHTED = _cases(
    "validate", "WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest"
)
URLS = _cases("extract", "urls", "tco_urls_with_params")
URLS_WITH_INDICES = _cases("extract", "urls_with_indices", "urls_with_directional_markers")


def test_every_section_was_vendored_whole():
    assert (len(WEIGHTED), len(URLS), len(URLS_WITH_INDICES)) == (24, 96, 12)


@pytest.mark.parametrize("case", WEIGHTED)
def test_relais_counts_the_weighted_length_as_twitter_text_does(case):
    assert weighted_length(case["text"]) == case["expected"]["weightedLength"]


@pytest.mark.parametrize("case", WEIGHTED)
def test_the_sandbox_counts_the_weighted_length_as_twitter_text_does(case):
    assert sandbox.weighted_length(case["text"]) == case["expected"]["weightedLength"]


@pytest.mark.parametrize("case", WEIGHTED)
def test_the_length_check_blocks_exactly_what_x_would_refuse_for_length(case):
    over = case["expected"]["weightedLength"] > MAX_WEIGHTED_LENGTH
    assert bool(check_length(case["text"])) is over
    assert sandbox.fits(case["text"]) is not over


@pytest.mark.parametrize(
    "case", [case for case in WEIGHTED if case.values[0]["expected"]["weightedLength"] > MAX_WEIGHTED_LENGTH]
)
def test_the_length_finding_starts_where_twitter_texts_valid_range_ends(case):
    text = case["text"]
    (finding,) = check_length(text)
    if unicodedata.normalize("NFC", text) != text:
        assert finding.start == 0  # offsets of the NFC form would not fit the text as typed
        return
    # twitter-text's ranges are inclusive UTF-16 offsets; the finding starts at the first code point past it.
    assert len(text[: finding.start].encode("utf-16-le")) // 2 - 1 == case["expected"]["validRangeEnd"]


@pytest.mark.parametrize("case", URLS)
def test_relais_extracts_the_urls_twitter_text_extracts(case):
    assert [match.url for match in extract_urls(case["text"])] == case["expected"]


@pytest.mark.parametrize("case", URLS_WITH_INDICES)
def test_relais_extracts_the_urls_at_twitter_texts_offsets(case):
    # No case has a character outside the BMP, so twitter-text's UTF-16 offsets are code-point offsets.
    assert not any(ord(char) > 0xFFFF for char in case["text"])
    expected = [(url["url"], url["indices"]) for url in case["expected"]]
    assert [(m.url, [m.start, m.end]) for m in extract_urls(case["text"])] == expected


def _short_name(url: str) -> bool:
    """find_urls leaves these out on purpose (see its docstring): "it.so", "t.co" without a path."""
    *labels, tld = url.lower().split(".")
    return "/" not in url and all(len(label) <= 2 for label in labels) and (len(tld) == 2 or len(tld) > 3)


@pytest.mark.parametrize("case", [*URLS, *URLS_WITH_INDICES])
def test_the_allowlist_sees_every_x_link_but_the_short_names_and_adds_only_http_runs(case):
    x_links = extract_urls(case["text"])
    found = find_urls(case["text"])
    assert [link for link in x_links if not _short_name(link.url)] == [m for m in found if m in x_links]
    assert all(m.url.lower().startswith(("http://", "https://")) for m in found if m not in x_links)
