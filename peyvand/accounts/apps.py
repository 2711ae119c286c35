from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "peyvand.accounts"
    label = "accounts"
    verbose_name = "کاربران"

    def ready(self) -> None:
        from peyvand.accounts.roles import ensure_roles

        # Permissions exist only after post_migrate, so roles are kept in step here.
        post_migrate.connect(ensure_roles, sender=self, weak=False)
