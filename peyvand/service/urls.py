from django.urls import path

from peyvand.service import views

app_name = "service"
urlpatterns = [
    path("requests/", views.request_list, {"view": "inbox"}, name="request_inbox"),
    path("requests/sent/", views.request_list, {"view": "sent"}, name="request_sent"),
    path("requests/all/", views.request_list, {"view": "all"}, name="request_all"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/delete/", views.request_delete, name="request_delete"),
    path("requests/<int:pk>/done/", views.request_done, name="request_done"),
    path("requests/<int:pk>/archive/", views.request_archive, name="request_archive"),
    path("requests/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("requests/<int:pk>/sms/", views.request_sms, name="request_sms"),
    path("requests/<int:pk>/watch/", views.request_watch, name="request_watch"),
    path("requests/<int:pk>/link/", views.request_link, name="request_link"),
    path(
        "requests/<int:pk>/unlink/<int:other_pk>/",
        views.request_unlink,
        name="request_unlink",
    ),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/edit/", views.complaint_edit, name="complaint_edit"),
    path("complaints/<int:pk>/delete/", views.complaint_delete, name="complaint_delete"),
    path("complaints/<int:pk>/close/", views.complaint_close, name="complaint_close"),
    path("complaints/<int:pk>/reopen/", views.complaint_reopen, name="complaint_reopen"),
    path(
        "complaints/<int:pk>/followups/",
        views.complaint_followup_create,
        name="complaint_followup_create",
    ),
    path("feedback/new/<int:contact_pk>/", views.feedback_create, name="feedback_create"),
    path("feedback/<int:pk>/delete/", views.feedback_delete, name="feedback_delete"),
    path("track/", views.track, name="track"),
    path("settings/", views.service_settings, name="settings"),
]
