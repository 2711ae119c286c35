from django.apps import AppConfig


class CustomFieldsConfig(AppConfig):
    name = "peyvand.customfields"
    label = "customfields"
    verbose_name = "اطلاعات تکمیلی"
