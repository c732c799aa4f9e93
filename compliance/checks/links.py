"""Links must point to allowed domains.

Why: linking third-party content can make it the firm's own communication (FINRA notices 10-06, 11-39,
17-18), so compliance keeps a list of domains that may be linked. A host is allowed if it IS an allowed
domain or a subdomain of one, compared label by label: "evil-bank.fr" is not "bank.fr", and
"bank.fr.evil.com" is a subdomain of evil.com. Anything unreadable (IPv6 literals, invalid IDN) is flagged.
"""

from __future__ import annotations

from collections.abc import Iterable

from compliance.checks.findings import Finding, Severity
from compliance.checks.messages import render_message
from compliance.checks.urls import find_urls, url_host

__all__ = ["find_disallowed_links", "host_is_allowed", "normalise_domain"]


def normalise_domain(domain: str) -> str:
    """An allowlist entry as a bare lower-case host: scheme, path, port, "*." and trailing dot removed."""
    host = url_host(domain.strip()) or ""
    return host.removeprefix("*.")


def host_is_allowed(host: str, allowed_domains: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for domain in allowed_domains:
        domain = normalise_domain(domain)
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def find_disallowed_links(
    text: str, allowed_domains: Iterable[str], severity: Severity = Severity.BLOCK
) -> list[Finding]:
    """A finding for every URL in ``text`` whose host is not an allowed domain or a subdomain of one."""
    allowed = [d for d in (normalise_domain(d) for d in allowed_domains) if d]
    findings = []
    for start, end, url in find_urls(text):
        host = url_host(url)
        if host is not None and host_is_allowed(host, allowed):
            continue
        code = "link.domain" if host else "link.invalid"
        params = {"url": url, "host": host or "", "matched": url}
        findings.append(
            Finding(
                check="link",
                severity=severity,
                start=start,
                end=end,
                matched=text[start:end],
                message=render_message(code, params),
                code=code,
                params=params,
            )
        )
    return findings
