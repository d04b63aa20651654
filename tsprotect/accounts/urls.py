from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/status/", views.registration_status, name="registration_status"),
    path("claims/", views.ClaimListView.as_view(), name="claims"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim_detail"),
    path("claims/<int:pk>/verify/", views.claim_verify, name="claim_verify"),
    path("claims/<int:pk>/reject/", views.claim_reject, name="claim_reject"),
    path("claims/<int:pk>/password/", views.claim_password, name="claim_password"),
    path("users/", views.AccountListView.as_view(), name="users"),
    path("users/new/", views.AccountCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.AccountDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.AccountUpdateView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", views.account_password, name="user_password"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/deactivate/", views.team_deactivate, name="team_deactivate"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The registration form's captcha pictures, drawn on this server.
    path("captcha/", include("captcha.urls")),
]
