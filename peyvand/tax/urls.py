from django.urls import path

from peyvand.tax import views

app_name = "tax"
urlpatterns = [
    path("settings/moadian/", views.moadian_settings, name="settings"),
    path("tax/submissions/", views.submission_list, name="submission_list"),
    path("tax/submissions/<int:pk>/resend/", views.submission_resend, name="submission_resend"),
]
