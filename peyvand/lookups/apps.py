from django.apps import AppConfig


class LookupsConfig(AppConfig):
    name = "peyvand.lookups"
    label = "lookups"
    verbose_name = "کدینگ عمومی"
