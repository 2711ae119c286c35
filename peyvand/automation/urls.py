from django.urls import path

from peyvand.automation import views

app_name = "automation"

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/new/", views.webhook_edit, name="webhook_create"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/secret/", views.webhook_secret, name="webhook_secret"),
    path("webhooks/<int:pk>/ping/", views.webhook_ping, name="webhook_ping"),
    path("webhooks/deliveries/<int:pk>/resend/", views.delivery_resend, name="delivery_resend"),
    path("forms/", views.form_list, name="form_list"),
    path("forms/new/", views.form_edit, name="form_create"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("forms/<int:form_pk>/fields/new/", views.field_edit, name="field_create"),
    path("forms/fields/<int:pk>/edit/", views.field_edit, name="field_edit"),
    path("forms/fields/<int:pk>/delete/", views.field_delete, name="field_delete"),
    path("forms/fields/<int:pk>/move/", views.field_move, name="field_move"),
    path("forms/<int:pk>/submissions/", views.submission_list, name="submission_list"),
    path(
        "forms/<int:pk>/submissions/<str:file_format>/",
        views.submission_export,
        name="submission_export",
    ),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/new/<slug:kind>/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/switch/", views.rule_switch, name="rule_switch"),
]
