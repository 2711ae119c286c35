from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "peyvand.accounts"
    label = "accounts"
    verbose_name = "کاربران"

    def ready(self) -> None:
        from peyvand.accounts import two_factor
        from peyvand.accounts.roles import ensure_roles

        # Permissions are created app by app in post_migrate: the roles are brought in
        # step after the last app's (roles.ensure_roles).
        post_migrate.connect(ensure_roles, weak=False, dispatch_uid="peyvand.ensure_roles")
        # Whether each new session passed the second step (accounts.two_factor).
        user_logged_in.connect(
            two_factor.on_login, weak=False, dispatch_uid="peyvand.two_factor.on_login"
        )
