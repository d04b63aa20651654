from django.urls import include, path

from . import tips, views

app_name = "assessments"
urlpatterns = [
    path("", views.SubmissionListView.as_view(), name="list"),
    path("start/<int:enterprise_pk>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/fill/", views.fill, name="fill"),
    path("<int:pk>/restart/", views.restart, name="restart"),
    path("<int:pk>/tips.pdf", views.tips_pdf, name="tips_pdf"),
    path("<int:pk>/review/<str:action>/", views.review, name="review"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("due-visits/", views.due_visits, name="due_visits"),
    path("versions/", views.template_list, name="templates"),
    path("versions/<int:pk>/", views.template_detail, name="template_detail"),
    path("versions/<int:pk>/<str:action>/", views.template_action, name="template_action"),
    path("tips/", tips.manage_list, name="tip_manage"),
    path("tips/new/", tips.edit, name="tip_create"),
    path("tips/<int:pk>/edit/", tips.edit, name="tip_update"),
    path("tips/<int:pk>/<str:status>/", tips.change_status, name="tip_status"),
    path("surveys/", include("assessments.survey_urls")),
]

public_urlpatterns = [
    path("tips/", tips.public_list, name="tips"),
    path("tips/<int:pk>/", tips.public_detail, name="tip"),
]
