"""Automatic compliance checks, in pure Python (no Django): the Django layer feeds them plain data.

Entry point: ``run_checks(text, CheckPolicy(...)) -> CheckReport``. Build the lexicon once with
``CompiledLexicon.build(entries)`` and reuse it (it is immutable and thread-safe).
"""

from compliance.checks.cashtags import find_cashtags
from compliance.checks.default_packs import DEFAULT_PACKS, ENGLISH_PACK, FRENCH_PACK, default_entries
from compliance.checks.engine import CheckPolicy, CheckReport, run_checks
from compliance.checks.findings import Finding, Severity
from compliance.checks.labels import check_label, check_warning, find_label_spans, find_warning_spans
from compliance.checks.length import MAX_WEIGHTED_LENGTH, URL_WEIGHT, check_length, weighted_length
from compliance.checks.lexicon import CompiledLexicon, LexiconEntry
from compliance.checks.links import find_disallowed_links, host_is_allowed
from compliance.checks.messages import MESSAGES, render_message
from compliance.checks.normalise import Normalised, fast_key, fold, normalise, stem, tokens
from compliance.checks.pii import find_pii, iban_is_valid, luhn_is_valid
from compliance.checks.urls import extract_urls, find_urls, url_host

__all__ = [
    "DEFAULT_PACKS",
    "ENGLISH_PACK",
    "FRENCH_PACK",
    "MAX_WEIGHTED_LENGTH",
    "MESSAGES",
    "URL_WEIGHT",
    "CheckPolicy",
    "CheckReport",
    "CompiledLexicon",
    "Finding",
    "LexiconEntry",
    "Normalised",
    "Severity",
    "check_label",
    "check_length",
    "check_warning",
    "default_entries",
    "extract_urls",
    "fast_key",
    "find_cashtags",
    "find_disallowed_links",
    "find_label_spans",
    "find_pii",
    "find_urls",
    "find_warning_spans",
    "fold",
    "host_is_allowed",
    "iban_is_valid",
    "luhn_is_valid",
    "normalise",
    "render_message",
    "run_checks",
    "stem",
    "tokens",
    "url_host",
    "weighted_length",
]
