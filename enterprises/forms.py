from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tsprotect.core import scoping
from tsprotect.core.relations import ScopedForm, ScopedModelChoiceField, ScopedModelForm
from tsprotect.core.uploads import check_upload
from tsprotect.core.validators import normalise_uscc
from tsprotect.core.widgets import DateInput
from tsprotect.regions.models import County, FtzArea, HostOrganisation

from .models import DirectorySubmission, Enterprise, EnterpriseDocument, ServiceEvent


class EnterpriseForm(ScopedModelForm):
    """Filing or editing a record; the choices offer only regions the officer may file in."""

    class Meta:
        model = Enterprise
        fields = Enterprise.EDITABLE_FIELDS
        widgets = {
            "protection_needs": forms.Textarea(attrs={"rows": 3}),
            "last_confirmed_on": DateInput(),
            "uscc": forms.TextInput(
                attrs={"autocomplete": "off", "maxlength": 18, "spellcheck": "false"}
            ),
        }
        error_messages = {
            "uscc": {
                "unique": _("An enterprise with this credit code is already in the directory.")
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        action = "change" if self.instance.pk else "add"
        prefectures = scoping.prefectures_for(user, Enterprise, action)
        codes = list(prefectures.values_list("pk", flat=True))
        self.fields["prefecture"].queryset = prefectures
        counties = County.objects.filter(prefecture__in=codes).select_related("prefecture")
        limit = scoping.county_limit(user)
        if limit:
            counties = counties.filter(pk=limit)
            self.fields["county"].required = True
        self.fields["county"].queryset = counties
        self.fields["park"].queryset = HostOrganisation.objects.filter(
            kind__in=HostOrganisation.PARK_KINDS, prefecture__in=codes, active=True
        )
        self.fields["ftz_area"].queryset = FtzArea.objects.filter(prefecture__in=codes)
        if len(codes) == 1 and not self.instance.pk:
            self.fields["prefecture"].initial = codes[0]
        if limit and not self.instance.pk:
            self.fields["county"].initial = limit

    def clean_uscc(self):
        return normalise_uscc(self.cleaned_data["uscc"])

    def clean(self):
        cleaned = super().clean()
        prefecture = cleaned.get("prefecture")
        if prefecture is not None:
            county = cleaned.get("county")
            action = "change" if self.instance.pk else "add"
            try:
                scoping.check_placement(
                    self.user, Enterprise, action, prefecture.pk, county.pk if county else None
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class DocumentForm(forms.ModelForm):
    file = forms.FileField(label=_("File"))

    class Meta:
        model = EnterpriseDocument
        fields = ["title", "kind", "file"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = check_upload(uploaded)
        return uploaded


class ServiceEventForm(forms.ModelForm):
    class Meta:
        model = ServiceEvent
        fields = ["kind", "happened_on", "summary"]
        widgets = {"happened_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}


class ImportForm(ScopedForm):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        help_text=_(
            "Use the template; at most 200,000 rows. Nothing is written before you confirm the "
            "preview."
        ),
    )
    prefecture = ScopedModelChoiceField(queryset=None, label=_("Prefecture"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        prefectures = scoping.prefectures_for(user, Enterprise, "add")
        self.fields["prefecture"].queryset = prefectures
        if prefectures.count() == 1:
            self.fields["prefecture"].initial = prefectures.first()
            self.fields["prefecture"].widget = forms.HiddenInput()


class SubmissionForm(forms.ModelForm):
    class Meta:
        model = DirectorySubmission
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"note": _("Note to the provincial bureau")}


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
