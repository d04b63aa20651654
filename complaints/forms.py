"""Forms of the complaint pages: they parse what was typed in; every rule is in ``services``."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from enterprises.models import Enterprise
from tsprotect.accounts.forms import RegistrationForm
from tsprotect.accounts.models import Role, User
from tsprotect.core import scoping
from tsprotect.core.forms import add_errors
from tsprotect.core.relations import (
    ScopedForm,
    ScopedModelChoiceField,
    ScopedModelForm,
    ScopedModelMultipleChoiceField,
)
from tsprotect.core.uploads import check_upload
from tsprotect.core.validators import normalise_uscc
from tsprotect.core.widgets import DateInput
from tsprotect.regions.models import County, Prefecture

from . import services
from .models import ClockExtension, ClockPause, Complaint, InvestigationStep, StatutoryLimit
from .workflow import Channel, Conduct, FeedbackMethod, Kind, PartyKind, PoliceDecision, Remedy

# Evidence files sent with one form; more can be added from the complaint's page.
MAX_EVIDENCE_FILES = 5
# A report from the public, without an account, brings fewer (and a description of some length).
MAX_PUBLIC_EVIDENCE_FILES = 3
MIN_PUBLIC_DESCRIPTION = 20


def error_messages(form):
    """A form's errors as sentences naming their field, for a message on the next page."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            lines.append(f"{label}: {error}" if label else str(error))
    return lines


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several files in one input, each checked by its content; one refused file refuses all."""

    widget = MultipleFileInput

    def __init__(self, *, max_files=MAX_EVIDENCE_FILES, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("label", _("Evidence files"))
        # Interpolated lazily: the help text is read in the language of each request.
        kwargs.setdefault(
            "help_text",
            ngettext_lazy(
                "Up to %(count)s file: PDF, OFD, Word, Excel, JPEG, PNG or ZIP. Only those "
                "handling the complaint can open it, and every opening is logged.",
                "Up to %(count)s files: PDF, OFD, Word, Excel, JPEG, PNG or ZIP. Only those "
                "handling the complaint can open them, and every opening is logged.",
                "count",
            )
            % {"count": max_files},
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                _("At most %(count)s files at a time.") % {"count": self.max_files},
                code="too_many",
            )
        return [super(EvidenceFilesField, self).clean(f, initial) for f in files]


def checked_evidence(uploads):
    """``(uploaded, checked, title)`` for each file, or a ValidationError naming the file."""
    evidence = []
    for uploaded in uploads:
        try:
            checked = check_upload(uploaded)
        except ValidationError as error:
            raise ValidationError(
                [f"{uploaded.name}: {message}" for message in error.messages]
            ) from None
        evidence.append((uploaded, checked, ""))
    return evidence


class _ComplaintForm(ScopedModelForm):
    """What an officer's intake and an enterprise's own form share: the respondent, the secret,
    the conduct, the loss, the description and the evidence."""

    conduct = forms.MultipleChoiceField(
        label=_("Alleged conduct"),
        choices=Conduct.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    evidence = EvidenceFilesField(required=False)

    class Meta:
        model = Complaint
        fields = []
        widgets = {
            "received_on": DateInput(),
            "respondent_individuals": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "respondent_credit_code": forms.TextInput(
                attrs={"autocomplete": "off", "maxlength": 18, "spellcheck": "false"}
            ),
        }
        error_messages = {
            "channel": {"required": _("Please say through which channel the complaint came in.")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.evidence = []

    def clean_respondent_credit_code(self):
        return normalise_uscc(self.cleaned_data.get("respondent_credit_code", ""))

    def clean_evidence(self):
        self.evidence = checked_evidence(self.cleaned_data.get("evidence") or [])
        return self.cleaned_data.get("evidence")

    def check(self):
        """Ask the service whether the complaint as typed can be registered."""
        try:
            services.check_intake(self.instance)
        except ValidationError as error:
            add_errors(self, error)

    def save(self, commit=True):
        return services.create_complaint(self.instance, self.user, evidence=self.evidence)


class ComplaintForm(_ComplaintForm):
    """An officer's intake of a hotline call, a referral, a walk-in or a letter."""

    complainant_credit_code = forms.CharField(
        label=_("Complainant's credit code"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("When the complainant is an enterprise of your directory."),
    )

    class Meta(_ComplaintForm.Meta):
        fields = [
            "kind",
            "channel",
            "received_on",
            "prefecture",
            "county",
            "complainant_name",
            "complainant_contact",
            "anonymous",
            "respondent_credit_code",
            "respondent_name",
            "respondent_individuals",
            "secret_kind",
            "conduct",
            "estimated_loss",
            "description",
        ]
        help_texts = {
            "complainant_name": _("A rights holder or reporter not in the directory."),
            "anonymous": _("Only a report may be anonymous."),
            "respondent_credit_code": _(
                "When the company is in your directory it is linked to its record."
            ),
            "received_on": _("The day the call, letter or referral came in; not in the future."),
        }

    field_order = [
        "kind",
        "channel",
        "received_on",
        "prefecture",
        "county",
        "complainant_credit_code",
        "complainant_name",
        "complainant_contact",
        "anonymous",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["kind"].widget = forms.RadioSelect(choices=Kind.choices)
        self.fields["kind"].initial = Kind.COMPLAINT
        # No channel is assumed: the officer says where the complaint came from.
        self.fields["channel"].choices = [("", _("Choose the channel")), *Channel.choices]
        received_on = self.fields["received_on"]
        received_on.initial = timezone.localdate()
        received_on.widget.attrs["max"] = timezone.localdate().isoformat()
        prefectures = scoping.prefectures_for(user, Complaint, "add")
        codes = list(prefectures.values_list("pk", flat=True))
        self.fields["prefecture"].queryset = prefectures
        if len(codes) == 1:
            self.fields["prefecture"].initial = codes[0]
        counties = County.objects.filter(prefecture__in=codes).select_related("prefecture")
        limit = scoping.county_limit(user)
        if limit:
            counties = counties.filter(pk=limit)
            self.fields["county"].required = True
            self.fields["county"].initial = limit
        self.fields["county"].queryset = counties

    def clean_complainant_credit_code(self):
        code = normalise_uscc(self.cleaned_data.get("complainant_credit_code", ""))
        if not code:
            return None
        enterprise = Enterprise.objects.restrict(self.user).filter(uscc=code).first()
        if enterprise is None:
            raise ValidationError(
                _(
                    "No enterprise with this credit code in your directory: give the "
                    "complainant's name and contact instead."
                )
            )
        return enterprise

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        complaint = self.instance
        for name in self._meta.fields:
            setattr(complaint, name, cleaned.get(name))
        complaint.complainant_enterprise = cleaned.get("complainant_credit_code")
        complaint.complainant_name = complaint.complainant_name or ""
        complaint.complainant_contact = complaint.complainant_contact or ""
        code = cleaned.get("respondent_credit_code")
        if code:
            complaint.respondent_enterprise = (
                Enterprise.objects.restrict(self.user).filter(uscc=code).first()
            )
        self.check()
        return cleaned


class EnterpriseComplaintForm(_ComplaintForm):
    """The enterprise's own online form: it is the complainant, its bureau handles it."""

    enterprise = ScopedModelChoiceField(
        label=_("Complaining enterprise"), queryset=Enterprise.objects.none(), empty_label=None
    )

    class Meta(_ComplaintForm.Meta):
        fields = [
            "complainant_contact",
            "respondent_name",
            "respondent_credit_code",
            "respondent_individuals",
            "secret_kind",
            "conduct",
            "estimated_loss",
            "description",
        ]
        labels = {"complainant_contact": _("Contact person and phone")}
        help_texts = {
            "respondent_name": _("The company that infringed your trade secret, if any."),
            "description": _(
                "What happened, when, what secret is concerned and how you learned of it."
            ),
        }

    field_order = ["enterprise"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        enterprises = Enterprise.objects.filter(pk__in=sorted(scoping.enterprise_ids(user)))
        self.fields["enterprise"].queryset = enterprises
        if len(scoping.enterprise_ids(user)) == 1:
            self.fields["enterprise"].initial = next(iter(scoping.enterprise_ids(user)))
            self.fields["enterprise"].widget = forms.HiddenInput()
        self.fields["complainant_contact"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        complaint = self.instance
        for name in self._meta.fields:
            setattr(complaint, name, cleaned.get(name))
        enterprise = cleaned["enterprise"]
        complaint.kind = Kind.COMPLAINT
        complaint.channel = "online"
        complaint.received_on = timezone.localdate()
        complaint.complainant_enterprise = enterprise
        complaint.prefecture_id = enterprise.prefecture_id
        complaint.county_id = enterprise.county_id
        self.check()
        return cleaned


class PublicReportForm(_ComplaintForm):
    """Anyone's report (举报) through the public platform, without an account: where it
    happened, whom and what it is about, the evidence and, if the reporter wishes, who they are.
    """

    evidence = EvidenceFilesField(required=False, max_files=MAX_PUBLIC_EVIDENCE_FILES)
    # The registration form's offline captcha (a form copies its fields for each instance).
    captcha = RegistrationForm.base_fields["captcha"]

    class Meta(_ComplaintForm.Meta):
        fields = [
            "prefecture",
            "respondent_name",
            "respondent_credit_code",
            "respondent_individuals",
            "secret_kind",
            "conduct",
            "description",
            "complainant_name",
            "complainant_contact",
        ]
        labels = {
            "prefecture": _("Prefecture where it happened"),
            "complainant_name": _("Your name"),
            "complainant_contact": _("Your phone or address"),
        }
        help_texts = {
            "prefecture": _("Its market regulation bureau handles the report."),
            "respondent_name": _("The company that infringed the trade secret, if any."),
            "description": _(
                "What happened, when, what secret is concerned and how you learned of it "
                "(at least 20 characters)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, user=None, **kwargs)
        description = self.fields["description"]
        description.validators.append(MinLengthValidator(MIN_PUBLIC_DESCRIPTION))
        description.widget.attrs["minlength"] = MIN_PUBLIC_DESCRIPTION
        self.fields["complainant_contact"].widget.attrs["autocomplete"] = "tel"
        self.fields["complainant_name"].widget.attrs["autocomplete"] = "name"

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("complainant_name") or "").strip()
        contact = (cleaned.get("complainant_contact") or "").strip()
        if bool(name) != bool(contact):
            self.add_error(
                "complainant_contact" if name else "complainant_name",
                _(
                    "Give both your name and how to reach you, or leave both empty to report "
                    "anonymously."
                ),
            )
        if self.errors:
            return cleaned
        complaint = self.instance
        for field in self._meta.fields:
            setattr(complaint, field, cleaned.get(field))
        services.as_public_report(complaint)
        self.check()
        return cleaned

    def save(self, commit=True):
        return services.receive_public_report(self.instance, evidence=self.evidence)


class EvidenceForm(forms.Form):
    files = EvidenceFilesField(required=True)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("What the files show; the file name is used when left empty."),
    )

    def clean_files(self):
        self.evidence = checked_evidence(self.cleaned_data["files"])
        return self.cleaned_data["files"]


BLANK = [("", "---------")]
# The fields a transition may ask for (``Transition.requires`` / ``optional``).
STEP_FIELDS = {
    "on": lambda: forms.DateField(label=_("Date"), widget=DateInput()),
    "case_number": lambda: forms.CharField(label=_("Case number"), max_length=60),
    "receiving_unit": lambda: forms.CharField(
        label=_("Receiving public security unit"), max_length=200
    ),
    "approved_by": lambda: forms.CharField(label=_("Approved by"), max_length=100),
    "remedy": lambda: forms.ChoiceField(label=_("Remedy"), choices=BLANK + Remedy.choices),
    "penalty": lambda: forms.BooleanField(label=_("Administrative penalty imposed")),
    "decision_number": lambda: forms.CharField(label=_("Penalty decision number"), max_length=60),
    "party_kind": lambda: forms.ChoiceField(
        label=_("Kind of party penalised"), choices=BLANK + PartyKind.choices
    ),
    "party_name": lambda: forms.CharField(
        label=_("Party penalised"),
        max_length=200,
        help_text=_("Leave empty with the credit code to penalise the respondent company."),
    ),
    "party_credit_code": lambda: forms.CharField(
        label=_("Party's unified social credit code"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    ),
    "party_id_number": lambda: forms.CharField(
        label=_("ID number (natural person)"),
        max_length=18,
        help_text=_("Shown in full only on the decision; masked everywhere else."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    ),
    "facts": lambda: forms.CharField(
        label=_("Facts of the violation"), widget=forms.Textarea(attrs={"rows": 3})
    ),
    "content": lambda: forms.CharField(
        label=_("Penalty imposed"), widget=forms.Textarea(attrs={"rows": 2})
    ),
    "confiscated": lambda: forms.DecimalField(
        label=_("Illegal gains confiscated (yuan)"), min_value=0, max_digits=14, decimal_places=2
    ),
    "fine": lambda: forms.DecimalField(
        label=_("Fine (yuan)"), min_value=0, max_digits=14, decimal_places=2
    ),
    "method": lambda: forms.ChoiceField(
        label=_("How the complainant was told"), choices=BLANK + FeedbackMethod.choices
    ),
    "police_decision": lambda: forms.ChoiceField(
        label=_("The police's decision"), choices=BLANK + PoliceDecision.choices
    ),
    "document_number": lambda: forms.CharField(
        label=_("Document number"),
        max_length=60,
        help_text=_("The number of the notice or request, as written on the document."),
    ),
    "procuratorate": lambda: forms.CharField(label=_("People's procuratorate"), max_length=200),
    "receipt_number": lambda: forms.CharField(
        label=_("Receipt number"),
        max_length=60,
        help_text=_("The number of the police's receipt (回执) for the transfer, if it has one."),
    ),
}


class ActionForm(forms.Form):
    """One step of the lifecycle: the note and the data its transition asks for."""

    def __init__(self, *args, transition, **kwargs):
        kwargs.setdefault("prefix", transition.action)
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in transition.requires + transition.optional:
            field = STEP_FIELDS[name]()
            field.required = name in transition.requires
            self.fields[name] = field
        if "on" in self.fields:
            self.fields["on"].initial = timezone.localdate()
        if transition.public_note:
            label = _("Reason or content (the complainant will see it)")
        elif transition.needs_note:
            label = _("Reason or content (internal)")
        else:
            label = _("Note (internal, optional)")
        self.fields["note"] = forms.CharField(
            label=label,
            required=transition.needs_note,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        if self.is_bound:
            # What a step needs is the service's rule, checked after the state (a step out of
            # order is told so, not asked for its data): a posted form only parses.
            for field in self.fields.values():
                field.required = False

    def data_for_service(self):
        cleaned = dict(self.cleaned_data)
        note = cleaned.pop("note", "")
        return note, {k: v for k, v in cleaned.items() if v not in (None, "")}


class ExpertField(ScopedModelMultipleChoiceField):
    def label_from_instance(self, expert):
        profile = getattr(expert, "expert_profile", None)
        parts = [str(expert)]
        if profile is not None:
            parts += [profile.title, profile.employer]
        return " · ".join(p for p in parts if p)


class StepForm(ScopedModelForm):
    experts = ExpertField(
        label=_("Experts consulted"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The experts chosen can then open this complaint's evidence."),
    )

    class Meta:
        model = InvestigationStep
        fields = ["kind", "happened_on", "actions", "findings"]
        widgets = {
            "happened_on": DateInput(),
            "actions": forms.Textarea(attrs={"rows": 3}),
            "findings": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = timezone.localdate()
        self.fields["experts"].queryset = (
            User.objects.filter(role=Role.EXPERT, is_active=True)
            .select_related("expert_profile")
            .order_by("display_name", "username")
        )


class PauseForm(forms.ModelForm):
    class Meta:
        model = ClockPause
        fields = ["reason", "started_on", "note"]
        widgets = {"started_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()


class EndPauseForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class ExtendForm(forms.Form):
    """The head's approval, or a collective decision of the heads, with its document: a number,
    an uploaded file (kept with the evidence), or both."""

    limit = forms.ChoiceField(label=_("Time limit"))
    kind = forms.ChoiceField(label=_("Kind of extension"), choices=ClockExtension.Kind.choices)
    period = forms.IntegerField(
        label=_("Extended by"),
        min_value=1,
        max_value=32767,
        required=False,
        help_text=_(
            "The period a collective decision states, in the limit's unit; the head's approval "
            "extends by the limit's own extension."
        ),
    )
    approved_by = forms.CharField(
        label=_("Approved or decided by"),
        max_length=200,
        help_text=_("The head who approved, or the heads who took the collective decision."),
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("The signed approval or the minutes of the decision (PDF, image, Word)."),
    )
    reason = forms.CharField(
        label=pgettext_lazy("complaint", "Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, clocks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()
        if clocks is None:
            codes = StatutoryLimit.objects.filter(extension__gt=0).values_list("code", "label")
            self.fields["limit"].choices = list(codes)
        else:
            self.fields["limit"].choices = [
                (
                    clock.limit.code,
                    f"{clock.limit.label}（+{clock.limit.extension} "
                    f"{clock.limit.get_unit_display()}）",
                )
                for clock in clocks
            ]
            # Offer only the kinds the clocks can take now (the head's approval comes first).
            allowed = {kind for clock in clocks for kind in services.extendable(clock)}
            self.fields["kind"].choices = [
                choice for choice in ClockExtension.Kind.choices if choice[0] in allowed
            ]

    def clean_document(self):
        uploaded = self.cleaned_data.get("document")
        self.checked_document = check_upload(uploaded) if uploaded else None
        return uploaded

    def document_for_service(self):
        uploaded = self.cleaned_data.get("document")
        return (uploaded, self.checked_document) if uploaded else None


class TransferForm(ScopedForm):
    to_prefecture = ScopedModelChoiceField(
        label=_("Hand to the bureau of"), queryset=Prefecture.objects.all()
    )
    reason = forms.CharField(
        label=pgettext_lazy("complaint", "Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, **kwargs)
        if complaint is not None:
            self.fields["to_prefecture"].queryset = Prefecture.objects.exclude(
                pk=complaint.prefecture_id
            )


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("Published on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_on"].initial = timezone.localdate()
