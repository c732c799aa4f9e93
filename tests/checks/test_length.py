# ruff: noqa: RUF001 - typographic look-alikes are this module's subject matter
"""X's weighted length: NFC, URLs count 23, light ranges count 1, everything else (and each emoji) 2."""

from __future__ import annotations

import unicodedata

import pytest

from compliance.checks import CheckPolicy, check_length, run_checks, weighted_length


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 0),
        ("a", 1),
        ("é", 1),
        ("e\u0301", 1),
        ("€", 2),
        ("…", 2),
        ("漢字", 4),
        ("😀", 2),
        ("👍🏽", 2),
        ("👨\u200d👩\u200d👧", 2),
        ("🇫🇷", 2),
        ("❤️", 2),
        ("1️⃣", 2),
        ("“quote” – dash", 14),
        ("‹", 2),
        ("′", 1),
    ],
)
def test_weights_follow_the_twitter_text_ranges(text, expected):
    assert weighted_length(text) == expected


def test_every_url_counts_23_whatever_its_length():
    assert weighted_length("https://example.com/a/very/long/path?with=query&and=more") == 23
    assert weighted_length("voir bank.fr") == 5 + 23
    assert weighted_length("a https://x.co b") == 4 + 23


def test_a_post_of_exactly_280_passes_and_281_blocks():
    text = "a" * 278 + "€"
    assert weighted_length(text) == 280
    assert check_length(text) == []
    (finding,) = check_length(text + ".")
    assert finding.code == "length.over" and finding.params == {"length": 281, "max": 280, "over": 1}
    assert finding.start == 279 and finding.matched == "."  # the part that does not fit


def test_appending_a_disclosure_can_push_a_post_over_the_limit():
    post = "x" * 250
    disclosure = "\nCapital à risque #PUB…"  # 22 characters, the ellipsis weighs 2
    assert weighted_length(post + disclosure[:-1]) == 272
    assert weighted_length(post + disclosure) == 274
    longer = "y" * (280 - 274)
    assert run_checks(longer + post + disclosure, CheckPolicy(allowed_domains=None)).ok
    assert not run_checks("!" + longer + post + disclosure, CheckPolicy(allowed_domains=None)).ok


def test_length_is_measured_on_the_nfc_form():
    decomposed = unicodedata.normalize("NFD", "é" * 280)
    assert len(decomposed) == 560
    assert weighted_length(decomposed) == 280


def test_the_report_carries_the_weighted_length_and_the_limit_is_configurable():
    report = run_checks("a" * 50, CheckPolicy(allowed_domains=None, max_weighted_length=40))
    assert report.weighted_length == 50 and [f.code for f in report.blocking] == ["length.over"]
