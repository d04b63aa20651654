from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tsprotect.core.relations import ScopedModelForm
from tsprotect.core.validators import normalise_uscc, validate_uscc
from tsprotect.regions.models import County, Prefecture

from .models import Role, User
from .services import ACCOUNT_FIELDS, assignable_roles, claim_target, register_enterprise_user


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name or password is wrong. Note that the password is case-sensitive; "
            "after repeated failures the account is locked for a while."
        ),
        "inactive": _("This account is disabled. Please contact your bureau's administrator."),
    }


class CaptchaWidget(CaptchaTextInput):
    # The picture's text alternative in the portal's language.
    template_name = "accounts/captcha_widget.html"


PHONE = RegexValidator(
    r"^\+?[0-9][0-9 -]{5,18}[0-9]$",
    _("Enter a phone number of digits, e.g. 0731-88888888 or 13800000000."),
)


class RegistrationForm(BaseUserCreationForm):
    """An enterprise registers: its credit code, who to contact, the account, a captcha."""

    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("The 18 characters on the business licence."),
    )
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=200)
    contact_person = forms.CharField(label=_("Contact person"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=30, validators=[PHONE])
    captcha = CaptchaField(
        label=_("Verification code"),
        widget=CaptchaWidget,
        help_text=_("Type the characters shown in the picture."),
        error_messages={"invalid": _("The verification code is wrong; please try again.")},
    )

    field_order = [
        "uscc",
        "enterprise_name",
        "contact_person",
        "phone",
        "email",
        "username",
        "password1",
        "password2",
        "captcha",
    ]

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ("username", "email")
        labels = {"email": _("E-mail (optional, for password reset)")}

    def clean_uscc(self):
        code = normalise_uscc(self.cleaned_data["uscc"]).upper()
        validate_uscc(code)
        self.target = claim_target(code)
        return code

    def save(self, commit=True):
        user = super().save(commit=False)
        return register_enterprise_user(
            user=user,
            uscc=self.cleaned_data["uscc"],
            enterprise_name=self.cleaned_data["enterprise_name"],
            contact_person=self.cleaned_data["contact_person"],
            phone=self.cleaned_data["phone"],
        )


class RejectClaimForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("The registrant is told this reason."),
    )


class AccountForm(ScopedModelForm):
    """An account of a role, as provincial staff create or edit it: the role sets its groups,
    so no group or permission is ever offered."""

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "email",
            "phone",
            "role",
            "prefecture",
            "county",
            "is_active",
        ]
        labels = {"is_active": _("Active (may log in)")}
        help_texts = {
            "county": _("For county officers: a county of the prefecture chosen above."),
            "is_active": None,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            del self.fields["username"]
        else:
            del self.fields["is_active"]
        role = self.fields["role"]
        role.required = True
        if self.instance.pk and self.instance.role == Role.ENTERPRISE:
            # Enterprise users get and lose their role through the claim workflow.
            role.choices = [(Role.ENTERPRISE.value, Role.ENTERPRISE.label)]
            role.disabled = True
        else:
            role.choices = [("", "---------")] + [
                (r.value, r.label) for r in assignable_roles(user)
            ]
        # Account managers act for the whole province: every prefecture, and its counties.
        self.fields["prefecture"].queryset = Prefecture.objects.all()
        self.fields["county"].queryset = County.objects.select_related("prefecture")

    def changes(self):
        """The cleaned values the account services take."""
        return {
            name: self.cleaned_data[name]
            for name in ACCOUNT_FIELDS
            if name in self.fields and not self.fields[name].disabled
        }
