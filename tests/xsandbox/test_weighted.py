"""X weighted length (twitter-text v3 rules)."""

import pytest

from advocacy.xsandbox.weighted import MAX_WEIGHTED_LENGTH, URL_LENGTH, find_urls, fits, weighted_length


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        ("Grüße, ça va ?", 14),  # Latin-1 and Latin Extended weigh 1
        ("Привет", 6),  # Cyrillic weighs 1
        ("e\u0301", 1),  # NFC: e + combining acute -> é
        ("€", 2),
        ("…", 2),
        ("\u2014\u201c\u201d\u2018\u2019", 5),  # U+2010-U+201F weigh 1
        ("日本語", 6),
        ("한국어", 6),
        ("👍", 2),
        ("👍🏽", 2),  # skin tone modifier folds into the emoji
        ("👨\u200d👩\u200d👧\u200d👦", 2),  # ZWJ family: one emoji
        ("🏳\ufe0f\u200d🌈", 2),
        ("🇨🇭🇫🇷", 4),  # two flags
        ("1\ufe0f\u20e3", 2),  # keycap
        ("❤\ufe0f", 2),
        ("a\u200db", 3),  # a ZWJ outside emoji weighs 1
    ],
)
def test_weights(text, expected):
    assert weighted_length(text) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://example.com/a/very/long/path/that/is/definitely/longer/than/twenty/three?x=1&y=2#frag",
        "example.com/path",
        "www.relais.bank",
        "sub.domain.example.co.uk/x",
        "hello.it",
    ],
)
def test_urls_count_23(url):
    assert weighted_length(url) == URL_LENGTH
    assert weighted_length(f"see {url} now") == 4 + URL_LENGTH + 4


def test_url_edges():
    assert weighted_length("see https://example.com/x.") == 4 + URL_LENGTH + 1  # trailing dot is not the URL
    assert weighted_length("(https://en.wikipedia.org/wiki/Foo_(bar))") == 1 + URL_LENGTH + 1
    assert find_urls("mail jane.doe@bank.com please") == []  # an e-mail address is not a URL
    assert find_urls("e.g. U.S. rules") == []
    assert find_urls("hi.it") == []  # short ccTLD domain without a path
    assert weighted_length("two: a.com b.org") == 5 + URL_LENGTH + 1 + URL_LENGTH


def test_280_limit():
    assert MAX_WEIGHTED_LENGTH == 280
    assert fits("x" * 280)
    assert not fits("x" * 281)
    assert fits("€" * 140)
    assert not fits("€" * 140 + "x")
    assert fits("日" * 140)
    assert not fits("")
    long_url = "https://example.com/" + "p" * 500
    assert fits("x" * 256 + " " + long_url)  # 256 + 1 + 23 = 280
    assert not fits("x" * 257 + " " + long_url)
    assert weighted_length("👍" * 140) == 280
