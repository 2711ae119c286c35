from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "peyvand.demo"
    label = "demo"
    verbose_name = "داده نمایشی"
