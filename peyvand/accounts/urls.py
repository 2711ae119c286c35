from django.urls import path

from peyvand.accounts import two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("login/code/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/", two_factor_views.manage, name="two_factor"),
    path("two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("two-factor/codes/", two_factor_views.codes, name="two_factor_codes"),
    path("two-factor/codes/new/", two_factor_views.new_codes, name="two_factor_new_codes"),
    path("two-factor/disable/", two_factor_views.disable, name="two_factor_disable"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("preferences/", views.preferences, name="preferences"),
    path("sessions/end-others/", views.end_other_sessions, name="end_other_sessions"),
    path("api-tokens/new/", views.api_token_create, name="api_token_create"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_edit, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path(
        "users/<int:pk>/two-factor/reset/",
        two_factor_views.reset,
        name="user_two_factor_reset",
    ),
    path("users/<int:pk>/sessions/end/", views.user_end_sessions, name="user_end_sessions"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/new/", views.role_edit, name="role_create"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_edit, name="team_create"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
]
