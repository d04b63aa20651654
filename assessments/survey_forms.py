"""Forms of the survey pages: the province's draft with its questions, an enterprise's answers.

The forms parse what the browser sends; the rules (what may change, what is a valid answer)
are in ``surveys.py``, which the forms' callers go through.
"""

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from tsprotect.core.relations import ScopedModelForm, ScopedModelMultipleChoiceField
from tsprotect.regions.models import Prefecture

from . import surveys
from .models import Survey, SurveyQuestion

Kind = SurveyQuestion.Kind
MAX_CHOICES = 20
MAX_CHOICE_LENGTH = 100


class SurveyForm(ScopedModelForm):
    prefectures = ScopedModelMultipleChoiceField(
        label=_("Prefectures"),
        queryset=Prefecture.objects.order_by("pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every prefecture."),
    )
    tags = forms.MultipleChoiceField(
        label=_("Enterprise tags"),
        choices=list(Enterprise.TAGS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every enterprise. Several chosen: enterprises with any of them."),
    )

    class Meta:
        model = Survey
        fields = ["title", "description", "prefectures", "tags", "closes_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_closes_on(self):
        closes_on = self.cleaned_data.get("closes_on")
        if closes_on and closes_on < timezone.localdate():
            raise forms.ValidationError(_("The closing date cannot be in the past."))
        return closes_on


class ChoicesField(forms.CharField):
    """Choices typed one per line, kept as a list of distinct non-empty strings."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        choices = []
        for line in text.splitlines():
            line = line.strip()
            if line and line not in choices:
                choices.append(line)
        return choices

    def has_changed(self, initial, data):
        if isinstance(initial, str):
            initial = self.to_python(initial)
        return list(initial or []) != self.to_python(data)

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_CHOICES:
            raise forms.ValidationError(
                _("Offer at most %(limit)d choices.") % {"limit": MAX_CHOICES}
            )
        if any(len(choice) > MAX_CHOICE_LENGTH for choice in value):
            raise forms.ValidationError(
                _("Keep each choice under %(limit)d characters.") % {"limit": MAX_CHOICE_LENGTH}
            )


class QuestionForm(forms.ModelForm):
    choices = ChoicesField(
        label=_("Choices"),
        required=False,
        help_text=_("One per line; for questions with choices only."),
    )

    class Meta:
        model = SurveyQuestion
        fields = ["text", "kind", "choices", "required"]
        widgets = {"text": forms.TextInput()}

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        choices = cleaned.get("choices") or []
        if kind in surveys.CHOICE_KINDS and len(choices) < 2:
            self.add_error("choices", _("A question with choices needs at least two of them."))
        elif kind in (Kind.NUMBER, Kind.TEXT):
            cleaned["choices"] = []
        return cleaned


QuestionFormSet = inlineformset_factory(
    Survey,
    SurveyQuestion,
    form=QuestionForm,
    extra=2,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class AnswerForm(forms.Form):
    """One field per question, named ``surveys.field_name(question)``. Every field is optional
    here: ``surveys.answer`` decides what is required and valid, and its refusals are shown on
    the fields."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[surveys.field_name(question)] = self._field(question)

    @staticmethod
    def _field(question):
        common = {"label": question.text, "required": False}
        choices = [(choice, choice) for choice in question.choices or []]
        if question.kind == Kind.SINGLE:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if question.kind == Kind.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        if question.kind == Kind.NUMBER:
            return forms.DecimalField(
                max_digits=14,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"min": 0, "step": "any"}),
                **common,
            )
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}), max_length=surveys.MAX_TEXT_ANSWER, **common
        )

    def bound_questions(self):
        """(question, bound field) pairs, in the survey's order, for the template."""
        return [(q, self[surveys.field_name(q)]) for q in self.questions]

    def values(self):
        return {name: value for name, value in self.cleaned_data.items()}
