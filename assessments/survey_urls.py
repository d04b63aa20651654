"""Survey pages, mounted at ``surveys/`` inside the ``assessments`` namespace."""

from django.urls import path

from . import survey_views as views

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_edit, name="survey_create"),
    path("<int:pk>/", views.survey_results, name="survey_results"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_update"),
    path("<int:pk>/open/", views.survey_open, name="survey_open"),
    path("<int:pk>/close/", views.survey_close, name="survey_close"),
    path("<int:pk>/answer/", views.survey_answer, name="survey_answer"),
]
