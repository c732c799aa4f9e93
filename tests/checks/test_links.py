# ruff: noqa: RUF001, RUF003 - typographic look-alikes are this module's subject matter
"""Links must point to an allowed domain or one of its subdomains, compared label by label."""

from __future__ import annotations

import pytest

from compliance.checks import Severity, find_disallowed_links, find_urls, host_is_allowed, url_host

ALLOWED = ("bank.fr", "https://www.relais.bank/")


def flagged(text: str, allowed=ALLOWED) -> list[str]:
    found = find_disallowed_links(text, allowed)
    for finding in found:
        assert text[finding.start : finding.end] == finding.matched
    return [f.params["host"] for f in found]


@pytest.mark.parametrize(
    "text",
    [
        "https://bank.fr/offre",
        "http://bank.fr",
        "https://www.bank.fr/a?b=c#d",
        "bank.fr/livret",
        "BANK.FR",
        "https://agences.paris.bank.fr/",
        "Voir https://bank.fr/offre.",
        "(https://bank.fr/x)",
        "https://bank.fr:443/",
        "www.relais.bank/news",
        "https://bank.fr./x",
    ],
)
def test_allowed_hosts_and_their_subdomains_pass(text):
    assert flagged(f"Plus d'infos : {text}") == []


@pytest.mark.parametrize(
    "text, host",
    [
        ("https://evil-bank.fr/x", "evil-bank.fr"),
        ("https://bank.fr.evil.com/x", "bank.fr.evil.com"),
        ("https://bank.fr@evil.com/login", "evil.com"),
        ("mybank.fr", "mybank.fr"),
        ("https://bank.com", "bank.com"),
        ("relais.bank", "relais.bank"),
        ("https://t.co/abc", "t.co"),
        ("http://xn--bnk-1la.fr", "xn--bnk-1la.fr"),
    ],
)
def test_lookalike_and_other_hosts_are_flagged(text, host):
    assert flagged(f"Cliquez {text} !") == [host]


def test_a_cyrillic_lookalike_host_is_compared_as_punycode():
    assert url_host("https://bаnk.fr/") != "bank.fr"  # the "а" is Cyrillic
    assert flagged("https://bаnk.fr/") == [url_host("https://bаnk.fr/")]


def test_email_domains_abbreviations_and_decimals_are_not_links():
    assert find_urls("jean@bank.fr, e.g. M.Dupont, 1.5 %, S.A., hi.it") == []


def test_an_empty_allowlist_flags_every_link_and_none_disables_the_check():
    assert flagged("https://bank.fr", allowed=()) == ["bank.fr"]
    from compliance.checks import CheckPolicy, run_checks

    assert run_checks("https://evil.com", CheckPolicy(allowed_domains=None)).findings == ()


def test_link_findings_block_by_default_and_severity_is_configurable():
    (finding,) = find_disallowed_links("evil.com", ALLOWED)
    assert finding.severity is Severity.BLOCK and finding.code == "link.domain"
    (finding,) = find_disallowed_links("evil.com", ALLOWED, severity=Severity.WARN)
    assert finding.severity is Severity.WARN


def test_allowlist_entries_may_be_written_as_urls_or_wildcards():
    assert host_is_allowed("news.bank.fr", ["*.bank.fr"])
    assert host_is_allowed("bank.fr", ["https://bank.fr/"])
    assert not host_is_allowed("notbank.fr", ["bank.fr"])
