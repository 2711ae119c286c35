from django.urls import path

from peyvand.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<slug:slug>/", views.report_show, name="show"),
    path("<slug:slug>/export.<str:file_format>", views.report_export, name="export"),
]
