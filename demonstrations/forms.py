from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsprotect.core.forms import add_errors
from tsprotect.core.relations import (
    ScopedForm,
    ScopedModelForm,
    ScopedModelMultipleChoiceField,
)
from tsprotect.core.uploads import check_upload
from tsprotect.core.widgets import DateInput
from tsprotect.regions.models import HostOrganisation

from . import services
from .models import (
    AcceptanceDocument,
    ApplicationAttachment,
    Batch,
    DemonstrationApplication,
    FollowUpRecord,
    FundingRecord,
    PilotEntry,
)
from .workflow import (
    ACCEPTANCE_LEAD,
    ENTERPRISE_TRACKS,
    RUBRIC,
    AcceptanceParty,
    AcceptanceResult,
    FindingLevel,
    FtzSelection,
    State,
    Track,
)

MATERIAL_FIELDS = [
    "rules_system",
    "organisation",
    "measures",
    "achievements",
    "contact_person",
    "contact_phone",
]
FIELDS_BY_TRACK = {
    Track.FTZ_ENTERPRISE: ["batch", "enterprise", *MATERIAL_FIELDS],
    Track.PROVINCIAL_ENTERPRISE: ["batch", "enterprise", *MATERIAL_FIELDS],
    Track.SITE: [
        "batch",
        "name",
        "host_organisation",
        "member_enterprises",
        "partner_organisations",
        *MATERIAL_FIELDS,
    ],
    Track.BASE: ["batch", "name", "prefecture", "sites", "partner_organisations", *MATERIAL_FIELDS],
}


