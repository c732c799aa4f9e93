"""URL arguments for the Organisation pages (see tests/portal/url_samples.py). Requests are made through the
services, as on the pages: the administrator persona asks on behalf of the adviser."""

from advocacy.org.identity import request_email_change
from advocacy.org.models import Role
from advocacy.org.privileges import request_privileged_role


def _adviser(personas) -> dict:
    return {"pk": personas[Role.ADVISER].staff.pk}


def _grant(personas) -> dict:
    grant, _created = request_privileged_role(
        profile=personas[Role.ADVISER].staff, role=Role.COMPLIANCE, actor=personas[Role.ADMIN]
    )
    return {"pk": grant.pk}


def _email_change(personas) -> dict:
    adviser2 = personas["adviser2"]
    change, _created = request_email_change(
        profile=adviser2.staff, new_email="hugo.new@bank.test", actor=personas[Role.ADMIN], via="portal"
    )
    return {"pk": change.pk}


SAMPLES: dict = {
    "org:staff_detail": _adviser,
    "org:staff_activation": _adviser,
    "org:staff_request_email": _adviser,
    "org:staff_request_grant": _adviser,
    "org:staff_revoke": _adviser,
    "org:decide_grant": _grant,
    "org:decide_email_change": _email_change,
    "org:branch_edit": lambda personas: {"pk": personas[Role.ADVISER].staff.branch_id},
}
