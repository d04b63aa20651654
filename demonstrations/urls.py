from django.urls import path

from . import public, views

app_name = "demonstrations"
urlpatterns = [
    path("", views.ApplicationListView.as_view(), name="list"),
    path("new/", views.choose_track, name="choose_track"),
    path("new/<str:track>/", views.create, name="create"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.update, name="update"),
    path("<int:pk>/attachments/", views.upload_attachment, name="attachment_upload"),
    path("attachments/<int:pk>/", views.download_attachment, name="attachment_download"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/experts/", views.assign_experts, name="assign_experts"),
    path("assignments/<int:pk>/remove/", views.unassign_expert, name="unassign_expert"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/recuse/", views.recuse, name="recuse"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/follow-ups/", views.add_follow_up, name="follow_up_add"),
    path("<int:pk>/funding/", views.add_funding, name="funding_add"),
    path("<int:pk>/national-candidate/", views.national_candidate, name="national_candidate"),
    path("<int:pk>/ftz-selection/", views.ftz_selection, name="ftz_selection"),
    path("<int:pk>/pilot-record/", views.add_pilot_entry, name="pilot_entry_add"),
    path("<int:pk>/acceptance/", views.record_acceptance, name="acceptance_record"),
    path(
        "acceptances/<int:pk>/documents/",
        views.upload_acceptance_document,
        name="acceptance_document_upload",
    ),
    path(
        "acceptance-documents/<int:pk>/",
        views.download_acceptance_document,
        name="acceptance_document_download",
    ),
    path("<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_edit, name="batch_create"),
    path("batches/<int:pk>/edit/", views.batch_edit, name="batch_update"),
    path("experts/", views.expert_pool, name="expert_pool"),
]

public_urlpatterns = [
    path("designations/", public.designation_list, name="designations"),
    path("verify/<str:number>/", public.verify, name="verify"),
]
