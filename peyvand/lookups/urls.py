from django.urls import path

from peyvand.lookups import views

app_name = "lookups"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.item_list, name="list"),
    path("<slug:slug>/<int:pk>/", views.item_edit, name="edit"),
    path("<slug:slug>/<int:pk>/delete/", views.item_delete, name="delete"),
]
