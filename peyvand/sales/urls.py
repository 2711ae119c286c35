from django.urls import path

from peyvand.sales import views

app_name = "sales"
urlpatterns = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/board/", views.lead_board, name="lead_board"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/stage/", views.lead_stage, name="lead_stage"),
    path("leads/<int:pk>/close/", views.lead_close, name="lead_close"),
    path("leads/<int:pk>/reopen/", views.lead_reopen, name="lead_reopen"),
    path("leads/<int:pk>/delete/", views.lead_delete, name="lead_delete"),
    path("leads/<int:pk>/followups/", views.followup_create, name="followup_create"),
    path("followups/", views.followup_due, name="followup_due"),
    path("followups/<int:pk>/task/", views.followup_task, name="followup_task"),
]
