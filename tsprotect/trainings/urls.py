from django.urls import path

from . import public, views

app_name = "trainings"
urlpatterns = [
    path("", views.EventListView.as_view(), name="list"),
    path("new/", views.EventCreateView.as_view(), name="create"),
    path("<int:pk>/", views.participants, name="participants"),
    path("<int:pk>/edit/", views.EventUpdateView.as_view(), name="update"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/participants.xlsx", views.export, name="export"),
]

public_urlpatterns = [
    path("trainings/", public.event_list, name="trainings"),
    path("trainings/<int:pk>/", public.event_detail, name="training"),
]
