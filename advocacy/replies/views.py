"""The adviser's reply pages: thin, the rules are ``policy`` and the writes ``services``.

Another adviser's interaction or reply answers 404 (the lookups are scoped to the adviser), on GET and POST
alike; other roles get 403 from ``@access``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from advocacy import texts
from advocacy.content.presentation import readable
from advocacy.content.validation import max_weighted_length
from advocacy.org.access import ADVISERS, access
from advocacy.replies import policy, services, transitions
from advocacy.replies.forms import ReplyForm


@access(ADVISERS)
@require_http_methods(["GET", "POST"])
def new_reply(request: HttpRequest, interaction_id: int) -> HttpResponse:
    interaction = get_object_or_404(policy.answerable_by(request.user), pk=interaction_id)
    form = ReplyForm(request.POST or None, initial={"request_key": services.new_request_key()})
    findings, status = [], 200
    if request.method == "POST" and form.is_valid():
        outcome = services.queue_reply(
            adviser=request.user,
            interaction=interaction,
            text=form.cleaned_data["text"],
            request_key=form.cleaned_data["request_key"],
        )
        if not outcome.blocked:
            messages.success(request, _("Your reply is on its way to X."))
            return redirect("replies:detail", pk=outcome.reply.pk)
        findings, status = readable(outcome.report.findings), 422
    text = form.data.get("text", "") if form.is_bound else ""
    return render(
        request,
        "replies/new.html",
        {
            "interaction": interaction,
            "form": form,
            "findings": findings,
            "blocked": bool(findings),
            **_counter(text),
        },
        status=status,
    )


def _counter(text: str) -> dict:
    text = texts.normalise(text)
    length, limit = texts.weighted_length(text) if text else 0, max_weighted_length()
    return {"length": length, "limit": limit, "over": length > limit}


@access(ADVISERS)
@require_POST
def count(request: HttpRequest) -> HttpResponse:
    """htmx: the reply's weighted length on X and what the automatic checks would say about it."""
    text = texts.normalise(request.POST.get("text", ""))
    findings = readable(policy.check_reply(text, adviser=request.user).findings) if text else []
    return render(
        request,
        "replies/_counter.html",
        {**_counter(text), "findings": findings, "blocked": any(f["severity"] == "block" for f in findings)},
    )


@access(ADVISERS)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(policy.replies_of(request.user).select_related("interaction"), pk=pk)
    return render(
        request,
        "replies/detail.html",
        {
            "reply": reply,
            "interaction": reply.interaction,
            "waiting": transitions.is_waiting(reply),
            "sent": transitions.was_sent(reply),
        },
    )
