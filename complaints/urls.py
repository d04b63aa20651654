from django.urls import path

from . import lists, views

app_name = "complaints"

urlpatterns = [
    # The queue, its roll-up and exports (lists.py)
    path("", lists.ComplaintListView.as_view(), name="list"),
    path("export.<str:fmt>", lists.export, name="export"),
    path("overview/", lists.overview, name="overview"),
    path("credit/", lists.CreditPushListView.as_view(), name="credit"),
    path("credit/export.csv", lists.credit_export, name="credit_export"),
    path("transfers/", lists.TransferListView.as_view(), name="transfers"),
    path("transfers/export.<str:fmt>", lists.transfers_export, name="transfers_export"),
    # Intake, the complaint page and its steps (views.py)
    path("new/", views.ComplaintCreateView.as_view(), name="create"),
    path("file/", views.EnterpriseComplaintView.as_view(), name="file"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/evidence/", views.add_evidence, name="add_evidence"),
    path("<int:pk>/steps/", views.log_step, name="log_step"),
    path("<int:pk>/pauses/", views.start_pause, name="pause"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/publish/", views.publish_penalty, name="publish_penalty"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path(
        "<int:pk>/consultations/<int:expert>/end/",
        views.end_consultation,
        name="end_consultation",
    ),
    path("<int:pk>/recuse/", views.recuse, name="recuse"),
    path("pauses/<int:pk>/end/", views.end_pause, name="end_pause"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]

# Under /public/ (the ``public`` namespace, tsprotect/urls.py): anyone reports, no login.
public_urlpatterns = [
    path("report/", views.PublicReportView.as_view(), name="report"),
]
