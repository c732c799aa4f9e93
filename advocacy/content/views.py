"""Adviser and author screens: library feed, my drafts, draft editor, library authoring, item page.

Views parse, check access (``@access`` outermost, then a policy function; refusals on objects are 404),
call a service or a workflow function, and render. "Save, then submit" is one service (``save_item``); the
findings of the automatic checks reach these pages through ``advocacy.content.compliance_checks`` and
``presentation``, never through the compliance review app (which depends on content).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.content import policies, presentation, selectors, services, workflow
from advocacy.content.forms import DraftForm, LibraryItemForm, VariantFormSet, initial_for
from advocacy.content.models import Category, ContentItem, Origin
from advocacy.content.policies import can_share
from advocacy.content.validation import max_weighted_length
from advocacy.org.access import ADVISERS, LIBRARY_AUTHORS, SIGNED_IN, WRITERS, access

PAGE_SIZE = 20


def _visible_item_or_404(user, pk: int) -> ContentItem:
    return get_object_or_404(
        policies.items_visible_to(user).select_related("current_version", "author"), pk=pk
    )


def _apply_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _tell(request: HttpRequest, saved: services.Saved, *, saved_message: str) -> list[dict]:
    """Tell the person what ``save_item``/``submit_item`` did; returns the findings that refused it."""
    if saved.submitted:
        messages.success(request, _("Submitted for review. You will get an e-mail when compliance decides."))
    elif isinstance(saved.refusal, workflow.BlockingFindings):
        messages.error(request, _("Not submitted: fix the problems below, your draft is saved."))
        return presentation.readable(saved.refusal.findings)
    elif saved.refusal is not None:
        messages.error(request, str(saved.refusal))
    else:
        messages.success(request, saved_message)
    return []


# --- Library feed (advisers; job offers for everyone in their audience) ---------------------------------
@access(SIGNED_IN)
def library(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    page = Paginator(selectors.library_feed_for(request.user, category=category), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    limit = max_weighted_length()
    entries = [
        (item, selectors.preview_for(item.current_version, request.user, limit=limit)) for item in page
    ]
    offers = selectors.job_offers_of([item.pk for item, _preview in entries])
    for item, _preview in entries:
        item.offer = offers.get(item.pk)
    return render(
        request,
        "content/library.html",
        {
            "page": page,
            "entries": entries,
            "category": category,
            "categories": Category.choices,
        },
    )


# --- Adviser: my drafts and the draft editor -------------------------------------------------------------
@access(ADVISERS)
def my_drafts(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.drafts_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "content/my_drafts.html", {"page": page})


@access(ADVISERS)
def draft_new(request: HttpRequest) -> HttpResponse:
    form = DraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_item(
                actor=request.user,
                origin=Origin.ADVISER_DRAFT,
                submit=request.POST.get("action") == "submit",
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            _tell(request, saved, saved_message=_("Draft saved."))
            if saved.refusal is not None:
                return _render_draft(request, saved.item, DraftForm(initial=form.cleaned_data))
            return redirect("content:draft_edit", pk=saved.item.pk)
    return render(request, "content/draft_form.html", {"form": form, "item": None, "can_edit": True})


def _render_draft(request, item, form, status=200, *, change_asked: bool = False) -> HttpResponse:
    """The draft editor. While the draft can change, it shows every finding of the automatic checks on the
    saved version in the reviewer's words: what blocks, and the warnings a reviewer will have to confirm
    (they do not stop the author submitting, but the author should see them first). A submitted or approved
    draft is shown read-only with what comes next, until its author asks to change it (``?change=1``)."""
    standing = policies.draft_standing(request.user, item, change_asked=change_asked)
    decisions = list(item.decisions.select_related("reviewer", "version"))
    return render(
        request,
        "content/draft_form.html",
        {
            "form": form,
            "item": item,
            "checks": None if standing["final"] else presentation.checks_for_author(item.current_version),
            "can_edit": standing["form_open"],
            "standing": standing,
            "edit_needs_new_approval": change_asked and policies.edit_needs_new_approval(item),
            "feedback": policies.feedback_on(item, decisions),
            "can_share": can_share(request.user, item),
            "decisions": decisions,
            "preview": selectors.preview_for(item.current_version, request.user, limit=max_weighted_length()),
        },
        status=status,
    )


@access(ADVISERS)
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.drafts_of(request.user), pk=pk)
    if request.method != "POST":
        initial, _variants = initial_for(item)
        return _render_draft(request, item, DraftForm(initial=initial), change_asked="change" in request.GET)
    if not policies.can_edit(request.user, item):
        messages.error(request, _("This draft can no longer be changed."))
        return redirect("content:draft_edit", pk=item.pk)
    form = DraftForm(request.POST)
    if not form.is_valid():
        return _render_draft(request, item, form, status=400, change_asked=True)
    try:
        saved = services.save_item(
            actor=request.user, item=item, submit=request.POST.get("action") == "submit", **form.cleaned_data
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _render_draft(request, item, form, status=400, change_asked=True)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("content:draft_edit", pk=item.pk)
    _tell(request, saved, saved_message=_("Draft saved."))
    if saved.refusal is not None:
        return _render_draft(request, saved.item, form, status=400, change_asked=True)
    return redirect("content:draft_edit", pk=item.pk)


@access(WRITERS)
def new(request: HttpRequest) -> HttpResponse:
    """ "New content": a library item for compliance and marketing, a draft for an adviser."""
    if policies.can_author_library(request.user):
        return redirect("content:item_new")
    return redirect("content:draft_new")


@access(WRITERS)
def count(request: HttpRequest) -> HttpResponse:
    """htmx: the weighted count of the post as it would be published, what would block it and what a
    reviewer would have to confirm (warnings, disclosure notes), worded as on the review page."""
    data = request.POST if request.method == "POST" else request.GET
    context = presentation.live_counter(
        text=data.get("text", ""),
        disclosure=data.get("disclosure", ""),
        label=data.get("label", ""),
        link_url=data.get("link_url", ""),
        category=data.get("category") if data.get("category") in Category.values else None,
        language=data.get("language") if data.get("language") in ("fr", "en") else "fr",
        limit=max_weighted_length(),
    )
    return render(request, "content/_counter.html", context)


# --- Library authoring (compliance, marketing) ------------------------------------------------------------
@access(LIBRARY_AUTHORS)
def authoring(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ContentItem.Status.values:
        status = ""
    items = selectors.library_items_for_authoring(status=status).filter(
        policies.library_items_authorable_by(request.user)
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    offers = selectors.job_offers_of([item.pk for item in page])
    for item in page:
        item.offer = offers.get(item.pk)
    return render(
        request,
        "content/authoring.html",
        {
            "page": page,
            "status": status,
            "statuses": ContentItem.Status.choices,
        },
    )


def _item_form(request: HttpRequest, item: ContentItem | None) -> HttpResponse:
    categories = policies.authorable_categories(request.user)
    only = {"categories": categories} if categories != frozenset(Category.values) else {}
    if request.method == "POST":
        form = LibraryItemForm(request.POST, request.FILES, **only)
        variants = VariantFormSet(request.POST, prefix="variants")
    elif item is not None:
        initial, variant_initial = initial_for(item)
        form = LibraryItemForm(initial=initial, **only)
        variants = VariantFormSet(initial=variant_initial, prefix="variants")
    else:
        initial = {"category": Category.RECRUITMENT} if only else {}
        form, variants = LibraryItemForm(initial=initial, **only), VariantFormSet(prefix="variants")
    findings = []
    if request.method == "POST" and form.is_valid() and variants.is_valid():
        fields = dict(form.cleaned_data)
        fields["variants"] = [
            f.cleaned_data.get("text", "") for f in variants.forms if f.cleaned_data.get("text")
        ]
        if item is not None and not fields.get("image"):
            fields["image"] = None
        try:
            saved = services.save_item(
                actor=request.user,
                item=item,
                origin=Origin.LIBRARY,
                submit=request.POST.get("action") == "submit",
                **fields,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect("content:item_detail", pk=item.pk)
        else:
            item = saved.item
            findings = _tell(request, saved, saved_message=_("Saved."))
            if saved.submitted:
                return redirect("content:item_detail", pk=item.pk)
            if saved.refusal is None:
                return redirect("content:item_edit", pk=item.pk)
    return render(
        request,
        "content/item_form.html",
        {
            "form": form,
            "variants": variants,
            "item": item,
            "findings": findings,
            "edit_needs_new_approval": policies.edit_needs_new_approval(item),
        },
        status=400 if request.method == "POST" else 200,
    )


@access(LIBRARY_AUTHORS)
def item_new(request: HttpRequest) -> HttpResponse:
    return _item_form(request, None)


@access(LIBRARY_AUTHORS)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ContentItem.objects.filter(policies.library_items_authorable_by(request.user)).select_related(
            "current_version"
        ),
        pk=pk,
    )
    if not policies.can_edit(request.user, item):
        raise Http404
    return _item_form(request, item)


@access(SIGNED_IN)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item_or_404(request.user, pk)
    version = item.current_version
    approved_texts = list(version.approved_texts.all()[:50]) if version else []
    return render(
        request,
        "content/item_detail.html",
        {
            "item": item,
            "offer": selectors.job_offers_of([item.pk]).get(item.pk),
            "version": version,
            "variants": version.variants.all() if version else [],
            "approved_texts": approved_texts,
            "decisions": item.decisions.select_related("reviewer", "version"),
            "preview": selectors.preview_for(
                version, request.user, limit=max_weighted_length(), stand_in=True
            ),
            "can_edit": policies.can_edit_in_library(request.user, item),
            "can_submit": policies.can_submit(request.user, item),
            "can_recall": policies.can_recall(request.user, item),
            "can_share": can_share(request.user, item),
        },
    )


@access(WRITERS)
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item_or_404(request.user, pk)
    if not policies.can_edit(request.user, item):
        raise Http404
    _tell(request, services.submit_item(item=item, actor=request.user), saved_message="")
    if item.origin == Origin.ADVISER_DRAFT:
        return redirect("content:draft_edit", pk=item.pk)
    return redirect("content:item_detail", pk=item.pk)
