"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def add_errors(form, error: ValidationError):
    """Show a service's refusal on the fields it names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class RecusalForm(forms.Form):
    """An expert's declaration of a conflict of interest (回避), on a review or a consultation."""

    reason = forms.CharField(
        label=_("Reason for the recusal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Say what ties you to a party or to this matter (employment, shareholding, family, "
            "earlier advice…). The reason is recorded in the log; you no longer reach the file."
        ),
    )
