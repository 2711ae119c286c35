import datetime

from django.apps import AppConfig

# The output schema of each record type the API serves (api.schemas), by model label:
# the shape a webhook's record has too (core.registry.record_json).
RECORD_SCHEMAS = {
    "contacts.contact": "ContactOut",
    "contacts.phonebookentry": "PhoneBookOut",
    "activities.task": "TaskOut",
    "activities.event": "EventOut",
    "activities.call": "CallOut",
    "sales.lead": "LeadOut",
    "sales.followup": "FollowUpOut",
    "sales.quote": "QuoteDetailOut",
    "sales.invoice": "InvoiceDetailOut",
    "service.request": "RequestOut",
    "service.feedback": "FeedbackOut",
    "service.complaint": "ComplaintOut",
    "finance.receipt": "ReceiptDetailOut",
    "finance.cheque": "ChequeDetailOut",
}


def _as_json(schema):
    def to_json(record) -> dict:
        return schema.from_orm(record).model_dump(mode="json")

    return to_json


class ApiConfig(AppConfig):
    name = "peyvand.api"
    label = "api"
    verbose_name = "واسط برنامه‌نویسی"

    def ready(self) -> None:
        from peyvand.api import schemas, tasks
        from peyvand.core.registry import register_record_json
        from peyvand.core.scheduler import PeriodicJob, register_periodic

        for label, name in RECORD_SCHEMAS.items():
            register_record_json(label, _as_json(getattr(schemas, name)))
        register_periodic(
            PeriodicJob(
                "api.forget_keys", datetime.timedelta(hours=1), tasks.forget_idempotency_keys
            )
        )
