from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from tsprotect.core import scoping
from tsprotect.core.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    history_entries,
    show_errors,
)

from . import services
from .filters import AccountFilter
from .forms import AccountForm, LoginForm, RegistrationForm, RejectClaimForm
from .models import EnterpriseClaim, Role, User
from .throttle import limit_posts, throttled, too_many_requests


class LoginView(auth_views.LoginView):
    """Login; failed attempts also count per address (credential stuffing across accounts),
    while django-axes locks the account attacked."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttled(request, "login_failure", increment=False):
            return too_many_requests(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttled(self.request, "login_failure")
        return super().form_invalid(form)

    def get_success_url(self):
        user = self.request.user
        if user.role == Role.ENTERPRISE and not scoping.enterprise_ids(user):
            return reverse("registration_status")
        return super().get_success_url()


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


# Self-service registration -------------------------------------------------------------------


@method_decorator(limit_posts("register"), name="dispatch")
class RegisterView(FormView):
    """An enterprise registers; the account waits for the bureau to verify its claim."""

    form_class = RegistrationForm
    template_name = "accounts/register.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        claim = form.save()
        # The password backend of AUTHENTICATION_BACKENDS: a session names the backend that
        # loads its user, and one not in the setting loads nobody.
        login(self.request, claim.user, backend="tsprotect.accounts.backends.CachedModelBackend")
        return redirect("registration_status")


@login_required
def registration_status(request):
    """What an account's registration is waiting for (the page a pending account sees)."""
    claims = EnterpriseClaim.objects.filter(user=request.user).select_related("prefecture")
    return render(
        request,
        "accounts/registration_status.html",
        {"claims": claims, "acting": bool(scoping.enterprise_ids(request.user))},
    )


# Officers: the claims of their prefecture ----------------------------------------------------


class ClaimListView(ScopedListView):
    model = EnterpriseClaim
    related = ("prefecture", "county", "user", "enterprise")
    template_name = "accounts/claim_list.html"

    def get_queryset(self):
        queryset = super().get_queryset()
        self.status = self.request.GET.get("status", EnterpriseClaim.Status.PENDING)
        if self.status in EnterpriseClaim.Status.values:
            queryset = queryset.filter(status=self.status)
        return queryset

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "statuses": EnterpriseClaim.Status.choices,
            "status": self.status,
        }


class ClaimDetailView(ScopedDetailView):
    model = EnterpriseClaim
    related = ("prefecture", "county", "user", "enterprise", "decided_by")
    template_name = "accounts/claim_detail.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "events": self.object.events.select_related("by"),
            "reject_form": RejectClaimForm(),
            "may_change": EnterpriseClaim.objects.restrict(self.request.user, "change")
            .filter(pk=self.object.pk)
            .exists(),
            "email_reset": bool(settings.EMAIL_HOST),
        }


def _back(request, claim):
    if EnterpriseClaim.objects.restrict(request.user, "view").filter(pk=claim.pk).exists():
        return redirect(claim)
    return redirect("team")


