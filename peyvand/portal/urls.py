from django.urls import path

from peyvand.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.code, name="code"),
    path("login/choose/", views.choose, name="choose"),
    path("logout/", views.logout, name="logout"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<str:name>/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("surveys/<str:kind>/<int:pk>/", views.survey, name="survey"),
    path("access/<int:contact_pk>/", views.access_edit, name="access_edit"),
    path("statement/", views.statement, name="statement"),
    path("<str:name>/", views.section, name="section"),
]
