"""core.views.server_error tells «busy, try again» (503) from a fault of ours (500): only
the database being away or giving up waiting is busy, also when another error wraps it
(the API's serializer loading a relation after the database went away)."""

import pydantic
import pytest
from django.db import DatabaseError, OperationalError, connection, transaction

from peyvand.core.views import database_busy


def raised(sql: str) -> Exception:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as error:
        return error
    raise AssertionError("no error")


@pytest.mark.django_db
def test_a_repeatable_database_error_is_not_busy():
    # SQLite reports a missing table as an OperationalError, PostgreSQL as a
    # ProgrammingError: neither is «try again».
    assert not database_busy(raised("SELECT * FROM no_such_table"))
    assert not database_busy(ValueError("ours"))
    assert not database_busy(None)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_timeout_is_busy_also_when_wrapped():
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1")
    timeout = raised("SELECT pg_sleep(1)")
    assert database_busy(timeout)
    try:
        try:
            raise timeout
        except DatabaseError as error:
            raise ValueError("the serializer's own error") from error
    except ValueError as wrapped:
        assert database_busy(wrapped)


def test_an_api_answer_that_lost_the_database_while_serialising_is_busy():
    """ninja validates the answer after the view: a relation read then from a database
    that has just gone away reaches us as pydantic's error, with only the text."""

    class Answer(pydantic.BaseModel):
        model_config = {"from_attributes": True}
        phones: list

    class StoredContact:
        @property
        def phones(self):
            raise OperationalError("consuming input failed: server closed the connection")

    class BrokenContact:
        phones = "not a list"

    with pytest.raises(pydantic.ValidationError) as lost:
        Answer.model_validate(StoredContact())
    assert database_busy(lost.value)
    with pytest.raises(pydantic.ValidationError) as ours:
        Answer.model_validate(BrokenContact())
    assert not database_busy(ours.value)
