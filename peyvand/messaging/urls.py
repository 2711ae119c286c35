from django.urls import path

from peyvand.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/reply/", views.message_reply, name="reply"),
    path("<int:pk>/retry/", views.message_retry, name="retry"),
    path("<int:pk>/cancel/", views.message_cancel, name="cancel"),
    path("preview/", views.message_preview, name="preview"),
    path("to/<int:contact_pk>/", views.message_send, name="send"),
    path("to/<int:contact_pk>/opt-out/", views.opt_out_toggle, name="opt_out"),
    path("broadcasts/", views.broadcast_list, name="broadcast_list"),
    path("broadcasts/new/", views.broadcast_create, name="broadcast_create"),
    path("broadcasts/<int:pk>/", views.broadcast_detail, name="broadcast_detail"),
    path("broadcasts/<int:pk>/cancel/", views.broadcast_cancel, name="broadcast_cancel"),
    path("broadcasts/<int:pk>/retry/", views.broadcast_retry, name="broadcast_retry"),
    path("occasions/", views.occasion_list, name="occasion_list"),
    path("occasions/new/", views.occasion_edit, name="occasion_create"),
    path("occasions/<int:pk>/", views.occasion_edit, name="occasion_edit"),
    path("occasions/<int:pk>/delete/", views.occasion_delete, name="occasion_delete"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_edit, name="group_create"),
    path("groups/add/", views.group_add, name="group_add"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/delete/", views.group_delete, name="group_delete"),
    path("groups/<int:pk>/remove/<int:contact_pk>/", views.group_remove, name="group_remove"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("settings/", views.messaging_settings, name="settings"),
]
