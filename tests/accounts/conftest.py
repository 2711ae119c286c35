import datetime

import pytest
import time_machine

# Mid-way through a 30-second step, so "the same step" stays the same for a while.
START = datetime.datetime(2026, 11, 29, 10, 0, 15, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    """The clock frozen at START: authenticator codes computed by a test are the ones
    the server expects, whatever the real time."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
