"""Fixtures of the tests that run the worker against the fake Moadian on the real clock
(the submission and adjustment tests): a key pair valid now, the fake serving it, and
the settings pointing at the fake. Imported by those modules (they replace conftest's
fake, whose clock is fixed for the client tests)."""

import pytest

from peyvand.tax.fake_moadian import FakeMoadian
from tests.tax.conftest import MEMORY_ID
from tests.tax.helpers import configure, current_pair


@pytest.fixture(scope="module")
def pair():
    return current_pair()


@pytest.fixture
def fake(pair, server_key):
    with FakeMoadian(taxpayers={MEMORY_ID: [pair.certificate_pem]}, server_key=server_key) as f:
        yield f


@pytest.fixture
def moadian(db, pair, fake):
    return configure(pair, fake.url)
