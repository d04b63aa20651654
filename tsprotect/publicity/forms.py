from django import forms
from django.utils.translation import gettext_lazy as _

from tsprotect.core.uploads import check_upload

from .models import Notice, NoticeAttachment


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "category", "summary", "body"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 16}),
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(forms.ModelForm):
    file = forms.FileField(label=_("File"))

    class Meta:
        model = NoticeAttachment
        fields = ["title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = check_upload(uploaded)
        return uploaded
