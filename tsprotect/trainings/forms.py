from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsprotect.core.relations import ScopedModelForm
from tsprotect.regions.models import FtzArea

from . import services
from .models import TrainingEvent


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; its value is ISO whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TrainingEventForm(ScopedModelForm):
    """Creating or editing an event; prefectures offered are those the user may manage."""

    class Meta:
        model = TrainingEvent
        fields = [
            "title",
            "kind",
            "organiser",
            "prefecture",
            "ftz_area",
            "venue",
            "starts_at",
            "ends_at",
            "signup_deadline",
            "capacity",
            "audience",
            "description",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "signup_deadline": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        action = "change" if self.instance.pk else "add"
        prefectures = services.prefectures_for(user, action)
        codes = list(prefectures.values_list("pk", flat=True))
        self.fields["prefecture"].queryset = prefectures
        self.fields["ftz_area"].queryset = FtzArea.objects.filter(prefecture__in=codes)
        for name in ("starts_at", "ends_at", "signup_deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if len(codes) == 1 and not self.instance.pk:
            self.fields["prefecture"].initial = codes[0]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        deadline = cleaned.get("signup_deadline")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        if deadline and ends and deadline > ends:
            self.add_error("signup_deadline", _("The sign-up must close before the event ends."))
        prefecture, area = cleaned.get("prefecture"), cleaned.get("ftz_area")
        if prefecture and area and area.prefecture_id != prefecture.pk:
            self.add_error("ftz_area", _("The FTZ area is not in the chosen prefecture."))
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None:
            registered = self.instance.registrations.count()
            if capacity < registered:
                self.add_error(
                    "capacity",
                    _("%(count)d people have already signed up: keep at least that many places.")
                    % {"count": registered},
                )
        if not self.instance.pk and ends and ends <= timezone.now():
            self.add_error("ends_at", _("The event is already over."))
        return cleaned


class RegistrationForm(forms.Form):
    """The public sign-up form: anyone, with or without an account."""

    name = forms.CharField(label=_("Your name"), max_length=40)
    organisation = forms.CharField(label=_("Enterprise or organisation"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    consent = forms.BooleanField(
        label=_("I agree that the organiser may contact me about this event."),
        error_messages={"required": _("Please agree to be contacted about the event.")},
    )

    def clean_phone(self):
        try:
            return services.normalise_phone(self.cleaned_data["phone"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None
