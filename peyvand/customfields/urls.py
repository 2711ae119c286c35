from django.urls import path

from peyvand.customfields import views

app_name = "customfields"
urlpatterns = [
    path("", views.field_list, name="list"),
    path("new/", views.field_create, name="create"),
    path("<int:pk>/", views.field_edit, name="edit"),
]
