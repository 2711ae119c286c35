import datetime

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "peyvand.api"
    label = "api"
    verbose_name = "واسط برنامه‌نویسی"

    def ready(self) -> None:
        from peyvand.api import tasks
        from peyvand.api.schemas import RECORD_SCHEMAS
        from peyvand.core.registry import register_record_json
        from peyvand.core.scheduler import PeriodicJob, register_periodic

        for label, schema in RECORD_SCHEMAS.items():
            register_record_json(
                label, lambda record, schema=schema: schema.from_orm(record).model_dump(mode="json")
            )
        register_periodic(
            PeriodicJob(
                "api.forget_keys", datetime.timedelta(hours=1), tasks.forget_idempotency_keys
            )
        )
