from django_tasks import task

from peyvand.api import idempotency


@task()
def forget_idempotency_keys() -> int:
    """Idempotency keys older than a day: a client retries within minutes."""
    return idempotency.forget_old_keys()