class ApplicationForm(ScopedModelForm):
    """The application materials of one track; choices offer only what the applicant may name."""

    class Meta:
        model = DemonstrationApplication
        fields = sorted({f for fields in FIELDS_BY_TRACK.values() for f in fields})
        widgets = {
            "rules_system": forms.Textarea(attrs={"rows": 4}),
            "organisation": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 5}),
            "achievements": forms.Textarea(attrs={"rows": 3}),
            "partner_organisations": forms.Textarea(attrs={"rows": 2}),
            "member_enterprises": forms.CheckboxSelectMultiple,
            "sites": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "rules_system": _("Which confidentiality rules the unit has, and how they are kept."),
            "organisation": _("Who is responsible for trade secret protection, and how."),
            "measures": _(
                "Measures taken: classification of secrets, agreements, access control, IT, "
                "premises, departures, incident response."
            ),
        }

    def __init__(self, *args, user, track, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.track = track
        self.instance.track = track
        wanted = FIELDS_BY_TRACK[track]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        # Put the fields in the order of the track.
        self.order_fields(wanted)
        today = timezone.localdate()
        batches = Batch.objects.filter(track=track, submission_deadline__gte=today)
        self.fields["batch"].queryset = batches
        self.fields["batch"].empty_label = None if batches.count() == 1 else "---------"
        if "enterprise" in self.fields:
            enterprises = services.applicant_enterprises(user)
            if track == Track.FTZ_ENTERPRISE:
                enterprises = enterprises.filter(ftz_area__isnull=False)
            self.fields["enterprise"].queryset = enterprises.select_related("prefecture")
            self.fields["enterprise"].required = True
        prefecture = user.prefecture_id
        if "host_organisation" in self.fields:
            self.fields["host_organisation"].queryset = HostOrganisation.objects.filter(
                prefecture_id=prefecture, active=True
            )
            self.fields["host_organisation"].required = True
        if "member_enterprises" in self.fields:
            self.fields["member_enterprises"].queryset = services.designated_enterprises().filter(
                prefecture_id=prefecture
            )
            self.fields["member_enterprises"].help_text = _(
                "Designated demonstration enterprises clustered in the park or association."
            )
        province_files_base = track == Track.BASE and services.is_province(user)
        if "prefecture" in self.fields:
            if province_files_base:
                self.fields["prefecture"].label = _("Lead prefecture")
                self.fields["prefecture"].help_text = _(
                    "The prefecture that leads the base; it must have one of the sites."
                )
            else:
                del self.fields["prefecture"]
        if "sites" in self.fields:
            sites = DemonstrationApplication.objects.filter(
                track=Track.SITE, state=State.DESIGNATED
            ).select_related("prefecture")
            if not province_files_base:
                sites = sites.filter(prefecture_id=prefecture)
            self.fields["sites"].queryset = sites
            self.fields["sites"].label_from_instance = lambda site: (
                f"{site.name}（{site.prefecture.name}）"
            )
            self.fields["sites"].help_text = _(
                "Designated demonstration sites; the prefectures of the sites are recorded as "
                "concerned by the base and can see it."
            )
        if "name" in self.fields:
            self.fields["name"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for name, value in cleaned.items():
            if name not in ("member_enterprises", "sites"):
                setattr(self.instance, name, value)
        if self.track in ENTERPRISE_TRACKS and self.instance.enterprise_id:
            self.instance.name = self.instance.enterprise.name
        try:
            services.check_application(self.instance, self.user)
        except ValidationError as error:
            add_errors(self, error)
        return cleaned

    def save(self, commit=True):
        relations = {
            "members": self.cleaned_data.get("member_enterprises", ()),
            "sites": self.cleaned_data.get("sites", ()),
        }
        if self.instance.pk:
            return services.update_application(self.instance, self.user, **relations)
        return services.create_application(self.instance, self.user, **relations)


class AttachmentForm(forms.ModelForm):
    file = forms.FileField(label=_("File"))

    class Meta:
        model = ApplicationAttachment
        fields = ["title"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = check_upload(uploaded)
        return uploaded


class TransitionForm(forms.Form):
    note = forms.CharField(
        label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExpertChoiceField(ScopedModelMultipleChoiceField):
    def label_from_instance(self, expert):
        profile = getattr(expert, "expert_profile", None)
        if profile is None:
            return str(expert)
        parts = [str(expert), profile.title, profile.employer, profile.get_fields_display()]
        return " · ".join(p for p in parts if p)


class AssignExpertsForm(ScopedForm):
    experts = ExpertChoiceField(
        label=_("Experts"),
        queryset=services.expert_pool(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("3 to 5 experts in all; conflicts of interest are refused."),
    )


class ReviewForm(forms.Form):
    """One field per criterion of the rubric, bounded by its points."""

    comment = forms.CharField(label=_("Review comments"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in reversed(RUBRIC):
            self.fields = {
                criterion.key: forms.DecimalField(
                    label=f"{criterion.label}（0–{criterion.max_points}）",
                    min_value=0,
                    max_value=criterion.max_points,
                    decimal_places=1,
                    widget=forms.NumberInput(attrs={"step": "0.5"}),
                ),
                **self.fields,
            }

    def scores(self):
        return {c.key: self.cleaned_data[c.key] for c in RUBRIC}


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUpRecord
        fields = ["kind", "happened_on", "summary"]
        widgets = {"happened_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}


class FundingForm(forms.ModelForm):
    class Meta:
        model = FundingRecord
        fields = ["year", "amount", "purpose", "granted_on"]
        widgets = {"granted_on": DateInput()}


class BatchForm(forms.ModelForm):
    class Meta:
        model = Batch
        fields = [
            "track",
            "year",
            "name",
            "opens_on",
            "submission_deadline",
            "recommendation_deadline",
            "quota",
            "note",
        ]
        widgets = {
            "opens_on": DateInput(),
            "submission_deadline": DateInput(),
            "recommendation_deadline": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        opens, submit, recommend = (
            cleaned.get("opens_on"),
            cleaned.get("submission_deadline"),
            cleaned.get("recommendation_deadline"),
        )
        if opens and submit and submit < opens:
            self.add_error("submission_deadline", _("The deadline is before the opening."))
        if submit and recommend and recommend < submit:
            self.add_error(
                "recommendation_deadline",
                _("Prefectures recommend after the submission deadline, not before."),
            )
        return cleaned


# The FTZ pilot and its acceptance (§5) --------------------------------------------------------


class FtzSelectionForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("Selection basis"), choices=FtzSelection.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when the prefecture names the enterprise: why no enterprise of the area "
            "meets the special project's conditions."
        ),
    )


class PilotEntryForm(forms.ModelForm):
    class Meta:
        model = PilotEntry
        fields = ["kind", "happened_on", "summary"]
        widgets = {"happened_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}


PARTY_ROWS = (
    ACCEPTANCE_LEAD,
    AcceptanceParty.IP_PROTECTION_DIVISION,
    AcceptanceParty.IP_PROTECTION_CENTER,
    AcceptanceParty.FTZ_MANAGEMENT,
    AcceptanceParty.EXPERT,
    AcceptanceParty.EXPERT,
    AcceptanceParty.EXPERT,
)
LEAD_ORGANISATION = "湖南省市场监督管理局价监竞争局"


class AcceptanceForm(forms.Form):
    """One acceptance evaluation: date, parties, a finding per criterion, result, documents.

    The parties are rows of kind, organisation and names; a row without an organisation is left
    out. The rules (who must take part, what a pass may find) are the service's.
    """

    evaluated_on = forms.DateField(label=_("Date of the evaluation"), widget=DateInput())
    result = forms.ChoiceField(
        label=_("Result"), choices=AcceptanceResult.choices, widget=forms.RadioSelect
    )
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}))
    rectification = forms.CharField(
        label=_("What to rectify before the re-evaluation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    document = forms.FileField(label=_("Document (minutes or report)"), required=False)
    document_title = forms.CharField(label=_("Title of the document"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked = None
        for index, kind in enumerate(PARTY_ROWS):
            self.fields[f"party_{index}_kind"] = forms.ChoiceField(
                label=_("Party"), choices=AcceptanceParty.choices, initial=kind
            )
            self.fields[f"party_{index}_organisation"] = forms.CharField(
                label=_("Organisation"),
                required=False,
                initial=LEAD_ORGANISATION if kind == ACCEPTANCE_LEAD else "",
            )
            self.fields[f"party_{index}_names"] = forms.CharField(label=_("Names"), required=False)
        for criterion in RUBRIC:
            self.fields[f"finding_{criterion.key}"] = forms.ChoiceField(
                label=criterion.label, choices=[("", "---------"), *FindingLevel.choices]
            )
            self.fields[f"remarks_{criterion.key}"] = forms.CharField(
                label=_("Remarks"), required=False
            )

    def party_rows(self):
        return [
            (self[f"party_{i}_kind"], self[f"party_{i}_organisation"], self[f"party_{i}_names"])
            for i in range(len(PARTY_ROWS))
        ]

    def finding_rows(self):
        return [(c, self[f"finding_{c.key}"], self[f"remarks_{c.key}"]) for c in RUBRIC]

    def clean_document(self):
        uploaded = self.cleaned_data.get("document")
        if uploaded:
            self.checked = check_upload(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("document") and not cleaned.get("document_title"):
            self.add_error("document_title", _("Give the document a title."))
        return cleaned

    def record_kwargs(self):
        """The service's arguments from the cleaned form."""
        data = self.cleaned_data
        parties = [
            {
                "kind": data[f"party_{i}_kind"],
                "organisation": data[f"party_{i}_organisation"].strip(),
                "names": data[f"party_{i}_names"].strip(),
            }
            for i in range(len(PARTY_ROWS))
            if data[f"party_{i}_organisation"].strip()
        ]
        findings = {c.key: (data[f"finding_{c.key}"], data[f"remarks_{c.key}"]) for c in RUBRIC}
        documents = []
        if data.get("document"):
            documents.append((data["document"], self.checked, data["document_title"]))
        return {
            "evaluated_on": data["evaluated_on"],
            "result": data["result"],
            "conclusion": data["conclusion"],
            "rectification": data["rectification"],
            "parties": parties,
            "findings": findings,
            "documents": documents,
        }

    def add_service_errors(self, error):
        """A refusal of the service, on the fields it names (a criterion on its finding)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            if f"finding_{field}" in self.fields:
                field = f"finding_{field}"
            self.add_error(field if field in self.fields else None, messages)


class AcceptanceDocumentForm(forms.ModelForm):
    file = forms.FileField(label=_("File"))

    class Meta:
        model = AcceptanceDocument
        fields = ["title"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = check_upload(uploaded)
        return uploaded
