from django.urls import path

from peyvand.contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("autocomplete/", views.contact_autocomplete, name="autocomplete"),
    path("export.<str:file_format>", views.contact_export, name="export"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/history/", views.contact_history, name="history"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/delete/", views.contact_delete, name="delete"),
    path("<int:pk>/logo/", views.contact_logo, name="logo"),
    path("<int:pk>/merge/", views.contact_merge, name="merge"),
    path("<int:pk>/<slug:kind>/new/", views.contact_row_add, name="row_add"),
    path(
        "<int:pk>/<slug:kind>/<int:row_pk>/delete/",
        views.contact_row_remove,
        name="row_remove",
    ),
]
