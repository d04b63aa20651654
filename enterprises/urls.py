from django.urls import path

from . import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("mine/", views.my_enterprise, name="mine"),
    path("export/<str:fmt>/", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EnterpriseUpdateView.as_view(), name="update"),
    path("<int:pk>/documents/", views.upload_document, name="document_upload"),
    path("<int:pk>/services/", views.add_service_event, name="service_event_add"),
    path("documents/<int:pk>/", views.download_document, name="document_download"),
    path("submissions/", views.SubmissionListView.as_view(), name="submissions"),
    path("submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="submission_detail"),
    path("submissions/<int:pk>/acknowledge/", views.acknowledge, name="submission_acknowledge"),
    path("submissions/submit/<str:code>/", views.submit_changes, name="submission_submit"),
]
