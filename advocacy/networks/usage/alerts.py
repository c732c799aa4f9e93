"""The budget alerts: at 80 % and at 100 % of this month's X budget, compliance officers and administrators
are e-mailed (each in their language) and the alert is archived, once a month per threshold."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from advocacy.networks.usage import budget
from advocacy.networks.usage.models import UsageBudget
from advocacy.org.models import Role, StaffProfile
from advocacy.org.selectors import users_with_role
from compliance.archive.services import record

THRESHOLDS = (80, 100)


def check_budget_alerts() -> list[int]:
    """Send the alerts this month's spend calls for and that were not sent yet; returns the thresholds sent.
    Safe to call from several workers: a conditional UPDATE lets one caller send each alert."""
    current = UsageBudget.current()
    month = budget.month_start().strftime("%Y-%m")
    if current.alerted_80 == month and current.alerted_100 == month:
        return []
    spent = budget.spent_this_month()
    sent = []
    for threshold in THRESHOLDS:
        field = f"alerted_{threshold}"
        if spent * 100 < current.monthly_amount * threshold:
            continue
        with transaction.atomic():
            won = UsageBudget.objects.filter(pk=current.pk).exclude(**{field: month}).update(**{field: month})
            if not won:
                continue
            told = _tell(threshold, spent, current.monthly_amount)
            record(
                "usage.budget_alert",
                payload={
                    "threshold": threshold,
                    "month": month,
                    "spent": str(spent),
                    "budget": str(current.monthly_amount),
                    "told": told,
                },
            )
        sent.append(threshold)
    return sent


def _tell(threshold: int, spent, amount) -> int:
    people = {
        u.pk: u for role in (Role.COMPLIANCE, Role.ADMIN) for u in users_with_role(role).exclude(email="")
    }
    languages = dict(StaffProfile.objects.filter(user_id__in=list(people)).values_list("user_id", "language"))
    for user_id, user in people.items():
        with translation.override(languages.get(user_id) or settings.LANGUAGE_CODE):
            if threshold >= 100:
                subject = gettext("X budget reached: polling is paused")
                lead = gettext(
                    "This month's X usage has reached its budget. Reading mentions, followers and engagement "
                    "is paused until next month or until the budget is raised; publishing and recalls go on."
                )
            else:
                subject = gettext("X budget: %(threshold)s %% used") % {"threshold": threshold}
                lead = gettext("This month's X usage has reached %(threshold)s %% of its budget.") % {
                    "threshold": threshold
                }
            body = "\n\n".join(
                [
                    lead,
                    gettext("Spent: %(spent)s USD of %(budget)s USD (%(when)s).")
                    % {"spent": spent, "budget": amount, "when": timezone.now().strftime("%Y-%m")},
                ]
            )
        send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])
    return len(people)
