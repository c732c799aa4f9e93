"""Forms of the compliance screens: they parse and validate, the writes happen in ``rulepacks`` and in
CONTENT's review workflow."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compliance.review.models import LexiconRule, RuleLanguage, RulePack, RuleSeverity

SEVERITY_ERROR = _("Choose a severity: block, warn or needs a disclosure.")


class RulePackForm(forms.ModelForm):
    class Meta:
        model = RulePack
        fields = ["name", "language", "jurisdiction", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError(_("Give the pack a name."))
        clash = RulePack.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("Another pack is already called “%(name)s”."), params={"name": name}
            )
        return name


class LexiconRuleForm(forms.ModelForm):
    """A rule of one pack; the pack comes from the URL, never from the form."""

    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=RuleSeverity.choices,
        error_messages={"invalid_choice": SEVERITY_ERROR, "required": SEVERITY_ERROR},
    )
    language = forms.ChoiceField(label=_("Language"), choices=RuleLanguage.choices, initial=RuleLanguage.ANY)

    class Meta:
        model = LexiconRule
        fields = ["phrase", "language", "jurisdiction", "severity", "explanation", "suggestion", "active"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "phrase": {"required": _("Enter the phrase to look for.")},
            "explanation": {"required": _("Explain to the author why this phrase is a problem.")},
        }

    def __init__(self, *args, pack: RulePack, **kwargs):
        self.pack = pack
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["language"].initial = pack.language
            self.fields["jurisdiction"].initial = pack.jurisdiction
            self.fields["active"].initial = True

    def clean_phrase(self) -> str:
        """Refuse a phrase that can never match, and one the pack already matches: the engine folds case,
        accents, plurals and spacing ("Sans-Risques" is "sans risque"), so the comparison asks the engine."""
        from compliance.checks import CompiledLexicon, LexiconEntry

        phrase = " ".join((self.cleaned_data.get("phrase") or "").split())
        if not phrase:
            raise forms.ValidationError(_("Enter the phrase to look for."))
        if CompiledLexicon.build([LexiconEntry(id="new", phrase=phrase)]).unmatchable:
            raise forms.ValidationError(_("This phrase has no letter or digit: it could never match."))
        others = {
            str(pk): other
            for pk, other in LexiconRule.objects.filter(pack=self.pack)
            .exclude(pk=self.instance.pk)
            .values_list("pk", "phrase")
        }
        same = [other for other in others.values() if other.casefold() == phrase.casefold()]
        if not same and others:
            existing = CompiledLexicon.build(
                LexiconEntry(id=pk, phrase=other) for pk, other in others.items()
            )
            same = [others[f.rule_id] for f in existing.scan(phrase) if f.start == 0 and f.end == len(phrase)]
        if same:
            raise forms.ValidationError(
                _("This pack already has a rule for “%(phrase)s”. Edit that rule instead."),
                params={"phrase": same[0]},
            )
        return phrase

    def clean_explanation(self) -> str:
        explanation = (self.cleaned_data.get("explanation") or "").strip()
        if not explanation:
            raise forms.ValidationError(_("Explain to the author why this phrase is a problem."))
        return explanation


class TryTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("fr", _("French")), ("en", _("English"))], initial="fr"
    )

    def __init__(self, *args, categories: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("No category")), *list(categories)]
        # Live checking with htmx: each field posts the whole form to the partial endpoint.
        live = {
            "hx-post": reverse("review:try_text_check"),
            "hx-target": "#try-result",
            "hx-include": "closest form",
            "hx-swap": "innerHTML",
        }
        self.fields["text"].widget.attrs.update({**live, "hx-trigger": "keyup changed delay:300ms"})
        for name in ("category", "language"):
            self.fields[name].widget.attrs.update({**live, "hx-trigger": "change"})


class DecisionForm(forms.Form):
    """Approve, request changes or reject one version; the comment is required except to approve."""

    APPROVE, CHANGES, REJECT = "approve", "request_changes", "reject"
    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (CHANGES, _("Request changes")), (REJECT, _("Reject"))],
        error_messages={
            "invalid_choice": _("Choose approve, request changes or reject."),
            "required": _("Choose approve, request changes or reject."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    acknowledged = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, warn_findings: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acknowledged"].choices = list(warn_findings)

    def clean(self):
        data = super().clean()
        decision, comment = data.get("decision"), (data.get("comment") or "").strip()
        if decision in (self.CHANGES, self.REJECT) and not comment:
            self.add_error("comment", _("Tell the author what to change or why the text is rejected."))
        if decision == self.APPROVE:
            missing = {value for value, _label in self.fields["acknowledged"].choices} - set(
                data.get("acknowledged") or ()
            )
            if missing:
                self.add_error(
                    "acknowledged", _("Tick every warning to confirm you have read it before approving.")
                )
        data["comment"] = comment
        return data

    def acknowledged_ids(self) -> tuple[str, ...]:
        """The finding ids confirmed: one checkbox may stand for the same warning in many expansions of a
        template (its value lists their ids, space separated)."""
        return tuple(fid for value in self.cleaned_data.get("acknowledged") or () for fid in value.split())
