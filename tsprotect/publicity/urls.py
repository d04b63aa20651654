from django.urls import path

from . import views

app_name = "publicity"
urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_edit, name="notice_create"),
    path("notices/<int:pk>/edit/", views.notice_edit, name="notice_update"),
    path("notices/<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
]

public_urlpatterns = [
    path("", views.home, name="home"),
    path("notices/", views.public_notices, name="notices"),
    path("notices/<int:pk>/", views.public_notice, name="notice"),
    path("notices/attachments/<int:pk>/", views.public_attachment, name="notice_attachment"),
    path("guide/", views.guide, name="guide"),
]
