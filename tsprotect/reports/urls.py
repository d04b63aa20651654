from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("build/", views.build, name="build"),
    path("builds/<int:pk>/", views.build_status, name="build-status"),
    path("plan/", views.work_plan_current, name="work-plan-current"),
    path("plan/<int:year>/", views.work_plan, name="work-plan"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/xlsx/", views.xlsx, name="xlsx"),
    path("<int:pk>/narrative/", views.narrative, name="narrative"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/return/", views.return_report, name="return"),
]
