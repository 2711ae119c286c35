from django.urls import path

from peyvand.core import annotation_views, app_shell, export_views, health, import_views, views
from peyvand.core.lists import views as list_views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("lists/<str:key>/views/", list_views.view_save, name="list_view_save"),
    path("lists/views/<int:pk>/delete/", list_views.view_delete, name="list_view_delete"),
    path("lists/views/<int:pk>/start/", list_views.view_start, name="list_view_start"),
    path("lists/start-page/clear/", list_views.start_page_clear, name="start_page_clear"),
    path("lists/<str:key>/columns/", list_views.columns_save, name="list_columns"),
    path("lists/<str:key>/bulk/<slug:action>/", list_views.list_bulk, name="list_bulk"),
    path("health/", health.health, name="health"),
    path("manifest.webmanifest", app_shell.manifest, name="manifest"),
    path("service-worker.js", app_shell.service_worker, name="service_worker"),
    path("offline/", app_shell.offline, name="offline"),
    path("dialog/saved/", views.dialog_saved, name="dialog_saved"),
    path("icons/app-<int:size>-<slug:purpose>.png", app_shell.app_icon, name="app_icon"),
    path("trash/", views.trash, name="trash"),
    path("trash/<str:model_label>/<int:pk>/restore/", views.trash_restore, name="trash_restore"),
    path("settings/", views.site_settings, name="site_settings"),
    path("settings/holidays/", views.holidays, name="holidays"),
    path("settings/holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    path("settings/sequences/", views.sequence_list, name="sequence_list"),
    path("settings/sequences/<int:pk>/", views.sequence_edit, name="sequence_edit"),
    path(
        "attachments/<str:model_label>/<int:pk>/new/",
        annotation_views.attachment_upload,
        name="attachment_upload",
    ),
    path("attachments/<int:pk>/", annotation_views.attachment_download, name="attachment"),
    path(
        "attachments/<int:pk>/delete/",
        annotation_views.attachment_delete,
        name="attachment_delete",
    ),
    path("notes/<str:model_label>/<int:pk>/new/", annotation_views.note_add, name="note_add"),
    path("imports/<str:target>/new/", import_views.import_start, name="import_start"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("exports/<str:kind>/new/", export_views.export_start, name="export_start"),
    path(
        "exports/<str:kind>/file.<str:file_format>",
        export_views.list_export,
        name="list_export",
    ),
    path("exports/<int:pk>/", export_views.export_detail, name="export_detail"),
    path("exports/<int:pk>/file/", export_views.export_download, name="export_download"),
    path("imports/<int:pk>/issues.xlsx", import_views.import_issues, name="import_issues"),
]
