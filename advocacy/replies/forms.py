from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your reply: it is empty.")},
    )
    # One key per form shown: posting the same form twice makes one reply (services.queue_reply).
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=36)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each keystroke asks the counter for the weighted length and what would block the reply.
        self.fields["text"].widget.attrs.update(
            {
                "hx-post": reverse("replies:count"),
                "hx-target": "#reply-counter",
                "hx-include": "closest form",
                "hx-swap": "innerHTML",
                "hx-trigger": "keyup changed delay:300ms",
            }
        )
