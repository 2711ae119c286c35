from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "peyvand.api"
    label = "api"
    verbose_name = "واسط برنامه‌نویسی"
