from django.urls import path

from peyvand.contacts import phonebook_views as views

app_name = "phonebook"
urlpatterns = [
    path("", views.phonebook_list, name="list"),
    path("new/", views.phonebook_create, name="create"),
    path("<int:pk>/", views.phonebook_detail, name="detail"),
    path("<int:pk>/edit/", views.phonebook_edit, name="edit"),
    path("<int:pk>/delete/", views.phonebook_delete, name="delete"),
]
