from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peyvand.reports"
    label = "reports"
    verbose_name = "گزارش‌ها"
