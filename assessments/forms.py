from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsprotect.core.uploads import check_upload

from .models import ChecklistAnswer, ComplianceTip


class ChecklistForm(forms.Form):
    """One radio group, note and optional evidence file per item of the submission's version."""

    def __init__(self, *args, submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.items = list(submission.template.items.select_related("category"))
        saved = {a.item_id: a for a in submission.answers.all()}
        self.checked = {}
        for item in self.items:
            answer = saved.get(item.pk)
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=ChecklistAnswer.Answer.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=answer.answer if answer else None,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Remarks"),
                required=False,
                max_length=2000,
                initial=answer.note if answer else "",
                widget=forms.TextInput(attrs={"placeholder": _("What is in place, or why not")}),
            )
            if item.evidence_expected:
                self.fields[f"evidence_{item.pk}"] = forms.FileField(
                    label=_("Evidence"), required=False
                )
        self.saved = saved

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            uploaded = cleaned.get(f"evidence_{item.pk}")
            if uploaded:
                try:
                    self.checked[item.pk] = (uploaded, check_upload(uploaded))
                except ValidationError as error:
                    self.add_error(f"evidence_{item.pk}", error)
        return cleaned

    def answers(self):
        """``{item id: (answer, note, evidence)}`` for the service."""
        return {
            item.pk: (
                self.cleaned_data.get(f"answer_{item.pk}") or "",
                self.cleaned_data.get(f"note_{item.pk}") or "",
                self.checked.get(item.pk),
            )
            for item in self.items
        }

    def sections(self):
        """(category, [(item, answer field, note field, evidence field, saved answer)]) in order."""
        sections = []
        for item in self.items:
            if not sections or sections[-1][0] != item.category:
                sections.append((item.category, []))
            evidence = f"evidence_{item.pk}"
            sections[-1][1].append(
                (
                    item,
                    self[f"answer_{item.pk}"],
                    self[f"note_{item.pk}"],
                    self[evidence] if evidence in self.fields else None,
                    self.saved.get(item.pk),
                )
            )
        return sections


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplianceTipForm(forms.ModelForm):
    class Meta:
        model = ComplianceTip
        fields = ["title", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
