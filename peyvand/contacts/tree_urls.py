from django.urls import path

from peyvand.contacts import tree_views

app_name = "trees"
urlpatterns = [
    path("<slug:slug>/", tree_views.tree, name="tree"),
    path("<slug:slug>/<int:pk>/", tree_views.tree_node_edit, name="node_edit"),
]
