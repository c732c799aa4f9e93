"""Compliance screens: review queue, item review, rule-pack editor, try a text.

Views parse, check access, call and render: the review decisions are CONTENT's workflow functions
(``advocacy.content.workflow``, where the state machine and the decisions live together), rule-pack writes
are ``rulepacks``, reads are ``selectors``, checks are ``checking``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.content import policies, workflow
from advocacy.content.presentation import finding_rows, highlight
from advocacy.org.access import COMPLIANCE, CONTENT_AUTHORS, REVIEWERS, access
from compliance.review import checking, rulepacks, selectors
from compliance.review.forms import DecisionForm, LexiconRuleForm, RulePackForm, TryTextForm
from compliance.review.models import LexiconRule, RulePack
from compliance.review.recall import recall_content, recall_impact

QUEUE_PAGE_SIZE = 25


# --- Rule packs -----------------------------------------------------------------------------------------
@access(COMPLIANCE)
def packs(request: HttpRequest) -> HttpResponse:
    form = RulePackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pack = rulepacks.create_pack(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Rule pack “%(name)s” created.") % {"name": pack.name})
        return redirect("review:pack", pk=pack.pk)
    return render(request, "review/packs.html", {"packs": selectors.rule_packs(), "form": form})


@access(COMPLIANCE)
def pack(request: HttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(RulePack, pk=pk)
    pack_form = RulePackForm(instance=pack, prefix="pack")
    rule_form = LexiconRuleForm(pack=pack, prefix="rule")
    if request.method == "POST" and "pack-name" in request.POST:
        pack_form = RulePackForm(request.POST, instance=RulePack.objects.get(pk=pk), prefix="pack")
        if pack_form.is_valid():
            rulepacks.update_pack(pack=pack, actor=request.user, **pack_form.cleaned_data)
            messages.success(request, _("Rule pack saved."))
            return redirect("review:pack", pk=pack.pk)
    elif request.method == "POST":
        rule_form = LexiconRuleForm(request.POST, pack=pack, prefix="rule")
        if rule_form.is_valid():
            rule = rulepacks.save_rule(pack=pack, actor=request.user, **rule_form.cleaned_data)
            messages.success(request, _("Rule “%(phrase)s” added.") % {"phrase": rule.phrase})
            return redirect("review:pack", pk=pack.pk)
    return render(
        request,
        "review/pack.html",
        {
            "pack": pack,
            "rules": pack.rules.order_by("-active", "phrase"),
            "pack_form": pack_form,
            "rule_form": rule_form,
        },
    )


@access(COMPLIANCE)
def rule_edit(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    rule = get_object_or_404(LexiconRule.objects.select_related("pack"), pk=rule_pk, pack_id=pk)
    form = LexiconRuleForm(request.POST or None, instance=rule, pack=rule.pack)
    if request.method == "POST" and form.is_valid():
        # The form wrote the cleaned values onto the instance; reload so that the service sees the change.
        original = LexiconRule.objects.get(pk=rule.pk)
        rulepacks.save_rule(pack=rule.pack, rule=original, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Rule saved."))
        return redirect("review:pack", pk=rule.pack_id)
    return render(request, "review/rule_edit.html", {"pack": rule.pack, "rule": rule, "form": form})


@access(COMPLIANCE)
@require_POST
def rule_deactivate(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    rule = get_object_or_404(LexiconRule.objects.select_related("pack"), pk=rule_pk, pack_id=pk)
    rulepacks.deactivate_rule(rule=rule, actor=request.user)
    messages.success(request, _("Rule “%(phrase)s” deactivated.") % {"phrase": rule.phrase})
    return redirect("review:pack", pk=pk)


# --- Try a text -----------------------------------------------------------------------------------------
def _check_context(form: TryTextForm) -> dict:
    text = form.cleaned_data.get("text") or ""
    report = checking.check_text(
        text,
        category=form.cleaned_data.get("category") or None,
        language=form.cleaned_data.get("language") or "fr",
    )
    findings = list(report.findings)
    return {
        "text": text,
        "report": report,
        "highlighted": highlight(text, findings),
        "findings": finding_rows(findings),
        "weighted": checking.weighted_length(text),
        "max_weighted": checking.max_weighted_length(),
    }


@access(CONTENT_AUTHORS)
def try_text(request: HttpRequest) -> HttpResponse:
    form = TryTextForm(request.GET or None, categories=selectors.category_choices())
    context = {"form": form}
    if form.is_bound and form.is_valid():
        context.update(_check_context(form))
    return render(request, "review/try_text.html", context)


@access(CONTENT_AUTHORS)
@require_POST
def try_text_check(request: HttpRequest) -> HttpResponse:
    """The htmx partial: highlighted text, findings and weighted count for what is typed so far."""
    form = TryTextForm(request.POST, categories=selectors.category_choices())
    if not form.is_valid():
        return render(request, "review/_try_result.html", {"form": form, "invalid": True})
    return render(request, "review/_try_result.html", {"form": form, **_check_context(form)})


# --- Review queue and review page ----------------------------------------------------------------------
@access(REVIEWERS)
def queue(request: HttpRequest) -> HttpResponse:
    filters = selectors.QueueFilters.from_query(request.GET)
    entries = selectors.review_queue(request.user, filters=filters)
    page = Paginator(entries, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.queue_rows(page.object_list)
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "filter_choices": selectors.queue_filter_choices(),
            "target_hours": selectors.review_age_target_hours(),
            "querystring": filters.querystring(),
        },
    )


def _reviewable_version_or_404(request: HttpRequest, pk: int):
    version = selectors.version_for_review(request.user, pk)
    if version is None:
        raise Http404
    return version


def _review_context(request: HttpRequest, version, form: DecisionForm | None = None) -> dict:
    review = selectors.review_page(request.user, version)
    if form is None:
        form = DecisionForm(warn_findings=review["warn_choices"])
    return {**review, "form": form}


@access(REVIEWERS)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    version = _reviewable_version_or_404(request, pk)
    return render(request, "review/review.html", _review_context(request, version))


@access(REVIEWERS)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    version = _reviewable_version_or_404(request, pk)
    context = _review_context(request, version)
    if not context["can_decide"]:
        messages.error(request, context["refusal"])
        return redirect("review:review", pk=pk)
    form = DecisionForm(request.POST, warn_findings=context["warn_choices"])
    if form.is_valid() and form.cleaned_data["decision"] == DecisionForm.APPROVE and context["blocked"]:
        form.add_error(None, _("A blocking finding must be fixed by the author: approval is not possible."))
    if not form.is_valid():
        return render(request, "review/review.html", {**context, "form": form}, status=400)
    decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
    try:
        if decision == DecisionForm.APPROVE:
            made = workflow.approve_version(
                version=version,
                reviewer=request.user,
                comment=comment,
                acknowledged_finding_ids=form.acknowledged_ids(),
            )
        elif decision == DecisionForm.CHANGES:
            workflow.request_changes(version=version, reviewer=request.user, comment=comment)
        else:
            workflow.reject_version(version=version, reviewer=request.user, reason=comment)
    except workflow.WorkflowError as exc:
        # The workflow re-checks everything under a lock: a refusal here means someone decided first, or
        # the rules changed since the page was shown; its message says which.
        messages.error(request, str(exc))
        return redirect("review:review", pk=pk)
    if decision == DecisionForm.APPROVE and not made.final:
        # A first approval of two: the version still waits, and the reviewer must not read "approved".
        messages.success(request, selectors.approval_progress(version).sentence)
        return redirect("review:queue")
    done = {
        DecisionForm.APPROVE: _("Version approved."),
        DecisionForm.CHANGES: _("Changes requested from the author."),
        DecisionForm.REJECT: _("Version rejected."),
    }[decision]
    messages.success(request, done)
    return redirect("review:queue")


@access(COMPLIANCE)
def recall(request: HttpRequest, pk: int) -> HttpResponse:
    """Recall an item (``/library/items/<pk>/recall/``), in two steps: the item page's form (or a GET)
    shows what the recall will do — live posts deleted, scheduled shares cancelled — and only the
    confirmation's POST (``confirmed``) recalls. Every adviser concerned is told by the share engine."""
    item = get_object_or_404(policies.items_visible_to(request.user), pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    error = ""
    if request.method == "POST" and request.POST.get("confirmed") and policies.can_recall(request.user, item):
        try:
            recall_content(item=item, actor=request.user, reason=reason)
        except workflow.WorkflowError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Recalled: the content can no longer be shared."))
            return redirect("content:item_detail", pk=item.pk)
    return render(
        request,
        "review/recall_confirm.html",
        {
            "item": item,
            "reason": reason,
            "error": error,
            "can_recall": policies.can_recall(request.user, item),
            "impact": recall_impact(item_id=item.pk),
        },
        status=400 if error else 200,
    )
