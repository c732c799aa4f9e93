"""The digest's two pages: the person's own choice (signed in), and the one-click opt-out from the e-mail.

The opt-out page is public because the token in its URL is the proof (signed by the server, for one
person): a GET only shows a button, since mail scanners follow links; the POST opts out. That POST is
exempt from CSRF because RFC 8058 mail clients send it with no cookie at all; the signed token, not the
session, says who is opting out, and all it can do is stop an e-mail.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from advocacy.digest import sending
from advocacy.org.access import PUBLIC, SIGNED_IN, access


class DigestPreferenceForm(forms.Form):
    subscribed = forms.BooleanField(
        label=gettext_lazy("Send me the weekly digest"),
        required=False,
        help_text=gettext_lazy(
            "Every Monday: new library content for you, your posts' results of the week before, and the "
            "signals waiting in your inbox. Nothing is sent in a week with nothing to tell."
        ),
    )


@access(SIGNED_IN)
def preferences(request: HttpRequest) -> HttpResponse:
    # Not ``request.POST or None``: unticking the only box posts an empty form, which must still count.
    data = request.POST if request.method == "POST" else None
    form = DigestPreferenceForm(data, initial={"subscribed": sending.wants_digest(request.user)})
    if request.method == "POST" and form.is_valid():
        subscribed = form.cleaned_data["subscribed"]
        sending.set_subscribed(request.user, subscribed=subscribed, via="portal")
        if subscribed:
            messages.success(request, _("You will get the weekly digest."))
        else:
            messages.success(request, _("You will no longer get the weekly digest."))
        return redirect("digest:preferences")
    return render(request, "digest/preferences.html", {"form": form})


@csrf_exempt
@access(PUBLIC)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = sending.user_for_token(token)
    if user is None:
        raise Http404
    done = False
    if request.method == "POST":
        sending.set_subscribed(user, subscribed=False, via="e-mail")
        done = True
    return render(request, "digest/unsubscribe.html", {"done": done, "token": token})
