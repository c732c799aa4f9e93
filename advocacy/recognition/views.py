"""The adviser's recognition page: take part or not, and, for those who take part, their branch's month.

Only participants see the branch's figures, and only those of other participants; a manager, or anyone
of another branch, never does (the page reads the signed-in adviser's own branch, no id from the request).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.org.access import ADVISERS, access
from advocacy.recognition import selectors


class TakePartForm(forms.Form):
    taking_part = forms.BooleanField(
        label=gettext_lazy("Take part in my branch's monthly recognition"), required=False
    )


class MonthForm(forms.Form):
    month = forms.ChoiceField(
        label=gettext_lazy("Month"),
        choices=[("this", gettext_lazy("This month")), ("last", gettext_lazy("Last month"))],
        required=False,
    )


@access(ADVISERS)
def recognition(request: HttpRequest) -> HttpResponse:
    taking_part = selectors.takes_part(request.user)
    if request.method == "POST":
        form = TakePartForm(request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["taking_part"]
            selectors.set_taking_part(request.user, chosen)
            if chosen:
                messages.success(request, _("You take part in your branch's monthly recognition."))
            else:
                messages.success(request, _("You no longer take part: your figures are not shown to anyone."))
            return redirect("recognition:page")
    form = TakePartForm(initial={"taking_part": taking_part})
    month_form = MonthForm(request.GET or None)
    this_month = selectors.Month.of(timezone.now().astimezone(selectors.UTC).date())
    month = this_month
    if month_form.is_valid() and month_form.cleaned_data["month"] == "last":
        month = this_month.previous()
    profile = getattr(request.user, "staff", None)
    people = []
    if taking_part and profile is not None and profile.branch_id:
        people = selectors.branch_recognition(profile.branch_id, month)
    return render(
        request,
        "recognition/page.html",
        {
            "form": form,
            "month_form": month_form,
            "taking_part": taking_part,
            "month": month,
            "people": people,
            "has_branch": bool(profile and profile.branch_id),
        },
    )