@login_required
@require_POST
def claim_verify(request, pk):
    claim = services.decidable_claim(request.user, pk)
    try:
        services.verify_claim(claim, by=request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The account has been verified and notified."))
    return _back(request, claim)


@login_required
@require_POST
def claim_reject(request, pk):
    claim = services.decidable_claim(request.user, pk)
    form = RejectClaimForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please give the reason for rejecting the registration."))
        services.reject_claim(claim, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The registration has been rejected and the user told why."))
    return _back(request, claim)


@login_required
@require_POST
def claim_password(request, pk):
    """An officer sets a temporary password, shown once on the page that answers."""
    claim = get_object_or_404(
        EnterpriseClaim.objects.restrict(request.user, "change").select_related("user"), pk=pk
    )
    try:
        password = services.set_temporary_password(claim, by=request.user)
    except ValidationError as error:
        show_errors(request, error)
        return redirect(claim)
    return _temporary_password_page(
        request, claim.user, password, claim.get_absolute_url(), _("Back to the registration")
    )


def _temporary_password_page(request, account, password, back_url, back_label):
    """The one page that shows a temporary password; no cache keeps it."""
    response = render(
        request,
        "accounts/temporary_password.html",
        {"account": account, "password": password, "back_url": back_url, "back_label": back_label},
    )
    response["Cache-Control"] = "no-store"
    return response


# Provincial staff: accounts by role ----------------------------------------------------------


def _add_service_error(form, error):
    """A service's refusal on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class AccountListView(ScopedListView):
    model = User
    related = ("prefecture", "county", "enterprise")
    filterset_class = AccountFilter
    ordering_fields = ("username", "role", "prefecture", "last_login")
    context_object_name = "accounts"
    template_name = "accounts/account_list.html"

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if queryset.query.order_by else queryset.order_by("username", "pk")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "can_add": scoping.can(self.request.user, User, "add"),
        }


class AccountDetailView(ScopedDetailView):
    model = User
    related = ("prefecture", "county", "enterprise")
    context_object_name = "account"
    template_name = "accounts/account_detail.html"

    def get_context_data(self, **kwargs):
        history = history_entries(self.object)
        for entry in history:
            entry["reason"] = services.history_reason(entry["record"].history_change_reason)
        return {
            **super().get_context_data(**kwargs),
            "history": history,
            "may_change": User.objects.restrict(self.request.user, "change")
            .filter(pk=self.object.pk)
            .exists(),
        }


class AccountCreateView(ScopedCreateView):
    model = User
    form_class = AccountForm
    template_name = "accounts/account_form.html"

    def form_valid(self, form):
        try:
            account, password = services.create_account(
                by=self.request.user, username=form.cleaned_data["username"], **form.changes()
            )
        except ValidationError as error:
            _add_service_error(form, error)
            return self.form_invalid(form)
        return _temporary_password_page(
            self.request,
            account,
            password,
            reverse("user_detail", args=[account.pk]),
            _("Back to the account"),
        )


class AccountUpdateView(ScopedUpdateView):
    model = User
    form_class = AccountForm
    context_object_name = "account"
    template_name = "accounts/account_form.html"

    def form_valid(self, form):
        try:
            services.update_account(self.object, by=self.request.user, **form.changes())
        except ValidationError as error:
            _add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The account is saved."))
        return redirect("user_detail", pk=self.object.pk)


@login_required
@require_POST
def account_password(request, pk):
    """A temporary password for an account in the manager's reach, shown once."""
    account = get_object_or_404(User.objects.restrict(request.user, "change"), pk=pk)
    try:
        password = services.reset_account_password(account, by=request.user)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("user_detail", pk=pk)
    return _temporary_password_page(
        request, account, password, reverse("user_detail", args=[pk]), _("Back to the account")
    )


# An enterprise's manager: its team -----------------------------------------------------------


@login_required
def team(request):
    managed = services.managed_enterprise_ids(request.user)
    if not managed:
        raise PermissionDenied
    claims = (
        EnterpriseClaim.objects.restrict(request.user, "team")
        .filter(enterprise_id__in=sorted(managed))
        .select_related("user", "enterprise")
        .order_by("enterprise__name", "status", "created_at")
    )
    return render(
        request, "accounts/team.html", {"claims": claims, "reject_form": RejectClaimForm()}
    )


@login_required
@require_POST
def team_deactivate(request, pk):
    claim = services.decidable_claim(request.user, pk)
    try:
        services.deactivate_member(claim, by=request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The account has been deactivated."))
    return _back(request, claim)


# Password reset ------------------------------------------------------------------------------


@method_decorator(limit_posts("password_reset"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """By e-mail when the portal has a mail server; otherwise the page says whom to ask."""

    template_name = "registration/password_reset_form.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "email_reset": bool(settings.EMAIL_HOST)}

    def post(self, request, *args, **kwargs):
        if not settings.EMAIL_HOST:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)
