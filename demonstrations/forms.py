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
    ApplicationAttachment,
    Batch,
    DemonstrationApplication,
    FollowUpRecord,
    FundingRecord,
)
from .workflow import ENTERPRISE_TRACKS, RUBRIC, State, Track

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
    Track.BASE: ["batch", "name", "sites", "partner_organisations", *MATERIAL_FIELDS],
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
        if "sites" in self.fields:
            self.fields["sites"].queryset = DemonstrationApplication.objects.filter(
                track=Track.SITE, state=State.DESIGNATED, prefecture_id=prefecture
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
