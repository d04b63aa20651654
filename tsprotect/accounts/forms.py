from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name or password is wrong. Note that the password is case-sensitive; "
            "after repeated failures the account is locked for a while."
        ),
        "inactive": _("This account is disabled. Please contact your bureau's administrator."),
    }
